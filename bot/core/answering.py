"""Answer a question from the records: answer_question(text, session=, today=) -> Answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from sqlmodel import Session

from bot.core.views import MeetingView

MAX_QUESTION_LENGTH = 500


class Status(StrEnum):
    ANSWERED = "answered"
    NOT_FOUND = "not_found"
    AMBIGUOUS = "ambiguous"


class Intent(StrEnum):
    WHO_MET = "who_met"
    WHEN = "when"
    WHERE = "where"
    WHAT_DISCUSSED = "what_discussed"
    MEETINGS_ABOUT_ISSUE = "meetings_about_issue"
    MEETINGS_OF = "meetings_of"
    COUNT = "count"
    LATEST = "latest"


class QuestionError(ValueError):
    """The question cannot be asked as typed (empty, too long); the message says why."""


@dataclass(frozen=True, slots=True)
class Answer:
    """The core's answer: plain data that the CLI prints and bot/tg renders.

    headline is one sentence that answers the question; text is the whole answer as plain text
    (headline, then one block a meeting). suggestions are names to ask about instead when
    nothing was found.
    """

    question: str
    status: Status
    intent: Intent
    headline: str
    text: str
    meetings: tuple[MeetingView, ...] = ()
    suggestions: tuple[str, ...] = ()
    language: str = "en"
    extra: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        """Return the JSON object of `meetbot ask --json`."""
        return {
            "question": self.question,
            "status": self.status.value,
            "intent": self.intent.value,
            "text": self.text,
            "meetings": [m.to_json() for m in self.meetings],
            "suggestions": list(self.suggestions),
        }


def answer_question(text: str, *, session: Session, today: dt.date) -> Answer:
    """Answer text from the records in session, reading relative dates against today.

    Raises QuestionError for a question that cannot be asked (empty, over MAX_QUESTION_LENGTH).
    """
    raise NotImplementedError("the answering core is being written")
