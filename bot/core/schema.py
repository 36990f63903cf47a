"""One schema for a meeting: the limits and the input models shared by every way in.

The import file (bot/core/interchange), the /add and /edit commands (bot/core/records) and the
command line validate a meeting with the same pydantic models, so whatever one of them accepts
the others can edit. A broken rule raises a PydanticCustomError whose type names the rule
(too_long, bad_url, future_date, ...) and whose ctx holds the numbers; the message is the
import's wording, and records words the same error as a sentence for an admin.

A date is checked against "today" when the validation context carries one
(`MeetingIn.model_validate(raw, context={"today": day})`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from bot.core.names import name_key
from bot.core.text import drop_invisible

# Text lengths are the column sizes of storage/models.py; counts are more than any real meeting.
MAX_NAME = 200  # a person, an issue, an alias
MAX_ROLE = 500
MAX_ORGANIZATION = 300
MAX_COUNTRY = 100
MAX_LOCATION = 200
MAX_TITLE = 500
MAX_SUMMARY = 5000
MAX_URL = 2000
MAX_EXTERNAL_ID = 100
MAX_PARTICIPANTS = 50
MAX_ISSUES = 50
MAX_SOURCES = 20
MAX_ALIASES = 50
MIN_YEAR, MAX_YEAR = 1900, 2100
# A meeting may be recorded a day ahead: "today" differs across time zones.
FUTURE_TOLERANCE = dt.timedelta(days=1)

_WHITESPACE = re.compile(r"\s+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def clean_line(value: str, *, multiline: bool = False) -> str:
    """Return value with whitespace tidied and invisible characters (Cf) dropped.

    Raises a PydanticCustomError for control characters (ANSI escapes among them).
    """
    value = unicodedata.normalize("NFC", drop_invisible(value))
    allowed = "\n\t" if multiline else ""
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
        raise PydanticCustomError("control_characters", "contains control characters")
    if multiline:
        # Paragraph breaks matter in a summary; trailing spaces on lines do not.
        lines = [_WHITESPACE.sub(" ", line).strip() for line in value.strip().split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return _WHITESPACE.sub(" ", value).strip()


def _text(max_length: int, *, optional: bool, multiline: bool = False) -> Callable[[Any], Any]:
    def check(value: Any) -> str | None:
        if value is None:
            if optional:
                return None
            raise PydanticCustomError("required", "required")
        if not isinstance(value, str):
            raise PydanticCustomError("not_text", "must be text")
        cleaned = clean_line(value, multiline=multiline)
        if not cleaned:
            if optional:
                return None
            raise PydanticCustomError("empty", "must not be empty")
        if len(cleaned) > max_length:
            raise PydanticCustomError(
                "too_long",
                "too long ({length} characters, at most {limit})",
                {"length": len(cleaned), "limit": max_length},
            )
        return cleaned

    return check


def _check_list(max_items: int, *, single_ok: bool = False) -> Callable[[Any], Any]:
    def check(value: Any) -> list[Any]:
        if value is None:
            return []
        if single_ok and isinstance(value, str):
            return [value]
        if isinstance(value, tuple):
            value = list(value)
        if not isinstance(value, list):
            raise PydanticCustomError("not_list", "must be a list")
        if len(value) > max_items:
            raise PydanticCustomError(
                "too_many",
                "too many items ({count}, at most {limit})",
                {"count": len(value), "limit": max_items},
            )
        return value

    return check


def _check_date(value: Any, info: ValidationInfo) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError(
                "not_a_date", "not a date ({text})", {"text": value.strip()}
            ) from None
    elif value is None:
        raise PydanticCustomError("required", "required")
    else:
        raise PydanticCustomError(
            "not_a_date", "not a date ({text}); write it as YYYY-MM-DD", {"text": str(value)}
        )
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise PydanticCustomError(
            "date_range", "not a plausible date ({date})", {"date": day.isoformat()}
        )
    today = (info.context or {}).get("today")
    if today is not None and day > today + FUTURE_TOLERANCE:
        raise PydanticCustomError(
            "future_date",
            "{date} is in the future (at most a day ahead)",
            {"date": day.isoformat()},
        )
    return day


def url_problem(url: str) -> str | None:
    """Return why url is not a usable http(s) link ("contains spaces"), or None when it is."""
    if any(ch.isspace() for ch in url):
        return "contains spaces"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port  # raises for a port that is not a number
    except ValueError:
        return "is not a valid URL"
    if parts.scheme.lower() not in ("http", "https"):
        return "must start with http:// or https://"
    if not host or ("." not in host and host != "localhost") or host.startswith("."):
        return "has no valid host name"
    return None


def _check_url(value: Any) -> str:
    if isinstance(value, str):
        value = value.strip()  # a URL with inner spaces is refused below, not tidied
    if isinstance(value, str) and len(value) > MAX_URL:
        raise PydanticCustomError(
            "too_long",
            "too long ({length} characters, at most {limit})",
            {"length": len(value), "limit": MAX_URL},
        )
    if isinstance(value, str) and (problem := url_problem(value)):
        shown = value if len(value) <= 80 else value[:80] + "…"
        raise PydanticCustomError(
            "bad_url", "not an http(s) URL ({url})", {"url": shown, "problem": problem}
        )
    url = _text(MAX_URL, optional=False)(value)
    assert isinstance(url, str)
    return url


def _check_id(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    external_id = _text(MAX_EXTERNAL_ID, optional=True)(value)
    if external_id is not None and " " in external_id:
        raise PydanticCustomError(
            "id_spaces", "must not contain spaces ({id})", {"id": external_id}
        )
    return external_id


def fold(text: str) -> str:
    """Return the key two spellings share when they differ only in case or spacing.

    Used to keep one copy of a spelling among aliases; name_key decides who is who.
    """
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()


def unique_aliases(aliases: list[str], name: str) -> list[str]:
    """Drop repeated aliases and the name itself, keeping the first spelling."""
    seen = {fold(name)}
    kept = []
    for alias in aliases:
        if fold(alias) not in seen:
            seen.add(fold(alias))
            kept.append(alias)
    return kept


Name = Annotated[str, BeforeValidator(_text(MAX_NAME, optional=False))]
OrgName = Annotated[str, BeforeValidator(_text(MAX_ORGANIZATION, optional=False))]
Role = Annotated[str | None, BeforeValidator(_text(MAX_ROLE, optional=True))]
OrgRef = Annotated[str | None, BeforeValidator(_text(MAX_ORGANIZATION, optional=True))]
Country = Annotated[str | None, BeforeValidator(_text(MAX_COUNTRY, optional=True))]
Location = Annotated[str | None, BeforeValidator(_text(MAX_LOCATION, optional=True))]
Title = Annotated[str | None, BeforeValidator(_text(MAX_TITLE, optional=True))]
Summary = Annotated[str | None, BeforeValidator(_text(MAX_SUMMARY, optional=True, multiline=True))]
Url = Annotated[str, BeforeValidator(_check_url)]
Aliases = Annotated[list[Name], BeforeValidator(_check_list(MAX_ALIASES))]
Sources = Annotated[list[Url], BeforeValidator(_check_list(MAX_SOURCES, single_ok=True))]
Issues = Annotated[list[Name], BeforeValidator(_check_list(MAX_ISSUES))]
MeetingDate = Annotated[dt.date, BeforeValidator(_check_date)]
ExternalId = Annotated[str | None, BeforeValidator(_check_id)]


class InputModel(BaseModel):
    """An input record: unknown keys are errors, and a validated record does not change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ParticipantIn(InputModel):
    """A person at a meeting, with the role, organisation and country they had there."""

    name: Name
    title: Role = None
    organization: OrgRef = None
    country: Country = None
    aliases: Aliases = Field(default_factory=list)


class MeetingIn(InputModel):
    """One meeting, as a file or an admin gives it; id, when given, is its external key."""

    id: ExternalId = None
    date: MeetingDate
    location: Location = None
    title: Title = None
    summary: Summary = None
    source: Sources = Field(default_factory=list)
    participants: Annotated[
        list[ParticipantIn], BeforeValidator(_check_list(MAX_PARTICIPANTS))
    ] = Field(min_length=2)
    issues: Issues = Field(default_factory=list)


class OrganizationIn(InputModel):
    """Extra aliases and acronyms (and optionally the country) of an organisation."""

    name: OrgName
    aliases: Aliases = Field(default_factory=list)
    country: Country = None


class IssueIn(InputModel):
    """Synonyms of an issue."""

    name: Name
    aliases: Aliases = Field(default_factory=list)


def repeated_participants(meeting: MeetingIn) -> list[tuple[int, int]]:
    """Return (first, repeat) positions of participants whose names are one person."""
    return _repeats(p.name for p in meeting.participants)


def repeated_issues(meeting: MeetingIn) -> list[tuple[int, int]]:
    """Return (first, repeat) positions of issues that name the same issue."""
    return _repeats(meeting.issues)


def _repeats(names: Any) -> list[tuple[int, int]]:
    seen: dict[str, int] = {}
    repeats = []
    for index, name in enumerate(names):
        first = seen.setdefault(name_key(name), index)
        if first != index:
            repeats.append((first, index))
    return repeats
