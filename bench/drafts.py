"""Score drafts from article pages against hand-written expected records, field by field.

    python -m bench.drafts [--dir bench/articles] [--show]

Each page NAME.html in the folder has NAME.yaml beside it (published, url, meetings: the
expected records). Pages listed in FROZEN were written and frozen before the extractor was
tuned on the rest; pages listed in HELDOUT were written after the tuning and scored as they
came out. The three parts are reported apart. A page is read through the same path as
`meetbot draft FILE` (bot.core.drafts.article.article_from_html, then extract_drafts on an
empty catalog).

Field rules: the date must be equal; the place equal by name key (both empty counts as right);
a participant's name is right when an expected participant has the same name key; a role or an
organisation is right when at least 60% of the expected one's content words (stems; country
names left out, as the country has its own field) are in the drafted one; a country must be
equal. Organisations and countries are scored only where the expected record has one. An issue
counts (recall and precision) when a drafted and an expected issue share a content word.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent / "articles"
_GENERIC = {"the", "and", "of", "in", "for", "to", "on", "with", "issu", "question", "вопрос"}


def startup_costs() -> dict[str, float]:
    """Seconds to load what extraction needs the first time: the HTML reader's packages, the
    Russian morphology, the English dictionary."""
    costs: dict[str, float] = {}
    start = time.perf_counter()
    import htmldate  # noqa: F401
    import trafilatura  # noqa: F401

    costs["trafilatura + htmldate import"] = time.perf_counter() - start
    start = time.perf_counter()
    from bot.core.russian import _analyzer

    _analyzer()
    costs["pymorphy3 analyzer"] = time.perf_counter() - start
    start = time.perf_counter()
    from bot.core.lexicon import is_dictionary_word

    is_dictionary_word("meeting")
    costs["simplemma English dictionary"] = time.perf_counter() - start
    return costs


def _stems(text: str | None) -> set[str]:
    from bot.core.drafts.offices import country_of
    from bot.core.lexicon import normalize_word

    out: set[str] = set()
    for word in re.findall(r"[^\W\d_]+", text or ""):
        if len(word) < 2 or country_of(word):
            continue
        if re.match(r"[а-яё]", word, re.IGNORECASE):
            # Russian words meet on their lemma ("разминирования" is "разминирование").
            from bot.core.russian import _analyzer

            word = _analyzer().parse(word.lower())[0].normal_form
        out.update(normalize_word(word))
    return out - _GENERIC


def _covers(expected: str | None, got: str | None) -> bool:
    want, have = _stems(expected), _stems(got)
    if not want:
        return bool(expected) is False or bool(have)
    return len(want & have) / len(want) >= 0.6


@dataclass
class Score:
    right: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)

    def count(self, key: str, ok: bool) -> None:
        self.total[key] = self.total.get(key, 0) + 1
        self.right[key] = self.right.get(key, 0) + int(ok)

    def line(self, key: str) -> str:
        total = self.total.get(key, 0)
        if not total:
            return f"{key:<22} -"
        right = self.right.get(key, 0)
        return f"{key:<22} {right:>3}/{total:<3} {100 * right / total:5.1f}%"


def _score_meeting(
    expected: dict[str, Any], draft: dict[str, Any] | None, score: Score
) -> list[str]:
    from bot.core.names import name_key

    notes: list[str] = []
    draft = draft or {"participants": [], "issues": []}
    date_ok = str(draft.get("date")) == str(expected.get("date"))
    score.count("date", date_ok)
    if not date_ok:
        notes.append(f"date {draft.get('date')!r} != {expected.get('date')!r}")
    place_ok = name_key(draft.get("location") or "") == name_key(expected.get("location") or "")
    score.count("place", place_ok)
    if not place_ok:
        notes.append(f"place {draft.get('location')!r} != {expected.get('location')!r}")
    drafted = {name_key(p.get("name") or ""): p for p in draft.get("participants") or []}
    for person in expected["participants"]:
        got = drafted.get(name_key(person["name"]))
        score.count("name", got is not None)
        if got is None:
            notes.append(f"name {person['name']!r} not drafted ({list(drafted)})")
            got = {}
        role_ok = _covers(person.get("title"), got.get("title"))
        score.count("role", role_ok)
        if not role_ok:
            notes.append(f"role {got.get('title')!r} != {person.get('title')!r}")
        if person.get("organization"):
            org_ok = _covers(person["organization"], got.get("organization"))
            score.count("organization", org_ok)
            if not org_ok:
                notes.append(f"org {got.get('organization')!r} != {person['organization']!r}")
        if person.get("country"):
            ok = name_key(got.get("country") or "") == name_key(person["country"])
            score.count("country", ok)
            if not ok:
                notes.append(f"country {got.get('country')!r} != {person['country']!r}")
    want = [_stems(i) for i in expected.get("issues") or []]
    have = [_stems(i) for i in draft.get("issues") or []]
    for words in want:
        score.count("issues recall", any(words & h for h in have))
    for words in have:
        score.count("issues precision", any(words & w for w in want))
    missed = [
        i for i, w in zip(expected["issues"], want, strict=True) if not any(w & h for h in have)
    ]
    if missed:
        notes.append(f"issues missed {missed}; drafted {draft.get('issues')}")
    return notes


def _best(expected: dict[str, Any], drafts: list[dict[str, Any]]) -> dict[str, Any] | None:
    from bot.core.names import name_key

    want = {name_key(p["name"]) for p in expected["participants"]}

    def overlap(draft: dict[str, Any]) -> int:
        return len(want & {name_key(p.get("name") or "") for p in draft["participants"]})

    return max(drafts, key=overlap, default=None)


def _listed(path: Path) -> set[str]:
    """The page names a list file holds (one a line, # comments)."""
    if not path.exists():
        return set()
    lines = path.read_text().splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=ROOT)
    parser.add_argument("--show", action="store_true", help="print what each page got wrong")
    args = parser.parse_args(argv)
    costs = startup_costs()
    from bot.core.drafts import extract_drafts
    from bot.core.drafts.article import NotAnArticle, article_from_html
    from bot.core.drafts.model import Article

    frozen, heldout = _listed(args.dir / "FROZEN"), _listed(args.dir / "HELDOUT")
    parts = {"frozen": Score(), "held out": Score(), "tuning": Score()}
    read_times: list[float] = []
    extract_times: list[float] = []
    for expected_file in sorted(args.dir.glob("*.yaml")):
        doc = yaml.safe_load(expected_file.read_text())
        html = expected_file.with_suffix(".html").read_text()
        published = dt.date.fromisoformat(str(doc["published"]))
        stem = expected_file.stem
        part = "frozen" if stem in frozen else "held out" if stem in heldout else "tuning"
        score = parts[part]
        start = time.perf_counter()
        try:
            article = article_from_html(html, doc["url"], today=published)
        except NotAnArticle as error:
            # Scored as a page that gave no draft: every field of it counts as wrong.
            article = Article(text="", url=doc["url"], published=published)
            score.count("read as an article", False)
            print(f"{expected_file.stem} [{part}]: {error}")
        else:
            score.count("read as an article", True)
        read_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        drafts = [d.meeting for d in extract_drafts(article)]
        extract_times.append(time.perf_counter() - start)
        score.count("meetings (count)", len(drafts) == len(doc["meetings"]))
        notes: list[str] = []
        for meeting in doc["meetings"]:
            notes += _score_meeting(meeting, _best(meeting, drafts), score)
        if args.show and notes:
            print(f"{expected_file.stem} [{part}]")
            for note in notes:
                print("   ", note)
    keys = ["read as an article", "meetings (count)", "date", "place", "name", "role",
            "organization", "country", "issues recall", "issues precision"]  # fmt: skip
    for name, score in parts.items():
        pages = score.total.get("meetings (count)", 0)
        print(f"\n{name} ({pages} pages)")
        for key in keys:
            print("  " + score.line(key))
    print("\nstart-up (first use, seconds):")
    for what, seconds in costs.items():
        print(f"  {what:<32} {seconds:6.3f}")
    print(
        f"per article: read HTML median {1000 * statistics.median(read_times):.1f} ms, "
        f"extract median {1000 * statistics.median(extract_times):.1f} ms "
        f"(first extract {1000 * extract_times[0]:.0f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
