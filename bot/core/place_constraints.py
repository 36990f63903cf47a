"""Constraints on where meetings were held: at a place, outside it, or abroad.

Part of resolving a question (bot.core.resolving): each function adds a Constraint, or a part
it could not use, to a Resolution through the catalog's place lookups (bot.core.places).
"""

from __future__ import annotations

from bot.core.constraints import Constraint, Resolution, unresolved
from bot.core.geography import country_named
from bot.core.matching import NAME_CONFIDENT, CatalogIndex
from bot.core.questions import SpanKind
from bot.core.wording import t


def add_place(
    toks: tuple[str, ...], meetings: set[int], index: CatalogIndex, resolution: Resolution
) -> None:
    label = index.place_label(meetings, toks, resolution.question.quote(toks))
    resolution.constraints.append(Constraint(label, meetings=meetings, kind="place"))


def add_outside(toks: tuple[str, ...], index: CatalogIndex, resolution: Resolution) -> None:
    """ "outside Kazakhstan": the meetings held at a recorded place that is not there."""
    there = index.place_meetings(toks)
    if there is None:
        unresolved(resolution, toks, SpanKind.PLACE)
        return
    label = t(resolution.question, "outside", where=resolution.question.quote(toks))
    resolution.constraints.append(
        Constraint(label, meetings=index.held_anywhere() - there, kind="beyond")
    )


def add_abroad(index: CatalogIndex, resolution: Resolution) -> None:
    """ "Tokayev's meetings abroad": of the people asked, the meetings held outside the
    country each took part for."""
    people = [c for c in resolution.constraints if c.participations is not None]
    if not people:
        unresolved(resolution, ("abroad",), SpanKind.PLACE)
        return
    abroad: set[int] = set()
    for constraint in people:
        for part in constraint.participations or ():
            meeting = index.part_meeting[part]
            home, held = index.country_of_participation(part), index.meeting_country(meeting)
            if home and held and home != held:
                abroad.add(meeting)
    label = t(resolution.question, "abroad")
    resolution.constraints.append(Constraint(label, meetings=abroad, kind="beyond"))


def recorded_place_after_name(toks: tuple[str, ...], index: CatalogIndex) -> tuple[str, ...]:
    """The last one or two words of a span when they are a recorded place, or a country,
    and no name, and the words before them name someone; else ()."""
    for size in (2, 1):
        place, before = toks[-size:], toks[:-size]
        if len(toks) <= size or any(tok in index.name_index for tok in place):
            continue
        known = all(tok in index.place_index for tok in place) or country_named(list(place))
        person = index.match_person(before) if known else None
        named = person is not None and len(person.used) == len(before) and not person.mixed
        if named and person is not None and person.score >= NAME_CONFIDENT:
            return place
        if known and index.people_side_by_side(before):
            return place  # "rutte stubb brussels"
    return ()


def names_a_recorded_city(toks: tuple[str, ...], index: CatalogIndex) -> bool:
    """Whether the words are a place of the records that is no country and no issue label."""
    return (
        all(tok in index.place_index for tok in toks)
        and country_named(list(toks)) is None
        and index.match_topic(toks, labels_only=True) is None
    )
