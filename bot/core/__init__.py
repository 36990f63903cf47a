"""The answering, records and digest logic: plain Python, no Telegram types."""
