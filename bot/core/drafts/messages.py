"""Which chat message is a news article to draft from, rather than a question to answer.

The bot's /draft and an admin's private messages use these rules; they are plain text rules,
so they live here and not in the Telegram layer (bot/tg/admin/draft.py only sends the replies).
"""

from __future__ import annotations

import re

from bot.core.answering import MAX_QUESTION_LENGTH

# A message that is one link and nothing else.
LINK = re.compile(r"^\s*(https?://\S+)\s*$", re.IGNORECASE)
# A forwarded post this long is an article; a shorter one is left to be asked as a question.
MIN_FORWARDED_WORDS = 30


def link_alone(text: str) -> str | None:
    """The link when text is one http(s) link and nothing else; else None."""
    found = LINK.match(text)
    return found.group(1) if found is not None else None


def is_article_message(text: str, *, forwarded: bool) -> bool:
    """Whether a message is an article: a link on its own, a forwarded post of
    MIN_FORWARDED_WORDS words or more, or a text longer than any question may be."""
    if link_alone(text) is not None:
        return True
    if forwarded and len(text.split()) >= MIN_FORWARDED_WORDS:
        return True
    return len(text) > MAX_QUESTION_LENGTH
