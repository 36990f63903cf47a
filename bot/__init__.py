"""meetbot: a Telegram bot that knows who met whom."""

__version__ = "0.1.0"
