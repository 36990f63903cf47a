"""A Draft (import format) as the /add form holds it: a MeetingDraft and the marked fields.

The bot's /draft opens the /add form already filled in from the article; the admin checks it
in the same preview, with every field the extractor was unsure of marked. Marks are keyed by
the form's field names ("date", "location", "sources", "issues", "participants[1].country").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from bot.core.drafts.model import Draft
from bot.core.records import MeetingDraft, ParticipantRecord

_PARTICIPANT_PATH = re.compile(r"^participants\[(\d+)\](.*)$")


def participant_path(path: str) -> tuple[int, str] | None:
    """A mark's path into one participant split: "participants[2].country" -> (2,
    ".country"), "participants[0]" -> (0, ""); None for any other path."""
    found = _PARTICIPANT_PATH.match(path)
    return None if found is None else (int(found.group(1)), found.group(2))


NAMELESS = "a participant named in the article without a name found; add them with Edit"


@dataclass(frozen=True, slots=True)
class Prefill:
    """What the /add form starts from: the meeting so far and why each marked field is."""

    meeting: MeetingDraft
    marks: dict[str, str] = field(default_factory=dict)


def prefill(draft: Draft) -> Prefill:
    """The draft as a MeetingDraft with its marks; nameless participants are left out (marked)."""
    data = draft.meeting
    people: list[ParticipantRecord] = []
    index_of: dict[int, int] = {}  # the draft's participant index -> the form's
    nameless = False
    for index, person in enumerate(data.get("participants") or []):
        name = _text(person.get("name"))
        if not name:
            nameless = True
            continue
        index_of[index] = len(people)
        people.append(
            ParticipantRecord(
                name=name,
                title=_text(person.get("title")),
                organization=_text(person.get("organization")),
                country=_text(person.get("country")),
            )
        )
    sources = data.get("sources") or ([data["source"]] if data.get("source") else [])
    meeting = MeetingDraft(
        date=_day(data.get("date")),
        participants=people,
        location=_text(data.get("location")),
        title=_text(data.get("title")),
        summary=_text(data.get("summary")),
        sources=[str(s) for s in sources if s],
        issues=[i for i in (_text(i) for i in data.get("issues") or []) if i],
    )
    marks: dict[str, str] = {}
    for path, why in draft.unsure.items():
        found = participant_path(path)
        if found is None:
            marks["sources" if path == "source" else path] = why
        elif found[0] in index_of:
            marks[f"participants[{index_of[found[0]]}]{found[1]}"] = why
    if nameless:
        marks["participants"] = NAMELESS
    return Prefill(meeting=meeting, marks=marks)


def drop_marks(marks: dict[str, str], field_name: str) -> dict[str, str]:
    """The marks left once the admin has given a field ("participants" covers each one's)."""
    return {
        path: why
        for path, why in marks.items()
        if path != field_name and not path.startswith(f"{field_name}[")
    }


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
