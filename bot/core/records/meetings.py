"""Meetings as admins change them: create, edit, delete and import, each with its audit entry.

Every change writes an AuditEntry through the caller's session, so the change and its entry
commit or roll back together (the caller opens one session per command). Each change runs the
meeting schema once (rules.validate_record, or the import's parse).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from bot.core.clock import Clock, FakeClock
from bot.core.records.audit import diff_snapshots, record_from_snapshot, write_audit
from bot.core.records.lookup import find_by_name, find_meeting, match_person
from bot.core.records.parsing import apply_field, canonical_field, local_today
from bot.core.records.rules import validate_record
from bot.core.records.values import (
    ChangeResult,
    ConflictError,
    FieldChange,
    MeetingRecord,
    NotFoundError,
    ParticipantRecord,
    RecordError,
    ValidationError,
)
from bot.core.snapshots import from_iso, snapshot_meeting
from storage.db import create_db_engine, session_scope
from storage.models import Issue, Meeting, MeetingIssue, Organization, Participation, Person

if TYPE_CHECKING:
    from bot.core.interchange import ImportResult


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
    found = find_by_name(Organization, name, session=session)
    if found:
        return int(found[0].id)
    organization = Organization(name=name, aliases=[], country=country)
    session.add(organization)
    session.flush()
    assert organization.id is not None
    return organization.id


def _resolve_issue(name: str, *, session: Session) -> int:
    found = find_by_name(Issue, name, session=session)
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


def write_links(meeting_id: int, record: MeetingRecord, *, session: Session) -> None:
    """Make a meeting's participants and issues the record's, finding or creating each one."""
    people = []
    for p in record.participants:
        person_id = _resolve_person(p, session=session)
        organization_id = _resolve_organization(p.organization, p.country, session=session)
        people.append((person_id, p.title, organization_id, p.country))
    if len({person_id for person_id, *_ in people}) < len(people):
        raise ValidationError(["The same person is listed twice among the participants."])
    issue_ids = [_resolve_issue(name, session=session) for name in record.issues]
    _replace_links(meeting_id=meeting_id, people=people, issue_ids=issue_ids, session=session)


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
    write_links(meeting.id, record, session=session)
    after = snapshot_meeting(meeting.id, session=session)
    return _audited(
        meeting.id, "create", None, after, diff_snapshots(None, after),
        session=session, clock=clock, actor_id=actor_id,
    )  # fmt: skip


def _audited(
    meeting_id: int,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    changes: tuple[FieldChange, ...],
    *,
    session: Session,
    clock: Clock,
    actor_id: int | None,
) -> ChangeResult:
    """Write the audit entry of a meeting change and report it."""
    entry = write_audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action=action,
        entity="meeting",
        entity_id=meeting_id,
        before=before,
        after=after,
    )
    assert entry.id is not None
    return ChangeResult(meeting_id, action, entry.id, changes)


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
    record = validate_record(
        apply_field(record_from_snapshot(before), key, value, today=today), today=today
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
    write_links(meeting.id, record, session=session)
    after = snapshot_meeting(meeting.id, session=session)
    changes = diff_snapshots(before, after)
    if not changes:
        raise RecordError(f"The {key} of meeting {meeting.id} already is that; nothing changed.")
    return _audited(
        meeting.id, "edit", before, after, changes,
        session=session, clock=clock, actor_id=actor_id,
    )  # fmt: skip


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
    return _audited(
        meeting.id, "delete", before, after, diff_snapshots(before, after),
        session=session, clock=clock, actor_id=actor_id,
    )  # fmt: skip


def import_document(
    data: bytes,
    *,
    filename: str | None,
    session: Session,
    clock: Clock,
    actor_id: int | None,
    today: dt.date | None = None,
    replace: bool = False,
) -> ImportResult:
    """Validate a whole import file and apply it through the interchange, in session.

    The schema's checks include the date: a meeting more than a day after today is refused.
    Raises InvalidImport (errors by path) and writes nothing when any part is wrong. A stored
    meeting keeps the fields the file leaves out; with replace it becomes what the file says.
    The interchange writes one AuditEntry (action "import") for every meeting it adds or
    changes and returns their ids (ImportResult.meeting_ids).
    """
    # Imported here: YAML stays off the path of the commands that never import.
    from bot.core.interchange import apply_import, parse_import

    doc = parse_import(data, filename=filename, today=today or local_today(clock))
    return apply_import(doc, session=session, clock=clock, actor_id=actor_id, replace=replace)


def import_document_at(
    database_url: str,
    data: bytes,
    *,
    filename: str | None,
    now: dt.datetime,
    actor_id: int | None,
    today: dt.date,
    replace: bool = False,
) -> ImportResult:
    """import_document on an engine of its own for database_url, committed, at the moment now.

    For a big import in a child process (bot/tg/context.py ProcessWorker): everything comes in
    and goes out as plain values, and the clock is the parent's moment, never read here. The
    errors are import_document's (InvalidImport, RecordError, CatalogBusy), pickled whole.
    """
    engine = create_db_engine(database_url)
    try:
        with session_scope(engine) as session:
            return import_document(
                data,
                filename=filename,
                session=session,
                clock=FakeClock(now),
                actor_id=actor_id,
                today=today,
                replace=replace,
            )
    finally:
        engine.dispose()


def restore_snapshot(snap: dict[str, Any], *, session: Session) -> None:
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
    meeting.created_at = from_iso(snap["created_at"]) or meeting.created_at
    meeting.created_by = snap["created_by"]
    meeting.updated_at = from_iso(snap["updated_at"]) or meeting.updated_at
    meeting.updated_by = snap["updated_by"]
    meeting.deleted_at = from_iso(snap["deleted_at"])
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
