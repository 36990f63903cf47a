"""The audit snapshot of a meeting: one JSON shape, written by edits, deletes, undos and imports.

An AuditEntry of a meeting holds this shape before and after the change; /undo restores it
exactly and /history diffs two of them. snapshot_meeting reads it from the database;
build_snapshot makes it from rows in hand (the import builds thousands without a query each).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlmodel import Session, col, select

from storage.models import Issue, Meeting, MeetingIssue, Organization, Participation, Person


class SnapshotPerson(NamedTuple):
    """One participant as a snapshot holds it."""

    person: Person
    title: str | None
    organization: Organization | None
    country: str | None


def iso(moment: dt.datetime | None) -> str | None:
    """Return moment as an ISO string in UTC (naive values are UTC), or None."""
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive values for UTC columns in some paths
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat()


def from_iso(text: str | None) -> dt.datetime | None:
    """Read what iso wrote."""
    return dt.datetime.fromisoformat(text) if text else None


def build_snapshot(
    meeting: Meeting, people: Iterable[SnapshotPerson], issues: Iterable[Issue]
) -> dict[str, Any]:
    """Return the JSON-ready snapshot of meeting with these participants and issues, in order."""
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
                "person_id": p.person.id,
                "name": p.person.name,
                "title": p.title,
                "organization_id": p.organization.id if p.organization else None,
                "organization": p.organization.name if p.organization else None,
                "country": p.country,
            }
            for p in people
        ],
        "issues": [{"id": issue.id, "name": issue.name} for issue in issues],
        "created_at": iso(meeting.created_at),
        "created_by": meeting.created_by,
        "updated_at": iso(meeting.updated_at),
        "updated_by": meeting.updated_by,
        "deleted_at": iso(meeting.deleted_at),
    }


def snapshot_meeting(meeting_id: int, *, session: Session) -> dict[str, Any] | None:
    """Return the snapshot of a meeting as stored now, or None when there is no such meeting."""
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
    people = [SnapshotPerson(person, part.title, org, part.country) for part, person, org in rows]
    return build_snapshot(meeting, people, issues)


def is_snapshot(value: object) -> bool:
    """Tell a meeting snapshot (of either shape, see is_legacy_snapshot) from other audit data."""
    return isinstance(value, dict) and "participants" in value and "date" in value


def is_legacy_snapshot(snap: dict[str, Any]) -> bool:
    """Tell the import-format dicts that imports audited before this shape was shared."""
    return "created_at" not in snap
