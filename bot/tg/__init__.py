"""The Telegram edge: the only package that imports python-telegram-bot (see bot/tg/app.py)."""
