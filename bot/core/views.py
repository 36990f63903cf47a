"""Plain read-only views of meetings, shared by answers, digests and the renderers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import Issue, Meeting, MeetingIssue, Organization, Participation, Person
from storage.repository import count_meetings


@dataclass(frozen=True, slots=True)
class ParticipantView:
    """A person at a meeting with the role, organisation and country they had there."""

    name: str
    title: str | None
    organization: str | None
    country: str | None


@dataclass(frozen=True, slots=True)
class MeetingView:
    """Everything a reader needs about one meeting, including where the facts come from."""

    id: int
    external_id: str | None
    date: dt.date
    location: str | None
    title: str | None
    summary: str | None
    participants: tuple[ParticipantView, ...]
    issues: tuple[str, ...]
    sources: tuple[str, ...]
    created_at: dt.datetime | None = None

    def to_json(self) -> dict[str, object]:
        """Return the JSON shape of `meetbot ask --json`."""
        return {
            "id": self.id,
            "external_id": self.external_id,
            "date": self.date.isoformat(),
            "location": self.location,
            "title": self.title,
            "participants": [
                {
                    "name": p.name,
                    "title": p.title,
                    "organization": p.organization,
                    "country": p.country,
                }
                for p in self.participants
            ],
            "issues": list(self.issues),
            "sources": list(self.sources),
        }


def load_meeting_views(ids: Iterable[int], *, session: Session) -> list[MeetingView]:
    """Load the live (not deleted) meetings with these ids, in the order given."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    views: dict[int, MeetingView] = {}
    # SQLite limits bound parameters; 500 at a time stays far below every limit.
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        # Plain columns, not ORM objects: building instances was most of an answer's time
        # when it lists a hundred meetings (bench/answering.py). SQLModel's select() is typed
        # for at most four columns and session.exec() takes only its own Select, so these
        # wider ones are SQLAlchemy's, run by Session.execute (the same query and rows).
        meetings = session.execute(
            sa_select(
                col(Meeting.id),
                col(Meeting.external_id),
                col(Meeting.date),
                col(Meeting.location),
                col(Meeting.title),
                col(Meeting.summary),
                col(Meeting.sources),
                col(Meeting.created_at),
            ).where(col(Meeting.id).in_(chunk), col(Meeting.deleted_at).is_(None))
        ).all()
        people = session.execute(
            sa_select(
                col(Participation.meeting_id),
                col(Person.name),
                col(Participation.title),
                col(Organization.name),
                col(Participation.country),
            )
            .join(Person, col(Person.id) == Participation.person_id)
            .join(
                Organization,
                col(Organization.id) == Participation.organization_id,
                isouter=True,
            )
            .where(col(Participation.meeting_id).in_(chunk))
            .order_by(col(Participation.meeting_id), col(Participation.position))
        ).all()
        issues = session.exec(
            select(MeetingIssue.meeting_id, Issue.name)
            .join(Issue, col(Issue.id) == MeetingIssue.issue_id)
            .where(col(MeetingIssue.meeting_id).in_(chunk))
            .order_by(col(MeetingIssue.meeting_id), col(MeetingIssue.position))
        ).all()
        participants: dict[int, list[ParticipantView]] = {}
        for meeting_id, name, title, organization, country in people:
            participants.setdefault(meeting_id, []).append(
                ParticipantView(name, title, organization, country)
            )
        issue_names: dict[int, list[str]] = {}
        for meeting_id, name in issues:
            issue_names.setdefault(meeting_id, []).append(name)
        for mid, external_id, day, location, title, summary, sources, created in meetings:
            views[mid] = MeetingView(
                id=mid,
                external_id=external_id,
                date=day,
                location=location,
                title=title,
                summary=summary,
                participants=tuple(participants.get(mid, ())),
                issues=tuple(issue_names.get(mid, ())),
                sources=tuple(sources or ()),
                created_at=created,
            )
    return [views[i] for i in wanted if i in views]


def count_live_meetings(*, session: Session) -> int:
    """Return how many meetings there are, not counting soft-deleted ones (for /about)."""
    return count_meetings(session=session, include_deleted=False)
