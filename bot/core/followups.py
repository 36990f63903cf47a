"""Follow-up questions: "what did they talk about?", "and when?", "и где?" after an answer.

An answer leaves an AnswerContext: what it was about (the people the question named, its
meetings, topics, places and time window). resolve_followup(question, context) decides whether
a question refers to that answer (a pronoun: they, she, there, that, this meeting; an elliptic
"and when?", "and in 2022?"; "who else") and, if so, fills in what the question leaves out:

* the people of the previous answer become the question's people;
* a question about "that" meeting (what was discussed, when, where, who was there) is narrowed
  to the previous answer's meetings; "who else" leaves them out;
* an elliptic question keeps the previous topics, places and period unless it names its own.

A question that names its own people is never rewritten. The context is plain data
(to_json/from_json), kept in the database by the callers (bot.core.answer_memory), so a
follow-up works after a restart and on another replica.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from bot.core.lexicon import tokens
from bot.core.questions import Intent, Question, Span, SpanKind
from bot.core.windows import Window

if TYPE_CHECKING:
    from bot.core.answering import Answer

# Words that point back at the previous answer's people or meetings.
_PEOPLE_WORDS = frozenset({
    "they", "them", "their", "theirs", "he", "him", "his", "she", "her", "hers", "both",
    "они", "их", "им", "ими", "них", "он", "его", "ему", "него", "она", "её", "ее", "ей", "неё",
    "нее", "оба", "обе",
})  # fmt: skip
_MEETING_WORDS = frozenset({
    "that", "it", "there", "this", "those", "these", "then",
    "это", "этом", "эта", "эту", "этой", "тот", "той", "там", "тогда", "то",
})  # fmt: skip
# "this year", "в этом году": a time, not the previous answer.
_TIME_WORDS = frozenset({
    "year", "month", "week", "day", "morning", "spring", "summer", "autumn", "fall", "winter",
    "time", "году", "месяце", "неделе", "год", "месяц", "неделю", "весной", "летом", "осенью",
    "зимой",
})  # fmt: skip
_ELSE_WORDS = frozenset({"else", "other", "others", "ещё", "еще", "другие", "другими", "кроме"})
_ELLIPSIS_STARTS = frozenset(["and", "also", "а", "и"])
# Spans that are only these words name nobody: "who else", "what other".
_EMPTY_SPAN_WORDS = frozenset(tokens(" ".join(_ELSE_WORDS))) | {"else", "other", "more"}
# Intents that ask about the meetings themselves: narrowed to the previous answer's.
_ABOUT_MEETINGS = (Intent.WHAT_DISCUSSED, Intent.WHEN, Intent.WHERE)
# When the parser saw no question word (an elliptic or a Russian question), these do.
_INTENT_WORDS: tuple[tuple[re.Pattern[str], Intent], ...] = (
    (re.compile(r"\b(when|когда|какого числа)\b"), Intent.WHEN),
    (re.compile(r"\b(where|где|в каком городе)\b"), Intent.WHERE),
    (re.compile(r"\b(discuss\w*|talk\w*|topics?|обсужд\w*|говорил\w*|о ч[её]м)\b"),
     Intent.WHAT_DISCUSSED),
    (re.compile(r"\b(who|whom|кто|с кем)\b"), Intent.WHO_MET),
)  # fmt: skip

CONTEXT_NOTE = {
    "en": "taken as a follow-up to “{question}”",
    "ru": "понято как продолжение вопроса «{question}»",
}
OTHER_NOTE = {
    "en": ", leaving out the meetings it found",
    "ru": ", без найденных тогда встреч",
}


@dataclass(frozen=True, slots=True)
class AnswerContext:
    """What an answer was about, for the questions that follow it."""

    question: str
    intent: Intent
    people: tuple[str, ...] = ()
    meetings: tuple[int, ...] = ()
    topics: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    window: Window | None = None

    @classmethod
    def of(cls, answer: Answer) -> AnswerContext | None:
        """The context an answer leaves, or None when it found nothing to refer back to."""
        if not answer.meetings:
            return None

        def labels(kind: str) -> tuple[str, ...]:
            return tuple(s.label for s in answer.subjects if s.kind == kind)

        people = (p for s in answer.subjects if s.kind == "entity" for p in s.people)
        return cls(
            question=answer.question,
            intent=answer.intent,
            people=tuple(dict.fromkeys(people)),
            meetings=tuple(m.id for m in answer.meetings),
            topics=labels("issue"),
            places=labels("place"),
            window=answer.window,
        )

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (dates as ISO text) for a database row."""
        window = self.window
        return {
            "question": self.question,
            "intent": self.intent.value,
            "people": list(self.people),
            "meetings": list(self.meetings),
            "topics": list(self.topics),
            "places": list(self.places),
            "window": None if window is None else [_iso(window.start), _iso(window.end)],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AnswerContext:
        """The context to_json wrote; raises ValueError, KeyError or TypeError if malformed."""
        window = data.get("window")
        return cls(
            question=str(data["question"]),
            intent=Intent(data["intent"]),
            people=tuple(str(p) for p in data.get("people", ())),
            meetings=tuple(int(m) for m in data.get("meetings", ())),
            topics=tuple(str(x) for x in data.get("topics", ())),
            places=tuple(str(x) for x in data.get("places", ())),
            window=None if window is None else Window(_day(window[0]), _day(window[1])),
        )


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A question completed from the context, and which meetings it may report."""

    question: Question
    within: frozenset[int] | None = None  # only these meetings ("what did they discuss?")
    excluding: frozenset[int] = field(default_factory=frozenset)  # "who else"
    note: str = ""

    def narrow(self, meeting_ids: set[int]) -> set[int]:
        """The meetings among meeting_ids that this follow-up may report."""
        kept = meeting_ids if self.within is None else meeting_ids & self.within
        return kept - self.excluding


def resolve_followup(question: Question, context: AnswerContext) -> FollowUp | None:
    """question completed from context when it refers back to it; None when it does not."""
    said = re.findall(r"\w+", question.text.casefold())
    if not said:
        return None
    other = any(w in _ELSE_WORDS for w in said)
    own = [s for s in question.spans if not set(s.tokens) <= _EMPTY_SPAN_WORDS]
    if any(s.kind in (SpanKind.ENTITY, SpanKind.ROLE) for s in own):
        return None  # it names its own people: a new question
    to_people = any(w in _PEOPLE_WORDS for w in said)
    # "that", "there", "this meeting" point back only in a question that names nothing else:
    # "is there a meeting about energy?" and "meetings that were about energy" are new ones.
    following = [*said[1:], ""]
    pointing = [w for w, after in zip(said, following, strict=True) if after not in _TIME_WORDS]
    to_meeting = not own and (any(w in _MEETING_WORDS for w in pointing) or "meeting" in said)
    elliptic = said[0] in _ELLIPSIS_STARTS and len(said) > 1
    if not (to_people or to_meeting or elliptic or (other and context.people)):
        return None
    intent = _intent(question, said, context, elliptic=elliptic, to_meeting=to_meeting)
    spans = list(own)
    spans += [Span(SpanKind.ENTITY, tuple(tokens(name))) for name in context.people]
    kinds = {s.kind for s in own}
    if elliptic and SpanKind.ISSUE not in kinds:
        spans += [Span(SpanKind.ISSUE, tuple(tokens(t))) for t in context.topics]
    if elliptic and SpanKind.PLACE not in kinds:
        spans += [Span(SpanKind.PLACE, tuple(tokens(p))) for p in context.places]
    meetings = frozenset(context.meetings)
    narrowed = not other and question.window is None and (intent in _ABOUT_MEETINGS or to_meeting)
    if not narrowed and len(spans) == len(own):
        return None  # nothing to take from the context ("she" after an answer with no people)
    completed = replace(
        question,
        intent=intent,
        spans=tuple(s for s in spans if s.tokens),
        window=question.window or (context.window if elliptic else None),
        wants_latest=question.wants_latest and not narrowed,
    )
    note = CONTEXT_NOTE.get(question.language, CONTEXT_NOTE["en"])
    if other:
        note += OTHER_NOTE.get(question.language, OTHER_NOTE["en"])
    return FollowUp(
        question=completed,
        within=meetings if narrowed else None,
        excluding=meetings if other else frozenset(),
        note=note.format(question=context.question),
    )


def _intent(
    question: Question,
    said: list[str],
    context: AnswerContext,
    *,
    elliptic: bool,
    to_meeting: bool,
) -> Intent:
    """What the follow-up asks: its own question word, else the previous question's intent."""
    intent = question.intent
    if intent is Intent.WHO_IS and to_meeting:
        return Intent.WHO_MET  # "who was there?"
    if intent is not Intent.MEETINGS_OF:
        return intent
    text = " ".join(said)
    for pattern, meant in _INTENT_WORDS:
        if pattern.search(text):
            return meant
    if elliptic and context.intent not in (Intent.LATEST, Intent.COUNT):
        return context.intent  # "and in 2022?": the same question, another period
    return intent


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _day(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)
