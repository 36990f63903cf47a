"""The values of admin record operations: what an admin typed, what a change did, the errors.

Plain frozen dataclasses; nothing here reads the database. A RecordError's message is one
sentence for the admin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.core.names import name_key

# The actor audited for changes made with `meetbot` on the command line: Telegram user ids are
# positive, so 0 is nobody's, and `meetbot undo` takes back only what the command line did.
COMMAND_LINE_ACTOR = 0


class RecordError(ValueError):
    """A record operation cannot be done; str(error) is one sentence for the admin."""


class ValidationError(RecordError):
    """A record breaks one or more rules; errors holds one sentence per problem."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors: tuple[str, ...] = tuple(errors)
        super().__init__(" ".join(self.errors))

    def __reduce__(self) -> tuple[type[ValidationError], tuple[tuple[str, ...]]]:
        # Pickled whole when it comes back from an import in a child process.
        return (type(self), (self.errors,))


class NotFoundError(RecordError):
    """The meeting, person, organisation, issue or admin named does not exist."""


class ConflictError(RecordError):
    """The change would clash with the records as they are now (undo after another edit)."""


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

    def as_record(self) -> MeetingRecord:
        """Return the draft as a record, not yet validated (validate_record checks it).

        Raises ValidationError when the draft has no date yet.
        """
        if self.date is None:
            raise ValidationError(["The meeting needs a date."])
        return MeetingRecord(
            date=self.date,
            participants=tuple(self.participants),
            location=self.location,
            title=self.title,
            summary=self.summary,
            sources=tuple(self.sources),
            issues=tuple(self.issues),
        )

    def has_participant(self, person: ParticipantRecord) -> bool:
        """Whether person is already a participant: the same person on record, or a name
        that is the same name (name_key)."""
        if person.person_id is not None and person.person_id in {
            p.person_id for p in self.participants
        }:
            return True
        return name_key(person.name) in {name_key(p.name) for p in self.participants}

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
    """One field's value before and after a change, as display text.

    For the participants, also who joined (added), who left (removed) and whose role changed
    (changed: the name, the role before and after), so a reader sees the difference, not two
    lists.
    """

    field: str
    before: str | None
    after: str | None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[tuple[str, str, str], ...] = ()


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
class PersonMeetings:
    """One side of a merge to confirm: the person, how many meetings, the latest few."""

    person_id: int
    name: str
    country: str | None
    aliases: tuple[str, ...]
    meeting_count: int
    # (meeting id, date, title or location) of the newest meetings, newest first.
    latest: tuple[tuple[int, dt.date, str | None], ...]


@dataclass(frozen=True, slots=True)
class MergePlan:
    """What /merge would do, for the admin to confirm: keep one person, remove the other."""

    keep: PersonMeetings
    remove: PersonMeetings


@dataclass(frozen=True, slots=True)
class MergeResult:
    """Two person records joined into one."""

    kept_id: int
    kept_name: str
    removed_id: int
    removed_name: str
    meetings_moved: int
