"""What a draft is made from (an Article) and what extraction gives (a Draft).

An Article is plain text with what is known about it; the HTML reader
(bot.core.drafts.article) and plain text (the CLI's FILE or -, a pasted Telegram message) both
end here. A Draft is one meeting in the import format (the keys of seeds/*.yaml) with the
fields the extractor is unsure of, by import path, and the participants it linked to stored
people.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Article:
    """An article's main text (paragraphs separated by blank lines) and what is known of it."""

    text: str
    title: str | None = None
    published: dt.date | None = None
    url: str | None = None


@dataclass(frozen=True)
class Draft:
    """One meeting drafted from an article, in the import format, not yet checked by an admin.

    meeting: the keys of one meeting of the import format (date, location, title, summary,
    source, participants [name, title, organization, country, aliases], issues); a value not
    found is None (or missing for optional keys).
    unsure: import path ("date", "location", "participants[1].country") -> why, one sentence.
    known_people: participant index -> id of the stored person it was linked to by name key.
    """

    meeting: dict[str, Any]
    unsure: dict[str, str] = field(default_factory=dict)
    known_people: dict[int, int] = field(default_factory=dict)
