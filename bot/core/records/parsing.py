"""Admin input parsing: dates, participant lines, lists and links as admins type them.

Also the names of the fields /edit changes. Nothing here checks limits: that is the schema's
job (bot/core/schema.py, worded for admins by rules.py).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.records.values import MeetingRecord, ParticipantRecord, RecordError
from bot.core.text import MONTH_NUMBERS

EDITABLE_FIELDS = (
    "date",
    "location",
    "title",
    "summary",
    "sources",
    "issues",
    "participants",
    "external_id",
)
_FIELD_NAMES = {
    "date": "date",
    "location": "location",
    "place": "location",
    "title": "title",
    "summary": "summary",
    "source": "sources",
    "sources": "sources",
    "url": "sources",
    "issues": "issues",
    "issue": "issues",
    "topics": "issues",
    "participants": "participants",
    "people": "participants",
    "id": "external_id",
    "external_id": "external_id",
}
# Typed as the value of an optional field, these clear it.
_CLEAR_WORDS = {"-", "—", "none", "clear", "empty"}


def clean_text(value: str | None) -> str | None:
    """Strip whitespace and control characters; an empty value becomes None."""
    if value is None:
        return None
    text = "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in value)
    text = text.strip()
    return text or None


def local_today(clock: Clock, timezone: str | None = None) -> dt.date:
    """Return today's date at the clock's now, in timezone (an IANA name) or UTC."""
    now = clock.now()
    return now.astimezone(ZoneInfo(timezone)).date() if timezone else now.date()


_MONTHS = MONTH_NUMBERS
_MONTH_NAMES = tuple(calendar.month_name[1:])
_DATE_HINT = "write it like 2023-11-14, 14.11.2023, 14 Nov 2023 or today"


def parse_admin_date(text: str, *, today: dt.date) -> dt.date:
    """Read a date as admins type it: 2023-11-14, 14.11.2023, 14 Nov 2023, Nov 14, 2023, today.

    Day-first for numeric forms (14.11.2023, 14/11/2023). Raises RecordError for text that is
    not a date or names a day that does not exist (31.02.2023). Range rules are in
    validate_record.
    """
    raw = clean_text(text) or ""
    lowered = raw.casefold().rstrip(".")
    relative = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if lowered in relative:
        return today + dt.timedelta(days=relative[lowered])
    parts: tuple[int, int, int] | None = None  # year, month, day
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", lowered):
        parts = int(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})", lowered):
        parts = int(m[3]), int(m[2]), int(m[1])
    elif (m := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})", lowered)) and (
        m[2] in _MONTHS
    ):
        parts = int(m[3]), _MONTHS[m[2]], int(m[1])
    elif (m := re.fullmatch(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", lowered)) and (
        m[1] in _MONTHS
    ):
        parts = int(m[3]), _MONTHS[m[1]], int(m[2])
    if parts is None:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise RecordError(f"I cannot read “{shown}” as a date; {_DATE_HINT}.")
    year, month, day = parts
    if not 1 <= month <= 12:
        raise RecordError(f"There is no month {month}; {_DATE_HINT}.")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise RecordError(f"There is no {day} {_MONTH_NAMES[month - 1]} {year}.") from None


def parse_participant_line(text: str) -> ParticipantRecord:
    """Read "Name, role, organization, country" (role and the rest optional).

    A role often holds commas ("Chief of X, Chairman of Y"), so with more than four parts the
    first is the name, the last two the organization and country and the middle the role.
    Writing ";" or "|" between the parts instead avoids the guess.
    """
    raw = clean_text(text) or ""
    separator = ";" if ";" in raw else "|" if "|" in raw else ","
    parts = [p.strip() for p in raw.split(separator)]
    if len(parts) > 4:
        parts = [parts[0], ", ".join(parts[1:-2]), parts[-2], parts[-1]]
    parts += [""] * (4 - len(parts))
    name, title, organization, country = (clean_text(p) for p in parts)
    return ParticipantRecord(
        name=name or "", title=title, organization=organization, country=country
    )


def split_list(text: str) -> list[str]:
    """Split a comma- or newline-separated list, dropping empty items and duplicates."""
    items = (clean_text(p) for p in re.split(r"[,\n;]", text))
    return list(dict.fromkeys(i for i in items if i))


def split_sources(text: str) -> list[str]:
    """Split URLs separated by spaces, commas or new lines."""
    return list(dict.fromkeys(p for p in re.split(r"[\s,]+", text.strip()) if p))


def canonical_field(name: str) -> str:
    """Return the editable field meant by name (source -> sources); RecordError if none."""
    key = name.strip().casefold().replace("-", "_")
    if key not in _FIELD_NAMES:
        shown = name if len(name) <= 30 else name[:30] + "…"
        raise RecordError(f"There is no field “{shown}”; fields are {', '.join(EDITABLE_FIELDS)}.")
    return _FIELD_NAMES[key]


def apply_field(
    record: MeetingRecord, field_name: str, value: str, *, today: dt.date
) -> MeetingRecord:
    """Return record with field_name set from the admin's text (see edit_meeting).

    "-" (or "none", "clear") clears an optional field; the date and the participants cannot
    be empty. The result is not validated yet.
    """
    key = canonical_field(field_name)
    text = (value or "").strip()
    if key in ("date", "participants") and not text:
        raise RecordError(f"The {key} cannot be empty.")
    clear = text.casefold() in _CLEAR_WORDS
    if key == "date":
        return replace(record, date=parse_admin_date(text, today=today))
    if key == "participants":
        # One person a line; on one line ";" separates people ("A, role; B, role").
        lines = [x for x in (text.splitlines() if "\n" in text else text.split(";")) if x.strip()]
        return replace(record, participants=tuple(parse_participant_line(x) for x in lines))
    if key == "sources":
        return replace(record, sources=() if clear else tuple(split_sources(text)))
    if key == "issues":
        return replace(record, issues=() if clear else tuple(split_list(text)))
    new_value = None if clear else clean_text(text)
    if key == "location":
        return replace(record, location=new_value)
    if key == "title":
        return replace(record, title=new_value)
    if key == "summary":
        return replace(record, summary=new_value)
    return replace(record, external_id=new_value)
