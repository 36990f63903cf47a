"""Answer a question from the records: answer_question(text, session=, today=) -> Answer.

The question is parsed (bot.core.questions), ordinary words that fit no vocabulary of the
catalog are dropped (and named in the answer), each named thing is resolved against the index
(bot.core.matching: people, roles, topics, places), and the meetings that fit every part and
the time window are reported, newest first, worded by bot.core.wording. Status `answered` is
used only when every part was resolved: an unknown name is `not_found`, an unknown topic, place
or title beside known people is `partial`, and weak matches become "did you mean" suggestions
from the vocabulary of the part that was not found.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field, replace
from enum import StrEnum

from rapidfuzz import fuzz, process
from sqlmodel import Session

from bot.core.followups import AnswerContext, resolve_followup
from bot.core.lexicon import (
    FILLERS,
    SMALL_TALK,
    TOPIC_FILLERS,
    is_dictionary_word,
    is_inflected,
    is_lexicon_word,
)
from bot.core.matching import (
    GENERIC,
    INDEXES,
    NAME_CONFIDENT,
    NAME_FUZZY_CUTOFF,
    CatalogIndex,
    PersonMatch,
)
from bot.core.questions import Intent, Question, Span, SpanKind, Window, parse_question
from bot.core.text import drop_escapes, drop_invisible
from bot.core.views import MeetingView, load_meeting_views
from bot.core.wording import TEXTS, format_meeting, headline_for, join_labels, t, when_text

__all__ = ["Answer", "Intent", "QuestionError", "Status", "answer_question"]

MAX_QUESTION_LENGTH = 500
MAX_MEETINGS_LISTED = 100  # an answer lists at most this many meetings (the count is exact)


class Status(StrEnum):
    ANSWERED = "answered"
    PARTIAL = "partial"  # some words of the question could not be used; the text says which
    NOT_FOUND = "not_found"
    AMBIGUOUS = "ambiguous"


class QuestionError(ValueError):
    """The question cannot be asked as typed (empty, too long); the message says why."""


@dataclass(frozen=True, slots=True)
class Answer:
    """The core's answer: plain data that the CLI prints and bot/tg renders.

    headline is one sentence that answers the question; text is the whole answer as plain text
    (headline, then one block a meeting). suggestions are names to ask about instead when
    nothing was found. total is the number of meetings that fit (meetings may list fewer).
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
    # What the answer was about, for follow-up questions (bot.core.followups).
    subjects: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    window: Window | None = None

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


@dataclass(slots=True)
class _Constraint:
    """What one part of the question allows: participations (people, roles) or meetings."""

    label: str
    participations: set[int] | None = None
    meetings: set[int] | None = None
    kind: str = "entity"


@dataclass(slots=True)
class _Resolution:
    question: Question
    constraints: list[_Constraint] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    unresolved_kinds: list[SpanKind] = field(default_factory=list)
    ambiguous: list[tuple[str, list[str]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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
    text: str, *, session: Session, today: dt.date, context: AnswerContext | None = None
) -> Answer:
    """Answer text from the records in session, reading relative dates against today.

    context is what the previous answer was about: a follow-up ("and when?") that names no
    people of its own is completed from it (bot.core.followups). Raises QuestionError for a
    question that cannot be asked (empty, over MAX_QUESTION_LENGTH).
    """
    cleaned = clean_question(text)
    question = parse_question(cleaned, today)
    followup = resolve_followup(question, context) if context is not None else None
    if followup is not None:
        question = followup.question
    index = INDEXES.get(session)
    if _is_small_talk(question):
        return _answer(question, Status.NOT_FOUND, t(question, "small_talk"))
    question, ignored = _without_fillers(question, index)
    resolution = _resolve(question, index)
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
    open_question = open_question or (followup is not None and followup.within is not None)
    if not resolution.constraints and question.window is None and not open_question:
        headline = t(question, "no_subject")
        return _answer(question, Status.NOT_FOUND, headline)

    meeting_ids = _meetings_fitting(resolution.constraints, question, index)
    if followup is not None:
        meeting_ids = followup.narrow(meeting_ids)
    ordered = sorted(meeting_ids, key=lambda m: (index.meeting_dates[m], m), reverse=True)
    if question.wants_latest:
        ordered = ordered[:1]
    elif question.wants_first:
        ordered = ordered[-1:]
    unused = ", ".join(f"“{u}”" for u in resolution.unresolved)
    if not ordered:
        labels = [c.label for c in resolution.constraints]
        headline = t(
            question, "none", what=join_labels(labels, question), when=when_text(question)
        )
        if partial:
            headline = t(question, "unused", words=unused) + " " + headline
        if question.yes_no:
            headline = t(question, "no") + headline
        return _answer(question, Status.NOT_FOUND, headline, notes=tuple(resolution.notes))
    listed = ordered[:MAX_MEETINGS_LISTED]
    views = tuple(load_meeting_views(listed, session=session))
    subjects = _subjects_by_meeting(resolution.constraints, listed, index)
    headline = headline_for(
        question,
        [(c.label, c.kind, _holders(c, ordered, index)) for c in resolution.constraints],
        views,
        len(ordered),
        subjects,
    )
    if partial:
        headline = t(question, "unused", words=unused) + " " + t(question, "rest") + headline
    elif question.yes_no:
        headline = t(question, "yes") + headline
    answer = _answer(
        question,
        Status.PARTIAL if partial else Status.ANSWERED,
        headline,
        meetings=views,
        total=len(ordered),
        notes=tuple(resolution.notes),
    )
    kinds = {kind: tuple(c.label for c in resolution.constraints if c.kind == kind)
             for kind in ("issue", "place")}  # fmt: skip
    return replace(
        answer,
        subjects=tuple(dict.fromkeys(n for m in listed for n in subjects.get(m, []))),
        topics=kinds["issue"],
        places=kinds["place"],
        window=question.window,
    )


def _is_small_talk(question: Question) -> bool:
    """A greeting or thanks with nothing to look up."""
    words = [t for span in question.spans for t in span.tokens]
    return bool(words) and all(w in SMALL_TALK for w in words) and question.window is None


def _without_fillers(question: Question, index: CatalogIndex) -> tuple[Question, list[str]]:
    """Drop the words that fit no vocabulary and are ordinary words, not names.

    Greetings go everywhere; inside a topic only words that say "the agenda" go, so an
    unknown topic word still has to be found; inside a name or title an English word goes when
    it is an inflected form ("hosted") or when the rest names a person ("summit Aliyev"). A word
    typed with a capital letter, or close to a recorded name, stays and must be resolved.
    """
    spans: list[Span] = []
    ignored: list[str] = []
    for span in question.spans:
        kept: list[str] = []
        for i, tok in enumerate(span.tokens):
            rest = span.tokens[:i] + span.tokens[i + 1 :]
            if _is_filler(tok, span, rest, question, index):
                ignored.append(tok)
            else:
                kept.append(tok)
        if kept:
            spans.append(replace(span, tokens=tuple(kept)))
    return replace(question, spans=tuple(spans)), list(dict.fromkeys(ignored))


def _is_filler(
    tok: str, span: Span, rest: tuple[str, ...], question: Question, index: CatalogIndex
) -> bool:
    if tok in SMALL_TALK and tok not in question.name_like:
        return True
    if span.kind is SpanKind.ISSUE:
        return tok in TOPIC_FILLERS
    if span.kind is SpanKind.PLACE:
        return False
    if all(t in GENERIC for t in span.tokens):
        return True  # "which officials met X", "X's counterparts": anyone at all
    if _fits_nothing(tok, question, index, topics_too=False) and is_inflected(tok):
        return True  # a verb form ("hosted", "came"), even if a summary uses it
    if not _fits_nothing(tok, question, index):
        return False
    if not rest and len(tok) <= 3:
        return True  # a short word alone, most likely a typo of a question word ("wat")
    return any(t in index.name_index for t in rest) and not _follows_given_name(tok, span, index)


def _fits_nothing(
    tok: str, question: Question, index: CatalogIndex, *, topics_too: bool = True
) -> bool:
    """An ordinary English word that no vocabulary of the catalog knows and that was not
    typed as a name (topics_too=False: the words of titles and summaries do not count)."""
    return not (
        tok in question.name_like
        or (topics_too and index.topics.knows(tok))
        or tok in index.name_index
        or tok in index.role_index
        or tok in index.place_index
        or tok in FILLERS
        or is_lexicon_word(tok)
        or not is_dictionary_word(tok)
        or index.fuzzy(tok, "name", NAME_FUZZY_CUTOFF)
    )


def _follows_given_name(tok: str, span: Span, index: CatalogIndex) -> bool:
    """Whether tok comes right after a given name, where a surname would stand."""
    position = span.tokens.index(tok)
    return position > 0 and span.tokens[position - 1] in index.given_names


def _meetings_fitting(
    constraints: list[_Constraint], question: Question, index: CatalogIndex
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
    window = question.window
    if window is not None:
        lo = window.start.toordinal() if window.start else None
        hi = window.end.toordinal() if window.end else None
        result = {
            m
            for m in result
            if (lo is None or index.meeting_dates[m] >= lo)
            and (hi is None or index.meeting_dates[m] <= hi)
        }
    return result


def _resolve(question: Question, index: CatalogIndex) -> _Resolution:
    resolution = _Resolution(question)
    for span in question.spans:
        before = len(resolution.constraints)
        _resolve_span(span, index, resolution)
        if span.or_previous and before >= 1 and len(resolution.constraints) == before + 1:
            _merge_alternatives(resolution, index)
    return resolution


def _merge_alternatives(resolution: _Resolution, index: CatalogIndex) -> None:
    """ "A or B": the last two constraints become one that either side fits."""
    second = resolution.constraints.pop()
    first = resolution.constraints[-1]
    or_ = TEXTS.get(resolution.question.language, TEXTS["en"])["or"]
    first.label += or_ + second.label
    if first.participations is not None and second.participations is not None:
        first.participations |= second.participations
        return
    first.meetings = _meetings_of(first, index) | _meetings_of(second, index)
    first.participations = None


def _meetings_of(constraint: _Constraint, index: CatalogIndex) -> set[int]:
    if constraint.participations is not None:
        return index.meetings_of_participations(constraint.participations)
    return set(constraint.meetings or ())


def _unresolved(resolution: _Resolution, toks: tuple[str, ...], kind: SpanKind) -> None:
    resolution.unresolved.append(resolution.question.quote(toks))
    resolution.unresolved_kinds.append(kind)


def _resolve_span(span: Span, index: CatalogIndex, resolution: _Resolution) -> None:
    if span.role_of_previous and resolution.constraints:
        previous = resolution.constraints[-1]
        roles = index.role_participations(span.tokens)
        if previous.participations is not None and roles is not None:
            previous.participations &= roles
            previous.label += t(resolution.question, "as") + resolution.question.quote(span.tokens)
            return
    if span.kind is SpanKind.ISSUE:
        if _resolve_issue(span.tokens, index, resolution):
            return
        if "with" in span.tokens:
            # "talks with Russia" is a topic when the records hold it; otherwise "with" names
            # the people met: "meetings about trade with Aliyev".
            cut = span.tokens.index("with")
            topic, other = span.tokens[:cut], span.tokens[cut + 1 :]
            if topic and other and _resolve_issue(topic, index, resolution):
                _resolve_span(Span(SpanKind.ENTITY, other), index, resolution)
                return
        parts = _split_on(span.tokens, "and")
        if all(_resolve_entity(p, index, resolution, fallback=False) for p in parts):
            return
        _unresolved(resolution, span.tokens, span.kind)
    elif span.kind is SpanKind.PLACE:
        meetings = index.place_meetings(span.tokens)
        if meetings is not None:
            resolution.constraints.append(
                _Constraint(
                    index.place_label(meetings, span.tokens), meetings=meetings, kind="place"
                )
            )
            return
        # "in the OSCE PA", "at Tokayev's": a person or body after "in" counts only when it
        # resolves cleanly; an unknown place is a place not found, never a misspelt name.
        trial = _Resolution(resolution.question)
        if _resolve_entity(span.tokens, index, trial, fallback=True) and not trial.unresolved:
            resolution.constraints.extend(trial.constraints)
            resolution.ambiguous.extend(trial.ambiguous)
            resolution.notes.extend(trial.notes)
            return
        _unresolved(resolution, span.tokens, span.kind)
    elif not _resolve_entity(span.tokens, index, resolution, fallback=True):
        _unresolved(resolution, span.tokens, span.kind)


def _resolve_entity(
    toks: tuple[str, ...], index: CatalogIndex, resolution: _Resolution, *, fallback: bool
) -> bool:
    """Resolve a person, a title or an organisation; with fallback also a topic or a place."""
    person = index.match_person(toks)
    if person is not None and person.score >= NAME_FUZZY_CUTOFF:
        names = [index.person_names[p] for p in person.person_ids]
        if person.mixed and all(t in index.surnames for t in toks if t not in FILLERS):
            # "the Aliyev-Swing meeting": two surnames side by side are two people.
            return all(
                _resolve_entity((tok,), index, resolution, fallback=False)
                for tok in toks
                if tok not in FILLERS
            )
        if person.score < NAME_CONFIDENT or person.mixed:
            _unresolved(resolution, toks, SpanKind.ENTITY)
            return True
        if len(person.person_ids) > 1 and len(person.used) == 1 and len(toks) == 1:
            resolution.ambiguous.append((resolution.question.quote(toks), names))
            return True
        if _unmatched_name_words(toks, person, index, resolution):
            # "Greta Gruber" is not Greta Lindqvist: a name part that fits nobody means the
            # person is not in the records, whatever the other part matched.
            _unresolved(resolution, toks, SpanKind.ENTITY)
            return True
        parts = index.participations_of_people(person.person_ids)
        leftover = tuple(t for i, t in enumerate(toks) if i not in person.used)
        label = " / ".join(names)
        if leftover:
            roles = index.role_participations(leftover)
            if roles is not None and roles & parts:
                parts &= roles
                label += t(resolution.question, "as") + resolution.question.quote(leftover)
            elif roles is not None and _known_role_words(leftover, index):
                # "Ambassador X" where X never held that title in the records: X's meetings,
                # marked partial, never an empty answer nor a silent one.
                _unresolved(resolution, leftover, SpanKind.ROLE)
            elif not all(t in GENERIC for t in leftover):
                # "Aliyev energy meetings": the words beside the name that name a topic.
                _resolve_issue(leftover, index, resolution)
        if person.score < 100:
            typed = resolution.question.quote(toks)
            resolution.notes.append(t(resolution.question, "read_as", typed=typed, label=label))
        resolution.constraints.append(_Constraint(label, participations=parts))
        return True
    roles = index.role_participations(toks)
    if roles:
        label = t(resolution.question, "the") + resolution.question.quote(toks)
        resolution.constraints.append(_Constraint(label, participations=roles))
        return True
    if not fallback:
        return False
    # Titles and summaries name offices too: words of a role are a topic only by a label.
    office_words = any(t in index.role_index or t in index.name_index for t in toks)
    if _resolve_issue(toks, index, resolution, labels_only=office_words):
        return True
    meetings = index.place_meetings(toks)
    if meetings:
        label = resolution.question.quote(toks)
        resolution.constraints.append(_Constraint(label, meetings=meetings))
        return True
    return False


def _unmatched_name_words(
    toks: tuple[str, ...], person: PersonMatch, index: CatalogIndex, resolution: _Resolution
) -> bool:
    """Whether the span has a name-like word that the matched person's name does not cover.

    A word loosely like one of the person's own name words (another transliteration, "Əli"
    for "Ali") still counts as covered.
    """
    own = [t for pid in person.person_ids for t in index.person_name_tokens[pid]]
    question = resolution.question
    return any(
        i not in person.used
        and len(tok) > 1
        and not process.extractOne(tok, own, scorer=fuzz.ratio, score_cutoff=60)
        and tok not in FILLERS
        and tok not in index.role_index
        and not is_lexicon_word(tok)
        and not tok.isdigit()
        # An English word typed in lower case is no name part, unless a surname would
        # stand there ("dorin smith").
        and (
            tok in question.name_like
            or not is_dictionary_word(tok)
            or (i > 0 and toks[i - 1] in index.given_names)
        )
        for i, tok in enumerate(toks)
    )


def _known_role_words(words: tuple[str, ...], index: CatalogIndex) -> bool:
    return any(w in index.role_index for w in words)


def _resolve_issue(
    toks: tuple[str, ...],
    index: CatalogIndex,
    resolution: _Resolution,
    *,
    labels_only: bool = False,
) -> bool:
    found = index.match_topic(toks, labels_only=labels_only)
    if found is None:
        return False
    names = sorted(index.topics.issue_names[i] for i in found.issue_ids)
    label = " / ".join(names) if names and len(names) <= 3 else resolution.question.quote(toks)
    resolution.constraints.append(_Constraint(label, meetings=set(found.meetings), kind="issue"))
    return True


def _split_on(toks: tuple[str, ...], word: str) -> list[tuple[str, ...]]:
    parts: list[list[str]] = [[]]
    for tok in toks:
        if tok == word:
            parts.append([])
        else:
            parts[-1].append(tok)
    return [tuple(p) for p in parts if p]


def _holders(constraint: _Constraint, meeting_ids: list[int], index: CatalogIndex) -> list[str]:
    """The people a part of the question found in these meetings ("the ICRC president": the
    two people who held the title then), in order of their latest meeting."""
    wanted = set(meeting_ids)
    latest: dict[str, int] = {}
    for part in constraint.participations or ():
        meeting = index.part_meeting[part]
        if meeting in wanted:
            name = index.person_names[index.part_person[part]]
            latest[name] = max(latest.get(name, 0), index.meeting_dates[meeting])
    return sorted(latest, key=lambda name: -latest[name])


def _subjects_by_meeting(
    constraints: list[_Constraint], meeting_ids: list[int], index: CatalogIndex
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
    )
