"""Pictures of the records: who met whom (a network) and when (a timeline), as PNG bytes.

make_picture(kind, query, session=, today=) answers the query as a question
(bot.core.answering.answer_question), so a name, a title, an organisation, a topic and a time
window are read exactly as in any answer, and a name not found or ambiguous gives the answer's
own sentence (PictureError). data.py turns the answer's meetings into nodes, edges and bins;
draw.py draws them with matplotlib, imported only then. Pictures are kept per catalog version
(the one the answering index is rebuilt on), so asking again after no change draws nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Engine
from sqlmodel import Session

from bot.core.answering import Answer, QuestionError, Status, answer_question, clean_question
from bot.core.followups import AnswerContext
from bot.core.matching import INDEXES
from bot.core.pictures.data import build_graph, build_timeline

__all__ = [
    "PICTURES",
    "Picture",
    "PictureError",
    "PictureKind",
    "make_picture",
    "offers_pictures",
    "picture_request",
]

MAX_PICTURE_MEETINGS = 5000  # meetings a picture reads (newest first); the title counts all
MIN_MEETINGS_FOR_BUTTONS = 4  # an answer with more meetings than a few offers its pictures
CACHE_SIZE = 64


class PictureKind(StrEnum):
    GRAPH = "graph"
    TIMELINE = "timeline"


@dataclass(frozen=True, slots=True)
class Picture:
    """A drawn picture: the PNG and a plain-text caption (what it shows, what it leaves out)."""

    kind: PictureKind
    png: bytes
    caption: str


class PictureError(ValueError):
    """Nothing to draw for this query; the message is the one sentence to show."""


_CAPTIONS = {
    "en": {
        "hidden": "The {shown} met most often are drawn, and {hidden} more are not.",
        "month": "Meetings per month.",
        "year": "Meetings per year.",
        "nothing": "Name a person, an organisation or a topic to draw, e.g. /graph Pia Kauma.",
    },
    "ru": {
        "hidden": "Показаны {shown} самых частых, и ещё {hidden} не показаны.",
        "month": "Встречи по месяцам.",
        "year": "Встречи по годам.",
        "nothing": "Назовите человека, организацию или тему, например /graph Pia Kauma.",
    },
}


def _caption(language: str, key: str, **values: object) -> str:
    return _CAPTIONS.get(language, _CAPTIONS["en"])[key].format(**values)


def offers_pictures(answer: Answer) -> bool:
    """Whether an answer lists more than a few meetings of one person, organisation or topic."""
    return (
        answer.status is Status.ANSWERED
        and answer.total > MIN_MEETINGS_FOR_BUTTONS - 1
        and len(answer.subjects) == 1
        and answer.subjects[0].kind in ("entity", "issue")
    )


# "show who Kauma met in 2024", "draw the network of the OSCE PA", "timeline of energy since
# 2020", "покажи, с кем встречался Нагиев": the rest of the sentence is the question.
_REQUESTS = (
    (
        PictureKind.TIMELINE,
        re.compile(
            r"^(?:(?:show|draw|plot)\s+(?:me\s+)?(?:(?:a|the)\s+)?)?time\s?line\s+(?:of|for)\s+"
            r"(?P<rest>.+)$|^(?:show|draw|plot|покажи),?\s+(?:me\s+)?"
            r"(?P<when>(?:when|how\s+often|когда|как\s+часто)\b.+)$",
            re.IGNORECASE,
        ),
    ),
    (
        PictureKind.GRAPH,
        re.compile(
            r"^(?:(?:show|draw|plot)\s+(?:me\s+)?(?:(?:a|the)\s+)?)?(?:network|graph)\s+"
            r"(?:of|for)\s+(?P<rest>.+)$|^(?:show|draw|plot|покажи),?\s+(?:me\s+)?"
            r"(?P<when>(?:who|whom|кто|с\s+кем)\b.+)$",
            re.IGNORECASE,
        ),
    ),
)


def picture_request(text: str) -> tuple[PictureKind, str] | None:
    """The picture a question asks for ("show who Kauma met in 2024") and the question it draws."""
    cleaned = " ".join(text.split()).rstrip("?!. ")
    for kind, pattern in _REQUESTS:
        match = pattern.match(cleaned)
        if match:
            return kind, match.group("rest") or match.group("when")
    return None


class PictureCache:
    """The last CACHE_SIZE pictures, by database, kind, question, today and catalog version."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._pictures: OrderedDict[tuple[object, ...], Picture] = OrderedDict()

    def get(self, key: tuple[object, ...]) -> Picture | None:
        """The picture kept under key, if any (it becomes the most recent)."""
        with self._lock:
            picture = self._pictures.get(key)
            if picture is not None:
                self._pictures.move_to_end(key)
            return picture

    def put(self, key: tuple[object, ...], picture: Picture) -> None:
        """Keep picture under key, dropping the least recently used beyond the size."""
        with self._lock:
            self._pictures[key] = picture
            self._pictures.move_to_end(key)
            while len(self._pictures) > self.size:
                self._pictures.popitem(last=False)

    def clear(self) -> None:
        """Forget every picture (benchmarks time fresh draws with it)."""
        with self._lock:
            self._pictures.clear()

    def __len__(self) -> int:
        return len(self._pictures)


PICTURES = PictureCache()


def make_picture(
    kind: PictureKind,
    query: str,
    *,
    session: Session,
    today: dt.date,
    context: AnswerContext | None = None,
) -> Picture:
    """Draw the kind of picture for the meetings that answer query, reading dates against today
    (and, for a follow-up, in the context of the answer it follows: bot.core.followups).

    Raises PictureError with one sentence when the query finds nothing to draw (a name not
    found or ambiguous: the answer's headline; an empty query).
    """
    try:
        cleaned = clean_question(query)
    except QuestionError as exc:
        raise PictureError(str(exc)) from None
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    version = INDEXES.get(session).version
    key = (str(engine.url), kind, cleaned.casefold(), today, version, context)
    cached = PICTURES.get(key)
    if cached is not None:
        return cached
    answer = answer_question(
        cleaned, session=session, today=today, limit=MAX_PICTURE_MEETINGS, context=context
    )
    if answer.status not in (Status.ANSWERED, Status.PARTIAL) or not answer.meetings:
        raise PictureError(answer.headline)
    if not answer.subjects:
        raise PictureError(_caption(answer.language, "nothing"))
    from bot.core.pictures import draw  # matplotlib and networkx load only here

    lines = [answer.headline]
    if kind is PictureKind.GRAPH:
        graph = build_graph(answer)
        png = draw.draw_graph(graph)
        if graph.hidden:
            shown = len(graph.nodes)
            lines.append(_caption(answer.language, "hidden", shown=shown, hidden=graph.hidden))
    else:
        timeline = build_timeline(answer)
        png = draw.draw_timeline(timeline)
        lines.append(_caption(answer.language, timeline.unit))
    picture = Picture(kind, png, "\n".join(lines))
    PICTURES.put(key, picture)
    return picture
