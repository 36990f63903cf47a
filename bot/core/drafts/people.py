"""People in English text: names, with the title before ("Azerbaijan's Foreign Minister
Jeyhun Bayramov") or after ("Pia Kauma, President of the OSCE Parliamentary Assembly").

A name is the end of a run of capitalised words: its last two words, and before them words a
dictionary does not know ("Recep Tayyip Erdogan"), never an office, organisation or place
word. Names stored in the catalog are found as written, whatever the dictionary says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.drafts.catalog import Catalog
from bot.core.drafts.offices import (
    OFFICE_WORDS,
    ORG_WORDS,
    SMALL_WORDS,
    TITLE_MODIFIERS,
    Office,
    country_of,
    read_office,
)
from bot.core.geography import CAPITALS, COUNTRY_ALIASES, DEMONYMS
from bot.core.lexicon import REGIONS, is_dictionary_word
from bot.core.names import name_key

_TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿĀ-ž][\w’'-]*|,|;|\(|\)|—|–|\.")
_CAP = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-Ž][a-zà-öø-ÿā-ž’'-]+(?:-[A-Z][a-z]+)?$")
_PARTICLES = frozenset({"bin", "al", "von", "van", "de", "der", "da", "el", "ibn", "al-"})
_NOT_NAMES = frozenset(
    [
        "the",
        "during",
        "he",
        "she",
        "they",
        "it",
        "on",
        "in",
        "at",
        "after",
        "before",
        "this",
        "that",
        "these",
        "those",
        "his",
        "her",
        "their",
        "its",
        "according",
        "however",
        "meanwhile",
        "later",
        "earlier",
        "also",
        "both",
        "sides",
        "a",
        "an",
        "as",
        "while",
        "when",
        "today",
        "yesterday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "mr",
        "mrs",
        "ms",
        "dr",
        "his",
        "excellency",
        "read",
        "more",
        "related",
        "news",
        "photo",
        "video",
        "share",
    ]
)


_PLACE_PHRASES = frozenset(
    phrase
    for phrase in (*CAPITALS, *COUNTRY_ALIASES, *DEMONYMS.values(), *REGIONS)
    if " " in phrase
)


_CONTINENTS = frozenset(
    [
        "europe",
        "asia",
        "africa",
        "america",
        "americas",
        "oceania",
        "eurasia",
        "caucasus",
        "balkans",
    ]
)


@dataclass(frozen=True)
class Mention:
    """One mention of a person in a sentence."""

    name: str
    start: int
    end: int
    office: Office | None


def _is_name_word(word: str) -> bool:
    low = word.lower().rstrip(".")
    if low in _NOT_NAMES or low in _CONTINENTS or low in OFFICE_WORDS or low in ORG_WORDS:
        return False
    if low in TITLE_MODIFIERS:
        return False
    if low in CAPITALS or low in REGIONS or country_of(low) or low.endswith(("'s", "’s")):
        return False
    return bool(_CAP.match(word))


def _place_tokens(tokens: list[re.Match[str]]) -> set[int]:
    """Indexes of tokens inside a place of several words ("Saudi Arabia", "New York")."""
    inside: set[int] = set()
    for i in range(len(tokens)):
        for n in (4, 3, 2):
            phrase = " ".join(t.group() for t in tokens[i : i + n]).lower()
            if len(tokens[i : i + n]) == n and phrase in _PLACE_PHRASES:
                inside.update(range(i, i + n))
                break
    return inside


def _titles_a_name(word: str) -> bool:
    """Whether a word can end a title just before a name ("Council" in "... Council Charles
    Michel", "Minister", an acronym, a country)."""
    low = word.lower()
    return (
        low in OFFICE_WORDS
        or low in ORG_WORDS
        or (word.isupper() and len(word) > 1)
        or country_of(low) is not None
    )


def _names_in(sentence: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of each name in a sentence."""
    tokens = list(_TOKEN.finditer(sentence))
    places = _place_tokens(tokens)

    def name_word(k: int) -> bool:
        return k not in places and _is_name_word(tokens[k].group())

    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tokens):
        if not name_word(i):
            i += 1
            continue
        j = i
        while j + 1 < len(tokens) and (
            name_word(j + 1)
            or (tokens[j + 1].group().lower() in _PARTICLES and j + 2 < len(tokens))
        ):
            j += 1
        run = tokens[i : j + 1]
        words = [t.group().lower() for t in run]
        after_title = i > 0 and _titles_a_name(tokens[i - 1].group())
        if len(run) == 2 and all(is_dictionary_word(w) for w in words) and not after_title:
            pass  # "the Middle East", "Missing Persons": ordinary words, no name
        elif len(run) >= 2:
            # The name is the run's last two words, with the words before them a dictionary
            # does not know ("Recep Tayyip Erdogan"); a run of three is one name whole
            # ("Muhammad Sadiq Sanjrani").
            first = 0 if len(run) == 3 else len(run) - 2
            while first > 0 and not is_dictionary_word(words[first - 1]):
                first -= 1
            name_tokens = run[first:]
            out.append(
                (
                    name_tokens[0].start(),
                    name_tokens[-1].end(),
                    " ".join(t.group() for t in name_tokens),
                )
            )
        i = j + 1
    return out


def _titleish(word: str) -> bool:
    """A word a title is made of: capitalised, an office or its modifier, or "of", "the"...."""
    low = word.lower().strip(",")
    return (
        word[:1].isupper() or low in OFFICE_WORDS or low in TITLE_MODIFIERS or low in SMALL_WORDS
    )


def _title_before(sentence: str, start: int, floor: int) -> str:
    """The title words right before a name ("Azerbaijan's Foreign Minister")."""
    # A bracketed aside inside a title ("Commissioner for Human Rights (Ombudsman)") is left out.
    before = re.sub(r"\s*\([^()]{0,40}\)\s*$", " ", sentence[floor:start])
    tokens = list(_TOKEN.finditer(before))
    kept: list[str] = []
    for token in reversed(tokens):
        word = token.group()
        low = word.lower()
        titleish = _titleish(word) or word == ","
        if not titleish or (low in _NOT_NAMES and low not in SMALL_WORDS):
            break
        kept.append(word)
    kept.reverse()
    while kept and (kept[0].lower() in SMALL_WORDS or kept[0] == ","):
        kept.pop(0)
    return " ".join(kept).replace(" ,", ",")


_AFTER = re.compile(r"^\s*,\s*(?P<title>[^,;.()]+(?:,\s*(?:and\s+)?[A-Z][^,;.()]*)*)")


def _title_after(sentence: str, end: int) -> str:
    m = _AFTER.match(sentence[end:])
    if not m:
        return ""
    words: list[str] = []
    for word in m["title"].split():
        if not _titleish(word):
            break
        words.append(word)
    return " ".join(words).strip(" ,")


def split_title(title: str) -> list[str]:
    """Split a title chain at the commas that start a new office ("Chief of X, Chairman of Y")."""
    parts = [p.strip() for p in title.split(",")]
    segments: list[str] = []
    for part in parts:
        first = part.split()[0].lower() if part.split() else ""
        starts_office = (
            first in OFFICE_WORDS
            or first in TITLE_MODIFIERS
            or (first.endswith(("'s", "’s")) or first in ("the",))
        )
        if segments and not (starts_office and read_office(part)):
            segments[-1] += ", " + part
        else:
            segments.append(part)
    return [s for s in segments if s]


def office_of(title: str) -> Office | None:
    """The office of a whole title chain: the role is every office segment, joined by '; '."""
    offices = [o for o in (read_office(s) for s in split_title(title)) if o]
    if not offices:
        return None
    organization = next((o.organization for o in offices if o.organization), None)
    country = next((o.country for o in offices if o.country), None)
    return Office("; ".join(o.role for o in offices), organization, country)


_COUNTERPART = re.compile(r"(?:(?P<who>[A-Z][\w’']+)\s+)?counterparts?\s*,?\s*$")


def people_in(sentence: str, catalog: Catalog) -> list[Mention]:
    """The people a sentence names, each with the office its title gives."""
    spans = _names_in(sentence)
    words = name_key(sentence).split()
    grams = {" ".join(words[i : i + n]) for n in range(1, 5) for i in range(len(words))}
    for key in grams & catalog.people.keys():
        person = catalog.people[key]
        if len(key) > 3:
            written = re.search(r"\s+".join(map(re.escape, person.name.split())), sentence)
            if written and not any(s <= written.start() < e for s, e, _ in spans):
                spans.append((written.start(), written.end(), written.group()))
    spans.sort()
    mentions: list[Mention] = []
    floor = 0
    for start, end, name in spans:
        before = _title_before(sentence, start, floor) if start > floor else ""
        office = office_of(before)
        counterpart = _COUNTERPART.search(sentence[floor:start])
        if office is None and counterpart and mentions and mentions[-1].office:
            # "his Georgian counterpart": the same office, in the counterpart's country.
            country = country_of(counterpart["who"] or "")
            role = mentions[-1].office.role
            office = read_office(f"{counterpart['who']} {role}") if country else None
            office = office or Office(role, None, country)
        after = office_of(_title_after(sentence, end))
        if office is None or (after and not office.organization and after.organization):
            office = after or office
        mentions.append(Mention(name, start, end, office))
        floor = end
    return mentions
