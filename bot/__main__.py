"""Run the meetbot command line: python -m bot."""

import sys

from bot.cli import main

# Guarded: the child process of big imports (bot/tg/context.py, "spawn") must not run it again.
if __name__ == "__main__":
    sys.exit(main())
