"""The answers a chat was sent, kept in the database: the question and what it was about.

The Telegram edge remembers each answer it sends by (chat id, message id). A reply to that
message is a follow-up completed from the answer's AnswerContext (bot.core.followups), and the
answer's buttons (More, a suggestion) find their question again, on any replica and after a
restart: nothing lives in a process's memory. Rows expire after ANSWER_MEMORY_DAYS.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from bot.core.answering import Answer
from bot.core.followups import AnswerContext
from storage.answers import delete_expired_sent_answers, get_sent_answer, put_sent_answer

ANSWER_MEMORY_DAYS = 30


@dataclass(frozen=True, slots=True)
class RecalledAnswer:
    """What a sent answer was: its question, the context it was asked in (a follow-up's), and
    its own context when it found meetings."""

    question: str
    context: AnswerContext | None
    asked_with: AnswerContext | None = None


def remember_answer(
    chat_id: int,
    message_id: int,
    answer: Answer,
    *,
    session: Session,
    now: dt.datetime,
    question: str | None = None,
    asked_with: AnswerContext | None = None,
) -> None:
    """Keep the answer sent as message_id in chat_id (question: as typed, if not answer's;
    asked_with: the context a follow-up was answered in, so its pages are asked the same way).

    Expired rows of every chat go at the same time, so the table stays small.
    """
    context = AnswerContext.of(answer)
    delete_expired_sent_answers(now, session=session)
    put_sent_answer(
        chat_id,
        message_id,
        session=session,
        payload={
            "question": question or answer.question,
            "context": None if context is None else context.to_json(),
            "asked_with": None if asked_with is None else asked_with.to_json(),
        },
        expires_at=now + dt.timedelta(days=ANSWER_MEMORY_DAYS),
    )


def recall_answer(
    chat_id: int, message_id: int, *, session: Session, now: dt.datetime
) -> RecalledAnswer | None:
    """The answer sent as message_id in chat_id, or None (not an answer, expired, unreadable)."""
    row = get_sent_answer(chat_id, message_id, session=session)
    if row is None or row.expires_at <= now:
        return None
    try:
        context, asked_with = (_context(row.payload.get(key)) for key in ("context", "asked_with"))
        return RecalledAnswer(str(row.payload["question"]), context, asked_with)
    except (KeyError, TypeError, ValueError):
        return None  # written by another version: as good as no answer


def _context(data: object) -> AnswerContext | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise TypeError("not a context")
    return AnswerContext.from_json(data)
