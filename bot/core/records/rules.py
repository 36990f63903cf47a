"""The rules a meeting record obeys, as admins meet them: the schema's checks worded as sentences.

The limits and the checks themselves are the meeting schema's (bot/core/schema.py), the same
the import uses, so a meeting one accepts the other can edit. This module maps a record to the
schema's input model, runs it once, and turns each error into one sentence for the admin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from typing import Any

from pydantic import TypeAdapter
from pydantic import ValidationError as SchemaError

from bot.core import schema
from bot.core.names import name_key
from bot.core.records.parsing import clean_text
from bot.core.records.values import MeetingRecord, ParticipantRecord, ValidationError

# The record's field names where the schema (the import format) names them otherwise.
_SCHEMA_NAMES = {"sources": "source", "external_id": "id"}
_FIELD_TYPES: dict[str, Any] = {
    "date": schema.MeetingDate,
    "location": schema.Location,
    "title": schema.Title,
    "summary": schema.Summary,
    "sources": schema.Sources,
    "issues": schema.Issues,
    "external_id": schema.ExternalId,
}
_LABELS = {
    "date": "date",
    "location": "location",
    "title": "title",
    "summary": "summary",
    "id": "id",
    "source": "source link",
    "issues": "issue",
    "name": "name",
    "title_of": "role",
    "organization": "organization",
    "country": "country",
}
_COUNTED = {"participants": "participants", "source": "source links", "issues": "issues"}


def validate_record(record: MeetingRecord, *, today: dt.date) -> MeetingRecord:
    """Check record against the meeting schema and return it cleaned.

    Whitespace is tidied, empty and repeated sources and issues are dropped. Raises
    ValidationError with one sentence per problem: a date before 1900 or more than a day
    ahead of today, fewer than two participants or the same person twice, an empty name, a
    field over its limit, a broken source link.
    """
    sources = list(dict.fromkeys(s.strip() for s in record.sources if s.strip()))
    issues = _unique_names(record.issues)
    raw = {
        "id": record.external_id,
        "date": record.date,
        "location": record.location,
        "title": record.title,
        "summary": record.summary,
        "source": sources,
        "participants": [_participant_input(p) for p in record.participants],
        "issues": issues,
    }
    try:
        meeting = schema.MeetingIn.model_validate(raw, context={"today": today})
    except SchemaError as exc:
        errors = _sentences(exc, count=len(record.participants))
        if len(record.participants) < 2:
            # pydantic checks a list's length only when every item is valid: say it anyway.
            errors.append(_too_few(len(record.participants)))
        raise ValidationError(list(dict.fromkeys(errors))) from None
    participants = tuple(
        replace(p, name=q.name, title=q.title, organization=q.organization, country=q.country)
        for p, q in zip(record.participants, meeting.participants, strict=True)
    )
    seen: dict[str, int] = {}
    errors = []
    for index, p in enumerate(participants, start=1):
        key = f"#{p.person_id}" if p.person_id else name_key(p.name)
        if key in seen:
            errors.append(f"Participants {seen[key]} and {index} are the same person.")
        seen.setdefault(key, index)
    if errors:
        raise ValidationError(errors)
    return MeetingRecord(
        date=meeting.date,
        participants=participants,
        location=meeting.location,
        title=meeting.title,
        summary=meeting.summary,
        sources=tuple(meeting.source),
        issues=tuple(meeting.issues),
        external_id=meeting.id,
    )


def check_participant(p: ParticipantRecord) -> ParticipantRecord:
    """Return p cleaned, or raise ValidationError for an empty name or a part over its limit."""
    try:
        checked = schema.ParticipantIn.model_validate(_participant_input(p))
    except SchemaError as exc:
        errors = [
            "A participant needs a name: send Name, role, organization, country."
            if error["loc"] == ("name",) and error["type"] in ("empty", "required")
            else _sentence(error, ("participants", 0, *error["loc"]), count=1)
            for error in exc.errors()
        ]
        raise ValidationError(
            [e.replace("participant 1", "the participant") for e in errors]
        ) from None
    return replace(
        p,
        name=checked.name,
        title=checked.title,
        organization=checked.organization,
        country=checked.country,
    )


def check_field(name: str, value: Any, *, today: dt.date | None = None) -> Any:
    """Check one field of a meeting (date, location, sources, issues...) as the schema does.

    For the /add conversation, which asks one field at a time. Returns the cleaned value;
    raises ValidationError with a sentence per problem.
    """
    if name == "issues":
        value = _unique_names(value)
    try:
        return _adapter(name).validate_python(value, context={"today": today})
    except SchemaError as exc:
        prefix = _SCHEMA_NAMES.get(name, name)
        raise ValidationError(
            [_sentence(error, (prefix, *error["loc"]), count=0) for error in exc.errors()]
        ) from None


def check_participant_count(count: int) -> None:
    """Refuse (ValidationError) a meeting growing past the schema's number of participants."""
    if count > schema.MAX_PARTICIPANTS:
        raise ValidationError(
            [f"A meeting can have at most {schema.MAX_PARTICIPANTS} participants."]
        )


@cache
def _adapter(name: str) -> TypeAdapter[Any]:
    return TypeAdapter(_FIELD_TYPES[name])


def _unique_names(names: Sequence[str]) -> list[str]:
    """Drop empty names and names that are another's spelling, keeping the first."""
    kept: dict[str, str] = {}
    for raw in names:
        text = clean_text(raw)
        if text:
            kept.setdefault(name_key(text) or text, text)
    return list(kept.values())


def _participant_input(p: ParticipantRecord) -> dict[str, Any]:
    return {
        "name": clean_text(p.name) or "",
        "title": clean_text(p.title),
        "organization": clean_text(p.organization),
        "country": clean_text(p.country),
    }


def _sentences(exc: SchemaError, *, count: int) -> list[str]:
    return list(dict.fromkeys(_sentence(e, tuple(e["loc"]), count=count) for e in exc.errors()))


def _sentence(error: Any, loc: tuple[Any, ...], *, count: int) -> str:
    """Word one schema error for an admin: "The location is 201 characters long; ..."."""
    kind, ctx = error["type"], error.get("ctx") or {}
    label = _label(loc)
    named = loc[:1] == ("participants",) and len(loc) == 3 and loc[2] == "name"
    if named and kind in ("empty", "required", "missing"):
        return f"Participant {loc[1] + 1} has no name."
    if kind == "too_long":
        return f"The {label} is {ctx['length']} characters long; the limit is {ctx['limit']}."
    if kind == "too_many":
        noun = _COUNTED.get(str(loc[0]), "items")
        return f"A meeting can have at most {ctx['limit']} {noun}."
    if kind == "too_short" and loc == ("participants",):
        return _too_few(count)
    if kind == "bad_url":
        return f"The source link “{ctx['url']}” {ctx['problem']}."
    if kind == "future_date":
        return (
            f"The date {ctx['date']} is in the future; "
            "a meeting can be recorded at most a day ahead."
        )
    if kind == "date_range":
        year = int(str(ctx["date"])[:4])
        bound = f"before {schema.MIN_YEAR}" if year < schema.MIN_YEAR else "too far ahead"
        return f"The date {ctx['date']} is {bound}."
    if kind == "control_characters":
        return f"The {label} contains control characters."
    if kind == "id_spaces":
        return f"The id “{ctx['id']}” must not contain spaces."
    return f"The {label}: {error['msg']}."


def _too_few(count: int) -> str:
    return f"A meeting needs at least two participants; it has {count}."


def _label(loc: tuple[Any, ...]) -> str:
    """Name the place of an error: "location", "role of participant 2", "source link 3"."""
    head = str(loc[0]) if loc else "meeting"
    if head == "participants" and len(loc) >= 3:
        part = _LABELS["title_of"] if loc[2] == "title" else _LABELS.get(str(loc[2]), "entry")
        return f"{part} of participant {loc[1] + 1}"
    if head == "participants":
        return "participants"
    label = _LABELS.get(head, head)
    return f"{label} {loc[1] + 1}" if len(loc) >= 2 and isinstance(loc[1], int) else label
