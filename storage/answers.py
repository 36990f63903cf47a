"""The answers the bot sent (SentAnswer rows): write, read and forget by (chat, message)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col

from storage.models import SentAnswer


def put_sent_answer(
    chat_id: int,
    message_id: int,
    *,
    session: Session,
    payload: dict[str, Any],
    expires_at: dt.datetime,
) -> None:
    """Insert or replace the row of the answer message_id in chat_id."""
    row = session.get(SentAnswer, (chat_id, message_id))
    if row is None:
        row = SentAnswer(
            chat_id=chat_id, message_id=message_id, payload=payload, expires_at=expires_at
        )
    else:
        row.payload, row.expires_at = dict(payload), expires_at
    session.add(row)
    session.flush()


def get_sent_answer(chat_id: int, message_id: int, *, session: Session) -> SentAnswer | None:
    """The row of the answer message_id in chat_id, expired or not, or None."""
    return session.get(SentAnswer, (chat_id, message_id))


def delete_expired_sent_answers(now: dt.datetime, *, session: Session) -> int:
    """Delete the rows that expired before now; return how many."""
    result = session.exec(delete(SentAnswer).where(col(SentAnswer.expires_at) < now))
    return int(result.rowcount or 0)
