"""What a picture shows, as plain values: the nodes and edges of a network, the bins of a timeline.

Pure Python over an answer's meetings (bot.core.answering.Answer), testable without matplotlib.
The subject is the answer's first resolved part: a person (people met around them), an
organisation or title held by several people (the organisations met), or a topic or place
(everyone at those meetings). Every order is fixed (count, then name), so the same records
give the same picture.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.answering import Answer, Subject
from bot.core.views import MeetingView, ParticipantView

MAX_NODES = 18  # people or organisations drawn around the subject; the caption counts the rest
MAX_SERIES = 6  # counterparts a timeline colours by name; the rest are "others"
MONTHS_UP_TO = 36  # a timeline spanning more months than this counts per year
ROLE_LABEL = 28  # characters of a role under a name
TITLE_LABEL = 90  # characters of a picture's title
OTHERS = "others"


@dataclass(frozen=True, slots=True)
class Node:
    """One person or organisation around the subject: key, label lines, country, meetings."""

    key: str
    label: str
    country: str | None
    meetings: int


@dataclass(frozen=True, slots=True)
class Edge:
    """Two nodes (keys) that were at `meetings` meetings together."""

    a: str
    b: str
    meetings: int


@dataclass(frozen=True, slots=True)
class GraphData:
    """The network picture: the subject in the middle, the nodes around it, the edges."""

    title: str
    center: Node
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    hidden: int  # counterparts met but not drawn (over MAX_NODES)
    meetings: int
    by_organization: bool
    language: str = "en"


@dataclass(frozen=True, slots=True)
class Bin:
    """One month or year of a timeline: its first day, its label, meetings per series."""

    start: dt.date
    label: str
    counts: tuple[int, ...]  # aligned with TimelineData.series

    @property
    def total(self) -> int:
        """All meetings in the bin."""
        return sum(self.counts)


@dataclass(frozen=True, slots=True)
class TimelineData:
    """The timeline picture: bins over time, each meeting coloured by its main counterpart."""

    title: str
    unit: str  # "month" or "year"
    series: tuple[str, ...]  # counterpart labels, the last one OTHERS when some are left
    bins: tuple[Bin, ...]
    meetings: int
    language: str = "en"


@dataclass(frozen=True, slots=True)
class _Scope:
    """Who the subject is and how the others are grouped."""

    subject: Subject
    own: frozenset[str]  # the subject's people: not counterparts
    by_organization: bool


def _scope(answer: Answer) -> _Scope:
    subject = answer.subjects[0]
    own = frozenset(subject.people) if subject.kind == "entity" else frozenset()
    # A person asked by name is labelled by that name; a title or an organisation is not.
    is_person = subject.kind == "entity" and list(subject.people) == [subject.label]
    return _Scope(subject, own, subject.kind == "entity" and not is_person)


def _key(person: ParticipantView, scope: _Scope) -> str:
    if scope.by_organization and person.organization:
        return person.organization
    return person.name


def _counterparts(view: MeetingView, scope: _Scope) -> list[ParticipantView]:
    """The meeting's people other than the subject's, one per key, in the meeting's order."""
    seen: dict[str, ParticipantView] = {}
    for person in view.participants:
        if person.name not in scope.own:
            seen.setdefault(_key(person, scope), person)
    return list(seen.values())


def surname(name: str) -> str:
    """The last word of a name ("Günay Məmmədova" → "Məmmədova")."""
    words = name.split()
    return words[-1] if words else name


def _clip(text: str, limit: int) -> str:
    """Text of at most limit characters, cut at the end with "…" when it is longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def short_role(person: ParticipantView) -> str:
    """The first part of a title (before ";"), else the organisation, clipped to ROLE_LABEL."""
    role = (person.title or "").split(";")[0].strip() or (person.organization or "")
    return _clip(role, ROLE_LABEL)


def _ranked(counts: Counter[str]) -> list[str]:
    return sorted(counts, key=lambda key: (-counts[key], key.casefold(), key))


def _center(scope: _Scope, meetings: Iterable[MeetingView]) -> Node:
    subject = scope.subject
    if not scope.by_organization:
        return Node(subject.label, subject.label, None, 0)
    orgs = Counter(p.organization for v in meetings for p in v.participants if p.name in scope.own)
    names = ", ".join(surname(name) for name in subject.people[:3])
    top = _ranked(Counter({k: n for k, n in orgs.items() if k}))
    label = top[0] if top else subject.label
    return Node(label, f"{label}\n{names}" if names else label, None, 0)


def build_graph(answer: Answer) -> GraphData:
    """The network of answer's meetings around its first subject (answer must list meetings)."""
    scope = _scope(answer)
    meetings = answer.meetings
    counts: Counter[str] = Counter()
    latest: dict[str, ParticipantView] = {}
    pairs: Counter[tuple[str, str]] = Counter()
    for view in meetings:  # newest first: the first role seen is the latest
        others = _counterparts(view, scope)
        keys = sorted(_key(p, scope) for p in others)
        for person in others:
            key = _key(person, scope)
            counts[key] += 1
            latest.setdefault(key, person)
        pairs.update((a, b) for i, a in enumerate(keys) for b in keys[i + 1 :])
    ranked = _ranked(counts)
    shown = ranked[:MAX_NODES]
    surnames = Counter(surname(key) for key in shown)
    nodes = tuple(
        Node(key, _label(key, latest[key], scope, surnames), latest[key].country, counts[key])
        for key in shown
    )
    center = _center(scope, meetings)
    edges = [Edge(center.key, key, counts[key]) for key in shown]
    drawn = set(shown)
    edges += [Edge(a, b, n) for (a, b), n in sorted(pairs.items()) if a in drawn and b in drawn]
    return GraphData(
        title=_title(answer),
        center=center,
        nodes=nodes,
        edges=tuple(edges),
        hidden=len(ranked) - len(shown),
        meetings=answer.total,
        by_organization=scope.by_organization,
        language=answer.language,
    )


def _label(key: str, person: ParticipantView, scope: _Scope, surnames: Counter[str]) -> str:
    if scope.by_organization:
        return key
    # A surname two people share would merge them on the picture: give the whole name.
    name = surname(key) if surnames[surname(key)] == 1 else key
    role = short_role(person)
    return f"{name}\n{role}" if role else name


def _title(answer: Answer) -> str:
    """The answer's headline, which says what the picture counts, cut to one line."""
    title = answer.headline.rstrip(".")
    return _clip(title, TITLE_LABEL)


def build_timeline(answer: Answer) -> TimelineData:
    """Answer's meetings per month (or per year over MONTHS_UP_TO months), by counterpart."""
    scope = _scope(answer)
    meetings = answer.meetings
    counts: Counter[str] = Counter()
    for view in meetings:
        counts.update(_key(p, scope) for p in _counterparts(view, scope))
    main = _ranked(counts)[:MAX_SERIES]
    first = min(v.date for v in meetings)
    last = max(v.date for v in meetings)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    unit = "month" if months <= MONTHS_UP_TO else "year"
    starts = _bin_starts(first, last, unit)
    series = [*main, OTHERS]
    table = {start: [0] * len(series) for start in starts}
    for view in meetings:
        # A meeting counts once, under the highest-ranked counterpart it had.
        keys = {_key(p, scope) for p in _counterparts(view, scope)}
        slot = next((i for i, key in enumerate(main) if key in keys), len(main))
        table[_bin_of(view.date, unit)][slot] += 1
    # A counterpart whose every meeting counted under a higher-ranked one has no bar.
    used = [i for i in range(len(series)) if any(row[i] for row in table.values())]
    series = [series[i] for i in used]
    table = {start: [row[i] for i in used] for start, row in table.items()}
    labels = _series_labels(series, scope)
    bins = tuple(
        Bin(start, f"{start:%Y-%m}" if unit == "month" else str(start.year), tuple(table[start]))
        for start in starts
    )
    return TimelineData(_title(answer), unit, labels, bins, answer.total, answer.language)


def _series_labels(series: list[str], scope: _Scope) -> tuple[str, ...]:
    if scope.by_organization:
        return tuple(series)
    surnames = Counter(surname(key) for key in series if key != OTHERS)
    return tuple(
        key if key == OTHERS or surnames[surname(key)] > 1 else surname(key) for key in series
    )


def _bin_of(day: dt.date, unit: str) -> dt.date:
    return day.replace(day=1) if unit == "month" else dt.date(day.year, 1, 1)


def _bin_starts(first: dt.date, last: dt.date, unit: str) -> list[dt.date]:
    """Every month (or year) from first to last, empty ones too, so gaps show as gaps."""
    if unit == "year":
        return [dt.date(year, 1, 1) for year in range(first.year, last.year + 1)]
    starts = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        starts.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return starts
