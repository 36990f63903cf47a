"""Answer a question from the records: answer_question(text, session=, today=) -> Answer.

The question is parsed (bot.core.questions), ordinary words that fit no vocabulary of the
catalog are dropped (and named in the answer), each named thing is resolved against the index
(bot.core.resolving, over bot.core.matching: people, roles, topics, places), and the meetings
that fit every part and the time window are reported, newest first, worded by
bot.core.wording. Status `answered` is used only when every part was resolved: an unknown name
is `not_found`, an unknown topic, place or title beside known people is `partial`, and weak
matches become "did you mean" suggestions from the vocabulary of the part that was not found.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from sqlmodel import Session

from bot.core.constraints import Constraint, Resolution
from bot.core.fillers import without_fillers
from bot.core.followups import AnswerContext, resolve_followup
from bot.core.lexicon import (
    SMALL_TALK,
    THANKS,
)
from bot.core.matching import (
    INDEXES,
    CatalogIndex,
)
from bot.core.questions import Intent, Question, SpanKind, parse_question
from bot.core.resolving import resolve
from bot.core.text import drop_escapes, drop_invisible
from bot.core.views import MeetingView, load_meeting_views
from bot.core.windows import Window, meetings_within
from bot.core.wording import format_meeting, headline_for, join_labels, t, when_text

__all__ = ["Answer", "Intent", "QuestionError", "Status", "Subject", "answer_question"]

MAX_QUESTION_LENGTH = 500
MAX_MEETINGS_LISTED = 100  # an answer lists at most this many meetings (the count is exact)


class Status(StrEnum):
    ANSWERED = "answered"
    # Some words of the question could not be used (the text says which), or a topic is only
    # mentioned in titles or summaries, not a recorded issue of the meetings.
    PARTIAL = "partial"
    NOT_FOUND = "not_found"
    AMBIGUOUS = "ambiguous"


class Subject(NamedTuple):
    """One resolved part of a question: its label, its kind ("entity", "issue", "place") and
    the people found through it in the meetings that fit, latest first."""

    label: str
    kind: str
    people: list[str]


class QuestionError(ValueError):
    """The question cannot be asked as typed (empty, too long); the message says why."""


@dataclass(frozen=True, slots=True)
class Answer:
    """The core's answer: plain data that the CLI prints and bot/tg renders.

    headline is one sentence that answers the question; text is the whole answer as plain text
    (headline, then one block a meeting). suggestions are names to ask about instead when
    nothing was found. total is the number of meetings that fit (meetings may list fewer).
    subjects are the resolved parts of the question (pictures centre on the first).
    """

    question: str
    status: Status
    intent: Intent
    headline: str
    text: str
    meetings: tuple[MeetingView, ...] = ()
    suggestions: tuple[str, ...] = ()
    language: str = "en"
    total: int = 0
    notes: tuple[str, ...] = ()
    subjects: tuple[Subject, ...] = ()
    window: Window | None = None  # the question's period, for follow-ups (bot.core.followups)

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


def clean_question(text: str) -> str:
    """Drop control characters and squeeze spaces; raise QuestionError if nothing is left."""
    if not isinstance(text, str):
        raise QuestionError("A question must be text.")
    text = drop_invisible(drop_escapes(text))  # pasted zero-width spaces would split words
    cleaned = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        raise QuestionError("Please ask a question, e.g. “who met the OSCE PA president?”")
    if len(cleaned) > MAX_QUESTION_LENGTH:
        raise QuestionError(
            f"That question is {len(cleaned)} characters long; please keep it under "
            f"{MAX_QUESTION_LENGTH}."
        )
    return cleaned


def answer_question(
    text: str,
    *,
    session: Session,
    today: dt.date,
    limit: int = MAX_MEETINGS_LISTED,
    context: AnswerContext | None = None,
) -> Answer:
    """Answer text from the records in session, reading relative dates against today.

    The answer lists at most limit meetings, newest first (its total counts them all).
    context is what the previous answer was about: a follow-up ("and when?") that names no
    people of its own is completed from it (bot.core.followups).

    Raises QuestionError for a question that cannot be asked (empty, over MAX_QUESTION_LENGTH).
    """
    cleaned = clean_question(text)
    index = INDEXES.get(session)
    question = parse_question(cleaned, today, known=index.knows_word)
    followup = resolve_followup(question, context) if context is not None else None
    if followup is not None:
        question = followup.question
    typed = {tok for span in question.spans for tok in span.tokens}
    if typed and typed <= SMALL_TALK and question.window is None:
        # A greeting or thanks with nothing to look up.
        reply = "thanks_reply" if typed & THANKS else "small_talk"
        return _answer(question, Status.NOT_FOUND, t(question, reply))
    question, ignored = without_fillers(question, index)
    resolution = resolve(question, index)
    if followup is not None:
        resolution.notes.append(followup.note)
    if ignored:
        resolution.notes.append(t(question, "ignored", words=", ".join(ignored)))
    if resolution.ambiguous:
        label, names = resolution.ambiguous[0]
        headline = t(question, "ambiguous", label=label, names=", ".join(names))
        return _answer(question, Status.AMBIGUOUS, headline, suggestions=tuple(names))
    # An unknown name means "not found"; an unknown topic or place beside known people
    # gives what fits the rest, marked partial, never as the answer.
    partial = bool(resolution.unresolved) and bool(resolution.constraints)
    partial = partial and SpanKind.ENTITY not in resolution.unresolved_kinds
    if resolution.unresolved and not partial:
        missing = resolution.unresolved[0]
        kind = resolution.unresolved_kinds[0]
        suggestions = tuple(index.closest_names(missing, kind=kind.value))
        headline = t(question, "unknown", what=missing)
        if suggestions:
            headline += " " + t(question, "did_you_mean", names=", ".join(suggestions))
        if question.yes_no:
            headline = t(question, "no") + headline
        return _answer(question, Status.NOT_FOUND, headline, suggestions=suggestions)
    open_question = question.intent in (Intent.LATEST, Intent.COUNT)
    open_question = open_question or question.wants_first or question.wants_latest
    open_question = open_question or (followup is not None and followup.within is not None)
    if not resolution.constraints and question.window is None and not open_question:
        # "thanks, that was helpful!": thanks with nothing to look up is thanks.
        headline = t(question, "thanks_reply" if typed & THANKS else "no_subject")
        return _answer(question, Status.NOT_FOUND, headline)

    meeting_ids = _meetings_fitting(resolution.constraints, question, index)
    either = ""
    if not meeting_ids and not question.yes_no:
        # "meetings about energy, trade and migration": when no meeting was about all of
        # them, the meetings about any, said so (partial), never as if about all.
        meeting_ids, either = _any_of_the_topics(resolution, question, index)
        partial = partial or bool(either)
    if followup is not None:
        meeting_ids = followup.narrow(meeting_ids)
    ordered = sorted(meeting_ids, key=lambda m: (index.meeting_dates[m], m), reverse=True)
    if question.wants_latest:
        ordered = ordered[:1]
    elif question.wants_first:
        ordered = ordered[-1:]
    unused = ", ".join(t(question, "quoted", what=u) for u in resolution.unresolved)
    if not ordered:
        kinds = ("place", "beyond")
        labels = [c.label for c in resolution.constraints if c.kind not in kinds]
        places = [c.label for c in resolution.constraints if c.kind == "place"]
        what = t(question, "of", who=join_labels(labels, question)) if labels else ""
        if places:
            what += t(question, "in", where=join_labels(places, question))
        what += "".join(f" {c.label}" for c in resolution.constraints if c.kind == "beyond")
        headline = t(question, "none", what=what, when=when_text(question))
        if partial:
            headline = t(question, "unused", words=unused) + " " + headline
        if question.yes_no:
            headline = t(question, "no") + headline
        return _answer(question, Status.NOT_FOUND, headline, notes=tuple(resolution.notes))
    listed = ordered[:limit]
    views = tuple(load_meeting_views(listed, session=session))
    subjects = _subjects_by_meeting(resolution.constraints, listed, index)
    named = [
        {index.part_person[p] for p in c.participations or ()} for c in resolution.constraints
    ]
    parts = [
        Subject(c.label, c.kind, _holders(c, ordered, index, others=_others(named, i)))
        for i, c in enumerate(resolution.constraints)
    ]
    worded = [
        (c.label, "mention" if c.mentioned_only else part.kind, part.people)
        for c, part in zip(resolution.constraints, parts, strict=True)
    ]
    headline = headline_for(question, worded, views, len(ordered), subjects)
    # A topic found only in titles and summaries is said to be mentioned there, not
    # stated as what the meetings were about.
    mentioned = [c.label for c in resolution.constraints if c.mentioned_only]
    if either:
        headline = t(question, "not_all_topics", what=either) + headline
    elif partial:
        headline = t(question, "unused", words=unused) + " " + t(question, "rest") + headline
    elif mentioned:
        partial = True
        headline = t(question, "mentioned_only", what=join_labels(mentioned, question)) + headline
    elif question.yes_no:
        headline = t(question, "yes") + headline
    return _answer(
        question,
        Status.PARTIAL if partial else Status.ANSWERED,
        headline,
        meetings=views,
        total=len(ordered),
        notes=tuple(resolution.notes),
        subjects=tuple(parts),
    )


def _meetings_fitting(
    constraints: list[Constraint], question: Question, index: CatalogIndex
) -> set[int]:
    sets: list[set[int]] = []
    for c in constraints:
        if c.participations is not None:
            sets.append(index.meetings_of_participations(c.participations))
        if c.meetings is not None:
            sets.append(c.meetings)
    if sets:
        sets.sort(key=len)
        result = set(sets[0])
        for other in sets[1:]:
            result &= other
    else:
        result = set(index.meeting_dates)
    people = [c.participations for c in constraints if c.participations is not None]
    if len(people) > 1:
        result = _with_distinct_people(result, people, index)
    if question.window is not None:
        result = meetings_within(result, question.window, index.meeting_dates)
    return result


def _any_of_the_topics(
    resolution: Resolution, question: Question, index: CatalogIndex
) -> tuple[set[int], str]:
    """The meetings that fit the question with its topics taken as alternatives, and the
    topics' labels joined; (set(), "") when it names fewer than two topics or none fits."""
    topics = [c for c in resolution.constraints if c.kind == "issue"]
    if len(topics) < 2:
        return set(), ""
    labels = [c.label for c in topics]
    union = set().union(*(c.meetings or () for c in topics))
    merged = Constraint(t(question, "or").join(labels), meetings=union, kind="issue")
    rest = [c for c in resolution.constraints if c.kind != "issue"]
    found = _meetings_fitting([*rest, merged], question, index)
    if not found:
        return set(), ""
    resolution.constraints = [*rest, merged]
    return found, join_labels(labels, question)


def _with_distinct_people(
    meetings: set[int], constraints: list[set[int]], index: CatalogIndex
) -> set[int]:
    """The meetings where each constraint on people is met by a different person: "which
    foreign ministers did Wang Yi meet" does not count Wang Yi, a foreign minister himself."""
    options: list[dict[int, set[int]]] = []
    for parts in constraints:
        by_meeting: dict[int, set[int]] = {}
        for part in parts:
            meeting = index.part_meeting[part]
            if meeting in meetings:
                by_meeting.setdefault(meeting, set()).add(index.part_person[part])
        options.append(by_meeting)
    return {
        m
        for m in meetings
        if _assignable(sorted((o.get(m, set()) for o in options), key=len), frozenset())
    }


def _assignable(options: list[set[int]], taken: frozenset[int]) -> bool:
    """Whether each set can give a person of its own, none given twice."""
    if not options:
        return True
    return any(_assignable(options[1:], taken | {p}) for p in options[0] - taken)


def _others(named: list[set[int]], i: int) -> set[int]:
    """The people the other parts of the question name one by one ("Wang Yi")."""
    return {p for j, people in enumerate(named) if j != i and len(people) == 1 for p in people}


def _holders(
    constraint: Constraint, meeting_ids: list[int], index: CatalogIndex, *, others: set[int]
) -> list[str]:
    """The people a part of the question found in these meetings ("the ICRC president": the
    two people who held the title then), in order of their latest meeting; not the people
    other parts named ("which foreign ministers did Wang Yi meet" does not list Wang Yi)."""
    wanted = set(meeting_ids)
    latest: dict[str, int] = {}
    for part in constraint.participations or ():
        meeting = index.part_meeting[part]
        if meeting in wanted and index.part_person[part] not in others:
            name = index.person_names[index.part_person[part]]
            latest[name] = max(latest.get(name, 0), index.meeting_dates[meeting])
    return sorted(latest, key=lambda name: -latest[name])


def _subjects_by_meeting(
    constraints: list[Constraint], meeting_ids: list[int], index: CatalogIndex
) -> dict[int, list[str]]:
    """The people each meeting was found through (the holder of "the OSCE PA president")."""
    wanted = set(meeting_ids)
    found: dict[int, list[str]] = {m: [] for m in meeting_ids}
    for c in constraints:
        for part in c.participations or ():
            meeting = index.part_meeting[part]
            if meeting in wanted:
                name = index.person_names[index.part_person[part]]
                if name not in found[meeting]:
                    found[meeting].append(name)
    return found


def _answer(
    question: Question,
    status: Status,
    headline: str,
    *,
    meetings: tuple[MeetingView, ...] = (),
    suggestions: tuple[str, ...] = (),
    total: int = 0,
    notes: tuple[str, ...] = (),
    subjects: tuple[Subject, ...] = (),
) -> Answer:
    blocks = [headline]
    if notes:
        blocks.append("(" + "; ".join(notes) + ")")
    with_summary = question.intent is Intent.WHAT_DISCUSSED
    blocks.extend(
        format_meeting(v, with_summary=with_summary, language=question.language) for v in meetings
    )
    if total > len(meetings):
        blocks.append(f"… and {total - len(meetings)} more.")
    return Answer(
        question=question.text,
        status=status,
        intent=question.intent,
        headline=re.sub(r"\s+", " ", headline).strip(),
        text="\n\n".join(blocks),
        meetings=meetings,
        suggestions=suggestions,
        language=question.language,
        total=total,
        notes=notes,
        subjects=subjects,
        window=question.window,
    )
