"""Query and write functions over the tables; every one takes a keyword-only session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import func, insert, inspect
from sqlmodel import Session, col, select

from storage.models import (
    AuditEntry,
    Issue,
    Meeting,
    MeetingIssue,
    Organization,
    Participation,
    Person,
)

# SQLite allows at most 32766 bound parameters (older builds 999); 500 stays far below both.
CHUNK = 500

T = TypeVar("T")
# The tables whose new rows the import inserts in bulk (add_new_rows).
Row = TypeVar("Row", Person, Organization, Issue, Meeting)


def _chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def count_meetings(*, session: Session, include_deleted: bool = True) -> int:
    """Return how many meetings there are (by default counting soft-deleted ones too)."""
    query = select(func.count()).select_from(Meeting)
    if not include_deleted:
        query = query.where(col(Meeting.deleted_at).is_(None))
    return int(session.exec(query).one())


def get_meeting(meeting_id: int, *, session: Session) -> Meeting | None:
    """Return the meeting with this id, deleted or not, or None."""
    return session.get(Meeting, meeting_id)


def list_live_meetings(*, session: Session) -> list[Meeting]:
    """Return every meeting that is not soft-deleted, by date and then by age."""
    return list(
        session.exec(
            select(Meeting)
            .where(col(Meeting.deleted_at).is_(None))
            .order_by(col(Meeting.date), col(Meeting.id))
        ).all()
    )


def find_meetings_by_external_ids(
    external_ids: Iterable[str], *, session: Session
) -> dict[str, Meeting]:
    """Return the meetings (deleted or not) with these external ids, keyed by external id."""
    wanted = list(dict.fromkeys(external_ids))
    found: dict[str, Meeting] = {}
    for chunk in _chunks(wanted):
        for meeting in session.exec(
            select(Meeting).where(col(Meeting.external_id).in_(chunk))
        ).all():
            assert meeting.external_id is not None
            found[meeting.external_id] = meeting
    return found


def list_meetings_on_dates(dates: Iterable[dt.date], *, session: Session) -> list[Meeting]:
    """Return the meetings (deleted or not) held on any of these dates, oldest record first."""
    wanted = sorted(set(dates))
    meetings: list[Meeting] = []
    for chunk in _chunks(wanted):
        meetings.extend(
            session.exec(
                select(Meeting).where(col(Meeting.date).in_(chunk)).order_by(col(Meeting.id))
            ).all()
        )
    return sorted(meetings, key=lambda m: m.id or 0)


def list_participations(
    meeting_ids: Iterable[int], *, session: Session
) -> dict[int, list[Participation]]:
    """Return the participations of these meetings, by meeting id, in their stored order."""
    wanted = list(dict.fromkeys(meeting_ids))
    found: dict[int, list[Participation]] = {}
    for chunk in _chunks(wanted):
        for row in session.exec(
            select(Participation)
            .where(col(Participation.meeting_id).in_(chunk))
            .order_by(col(Participation.meeting_id), col(Participation.position))
        ).all():
            found.setdefault(row.meeting_id, []).append(row)
    return found


def list_roles_of_people(person_ids: Sequence[int], *, session: Session) -> list[Participation]:
    """Return every participation of these people (what they were at each meeting)."""
    found: list[Participation] = []
    for chunk in _chunks(list(dict.fromkeys(person_ids))):
        found.extend(
            session.exec(
                select(Participation).where(col(Participation.person_id).in_(chunk))
            ).all()
        )
    return found


def list_meeting_issues(
    meeting_ids: Iterable[int], *, session: Session
) -> dict[int, list[MeetingIssue]]:
    """Return the issue links of these meetings, by meeting id, in their stored order."""
    wanted = list(dict.fromkeys(meeting_ids))
    found: dict[int, list[MeetingIssue]] = {}
    for chunk in _chunks(wanted):
        for row in session.exec(
            select(MeetingIssue)
            .where(col(MeetingIssue.meeting_id).in_(chunk))
            .order_by(col(MeetingIssue.meeting_id), col(MeetingIssue.position))
        ).all():
            found.setdefault(row.meeting_id, []).append(row)
    return found


def list_people(*, session: Session) -> list[Person]:
    """Return every person, oldest record first."""
    return list(session.exec(select(Person).order_by(col(Person.id))).all())


def list_organizations(*, session: Session) -> list[Organization]:
    """Return every organisation, oldest record first."""
    return list(session.exec(select(Organization).order_by(col(Organization.id))).all())


def list_issues(*, session: Session) -> list[Issue]:
    """Return every issue, oldest record first."""
    return list(session.exec(select(Issue).order_by(col(Issue.id))).all())


def add_audit_entry(
    *,
    session: Session,
    at: dt.datetime,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry:
    """Record who changed what and when, with the record before and after (JSON-ready dicts)."""
    entry = AuditEntry(
        at=at,
        actor_id=actor_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


def list_audit_entries(
    *, session: Session, entity: str | None = None, entity_id: int | None = None
) -> list[AuditEntry]:
    """Return audit entries, newest first, optionally only those about one entity."""
    query = select(AuditEntry)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return list(session.exec(query.order_by(col(AuditEntry.id).desc())).all())


def add_participations(rows: Sequence[dict[str, Any]], *, session: Session) -> None:
    """Insert many participations at once (dicts of Participation's columns, without id)."""
    _insert_many(Participation, rows, session=session)


def add_meeting_issues(rows: Sequence[dict[str, Any]], *, session: Session) -> None:
    """Insert many meeting-issue links at once (meeting_id, issue_id, position)."""
    _insert_many(MeetingIssue, rows, session=session)


def add_audit_entries(rows: Sequence[dict[str, Any]], *, session: Session) -> None:
    """Insert many audit entries at once (dicts of add_audit_entry's arguments)."""
    _insert_many(AuditEntry, [{"undone": False, **row} for row in rows], session=session)


def _insert_many(model: type[Any], rows: Sequence[dict[str, Any]], *, session: Session) -> None:
    """Insert rows (dicts of model's columns) in one executemany, past the ORM's bulk layer."""
    if rows:
        session.connection().execute(insert(inspect(model).local_table), list(rows))


def add_new_rows(rows: Sequence[Row], *, session: Session) -> None:
    """Insert new rows of one table at once and give each its id.

    The rows are objects outside the session (their id None), and stay so: building and
    flushing an ORM object per row costs an import of thousands more than the database does.
    """
    if not rows:
        return
    table = inspect(type(rows[0])).local_table
    names = [column.key for column in table.columns if column.key != "id"]
    values = [{name: getattr(row, name) for name in names} for row in rows]
    ids = session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), values
    ).scalars()
    for row, new_id in zip(rows, ids, strict=True):
        row.id = new_id
