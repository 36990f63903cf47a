"""Open forms (/add, a guided /edit) kept in the database, so that any process continues them.

A form is one row per (chat, user): its kind, the step it waits at, its data as JSON, when it
started, when it was last answered and when it expires. The edge reads it on every update that
may belong to it and writes it after every step; an expired form is reported to the user once
and removed. Plain values only: the Telegram side turns them into replies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.records import MeetingDraft, ParticipantRecord, PersonCandidate
from storage.conversations import delete_conversation, get_conversation, put_conversation
from storage.models import ConversationState

# A form left without an answer this long is over; nothing of it was saved.
FORM_TTL = dt.timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class Form:
    """The open form of one user in one chat, as stored."""

    chat_id: int
    user_id: int
    kind: str
    step: str
    data: Mapping[str, Any]
    started_at: dt.datetime
    updated_at: dt.datetime
    expires_at: dt.datetime
    version: int = 0  # of the row as read; a step is written only over it

    def is_expired(self, now: dt.datetime) -> bool:
        """True when now is at or past the expiry."""
        return now >= self.expires_at

    @property
    def ttl(self) -> dt.timedelta:
        """The silence after which this form expires (from its last answer)."""
        return self.expires_at - self.updated_at


def _form(row: ConversationState) -> Form:
    return Form(
        chat_id=row.chat_id,
        user_id=row.user_id,
        kind=row.kind,
        step=row.step,
        data=dict(row.payload),
        started_at=row.started_at,
        updated_at=row.updated_at,
        expires_at=row.expires_at,
        version=row.version,
    )


def find_form(chat_id: int, user_id: int, *, session: Session) -> Form | None:
    """Return the form of user_id in chat_id, expired or not, or None."""
    row = get_conversation(chat_id, user_id, session=session)
    return _form(row) if row is not None else None


def save_form(
    chat_id: int,
    user_id: int,
    *,
    kind: str,
    step: str,
    data: Mapping[str, Any],
    session: Session,
    clock: Clock,
    ttl: dt.timedelta = FORM_TTL,
    started_at: dt.datetime | None = None,
    over: Form | None = None,
) -> Form:
    """Write the form at step with data; it expires ttl from now.

    started_at is the form's start (None: a new form starting now). One form per user and
    chat: a new one replaces whatever was there. over is the form as read before this step:
    the step is written only if nothing else was written since (else FormChanged), so two
    replicas taking the same step at once never both apply it.
    """
    now = clock.now()
    row = put_conversation(
        chat_id,
        user_id,
        session=session,
        kind=kind,
        step=step,
        payload=dict(data),
        started_at=started_at or now,
        now=now,
        expires_at=now + ttl,
        expected_version=None if over is None else over.version,
    )
    if row is None:
        raise FormChanged(f"the form of user {user_id} in chat {chat_id} changed meanwhile")
    return _form(row)


class FormEnded(Exception):
    """The form was ended meanwhile (saved, cancelled) by another update or replica."""


class FormChanged(FormEnded):
    """Another update (another replica) took a step of the form, or ended it, meanwhile."""


def end_form(chat_id: int, user_id: int, *, session: Session, must_exist: bool = False) -> bool:
    """Remove the form of user_id in chat_id; True when there was one.

    With must_exist, raise FormEnded when there was none: the caller's transaction, which
    ends the form and acts on it (Save), then rolls back instead of acting twice.
    """
    ended = delete_conversation(chat_id, user_id, session=session)
    if must_exist and not ended:
        raise FormEnded(f"the form of user {user_id} in chat {chat_id} has ended")
    return ended


# --------------------------------------------------------------------------- JSON of a draft


def dump_participant(person: ParticipantRecord) -> dict[str, Any]:
    """A participant as JSON."""
    return asdict(person)


def load_participant(data: Mapping[str, Any]) -> ParticipantRecord:
    """A participant from its JSON."""
    return ParticipantRecord(**dict(data))


def dump_candidate(candidate: PersonCandidate) -> dict[str, Any]:
    """A person offered in "Is this …?" as JSON."""
    return asdict(candidate)


def load_candidate(data: Mapping[str, Any]) -> PersonCandidate:
    """A person offered in "Is this …?" from its JSON."""
    return PersonCandidate(**dict(data))


def dump_draft(draft: MeetingDraft) -> dict[str, Any]:
    """A meeting draft as JSON."""
    return {
        "date": draft.date.isoformat() if draft.date else None,
        "participants": [dump_participant(p) for p in draft.participants],
        "location": draft.location,
        "title": draft.title,
        "summary": draft.summary,
        "sources": list(draft.sources),
        "issues": list(draft.issues),
    }


def load_draft(data: Mapping[str, Any]) -> MeetingDraft:
    """A meeting draft from its JSON."""
    day = data.get("date")
    return MeetingDraft(
        date=dt.date.fromisoformat(day) if day else None,
        participants=[load_participant(p) for p in data.get("participants", [])],
        location=data.get("location"),
        title=data.get("title"),
        summary=data.get("summary"),
        sources=list(data.get("sources", [])),
        issues=list(data.get("issues", [])),
    )
