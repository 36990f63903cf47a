"""What a resolved question holds: one Constraint per part, and what could not be used.

bot.core.resolving fills a Resolution; bot.core.answering turns it into an Answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.questions import Question, SpanKind

if TYPE_CHECKING:
    from bot.core.matching import CatalogIndex


@dataclass(slots=True)
class Constraint:
    """What one part of the question allows: participations (people, roles) or meetings."""

    label: str
    participations: set[int] | None = None
    meetings: set[int] | None = None
    kind: str = "entity"  # or "issue", "mention", "place", "beyond" (outside a place, abroad)
    # A topic no issue label names, found only in titles or summaries: weaker evidence.
    mentioned_only: bool = False


@dataclass(slots=True)
class Resolution:
    question: Question
    constraints: list[Constraint] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    unresolved_kinds: list[SpanKind] = field(default_factory=list)
    ambiguous: list[tuple[str, list[str]]] = field(default_factory=list)
    # For each ambiguous name: where its constraint would stand, and the people it may be.
    ambiguous_people: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def has_topic(self) -> bool:
        """Whether a part resolved to a topic ("hostages" of "hostages held in Gaza")."""
        return any(c.kind == "issue" for c in self.constraints)

    def only_topics(self) -> bool:
        """Whether every part, and at least one, resolved to a topic."""
        return bool(self.constraints) and all(c.kind == "issue" for c in self.constraints)


def unresolved(resolution: Resolution, toks: tuple[str, ...], kind: SpanKind) -> None:
    resolution.unresolved.append(resolution.question.quote(toks))
    resolution.unresolved_kinds.append(kind)


def meetings_of(constraint: Constraint, index: CatalogIndex) -> set[int]:
    """The meetings a constraint allows."""
    if constraint.participations is not None:
        return index.meetings_of_participations(constraint.participations)
    return set(constraint.meetings or ())
