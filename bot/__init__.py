"""meetbot: a Telegram bot that knows who met whom.

The layers, the flows and the design decisions are described in docs/ARCHITECTURE.md.
"""

__version__ = "0.1.0"
