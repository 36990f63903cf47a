"""Where a meeting took place: the dateline ("Baku, March 12, AZERTAC", "BAKU, Nov 14 (Reuters)
-", "Баку, 14 ноября. /ТАСС/"), else "in Tbilisi" / "в Баку" in the meeting's sentences.

A place is known when bot.core.geography knows it (a capital, a country) or it is one of the
other cities where meetings are often held (below); Russian place names are read through their
pymorphy3 lemma and a short table of cities spelt differently in Russian. The location is
written as the seed writes it: "Baku, Azerbaijan".
"""

from __future__ import annotations

import re

from anyascii import anyascii

from bot.core.geography import CAPITALS, COUNTRY_ALIASES, DEMONYMS, country_named
from bot.core.lexicon import translit_key

# Cities that are not capitals but host many official meetings.
OTHER_CITIES: dict[str, str] = {
    "geneva": "switzerland", "new york": "united states", "istanbul": "turkey",
    "munich": "germany", "davos": "switzerland", "sochi": "russia",
    "saint petersburg": "russia", "st petersburg": "russia", "st. petersburg": "russia",
    "shusha": "azerbaijan", "ganja": "azerbaijan", "sumgait": "azerbaijan",
    "lachin": "azerbaijan", "nakhchivan": "azerbaijan", "batumi": "georgia",
    "almaty": "kazakhstan", "samarkand": "uzbekistan", "antalya": "turkey",
    "dubai": "united arab emirates", "strasbourg": "france", "kazan": "russia",
    "new york city": "united states", "gyumri": "armenia", "odesa": "ukraine",
    "lviv": "ukraine", "bukhara": "uzbekistan", "izmir": "turkey", "jeddah": "saudi arabia",
}  # fmt: skip

# Russian spellings whose transliteration is not the English name.
RUSSIAN_CITIES: dict[str, str] = {
    "москва": "moscow", "пекин": "beijing", "вашингтон": "washington", "лондон": "london",
    "париж": "paris", "брюссель": "brussels", "вена": "vienna", "женева": "geneva",
    "нью-йорк": "new york", "стамбул": "istanbul", "санкт-петербург": "saint petersburg",
    "ереван": "yerevan", "киев": "kyiv", "астана": "astana", "кишинев": "chisinau",
    "варшава": "warsaw", "рим": "rome", "прага": "prague", "анкара": "ankara",
    "тегеран": "tehran", "гянджа": "ganja", "шуша": "shusha", "мюнхен": "munich",
    "страсбург": "strasbourg", "нахчыван": "nakhchivan", "нахичевань": "nakhchivan",
    "алма-ата": "almaty", "алматы": "almaty", "самарканд": "samarkand",
}  # fmt: skip

_CITIES = {**CAPITALS, **OTHER_CITIES}
# Russian transliteration against English spelling ("Belgrad" / "Belgrade", "Erevan").
_BY_TRANSLIT = {translit_key(city).rstrip("e"): city for city in _CITIES}
_SMALL_WORDS = {"and", "of", "the", "d", "de"}


def display(name: str) -> str:
    """'bosnia and herzegovina' -> 'Bosnia and Herzegovina'."""
    return " ".join(w if w in _SMALL_WORDS else w[:1].upper() + w[1:] for w in name.split())


def _english_key(phrase: str) -> str:
    """A place phrase as the lowercase ASCII key geography uses; Russian through its lemma."""
    lowered = phrase.strip().lower().replace("ё", "е")
    if re.search(r"[\u0400-\u04ff]", lowered):
        if lowered in RUSSIAN_CITIES:
            return RUSSIAN_CITIES[lowered]
        from bot.core.russian import _analyzer, _countries

        lemma = " ".join(_analyzer().parse(w)[0].normal_form for w in lowered.split())
        if lemma in RUSSIAN_CITIES:
            return RUSSIAN_CITIES[lemma]
        if lemma in _countries():
            return _countries()[lemma].lower()
        lowered = lemma
    return anyascii(lowered).lower().replace("'", "").replace("’", "")


def place_of(phrase: str) -> str | None:
    """'Baku' -> 'Baku, Azerbaijan'; 'Tbilisi' -> 'Tbilisi, Georgia'; 'Azerbaijan' ->
    'Azerbaijan'; None for a phrase that is no known place."""
    key = _english_key(phrase.strip(" .,;:"))
    key = key if key in _CITIES else _BY_TRANSLIT.get(translit_key(key).rstrip("e"), key)
    if key in _CITIES:
        return f"{display(key)}, {display(_CITIES[key])}"
    country = country_named(key.split()) if key not in DEMONYMS else None
    if country is None and key in COUNTRY_ALIASES:
        country = COUNTRY_ALIASES[key]
    return display(country) if country else None


_PLACE_WORDS = r"[A-ZА-ЯЁ][\w’'.-]*(?:[ -][A-ZА-ЯЁ][\w’'.-]*){0,2}"
# "Baku, March 12, AZERTAC", "BAKU, Nov 14 (Reuters) -", "Баку, 14 ноября. /ТАСС/",
# "Tbilisi /Trend/", "BAKU (AZERTAC) —": a place first, then a comma, a date or an agency.
_DATELINE = re.compile(rf"^\s*(?P<place>{_PLACE_WORDS})\s*(?:,|\(|/|—|–|-)", re.UNICODE)
_IN_PLACE = re.compile(rf"\b(?:in|at|в|во)\s+(?:the\s+)?(?P<place>{_PLACE_WORDS})", re.UNICODE)


def dateline_place(text: str) -> str | None:
    """The place of the article's dateline, when its first line starts with one."""
    m = _DATELINE.match(text)
    if m is None:
        return None
    place = m["place"].strip(" .")
    for cut in range(len(place.split()), 0, -1):
        found = place_of(" ".join(place.split()[:cut]))
        if found:
            return found
    return None


def places_in(sentence: str) -> list[str]:
    """Known places after 'in' / 'в' in a sentence, in order ('Baku, Azerbaijan', ...)."""
    out: list[str] = []
    for m in _IN_PLACE.finditer(sentence):
        words = m["place"].strip(" .,;:").split()
        for cut in range(len(words), 0, -1):
            found = place_of(" ".join(words[:cut]))
            if found:
                if found not in out:
                    out.append(found)
                break
    return out
