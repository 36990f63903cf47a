"""Write the continent of every country that bot.core.geography knows, from IANA's zone.tab.

A country's continent is the area of its first time zone in zone.tab (tzdata ships the file);
islands filed under an ocean get the continent they belong to. The output is pasted into
bot/core/geography.py as CONTINENTS; run again when tzdata or the country table changes:

    python scripts/continents.py
"""

from __future__ import annotations

import re
from importlib.resources import files

import pycountry
from anyascii import anyascii

from bot.core.geography import country_named

_AREAS = {"Africa": "africa", "Europe": "europe", "Asia": "asia", "Australia": "oceania",
          "Pacific": "oceania", "America": "americas"}  # fmt: skip
_ISLANDS = {"Atlantic/Reykjavik": "europe", "Atlantic/Cape_Verde": "africa",
            "Atlantic/Azores": "europe", "Atlantic/Canary": "europe", "Atlantic/Madeira": "europe",
            "Atlantic/Faroe": "europe", "Atlantic/Bermuda": "americas",
            "Atlantic/Stanley": "americas", "Atlantic/South_Georgia": "americas",
            "Atlantic/St_Helena": "africa", "Indian/Maldives": "asia", "Indian/Chagos": "asia",
            "Indian/Christmas": "oceania", "Indian/Cocos": "oceania", "Indian/Kerguelen": "africa",
            "Indian/Mauritius": "africa", "Indian/Mahe": "africa", "Indian/Antananarivo": "africa",
            "Indian/Comoro": "africa", "Indian/Mayotte": "africa",
            "Indian/Reunion": "africa"}  # fmt: skip
_NOT_IN_ZONE_TAB = {"kosovo": "europe"}  # no ISO code of its own in zone.tab


def _canonical(found: object) -> str | None:
    """The geography table's name for a pycountry entry ("Congo, The Democratic Republic of
    the" is "democratic republic of the congo")."""
    names = [getattr(found, a, None) for a in ("common_name", "name", "official_name")]
    for name in filter(None, names):
        name = name.split(" (")[0]
        if ", " in name:
            head, tail = name.split(", ", 1)
            name = f"{tail} {head}"
        plain = re.findall(r"[a-z'-]+", anyascii(name).lower())  # tokens() would singularise
        variants = (plain, plain[1:] if plain[:1] == ["the"] else plain,
                    [w for w in plain if w not in ("the", "of")])  # fmt: skip
        for words in variants:
            country = country_named(words)
            if country is not None:
                return country
    return None


def main() -> None:
    continents: dict[str, set[str]] = {}
    seen: set[str] = set()
    for line in files("tzdata").joinpath("zoneinfo", "zone.tab").read_text().splitlines():
        if line.startswith("#"):
            continue
        code, _coords, zone = line.split("\t")[:3]
        if code in seen:
            continue
        seen.add(code)
        found = pycountry.countries.get(alpha_2=code)
        if found is None:
            continue
        country = _canonical(found)
        area = _ISLANDS.get(zone) or _AREAS.get(zone.split("/")[0])
        if country is not None and area is not None:
            continents.setdefault(area, set()).add(country)
    for country, area in _NOT_IN_ZONE_TAB.items():
        continents[area].add(country)
    print("CONTINENTS: dict[str, tuple[str, ...]] = {")
    for area in sorted(continents):
        print(f'    "{area}": (')
        line = "       "
        for country in sorted(continents[area]):
            piece = f' "{country}",'
            if len(line) + len(piece) > 99:
                print(line)
                line = "       "
            line += piece
        print(line)
        print("    ),")
    print("}  # fmt: skip")


if __name__ == "__main__":
    main()
