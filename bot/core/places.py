"""Places of the records: which meetings were held at a place a question names.

The place half of bot.core.matching.CatalogIndex, which builds place_index (each word of a
recorded location -> its meetings), locations and meeting_place. A place is a city, a country
(with its capital), a region of countries or a continent.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from bot.core.geography import (
    CAPITALS,
    CITY_NAMES,
    CONTINENTS,
    capitals_of,
    country_named,
    world_city_names,
)
from bot.core.lexicon import DEMONYMS, FILLERS, REGIONS, tokens, translit_key
from bot.core.meeting_dates import MeetingDates
from bot.core.roles import vocab_cutoff

REGION_NOUNS = frozenset({"state", "country", "nation", "region", "republic"})
PLACE_CONFIDENT = 85.0  # a transliterated place this near is the place


_CITY_GROUPS = {
    key: group
    for group in CITY_NAMES
    for name in group
    for key in (" ".join(tokens(name)), "".join(tokens(name)))
}


class PlaceMatching:
    """Which meetings were held where."""

    place_index: dict[str, array[int]]
    locations: list[str]
    meeting_place: MeetingDates
    _place_keys: dict[str, str]

    def fuzzy(self, word: str, vocab: str, cutoff: float) -> list[tuple[str, float]]:
        raise NotImplementedError

    def place_meetings(self, span: tuple[str, ...]) -> set[int] | None:
        """Meetings held at a place named by span (a city, a country, or a region)."""
        words = [w for w in span if w not in FILLERS]
        if len(words) > 1 and words[-1] in REGION_NOUNS and " ".join(words[:-1]) in REGIONS:
            words = words[:-1]  # "the Baltic states", "the Nordic countries"
        if not words:
            return None
        phrase = " ".join(words)
        country: str | None
        same_city = _CITY_GROUPS.get(phrase) or _CITY_GROUPS.get("".join(words))
        if same_city:
            # "Kiev" is Kyiv, "Nur-Sultan" Astana, whichever name the record uses.
            return set().union(*(self._meetings_with_place_tokens(tokens(n)) for n in same_city))
        if phrase in REGIONS or phrase in CONTINENTS:
            out: set[int] = set()
            for country in REGIONS.get(phrase) or CONTINENTS[phrase]:
                out |= self._meetings_in_country(country)
            return out
        if words[0] in DEMONYMS and len(words) == 1:
            words = tokens(DEMONYMS[words[0]])
        country = country_named(words)
        if country is not None:
            # A country is also its capital: "in Serbia" finds a meeting recorded "Belgrade".
            if "capital" in words:
                return self._meetings_in_capital(country)
            # None held there is an answer: never the meetings of its people instead.
            return self._meetings_in_country(country)
        cities = world_city_names()
        recorded = all(w in self.place_index for w in words)
        if not recorded and (phrase in cities or phrase + "s" in cities):
            return set()  # a city of the world the records never name: "Lagos" is no "Laos"
        resolved: list[str] = []
        for word in words:
            if word in self.place_index:
                resolved.append(word)
                continue
            similar = self.fuzzy(word, "place", vocab_cutoff(word))
            if not similar:
                similar = self._place_by_translit_key(word)
            if not similar:
                return None
            resolved.append(similar[0][0])
        return self._meetings_with_place_tokens(resolved)

    def _meetings_in_country(self, country: str) -> set[int]:
        """Meetings recorded in the country, or in its capital alone ("Belgrade")."""
        return self._meetings_with_place_tokens(tokens(country)) | self._meetings_in_capital(
            country
        )

    def _meetings_in_capital(self, country: str) -> set[int]:
        out: set[int] = set()
        for capital in capitals_of(country):
            out |= self._meetings_with_place_tokens(tokens(capital))
        return out

    def _place_by_translit_key(self, word: str) -> list[tuple[str, float]]:
        """Places whose spelling key is close to the word's: a transliterated Russian name
        ("dzhakarta") meets the English one ("jakarta")."""
        if len(word) < 4:
            return []
        found = process.extractOne(
            translit_key(word), self._place_keys, scorer=fuzz.ratio, score_cutoff=PLACE_CONFIDENT
        )
        return [(found[2], found[1])] if found else []  # (the place word, its score)

    def _meetings_with_place_tokens(self, words: Iterable[str]) -> set[int]:
        out: set[int] | None = None
        for word in words:
            postings = self.place_index.get(word, ())
            out = set(postings) if out is None else out.intersection(postings)
        return out or set()

    def place_label(self, meetings: set[int], span: tuple[str, ...], typed: str) -> str:
        """The recorded place name that a place question matched, e.g. "Brussels, Belgium";
        typed (the words as the user wrote them) where the records name it otherwise."""
        counts: dict[str, int] = defaultdict(int)
        for meeting_id in meetings:
            location = self.location_of(meeting_id)
            if location:
                counts[location] += 1
        if not counts:
            return typed
        if len(counts) == 1:
            return next(iter(counts))
        wanted = set(span)
        # Only a part the words name whole: "Africa" is not "South Africa".
        parts = {
            part.strip()
            for location in counts
            for part in location.split(",")
            if tokens(part) and set(tokens(part)) <= wanted
        }
        return ", ".join(sorted(parts)) or typed

    def location_of(self, meeting_id: int) -> str | None:
        """The recorded place of a meeting, if any."""
        if meeting_id not in self.meeting_place:
            return None
        return self.locations[self.meeting_place[meeting_id] - 1]

    def meeting_country(self, meeting_id: int) -> str | None:
        """The country a meeting was held in, read from its recorded place ("Davos,
        Switzerland", or a capital alone: "Brussels")."""
        location = self.location_of(meeting_id)
        for part in reversed((location or "").split(",")):
            words = tokens(part)
            country = country_named(words) or CAPITALS.get(" ".join(words))
            if country is not None:
                return country
        return None

    def held_anywhere(self) -> set[int]:
        """The meetings with a recorded place."""
        return set().union(*self.place_index.values())
