"""The open forms of users (ConversationState rows): read, write and delete by (chat, user)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col

from storage.models import ConversationState


def get_conversation(chat_id: int, user_id: int, *, session: Session) -> ConversationState | None:
    """Return the form row of user_id in chat_id, expired or not, or None."""
    return session.get(ConversationState, (chat_id, user_id))


def put_conversation(
    chat_id: int,
    user_id: int,
    *,
    session: Session,
    kind: str,
    step: str,
    payload: dict[str, Any],
    started_at: dt.datetime,
    now: dt.datetime,
    expires_at: dt.datetime,
    expected_version: int | None = None,
) -> ConversationState | None:
    """Insert or replace the form row of user_id in chat_id (one form per user and chat).

    With expected_version, only the row still at that version is changed (compare-and-set, one
    UPDATE: of two transactions writing over the same version the second waits for the first
    and then changes nothing); None then says another write came first, or the form ended.
    """
    if expected_version is not None:
        result = session.exec(
            update(ConversationState)
            .where(
                col(ConversationState.chat_id) == chat_id,
                col(ConversationState.user_id) == user_id,
                col(ConversationState.version) == expected_version,
            )
            .values(
                kind=kind,
                step=step,
                payload=dict(payload),
                started_at=started_at,
                updated_at=now,
                expires_at=expires_at,
                version=expected_version + 1,
            )
        )
        session.expire_all()
        if not result.rowcount:
            return None
        return session.get(ConversationState, (chat_id, user_id))
    row = session.get(ConversationState, (chat_id, user_id))
    if row is None:
        row = ConversationState(
            chat_id=chat_id,
            user_id=user_id,
            kind=kind,
            step=step,
            payload=payload,
            started_at=started_at,
            updated_at=now,
            expires_at=expires_at,
            # Random, so a write meant for an ended form never lands on a new one.
            version=secrets.randbits(48),
        )
    else:
        # A new dict, never the old one changed in place: SQLAlchemy would not see that.
        row.kind, row.step, row.payload = kind, step, dict(payload)
        row.started_at, row.updated_at, row.expires_at = started_at, now, expires_at
        row.version = secrets.randbits(48)
    session.add(row)
    session.flush()
    return row


def delete_conversation(chat_id: int, user_id: int, *, session: Session) -> bool:
    """Delete the form row of user_id in chat_id; True when this call deleted it.

    One DELETE statement: of two transactions deleting the same row at once, the second waits
    for the first and then deletes nothing (False), which lets a caller act only once.
    """
    result = session.exec(
        delete(ConversationState).where(
            col(ConversationState.chat_id) == chat_id, col(ConversationState.user_id) == user_id
        )
    )
    session.expire_all()
    return bool(result.rowcount)
