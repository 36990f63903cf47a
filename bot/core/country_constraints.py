"""Constraints a country names: its officials ("Swiss officials", "the Czech side") or, typed
alone as a search, everything about it ("Somalia").

Part of resolving a question (bot.core.resolving): each function adds a Constraint to a
Resolution through the catalog's index, or says it does not apply.
"""

from __future__ import annotations

from bot.core.constraints import Constraint, Resolution
from bot.core.geography import COUNTRY_ALIASES, country_named
from bot.core.geography import DEMONYMS as GEO_DEMONYMS
from bot.core.lexicon import FILLERS, tokens
from bot.core.matching import CatalogIndex
from bot.core.roles import GENERIC
from bot.core.topic_constraints import searched_alone
from bot.core.topics import TOPIC_STOP


def add_officials_of_a_country(
    toks: tuple[str, ...], index: CatalogIndex, resolution: Resolution
) -> bool:
    """ "Swiss officials", "Latvian delegation": a country and words that only say "someone"
    are everyone recorded as from that country, whatever their title says."""
    content = [tok for tok in toks if tok not in FILLERS]
    generic = [tok for tok in content if tok in GENERIC]
    country = country_named([tok for tok in content if tok not in GENERIC])
    people = len(content) == 1 and a_demonym(content[0])
    if not (generic or people) or country is None:
        return False  # a demonym alone names people ("Norwegians"), a country alone its state
    label = resolution.question.quote(toks)
    participations = index.participations_of_country(country)
    resolution.constraints.append(Constraint(label, participations=participations))
    return True


def a_demonym(word: str) -> bool:
    """Whether a word names a country's people ("Iraqi", "Swiss"), not the country itself
    ("Kuwait", "UK")."""
    country = GEO_DEMONYMS.get(word)
    return country is not None and word not in COUNTRY_ALIASES and word not in tokens(country)


def add_country_searched(
    toks: tuple[str, ...], index: CatalogIndex, resolution: Resolution
) -> bool:
    """A country typed alone as a search ("Somalia", "Ukraine-related meetings in 2022"):
    every meeting of its officials, held there or about it ("with Somalia": its officials')."""
    question = resolution.question
    named = _a_country_alone(toks)
    if not searched_alone(question) or named is None or "with" in tokens(question.text):
        return False
    country, content = named
    meetings = meetings_involving(country, content, index)
    if not meetings:
        return False
    label = question.quote(content)
    resolution.constraints.append(Constraint(label, meetings=meetings, kind="issue"))
    return True


def add_topics_country(toks: tuple[str, ...], index: CatalogIndex, resolution: Resolution) -> bool:
    """A country after a topic ("IAEA inspections in Iran", "child labour in Pakistan"): the
    meetings that involve it, held there, with its officials or about it, since talks about
    a country's affairs are often held elsewhere."""
    named = _a_country_alone(toks)
    if not resolution.has_topic() or named is None:
        return False
    country, content = named
    meetings = meetings_involving(country, content, index)
    label = resolution.question.quote(content)
    resolution.constraints.append(Constraint(label, meetings=meetings, kind="place"))
    return True


def _a_country_alone(toks: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """The country the words name and those words, when they name a country and nothing
    else ("Somalia", "the UK"); None otherwise."""
    content = tuple(tok for tok in toks if tok not in FILLERS and tok not in TOPIC_STOP)
    country = country_named(list(content)) if content else None
    if country is None or len(content) > len(tokens(country)):
        return None
    return country, content


def meetings_involving(country: str, toks: tuple[str, ...], index: CatalogIndex) -> set[int]:
    """The meetings of a country's officials, held there, or whose records speak of it."""
    officials = index.participations_of_country(country)
    meetings = index.meetings_of_participations(officials) if officials else set()
    meetings |= index.place_meetings(toks) or set()
    about = index.match_topic(toks)
    return meetings | (set(about.meetings) if about is not None else set())
