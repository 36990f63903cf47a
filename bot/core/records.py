"""Admin operations on the records: validate, create, edit, delete, undo, history, admins, aliases.

Every change here writes an AuditEntry through the caller's session, so the change and its audit
entry commit or roll back together (the caller opens one session_scope per command). Meeting
audit entries hold JSON snapshots (`snapshot_meeting`) of the record before and after, which is
what lets /undo restore exactly and /history show a diff.

Nothing here formats Telegram text: functions return plain values and raise RecordError (or a
subclass) whose message is one sentence for the admin.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from anyascii import anyascii
from rapidfuzz import fuzz, process
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from bot.core.clock import Clock

if TYPE_CHECKING:
    from bot.core.interchange import ImportResult
from storage.models import (
    Admin,
    AuditEntry,
    Issue,
    Meeting,
    MeetingIssue,
    Organization,
    Participation,
    Person,
)
from storage.repository import add_audit_entry

# Sane limits: the column sizes of storage/models.py, and counts no real meeting exceeds.
MAX_NAME = 200
MAX_ROLE = 500
MAX_ORGANIZATION = 300
MAX_COUNTRY = 100
MAX_LOCATION = 200
MAX_TITLE = 500
MAX_SUMMARY = 5000
MAX_ISSUE = 200
MAX_URL = 2000
MAX_EXTERNAL_ID = 100
MAX_ALIAS = 200
MAX_PARTICIPANTS = 50
MAX_ISSUES = 30
MAX_SOURCES = 10
EARLIEST_DATE = dt.date(1900, 1, 1)
# A meeting may be recorded a day ahead: "today" differs across time zones.
FUTURE_TOLERANCE = dt.timedelta(days=1)
# rapidfuzz score (0-100) above which a different spelling may be the same person: ask.
PERSON_ASK_SCORE = 85.0
# Row ids are 32-bit INTEGER keys (PostgreSQL refuses to compare a bigger number with one).
MAX_ROW_ID = 2**31 - 1
# Telegram user ids are positive and fit in 52 bits.
MAX_USER_ID = 2**53

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


class RecordError(ValueError):
    """A record operation cannot be done; str(error) is one sentence for the admin."""


class ValidationError(RecordError):
    """A record breaks one or more rules; errors holds one sentence per problem."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors: tuple[str, ...] = tuple(errors)
        super().__init__(" ".join(self.errors))


class NotFoundError(RecordError):
    """The meeting, person, organisation, issue or admin named does not exist."""


class ConflictError(RecordError):
    """The change would clash with the records as they are now (undo after another edit)."""


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class ParticipantRecord:
    """One participant as typed by an admin.

    person_id names an existing person the admin confirmed; new_person says the admin chose
    "New person" even though a similar one exists. With neither, an unambiguous exact match on
    a name or alias is reused and anything else becomes a new person.
    """

    name: str
    title: str | None = None
    organization: str | None = None
    country: str | None = None
    person_id: int | None = None
    new_person: bool = False

    def describe(self) -> str:
        """Return "Name, role, organization, country" with the empty parts left out."""
        return ", ".join(p for p in (self.name, self.title, self.organization, self.country) if p)


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    """A meeting as an admin describes it; validate_record checks it against the rules."""

    date: dt.date
    participants: tuple[ParticipantRecord, ...]
    location: str | None = None
    title: str | None = None
    summary: str | None = None
    sources: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()
    external_id: str | None = None


@dataclass(slots=True)
class MeetingDraft:
    """A meeting being collected step by step by the /add conversation."""

    date: dt.date | None = None
    participants: list[ParticipantRecord] = field(default_factory=list)
    location: str | None = None
    title: str | None = None
    summary: str | None = None
    sources: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)

    def to_record(self, *, today: dt.date) -> MeetingRecord:
        """Return the validated record; raises ValidationError naming every problem."""
        if self.date is None:
            raise ValidationError(["The meeting needs a date."])
        record = MeetingRecord(
            date=self.date,
            participants=tuple(self.participants),
            location=self.location,
            title=self.title,
            summary=self.summary,
            sources=tuple(self.sources),
            issues=tuple(self.issues),
        )
        return validate_record(record, today=today)

    def update_from(self, record: MeetingRecord) -> None:
        """Take every field of a (validated) record."""
        self.date = record.date
        self.participants = list(record.participants)
        self.location = record.location
        self.title = record.title
        self.summary = record.summary
        self.sources = list(record.sources)
        self.issues = list(record.issues)


@dataclass(frozen=True, slots=True)
class PersonCandidate:
    """An existing person who may be the one an admin typed."""

    person_id: int
    name: str
    country: str | None
    score: float

    @property
    def label(self) -> str:
        """Return "Ali Naghiyev (Azerbaijan)", or the bare name without a country."""
        return f"{self.name} ({self.country})" if self.country else self.name


@dataclass(frozen=True, slots=True)
class PersonMatch:
    """How a typed name relates to the people on record.

    exact is set when one person clearly is the one meant (reuse silently); otherwise
    candidates lists the people to ask about, best first; both empty means a new person.
    """

    exact: PersonCandidate | None = None
    candidates: tuple[PersonCandidate, ...] = ()


@dataclass(frozen=True, slots=True)
class IssueChoice:
    """An issue as typed, and the existing issue it resolves to (if any)."""

    typed: str
    name: str
    existing: bool
    suggestion: str | None = None


@dataclass(frozen=True, slots=True)
class ChangeResult:
    """The outcome of a change: which meeting, what the audit entry says, and the diff."""

    meeting_id: int
    action: str
    audit_id: int
    changes: tuple[FieldChange, ...] = ()


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field's value before and after a change, as display text."""

    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One audit entry of a meeting, as /history shows it."""

    audit_id: int
    at: dt.datetime
    actor_id: int | None
    action: str
    undone: bool
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True, slots=True)
class UndoResult:
    """What /undo reverted, in words, and the entity it touched."""

    action: str
    entity: str
    entity_id: int | None
    description: str
    changes: tuple[FieldChange, ...] = ()


@dataclass(frozen=True, slots=True)
class AdminInfo:
    """A bot admin: from the ADMIN_IDS setting or granted with /grant."""

    user_id: int
    source: Literal["settings", "granted"]
    granted_by: int | None = None
    granted_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class AliasResult:
    """An alias added to a person, organization or issue."""

    entity: str
    entity_id: int
    name: str
    alias: str


@dataclass(frozen=True, slots=True)
class MergeResult:
    """Two person records joined into one."""

    kept_id: int
    kept_name: str
    removed_id: int
    removed_name: str
    meetings_moved: int


# --------------------------------------------------------------------------- text and dates


def normalize_name(text: str) -> str:
    """Fold case, accents, transliteration and punctuation so spellings compare equal."""
    folded = anyascii(unicodedata.normalize("NFKC", text)).casefold()
    folded = re.sub(r"[^\w\s]", " ", folded)
    return " ".join(folded.split())


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


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
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


# --------------------------------------------------------------------------- validation


def url_problem(url: str) -> str | None:
    """Return why url is not a usable http(s) link, or None when it is."""
    shown = url if len(url) <= 60 else url[:60] + "…"
    if len(url) > MAX_URL:
        return f"The source link is longer than {MAX_URL} characters."
    if any(ch.isspace() for ch in url):
        return f"The source link “{shown}” contains spaces."
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port  # raises for a port that is not a number
    except ValueError:
        return f"The source link “{shown}” is not a valid URL."
    if parts.scheme.lower() not in ("http", "https"):
        return f"The source link “{shown}” must start with http:// or https://."
    if not host or ("." not in host and host != "localhost") or host.startswith("."):
        return f"The source link “{shown}” has no valid host name."
    return None


def _length_problem(label: str, value: str | None, limit: int) -> str | None:
    if value is not None and len(value) > limit:
        return f"The {label} is {len(value)} characters long; the limit is {limit}."
    return None


def date_problem(day: dt.date, *, today: dt.date) -> str | None:
    """Return why day cannot be a meeting's date (before 1900, over a day ahead), or None."""
    if day < EARLIEST_DATE:
        return f"The date {day.isoformat()} is before {EARLIEST_DATE.year}."
    if day > today + FUTURE_TOLERANCE:
        return (
            f"The date {day.isoformat()} is in the future; "
            "a meeting can be recorded at most a day ahead."
        )
    return None


def future_date_problems(dates: Sequence[dt.date], *, today: dt.date) -> list[str]:
    """Return "meetings[i].date: ..." for each meeting of an import more than a day ahead."""
    limit = today + FUTURE_TOLERANCE
    return [
        f"meetings[{i}].date: {day.isoformat()} is in the future (at most a day ahead)"
        for i, day in enumerate(dates)
        if day > limit
    ]


def _clean_participant(p: ParticipantRecord, label: str) -> tuple[ParticipantRecord, list[str]]:
    cleaned = replace(
        p,
        name=clean_text(p.name) or "",
        title=clean_text(p.title),
        organization=clean_text(p.organization),
        country=clean_text(p.country),
    )
    problems = [] if cleaned.name else [f"{label.capitalize()} has no name."]
    for part, value, limit in (
        ("name", cleaned.name, MAX_NAME),
        ("role", cleaned.title, MAX_ROLE),
        ("organization", cleaned.organization, MAX_ORGANIZATION),
        ("country", cleaned.country, MAX_COUNTRY),
    ):
        if problem := _length_problem(f"{part} of {label}", value, limit):
            problems.append(problem)
    return cleaned, problems


def check_participant(p: ParticipantRecord) -> ParticipantRecord:
    """Return p cleaned, or raise ValidationError for an empty name or a part over its limit."""
    cleaned, problems = _clean_participant(p, "the participant")
    if not cleaned.name:
        problems = ["A participant needs a name: send Name, role, organization, country."]
    if problems:
        raise ValidationError(problems)
    return cleaned


def validate_record(record: MeetingRecord, *, today: dt.date) -> MeetingRecord:
    """Check record against every rule and return it cleaned (whitespace, duplicates).

    Raises ValidationError with one sentence per problem: a date before 1900 or more than a
    day ahead of today, fewer than two participants, an empty name, a field over its limit, a
    broken source link.
    """
    errors: list[str] = []
    if problem := date_problem(record.date, today=today):
        errors.append(problem)
    participants = []
    for index, p in enumerate(record.participants, start=1):
        cleaned, problems = _clean_participant(p, f"participant {index}")
        errors.extend(problems)
        participants.append(cleaned)
    if len(participants) < 2:
        errors.append(f"A meeting needs at least two participants; it has {len(participants)}.")
    if len(participants) > MAX_PARTICIPANTS:
        errors.append(f"A meeting can have at most {MAX_PARTICIPANTS} participants.")
    seen: dict[str, int] = {}
    for index, p in enumerate(participants, start=1):
        key = f"#{p.person_id}" if p.person_id else normalize_name(p.name)
        if key and key in seen:
            errors.append(f"Participants {seen[key]} and {index} are the same person.")
        seen.setdefault(key, index)
    location, title, summary = (
        clean_text(record.location),
        clean_text(record.title),
        clean_text(record.summary),
    )
    external_id = clean_text(record.external_id)
    for label, value, limit in (
        ("location", location, MAX_LOCATION),
        ("title", title, MAX_TITLE),
        ("summary", summary, MAX_SUMMARY),
        ("id", external_id, MAX_EXTERNAL_ID),
    ):
        if problem := _length_problem(label, value, limit):
            errors.append(problem)
    sources = list(dict.fromkeys(s.strip() for s in record.sources if s.strip()))
    if len(sources) > MAX_SOURCES:
        errors.append(f"A meeting can have at most {MAX_SOURCES} source links.")
    errors.extend(problem for s in sources if (problem := url_problem(s)))
    issues = list(dict.fromkeys(i for i in (clean_text(x) for x in record.issues) if i))
    if len(issues) > MAX_ISSUES:
        errors.append(f"A meeting can have at most {MAX_ISSUES} issues.")
    for issue in issues:
        if problem := _length_problem(f"issue “{issue[:30]}…”", issue, MAX_ISSUE):
            errors.append(problem)
    if errors:
        raise ValidationError(errors)
    return MeetingRecord(
        date=record.date,
        participants=tuple(participants),
        location=location,
        title=title,
        summary=summary,
        sources=tuple(sources),
        issues=tuple(issues),
        external_id=external_id,
    )


# --------------------------------------------------------------------------- matching


def match_person(name: str, *, session: Session, country: str | None = None) -> PersonMatch:
    """Find the people a typed name may mean, over their names and aliases.

    One person whose name or alias equals the typed one (after folding case, accents and
    transliteration) is a sure match; several are narrowed by country. Otherwise people whose
    names score at least PERSON_ASK_SCORE are candidates to ask about, best first.
    """
    wanted = normalize_name(name)
    if not wanted:
        return PersonMatch()
    choices: list[str] = []
    owners: list[Person] = []
    for person in session.exec(select(Person)).all():
        for spelling in (person.name, *(person.aliases or ())):
            choices.append(normalize_name(spelling))
            owners.append(person)
    exact = list({p.id: p for p, c in zip(owners, choices, strict=True) if c == wanted}.values())
    if len(exact) > 1 and country:
        same_country = [
            p for p in exact if normalize_name(p.country or "") == normalize_name(country)
        ]
        if len(same_country) == 1:
            exact = same_country
    if len(exact) == 1:
        return PersonMatch(exact=_candidate(exact[0], 100.0))
    if exact:
        return PersonMatch(candidates=tuple(_candidate(p, 100.0) for p in exact[:5]))
    scored: dict[int, PersonCandidate] = {}
    for _choice, score, index in process.extract(
        wanted, choices, scorer=fuzz.WRatio, score_cutoff=PERSON_ASK_SCORE, limit=20
    ):
        person = owners[index]
        assert person.id is not None
        if person.id not in scored or scored[person.id].score < score:
            scored[person.id] = _candidate(person, float(score))
    ranked = sorted(scored.values(), key=lambda c: (-c.score, c.name))
    return PersonMatch(candidates=tuple(ranked[:3]))


def _candidate(person: Person, score: float) -> PersonCandidate:
    assert person.id is not None
    return PersonCandidate(person.id, person.name, person.country, score)


def _find_by_name(model: Any, name: str, *, session: Session) -> list[Any]:
    """Return the rows of model (Person, Organization or Issue) named name or aliased so."""
    wanted = normalize_name(name)
    if not wanted:
        return []
    rows = session.exec(select(model)).all()
    exact = [r for r in rows if normalize_name(r.name) == wanted]
    if exact:
        return exact
    return [r for r in rows if any(normalize_name(a) == wanted for a in r.aliases or ())]


def resolve_issues(names: Iterable[str], *, session: Session) -> list[IssueChoice]:
    """Map typed issue names to existing issues through names and synonyms.

    A name that matches no issue exactly is new; a close spelling of an existing issue is
    offered as its suggestion.
    """
    issues = session.exec(select(Issue)).all()
    spellings: list[str] = []
    owners: list[Issue] = []
    for issue in issues:
        for spelling in (issue.name, *(issue.aliases or ())):
            spellings.append(normalize_name(spelling))
            owners.append(issue)
    result = []
    for typed in names:
        wanted = normalize_name(typed)
        hit = next((o for o, s in zip(owners, spellings, strict=True) if s == wanted), None)
        if hit is not None:
            result.append(IssueChoice(typed, hit.name, existing=True))
            continue
        best = process.extractOne(wanted, spellings, scorer=fuzz.WRatio, score_cutoff=86)
        suggestion = owners[best[2]].name if best else None
        result.append(IssueChoice(typed, typed, existing=False, suggestion=suggestion))
    return result


def known_issues(*, session: Session, limit: int = 20) -> list[tuple[str, tuple[str, ...]]]:
    """Return the most used issues with their synonyms, to suggest while adding a meeting."""
    rows = session.exec(
        select(Issue.id, func.count(col(MeetingIssue.meeting_id)))
        .join(MeetingIssue, col(MeetingIssue.issue_id) == Issue.id, isouter=True)
        .group_by(col(Issue.id), col(Issue.name))
        .order_by(func.count(col(MeetingIssue.meeting_id)).desc(), col(Issue.name))
        .limit(limit)
    ).all()
    issues = {
        i.id: i for i in session.exec(select(Issue).where(col(Issue.id).in_([r[0] for r in rows])))
    }
    return [(issues[i].name, tuple(issues[i].aliases or ())) for i, _count in rows]


def settle_participants(
    participants: Iterable[ParticipantRecord], *, session: Session
) -> tuple[ParticipantRecord, ...]:
    """Tie each participant without a decision to the one person their name surely means.

    A sure match takes the person's id and recorded name; anyone else stays as typed (and
    becomes a new person when saved).
    """
    settled = []
    for p in participants:
        if p.person_id is None and not p.new_person:
            match = match_person(p.name, session=session, country=p.country)
            if match.exact is not None:
                p = replace(p, person_id=match.exact.person_id, name=match.exact.name)
        settled.append(p)
    return tuple(settled)


# --------------------------------------------------------------------------- snapshots


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive values for UTC columns in some paths
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat()


def _from_iso(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def snapshot_meeting(meeting_id: int, *, session: Session) -> dict[str, Any] | None:
    """Return a JSON-ready snapshot of a meeting with its participants and issues, or None."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        return None
    rows = session.exec(
        select(Participation, Person, Organization)
        .join(Person, col(Person.id) == Participation.person_id)
        .join(Organization, col(Organization.id) == Participation.organization_id, isouter=True)
        .where(Participation.meeting_id == meeting_id)
        .order_by(col(Participation.position), col(Participation.id))
    ).all()
    issues = session.exec(
        select(Issue)
        .join(MeetingIssue, col(MeetingIssue.issue_id) == Issue.id)
        .where(MeetingIssue.meeting_id == meeting_id)
        .order_by(col(MeetingIssue.position), col(Issue.id))
    ).all()
    return {
        "id": meeting.id,
        "external_id": meeting.external_id,
        "date": meeting.date.isoformat(),
        "location": meeting.location,
        "title": meeting.title,
        "summary": meeting.summary,
        "sources": list(meeting.sources or ()),
        "participants": [
            {
                "person_id": person.id,
                "name": person.name,
                "title": part.title,
                "organization_id": org.id if org else None,
                "organization": org.name if org else None,
                "country": part.country,
            }
            for part, person, org in rows
        ],
        "issues": [{"id": issue.id, "name": issue.name} for issue in issues],
        "created_at": _iso(meeting.created_at),
        "created_by": meeting.created_by,
        "updated_at": _iso(meeting.updated_at),
        "updated_by": meeting.updated_by,
        "deleted_at": _iso(meeting.deleted_at),
    }


def _record_from_snapshot(snap: dict[str, Any]) -> MeetingRecord:
    return MeetingRecord(
        date=dt.date.fromisoformat(snap["date"]),
        participants=tuple(
            ParticipantRecord(
                name=p["name"],
                title=p["title"],
                organization=p["organization"],
                country=p["country"],
                person_id=p["person_id"],
            )
            for p in snap["participants"]
        ),
        location=snap["location"],
        title=snap["title"],
        summary=snap["summary"],
        sources=tuple(snap["sources"]),
        issues=tuple(i["name"] for i in snap["issues"]),
        external_id=snap["external_id"],
    )


def _restore_snapshot(snap: dict[str, Any], *, session: Session) -> None:
    """Make the meeting exactly as in snap: its fields, participants and issues by id."""
    meeting = session.get(Meeting, snap["id"])
    if meeting is None:
        raise ConflictError(f"Meeting {snap['id']} no longer exists, so it cannot be restored.")
    for person_id in {p["person_id"] for p in snap["participants"]}:
        if session.get(Person, person_id) is None:
            raise ConflictError(
                f"A person of meeting {snap['id']} was merged away; undo the merge first."
            )
    meeting.external_id = snap["external_id"]
    meeting.date = dt.date.fromisoformat(snap["date"])
    meeting.location = snap["location"]
    meeting.title = snap["title"]
    meeting.summary = snap["summary"]
    meeting.sources = list(snap["sources"])
    meeting.created_at = _from_iso(snap["created_at"]) or meeting.created_at
    meeting.created_by = snap["created_by"]
    meeting.updated_at = _from_iso(snap["updated_at"]) or meeting.updated_at
    meeting.updated_by = snap["updated_by"]
    meeting.deleted_at = _from_iso(snap["deleted_at"])
    session.add(meeting)
    _replace_links(
        meeting_id=snap["id"],
        people=[
            (p["person_id"], p["title"], p["organization_id"], p["country"])
            for p in snap["participants"]
        ],
        issue_ids=[i["id"] for i in snap["issues"]],
        session=session,
    )


def _replace_links(
    *,
    meeting_id: int,
    people: Sequence[tuple[int, str | None, int | None, str | None]],
    issue_ids: Sequence[int],
    session: Session,
) -> None:
    session.execute(delete(Participation).where(col(Participation.meeting_id) == meeting_id))
    session.execute(delete(MeetingIssue).where(col(MeetingIssue.meeting_id) == meeting_id))
    for position, (person_id, title, organization_id, country) in enumerate(people):
        session.add(
            Participation(
                meeting_id=meeting_id,
                person_id=person_id,
                position=position,
                title=title,
                organization_id=organization_id,
                country=country,
            )
        )
    for position, issue_id in enumerate(dict.fromkeys(issue_ids)):
        session.add(MeetingIssue(meeting_id=meeting_id, issue_id=issue_id, position=position))
    session.flush()


# --------------------------------------------------------------------------- writing meetings


def _resolve_person(p: ParticipantRecord, *, session: Session) -> int:
    if p.person_id is not None:
        if session.get(Person, p.person_id) is None:
            raise NotFoundError(f"There is no person #{p.person_id}.")
        return p.person_id
    if not p.new_person:
        match = match_person(p.name, session=session, country=p.country)
        if match.exact is not None:
            return match.exact.person_id
    person = Person(name=p.name, aliases=[], country=p.country)
    session.add(person)
    session.flush()
    assert person.id is not None
    return person.id


def _resolve_organization(
    name: str | None, country: str | None, *, session: Session
) -> int | None:
    if not name:
        return None
    found = _find_by_name(Organization, name, session=session)
    if found:
        return int(found[0].id)
    organization = Organization(name=name, aliases=[], country=country)
    session.add(organization)
    session.flush()
    assert organization.id is not None
    return organization.id


def _resolve_issue(name: str, *, session: Session) -> int:
    found = _find_by_name(Issue, name, session=session)
    if found:
        return int(found[0].id)
    issue = Issue(name=name, aliases=[])
    session.add(issue)
    session.flush()
    assert issue.id is not None
    return issue.id


def _check_external_id(
    external_id: str | None, meeting_id: int | None, *, session: Session
) -> None:
    if external_id is None:
        return
    other = session.exec(select(Meeting).where(Meeting.external_id == external_id)).first()
    if other is not None and other.id != meeting_id:
        raise ValidationError([f"The id “{external_id}” is already used by meeting {other.id}."])


def _write_links(meeting_id: int, record: MeetingRecord, *, session: Session) -> None:
    people = []
    for p in record.participants:
        person_id = _resolve_person(p, session=session)
        organization_id = _resolve_organization(p.organization, p.country, session=session)
        people.append((person_id, p.title, organization_id, p.country))
    if len({person_id for person_id, *_ in people}) < len(people):
        raise ValidationError(["The same person is listed twice among the participants."])
    issue_ids = [_resolve_issue(name, session=session) for name in record.issues]
    _replace_links(meeting_id=meeting_id, people=people, issue_ids=issue_ids, session=session)


def _audit(
    *,
    session: Session,
    clock: Clock,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry:
    """Write the audit entry of a change now, so the caller can report its id."""
    entry = add_audit_entry(
        session=session,
        at=clock.now(),
        actor_id=actor_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
    )
    session.flush()
    return entry


def create_meeting(
    record: MeetingRecord,
    *,
    session: Session,
    clock: Clock,
    actor_id: int | None,
    today: dt.date | None = None,
) -> ChangeResult:
    """Validate record and store it as a new meeting, with its audit entry, in session.

    People are reused as ParticipantRecord says (see there); organizations and issues are
    reused by name or alias and created otherwise. today defaults to the clock's UTC date.
    """
    record = validate_record(record, today=today or local_today(clock))
    _check_external_id(record.external_id, None, session=session)
    now = clock.now()
    meeting = Meeting(
        external_id=record.external_id,
        date=record.date,
        location=record.location,
        title=record.title,
        summary=record.summary,
        sources=list(record.sources),
        created_at=now,
        created_by=actor_id,
        updated_at=now,
        updated_by=actor_id,
    )
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    _write_links(meeting.id, record, session=session)
    after = snapshot_meeting(meeting.id, session=session)
    entry = _audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action="create",
        entity="meeting",
        entity_id=meeting.id,
        before=None,
        after=after,
    )
    assert entry.id is not None
    return ChangeResult(meeting.id, "create", entry.id, diff_snapshots(None, after))


def _row_id(text: str) -> int | None:
    """Read "12" or "#12" as a row id; None for anything else or beyond a 32-bit key."""
    if not re.fullmatch(r"#?\d{1,10}", text):
        return None
    number = int(text.lstrip("#"))
    return number if 0 < number <= MAX_ROW_ID else None


def find_meeting(
    reference: str | int, *, session: Session, include_deleted: bool = False
) -> Meeting:
    """Return the meeting with this internal id (12 or #12) or external id.

    Raises NotFoundError when there is none (or it is deleted and include_deleted is False).
    """
    text = str(reference).strip()
    meeting = None
    if (number := _row_id(text)) is not None:
        meeting = session.get(Meeting, number)
    if meeting is None and text:
        meeting = session.exec(select(Meeting).where(Meeting.external_id == text)).first()
    if meeting is None:
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise NotFoundError(f"There is no meeting {shown}.")
    if meeting.deleted_at is not None and not include_deleted:
        raise NotFoundError(f"Meeting {meeting.id} is deleted.")
    return meeting


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
    """Return record with field_name set from the admin's text (see edit_meeting)."""
    key = canonical_field(field_name)
    text = (value or "").strip()
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
    return replace(record, **{key: new_value})


def edit_meeting(
    reference: str | int,
    field_name: str,
    value: str,
    *,
    session: Session,
    clock: Clock,
    actor_id: int | None,
    today: dt.date | None = None,
) -> ChangeResult:
    """Set one field of a meeting from text and audit the change.

    Fields: date (any form parse_admin_date reads), location, title, summary, sources (links
    separated by spaces), issues (comma-separated), participants (one "Name, role,
    organization, country" a line, or separated by ";"), external_id. "-" clears an optional
    field. Raises RecordError (or ValidationError) and changes nothing when the value breaks a
    rule.
    """
    today = today or local_today(clock)
    meeting = find_meeting(reference, session=session)
    assert meeting.id is not None
    before = snapshot_meeting(meeting.id, session=session)
    assert before is not None
    key = canonical_field(field_name)
    if key in ("date", "participants") and not value.strip():
        raise RecordError(f"The {key} cannot be empty.")
    record = validate_record(
        apply_field(_record_from_snapshot(before), key, value, today=today), today=today
    )
    _check_external_id(record.external_id, meeting.id, session=session)
    meeting.date = record.date
    meeting.location = record.location
    meeting.title = record.title
    meeting.summary = record.summary
    meeting.sources = list(record.sources)
    meeting.external_id = record.external_id
    meeting.updated_at = clock.now()
    meeting.updated_by = actor_id
    session.add(meeting)
    session.flush()
    _write_links(meeting.id, record, session=session)
    after = snapshot_meeting(meeting.id, session=session)
    changes = diff_snapshots(before, after)
    if not changes:
        raise RecordError(f"The {key} of meeting {meeting.id} already is that; nothing changed.")
    entry = _audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action="edit",
        entity="meeting",
        entity_id=meeting.id,
        before=before,
        after=after,
    )
    assert entry.id is not None
    return ChangeResult(meeting.id, "edit", entry.id, changes)


def delete_meeting(
    reference: str | int, *, session: Session, clock: Clock, actor_id: int | None
) -> ChangeResult:
    """Soft-delete a meeting (it leaves answers and exports; /undo brings it back)."""
    meeting = find_meeting(reference, session=session)
    assert meeting.id is not None
    before = snapshot_meeting(meeting.id, session=session)
    now = clock.now()
    meeting.deleted_at = now
    meeting.updated_at = now
    meeting.updated_by = actor_id
    session.add(meeting)
    session.flush()
    after = snapshot_meeting(meeting.id, session=session)
    entry = _audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action="delete",
        entity="meeting",
        entity_id=meeting.id,
        before=before,
        after=after,
    )
    assert entry.id is not None
    return ChangeResult(meeting.id, "delete", entry.id, diff_snapshots(before, after))


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What an import file did: the interchange's counts and the meetings it added or changed."""

    result: ImportResult
    meeting_ids: tuple[int, ...]


def import_document(
    data: bytes,
    *,
    filename: str | None,
    session: Session,
    clock: Clock,
    actor_id: int | None,
    today: dt.date | None = None,
) -> ImportOutcome:
    """Validate a whole import file and apply it through the interchange, in session.

    On top of the interchange's checks, a meeting more than a day in the future is refused.
    Raises InvalidImport (errors by path) and writes nothing when any part is wrong. The
    interchange writes one AuditEntry (action "import") for every meeting it adds or changes.
    """
    # Imported here: YAML and pydantic stay off the path of the commands that never import.
    from bot.core.interchange import InvalidImport, apply_import, parse_import

    doc = parse_import(data, filename=filename)
    problems = future_date_problems(
        [m.date for m in doc.meetings], today=today or local_today(clock)
    )
    if problems:
        raise InvalidImport(problems)
    last_id = session.exec(select(func.max(AuditEntry.id))).one() or 0
    result = apply_import(doc, session=session, clock=clock, actor_id=actor_id)
    written = session.exec(
        select(AuditEntry.entity_id)
        .where(
            col(AuditEntry.id) > last_id,
            AuditEntry.action == "import",
            AuditEntry.entity == "meeting",
        )
        .order_by(col(AuditEntry.id))
    ).all()
    return ImportOutcome(result, tuple(i for i in written if i is not None))


# --------------------------------------------------------------------------- history and diffs


def _is_own_snapshot(snap: dict[str, Any]) -> bool:
    """Tell snapshot_meeting's shape from the import format the interchange audits imports in."""
    return "created_at" in snap


def _flatten(snap: dict[str, Any] | None) -> dict[str, str | None]:
    """Return a meeting's fields as display text, from either audit shape."""
    if snap is None:
        return {}

    def person(p: dict[str, Any]) -> str:
        parts = (p.get("title"), p.get("organization"), p.get("country"))
        rest = ", ".join(x for x in parts if x)
        return f"{p['name']} ({rest})" if rest else str(p["name"])

    own = _is_own_snapshot(snap)
    sources = snap.get("sources") if own else snap.get("source")
    if isinstance(sources, str):
        sources = [sources]
    issues = [i["name"] if isinstance(i, dict) else str(i) for i in snap.get("issues") or ()]
    return {
        "date": str(snap["date"]),
        "location": snap.get("location"),
        "title": snap.get("title"),
        "summary": snap.get("summary"),
        "sources": ", ".join(sources or ()) or None,
        "participants": "; ".join(person(p) for p in snap.get("participants") or ()) or None,
        "issues": ", ".join(issues) or None,
        "external_id": snap.get("external_id") if own else snap.get("id"),
        "deleted": "yes" if snap.get("deleted_at") else None,
    }


def diff_snapshots(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> tuple[FieldChange, ...]:
    """Return the fields whose display text differs between two meeting snapshots."""
    old, new = _flatten(before), _flatten(after)
    return tuple(
        FieldChange(name, old.get(name), new.get(name))
        for name in (*EDITABLE_FIELDS, "deleted")
        if old.get(name) != new.get(name)
    )


def meeting_history(reference: str | int, *, session: Session) -> list[HistoryEntry]:
    """Return the audit entries of a meeting (deleted ones too), oldest first, with diffs."""
    meeting = find_meeting(reference, session=session, include_deleted=True)
    entries = session.exec(
        select(AuditEntry)
        .where(AuditEntry.entity == "meeting", AuditEntry.entity_id == meeting.id)
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    ).all()
    result = []
    for entry in entries:
        assert entry.id is not None
        before = entry.before if _is_snapshot(entry.before) else None
        after = entry.after if _is_snapshot(entry.after) else None
        result.append(
            HistoryEntry(
                audit_id=entry.id,
                at=entry.at,
                actor_id=entry.actor_id,
                action=entry.action,
                undone=entry.undone,
                changes=diff_snapshots(before, after),
            )
        )
    return result


def _is_snapshot(value: object) -> bool:
    return isinstance(value, dict) and "participants" in value and "date" in value


# --------------------------------------------------------------------------- undo


def undo_last_change(*, session: Session, clock: Clock, actor_id: int) -> UndoResult:
    """Revert the caller's newest change that is not undone yet, and audit the undo.

    Refuses (ConflictError) when the record changed since, so an undo never overwrites
    someone else's later edit.
    """
    entry = session.exec(
        select(AuditEntry)
        .where(
            AuditEntry.actor_id == actor_id,
            col(AuditEntry.undone).is_(False),
            AuditEntry.action != "undo",
        )
        .order_by(col(AuditEntry.id).desc())
        .limit(1)
    ).first()
    if entry is None:
        raise NotFoundError("You have no change left to undo.")
    if entry.entity == "meeting" and entry.action == "import":
        return _undo_import(entry, session=session, clock=clock, actor_id=actor_id)
    if entry.entity == "meeting":
        result = _undo_meeting(entry, session=session, clock=clock, actor_id=actor_id)
    elif entry.entity == "admin":
        result = _undo_admin(entry, session=session, clock=clock, actor_id=actor_id)
    elif entry.entity in ("person", "organization", "issue") and entry.action == "alias":
        result = _undo_alias(entry, session=session, clock=clock, actor_id=actor_id)
    elif entry.entity == "person" and entry.action == "merge":
        result = _undo_merge(entry, session=session, clock=clock, actor_id=actor_id)
    else:
        raise RecordError(
            f"Your last change ({entry.action} of a {entry.entity}) cannot be undone."
        )
    entry.undone = True
    session.add(entry)
    session.flush()
    return result


def _undo_meeting(
    entry: AuditEntry, *, session: Session, clock: Clock, actor_id: int
) -> UndoResult:
    meeting_id = entry.entity_id
    if meeting_id is None or not _is_snapshot(entry.after):
        raise RecordError(f"Your last change ({entry.action} of a meeting) cannot be undone.")
    current = snapshot_meeting(meeting_id, session=session)
    if current != entry.after:
        raise ConflictError(
            f"Meeting {meeting_id} changed after your {entry.action}; "
            "undo refused so the later change is kept (see /history)."
        )
    assert current is not None
    if entry.before is None:
        # Undoing a create hides the meeting: ids stay unique and its history stays readable.
        target = dict(current, deleted_at=_iso(clock.now()))
    elif _is_snapshot(entry.before):
        target = entry.before
    else:
        raise RecordError(f"Your last change ({entry.action} of a meeting) cannot be undone.")
    _restore_snapshot(target, session=session)
    restored = snapshot_meeting(meeting_id, session=session)
    _audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action="undo",
        entity="meeting",
        entity_id=meeting_id,
        before=current,
        after=restored,
    )
    words = {"create": "adding", "edit": "the edit of", "delete": "deleting"}
    return UndoResult(
        action=entry.action,
        entity="meeting",
        entity_id=meeting_id,
        description=f"Undid {words.get(entry.action, entry.action)} meeting {meeting_id}.",
        changes=diff_snapshots(current, restored),
    )


def _undo_import(
    entry: AuditEntry, *, session: Session, clock: Clock, actor_id: int
) -> UndoResult:
    """Take back one whole import (all its meeting entries share the actor and the instant).

    Added meetings are hidden (soft delete); updated ones get back the fields, people and
    issues they had. Aliases the import gave to people, organizations and issues stay.
    """
    batch = session.exec(
        select(AuditEntry)
        .where(
            AuditEntry.actor_id == actor_id,
            AuditEntry.action == "import",
            AuditEntry.at == entry.at,
            col(AuditEntry.undone).is_(False),
        )
        .order_by(col(AuditEntry.id).desc())
    ).all()
    for item in batch:
        assert item.entity_id is not None
        current = snapshot_meeting(item.entity_id, session=session)
        if current is None or _flatten(current) != _flatten(item.after):
            raise ConflictError(
                f"Meeting {item.entity_id} changed after your import; "
                "undo refused so the later change is kept (see /history)."
            )
    removed = restored = 0
    now = clock.now()
    for item in batch:
        assert item.entity_id is not None
        current = snapshot_meeting(item.entity_id, session=session)
        assert current is not None
        if item.before is None:
            _restore_snapshot(dict(current, deleted_at=_iso(now)), session=session)
            removed += 1
        else:
            _restore_import_shape(item.entity_id, item.before, current, session=session)
            meeting = session.get(Meeting, item.entity_id)
            assert meeting is not None
            meeting.updated_at, meeting.updated_by = now, actor_id
            session.add(meeting)
            restored += 1
        session.flush()
        _audit(
            session=session,
            clock=clock,
            actor_id=actor_id,
            action="undo",
            entity="meeting",
            entity_id=item.entity_id,
            before=current,
            after=snapshot_meeting(item.entity_id, session=session),
        )
        item.undone = True
        session.add(item)
    session.flush()
    return UndoResult(
        action="import",
        entity="meeting",
        entity_id=batch[0].entity_id if len(batch) == 1 else None,
        description=(f"Undid your import: {removed} meeting(s) removed, {restored} restored."),
    )


def _restore_import_shape(
    meeting_id: int, shape: dict[str, Any], current: dict[str, Any], *, session: Session
) -> None:
    """Make a meeting what an import-format dict says, keeping the people it has by name."""
    people = {normalize_name(p["name"]): p["person_id"] for p in current["participants"]}
    sources = shape.get("source") or []
    record = MeetingRecord(
        date=dt.date.fromisoformat(str(shape["date"])),
        participants=tuple(
            ParticipantRecord(
                name=p["name"],
                title=p.get("title"),
                organization=p.get("organization"),
                country=p.get("country"),
                person_id=people.get(normalize_name(p["name"])),
            )
            for p in shape.get("participants") or ()
        ),
        location=shape.get("location"),
        title=shape.get("title"),
        summary=shape.get("summary"),
        sources=tuple([sources] if isinstance(sources, str) else sources),
        issues=tuple(shape.get("issues") or ()),
        external_id=shape.get("id"),
    )
    meeting = session.get(Meeting, meeting_id)
    assert meeting is not None
    meeting.date = record.date
    meeting.location = record.location
    meeting.title = record.title
    meeting.summary = record.summary
    meeting.sources = list(record.sources)
    meeting.external_id = record.external_id
    # The interchange notes deleted_at when an import revived a deleted meeting.
    meeting.deleted_at = _from_iso(shape.get("deleted_at"))
    session.add(meeting)
    session.flush()
    _write_links(meeting_id, record, session=session)


# --------------------------------------------------------------------------- admins


def _check_user_id(user_id: int) -> None:
    if not 0 < user_id < MAX_USER_ID:
        raise RecordError(f"{user_id} is not a Telegram user id.")


def is_admin(user_id: int | None, *, session: Session, bootstrap_ids: Iterable[int]) -> bool:
    """Tell whether user_id is a bot admin: in ADMIN_IDS or granted with /grant."""
    if user_id is None:
        return False
    if user_id in set(bootstrap_ids):
        return True
    return session.get(Admin, user_id) is not None


def list_admins(*, session: Session, bootstrap_ids: Iterable[int]) -> list[AdminInfo]:
    """Return the bootstrap admins, then the granted ones in the order they were granted."""
    bootstrap = list(dict.fromkeys(bootstrap_ids))
    result = [AdminInfo(user_id, "settings") for user_id in bootstrap]
    for admin in session.exec(select(Admin).order_by(col(Admin.granted_at))).all():
        if admin.user_id not in bootstrap:
            result.append(AdminInfo(admin.user_id, "granted", admin.granted_by, admin.granted_at))
    return result


def _admin_snapshot(admin: Admin | None) -> dict[str, Any] | None:
    if admin is None:
        return None
    return {
        "user_id": admin.user_id,
        "granted_by": admin.granted_by,
        "granted_at": _iso(admin.granted_at),
    }


def grant_admin(
    user_id: int,
    *,
    session: Session,
    clock: Clock,
    actor_id: int | None,
    bootstrap_ids: Iterable[int],
) -> AdminInfo:
    """Make user_id a bot admin and audit it; RecordError if they already are one."""
    _check_user_id(user_id)
    if user_id in set(bootstrap_ids):
        raise RecordError(f"User {user_id} is already an admin (from the ADMIN_IDS setting).")
    if session.get(Admin, user_id) is not None:
        raise RecordError(f"User {user_id} is already an admin.")
    admin = Admin(user_id=user_id, granted_by=actor_id, granted_at=clock.now())
    session.add(admin)
    session.flush()
    _audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action="grant",
        entity="admin",
        entity_id=None,  # the audit column is 32-bit; Telegram ids live in before/after
        before={"user_id": user_id, "admin": None},
        after={"user_id": user_id, "admin": _admin_snapshot(admin)},
    )
    return AdminInfo(user_id, "granted", actor_id, admin.granted_at)


def revoke_admin(
    user_id: int,
    *,
    session: Session,
    clock: Clock,
    actor_id: int | None,
    bootstrap_ids: Iterable[int],
) -> None:
    """Take admin rights from a granted admin and audit it; bootstrap admins stay."""
    _check_user_id(user_id)
    if user_id in set(bootstrap_ids):
        raise RecordError(
            f"User {user_id} is an admin from the ADMIN_IDS setting; remove them there."
        )
    admin = session.get(Admin, user_id)
    if admin is None:
        raise NotFoundError(f"User {user_id} is not an admin.")
    before = _admin_snapshot(admin)
    session.delete(admin)
    session.flush()
    _audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action="revoke",
        entity="admin",
        entity_id=None,
        before={"user_id": user_id, "admin": before},
        after={"user_id": user_id, "admin": None},
    )


def _undo_admin(entry: AuditEntry, *, session: Session, clock: Clock, actor_id: int) -> UndoResult:
    assert entry.before is not None and entry.after is not None
    user_id = int(entry.before["user_id"])
    current = _admin_snapshot(session.get(Admin, user_id))
    if current != entry.after["admin"]:
        raise ConflictError(f"The rights of user {user_id} changed since; undo refused.")
    wanted = entry.before["admin"]
    existing = session.get(Admin, user_id)
    if existing is not None:
        session.delete(existing)
        session.flush()
    if wanted is not None:
        session.add(
            Admin(
                user_id=user_id,
                granted_by=wanted["granted_by"],
                granted_at=_from_iso(wanted["granted_at"]) or clock.now(),
            )
        )
    session.flush()
    _audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action="undo",
        entity="admin",
        entity_id=None,
        before={"user_id": user_id, "admin": current},
        after={"user_id": user_id, "admin": wanted},
    )
    verb = "granting admin rights to" if entry.action == "grant" else "revoking admin rights of"
    return UndoResult(entry.action, "admin", None, f"Undid {verb} user {user_id}.")


# --------------------------------------------------------------------------- aliases and merges

_KINDS: dict[str, tuple[str, Any]] = {
    "person": ("person", Person),
    "people": ("person", Person),
    "organization": ("organization", Organization),
    "organisation": ("organization", Organization),
    "org": ("organization", Organization),
    "issue": ("issue", Issue),
    "topic": ("issue", Issue),
}
_MODELS: dict[str, Any] = {"person": Person, "organization": Organization, "issue": Issue}


def _named_snapshot(row: Any) -> dict[str, Any]:
    snap = {"id": row.id, "name": row.name, "aliases": list(row.aliases or ())}
    if hasattr(row, "country"):
        snap["country"] = row.country
    return snap


def _split_kind(text: str) -> tuple[str | None, str]:
    head, sep, rest = text.partition(":")
    if sep and head.strip().casefold() in _KINDS:
        return _KINDS[head.strip().casefold()][0], rest.strip()
    return None, text.strip()


def _closest_name(name: str, *, session: Session) -> str | None:
    spellings: list[str] = []
    for model in (Person, Organization, Issue):
        for row in session.exec(select(model)).all():
            spellings.append(row.name)
    best = process.extractOne(
        normalize_name(name),
        spellings,
        scorer=fuzz.WRatio,
        processor=normalize_name,
        score_cutoff=75,
    )
    return best[0] if best else None


def add_alias(
    name: str, alias: str, *, session: Session, clock: Clock, actor_id: int | None
) -> AliasResult:
    """Add alias to the person, organization or issue called name, and audit it.

    name may start with "person:", "organization:" or "issue:" when it names more than one
    kind of thing. Refused when the alias already names another record of the same kind.
    """
    kind, target = _split_kind(name)
    alias = clean_text(alias) or ""
    if not target or not alias:
        raise RecordError("Write /alias NAME = OTHER NAME, for example /alias OSCE PA = PA OSCE.")
    if len(alias) > MAX_ALIAS:
        raise RecordError(f"The alias is longer than {MAX_ALIAS} characters.")
    hits: list[tuple[str, Any]] = []
    for kind_name, model in _MODELS.items():
        if kind in (None, kind_name):
            hits.extend((kind_name, row) for row in _find_by_name(model, target, session=session))
    if not hits:
        closest = _closest_name(target, session=session)
        hint = f"; did you mean “{closest}”?" if closest else "."
        raise NotFoundError(f"No person, organization or issue is called “{target}”{hint}")
    if len(hits) > 1:
        labels = ", ".join(f"{k} #{row.id} {row.name}" for k, row in hits[:4])
        raise RecordError(
            f"“{target}” names more than one record ({labels}); write person:, organization: "
            "or issue: before the name."
        )
    kind_name, row = hits[0]
    wanted = normalize_name(alias)
    if wanted in {normalize_name(s) for s in (row.name, *(row.aliases or ()))}:
        raise RecordError(f"“{alias}” already is a name of {row.name}.")
    for other in _find_by_name(_MODELS[kind_name], alias, session=session):
        if other.id != row.id:
            merge_hint = "; use /merge to join the two" if kind_name == "person" else ""
            raise RecordError(f"“{alias}” already names {kind_name} {other.name}{merge_hint}.")
    before = _named_snapshot(row)
    row.aliases = [*(row.aliases or ()), alias]
    session.add(row)
    session.flush()
    _audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action="alias",
        entity=kind_name,
        entity_id=row.id,
        before=before,
        after=_named_snapshot(row),
    )
    return AliasResult(kind_name, int(row.id), row.name, alias)


def _undo_alias(entry: AuditEntry, *, session: Session, clock: Clock, actor_id: int) -> UndoResult:
    model = _MODELS[entry.entity]
    row = session.get(model, entry.entity_id)
    if row is None or _named_snapshot(row) != entry.after:
        raise ConflictError(f"That {entry.entity} changed since your alias; undo refused.")
    assert entry.before is not None
    current = _named_snapshot(row)
    row.aliases = list(entry.before["aliases"])
    session.add(row)
    session.flush()
    _audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action="undo",
        entity=entry.entity,
        entity_id=entry.entity_id,
        before=current,
        after=_named_snapshot(row),
    )
    added = [a for a in current["aliases"] if a not in entry.before["aliases"]]
    return UndoResult(
        "alias",
        entry.entity,
        entry.entity_id,
        f"Removed the alias “{', '.join(added)}” of {row.name}.",
    )


def find_person(reference: str, *, session: Session) -> Person:
    """Return the person with id #12 (or 12) or the one person with this name or alias."""
    text = reference.strip()
    if re.fullmatch(r"#?\d+", text):
        number = _row_id(text)
        person = session.get(Person, number) if number is not None else None
        if person is None:
            raise NotFoundError(f"There is no person {text}.")
        return person
    found = _find_by_name(Person, text, session=session)
    if not found:
        closest = match_person(text, session=session).candidates
        hint = f"; did you mean {closest[0].label}?" if closest else "."
        raise NotFoundError(f"No person is called “{text}”{hint}")
    if len(found) > 1:
        labels = ", ".join(
            f"#{p.id} {p.name}" + (f" ({p.country})" if p.country else "") for p in found[:5]
        )
        raise RecordError(f"Several people are called “{text}” ({labels}); use the #id.")
    return found[0]


def merge_people(
    keep: str, remove: str, *, session: Session, clock: Clock, actor_id: int | None
) -> MergeResult:
    """Join two records of one person: remove's meetings and names move to keep.

    Refused when both took part in the same meeting (then they are two people).
    """
    kept = find_person(keep, session=session)
    dropped = find_person(remove, session=session)
    if kept.id == dropped.id:
        raise RecordError(f"“{keep}” and “{remove}” already are the same person.")
    kept_meetings = set(
        session.exec(select(Participation.meeting_id).where(Participation.person_id == kept.id))
    )
    moved = session.exec(select(Participation).where(Participation.person_id == dropped.id)).all()
    shared = sorted(kept_meetings & {p.meeting_id for p in moved})
    if shared:
        raise RecordError(
            f"{kept.name} and {dropped.name} both took part in meeting {shared[0]}, "
            "so they are two people."
        )
    before = {
        "keep": _named_snapshot(kept),
        "drop": _named_snapshot(dropped),
        "participations": sorted(int(p.id) for p in moved if p.id is not None),
    }
    known = {normalize_name(s) for s in (kept.name, *(kept.aliases or ()))}
    aliases = list(kept.aliases or ())
    for spelling in (dropped.name, *(dropped.aliases or ())):
        if normalize_name(spelling) not in known:
            aliases.append(spelling)
            known.add(normalize_name(spelling))
    kept.aliases = aliases
    kept.country = kept.country or dropped.country
    for part in moved:
        part.person_id = int(kept.id)  # type: ignore[arg-type]
        session.add(part)
    session.add(kept)
    session.flush()
    session.delete(dropped)
    session.flush()
    _audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action="merge",
        entity="person",
        entity_id=kept.id,
        before=before,
        after={"keep": _named_snapshot(kept), "participations": before["participations"]},
    )
    return MergeResult(
        int(kept.id),  # type: ignore[arg-type]
        kept.name,
        int(before["drop"]["id"]),
        before["drop"]["name"],
        len({p.meeting_id for p in moved}),
    )


def _undo_merge(entry: AuditEntry, *, session: Session, clock: Clock, actor_id: int) -> UndoResult:
    assert entry.before is not None and entry.after is not None
    kept = session.get(Person, entry.entity_id)
    if kept is None or _named_snapshot(kept) != entry.after["keep"]:
        raise ConflictError("That person changed since the merge; undo refused.")
    drop = entry.before["drop"]
    if session.get(Person, drop["id"]) is not None:
        raise ConflictError(f"Person #{drop['id']} exists again; undo refused.")
    current = _named_snapshot(kept)
    session.add(
        Person(id=drop["id"], name=drop["name"], aliases=drop["aliases"], country=drop["country"])
    )
    session.flush()
    ids = entry.before["participations"]
    if ids:
        for part in session.exec(select(Participation).where(col(Participation.id).in_(ids))):
            if part.person_id == kept.id:
                part.person_id = drop["id"]
                session.add(part)
    kept.aliases = list(entry.before["keep"]["aliases"])
    kept.country = entry.before["keep"]["country"]
    session.add(kept)
    session.flush()
    _audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action="undo",
        entity="person",
        entity_id=kept.id,
        before={"keep": current},
        after={"keep": _named_snapshot(kept), "drop": drop},
    )
    return UndoResult("merge", "person", kept.id, f"Split {drop['name']} from {kept.name} again.")
