"""Constraints on what meetings were about: a topic, topics side by side, or the part of a
topic the records know.

Part of resolving a question (bot.core.resolving): each function adds a Constraint, or the
words it could not use, to a Resolution through the catalog's topic index (bot.core.topics).
"""

from __future__ import annotations

from bot.core.constraints import Constraint, Resolution, unresolved
from bot.core.lexicon import FILLERS
from bot.core.matching import CatalogIndex
from bot.core.questions import Intent, Question, SpanKind
from bot.core.roles import GENERIC
from bot.core.topics import GERUND_NOUNS, TOPIC_OPTIONAL, TOPIC_STOP, TopicMatch


def resolve_issue(
    toks: tuple[str, ...],
    index: CatalogIndex,
    resolution: Resolution,
    *,
    labels_only: bool = False,
) -> bool:
    found = index.match_topic(toks, labels_only=labels_only)
    if found is None:
        return False
    add_topic(toks, found, index, resolution)
    return True


def add_topic(
    toks: tuple[str, ...], found: TopicMatch, index: CatalogIndex, resolution: Resolution
) -> None:
    names = sorted(index.topics.issue_names[i] for i in found.issue_ids)
    label = " / ".join(names) if names and len(names) <= 3 else resolution.question.quote(toks)
    resolution.constraints.append(
        Constraint(
            label, meetings=set(found.meetings), kind="issue", mentioned_only=not found.issue_ids
        )
    )


def resolve_known_part(toks: tuple[str, ...], index: CatalogIndex, resolution: Resolution) -> bool:
    """ "nuclear weapons" where no record says "weapons": the meetings about the words the
    records know, with the unknown ones named, so the answer is partial, never stated."""
    unknown = index.topics.unknown_words(toks)
    known = tuple(tok for tok in toks if tok not in unknown)
    narrowing = [tok for tok in known if tok not in TOPIC_STOP and tok not in TOPIC_OPTIONAL]
    if not unknown or not names_something(known, index):
        return False
    # Only a head noun may go, after the words that narrow it: "nuclear weapons" is about
    # something nuclear, but "the Gaza war" is not any war, nor "talks on Gaza" any talks.
    last_known = max(toks.index(tok) for tok in narrowing)
    first_unknown = min(toks.index(tok) for tok in unknown)
    if first_unknown < last_known or any(tok in TOPIC_STOP for tok in toks[last_known:]):
        return False
    if not resolve_issue(known, index, resolution):
        return False
    unresolved(resolution, tuple(unknown), SpanKind.ISSUE)
    return True


def resolve_labelled_head(
    toks: tuple[str, ...], index: CatalogIndex, resolution: Resolution
) -> bool:
    """ "war crimes investigations" where no meeting holds all three words: the meetings
    about the words before the last ones, those named as not used (partial). As with an
    unknown word, only what follows the narrowing words may go."""
    for cut in range(len(toks) - 1, 0, -1):
        head, rest = toks[:cut], toks[cut:]
        if any(tok in TOPIC_STOP for tok in rest) or not names_something(head, index):
            continue
        found = index.match_topic(head)
        if found is not None:
            add_topic(head, found, index, resolution)
            unresolved(resolution, rest, SpanKind.ISSUE)
            return True
    return False


def names_something(toks: tuple[str, ...], index: CatalogIndex) -> bool:
    """Whether the words name something: more than joining words, kinds of topic and verbs
    said of a topic ("cutting" of "cutting greenhouse gas emissions")."""
    return any(
        tok not in TOPIC_STOP and tok not in TOPIC_OPTIONAL and not an_action(tok, index)
        for tok in toks
    )


def an_action(word: str, index: CatalogIndex) -> bool:
    """Whether a word in -ing is a verb said of a topic ("cutting", "attracting"), not a
    topic that labels hold ("peacekeeping") nor a noun ("mining")."""
    return (
        word.endswith("ing")
        and len(word) >= 6
        and word not in GERUND_NOUNS
        and not index.topics.in_a_label(word)
    )


def resolve_topics(
    parts: list[tuple[str, ...]], index: CatalogIndex, resolution: Resolution, *, labelled: bool
) -> bool:
    """Each part a topic of its own (with labelled, each named by an issue label)."""
    trial = Resolution(resolution.question)
    if not all(resolve_issue(p, index, trial) for p in parts):
        return False
    if labelled and any(c.mentioned_only for c in trial.constraints):
        return False
    resolution.constraints.extend(trial.constraints)
    return True


def split_on(toks: tuple[str, ...], word: str) -> list[tuple[str, ...]]:
    parts: list[list[str]] = [[]]
    for tok in toks:
        if tok == word:
            parts.append([])
        else:
            parts[-1].append(tok)
    return [tuple(p) for p in parts if p]


# Questions that search the records for what their words name ("climate change meetings").
_SEARCH_INTENTS = frozenset({Intent.MEETINGS_OF, Intent.MEETINGS_ABOUT_ISSUE})


def searched_alone(question: Question) -> bool:
    """Whether the question is one part typed as a search ("Somalia", "climate change
    meetings"), not one part among others."""
    return len(question.spans) == 1 and question.intent in _SEARCH_INTENTS


def a_charge_not_an_office(
    toks: tuple[str, ...], index: CatalogIndex, question: Question
) -> TopicMatch | None:
    """The topic named by words that titles hold only as what an office is in charge of
    ("energy", "refugees", "missing persons"): no word names an office, the words are no
    organisation's whole name, and an issue label holds them. "Energy meetings" are about
    energy, not the energy minister's. Titles and summaries name offices too, so beside other
    parts of a question they alone do not make such words a topic; typed alone ("climate
    change"), the words are what is searched for, answered as mentioned there (partial)."""
    content = tuple(tok for tok in toks if tok not in FILLERS)
    specific = [tok for tok in content if tok not in GENERIC]
    if not specific or index.names_an_office(specific) or index.names_an_organisation(content):
        return None
    # "the Red Cross" alone is the organisation whose name holds it.
    alone = searched_alone(question) and not index.names_a_body(content)
    if not alone and index.match_topic(content, labels_only=True) is None:
        return None
    return index.match_topic(content)  # as after "about": labels, then titles and summaries
