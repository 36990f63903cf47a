"""Read an Article into one Draft per meeting it reports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.core.drafts.model import Article, Draft

if TYPE_CHECKING:
    from sqlmodel import Session


def extract_drafts(article: Article, *, session: Session | None = None) -> list[Draft]:
    """One Draft per meeting the article reports (a first version: the frame only)."""
    del session
    meeting: dict[str, Any] = {
        "date": None,
        "location": None,
        "title": article.title,
        "summary": None,
        "source": article.url,
        "participants": [],
        "issues": [],
    }
    unsure = {"date": "not read from the article yet", "location": "not read yet"}
    return [Draft(meeting=meeting, unsure=unsure)]
