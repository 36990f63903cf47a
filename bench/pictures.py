"""Benchmark drawing pictures: a person with 500 meetings in a catalog of 10,000.

Run: .venv/bin/python -m bench.pictures [--size 10000] [--meetings 500] [--repeat 5]
     [--base DIR]

The catalog is bench/answering.py's synthetic one (the same generator and bulk writer); its
most active person is given exactly --meetings meetings by putting them in other meetings'
first seat. Then, in this process: the first network (which imports matplotlib and networkx and
builds the answering index), then --repeat draws of each picture with the picture cache
emptied before each (the time a new question costs), and one cached draw. Last, the start-up
of `python -m bot ask` on the seeds, several runs each, for this tree and, with --base, for
another checkout (the code before pictures), so the two can be compared on one machine.

This is a measurement, not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.answering import ROOT, SEED, generate_catalog, write_catalog

TODAY = dt.date(2026, 11, 28)


def busiest_with(catalog_size: int, meetings: int) -> tuple[str, str]:
    """Write the catalog with one person at exactly `meetings` meetings; return (url, name)."""
    catalog = generate_catalog(catalog_size, SEED)
    counts = Counter(p for m in catalog.meetings for p in m.people)
    person, have = counts.most_common(1)[0]
    if have > meetings:
        extra = [m for m in catalog.meetings if person in m.people][meetings:]
        for meeting in extra:  # hand the surplus seats to someone else
            seat = meeting.people.index(person)
            others = [p for p in range(len(catalog.people)) if p not in meeting.people]
            meeting.people[seat] = others[0]
    else:
        free = [m for m in catalog.meetings if person not in m.people]
        for meeting in free[: meetings - have]:
            meeting.people[0] = person
            meeting.posts[0] = catalog.people[person].post_on(meeting.day)
    folder = Path(tempfile.mkdtemp(prefix="meetbot-pictures-"))
    url = f"sqlite:///{folder / 'catalog.db'}"
    write_catalog(catalog, url)
    return url, catalog.people[person].name


def time_drawing(url: str, name: str, repeat: int) -> list[tuple[str, float]]:
    """Seconds for the first network, then the median of fresh draws, then a cached one."""
    from sqlmodel import Session

    from bot.core.pictures import PICTURES, PictureKind, make_picture
    from storage.db import create_db_engine

    engine = create_db_engine(url)
    rows: list[tuple[str, float]] = []
    with Session(engine) as session:
        start = time.perf_counter()
        first = make_picture(PictureKind.GRAPH, name, session=session, today=TODAY)
        rows.append(
            ("first network (index build, matplotlib import)", time.perf_counter() - start)
        )
        print(f"caption: {first.caption!r}", file=sys.stderr)
        for kind in PictureKind:
            times = []
            for _ in range(repeat):
                PICTURES.clear()
                start = time.perf_counter()
                picture = make_picture(kind, name, session=session, today=TODAY)
                times.append(time.perf_counter() - start)
            rows.append((f"{kind.value}, drawn (median of {repeat})", statistics.median(times)))
            rows.append((f"{kind.value}, PNG bytes", float(len(picture.png))))
            start = time.perf_counter()
            make_picture(kind, name, session=session, today=TODAY)
            rows.append((f"{kind.value}, cached", time.perf_counter() - start))
    engine.dispose()
    return rows


def time_ask(tree: Path, runs: int) -> float:
    """Median seconds of `python -m bot ask` on the seeds (a warm data folder) in tree."""
    times = []
    with tempfile.TemporaryDirectory(prefix="meetbot-ask-") as data:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["MEETBOT_DATA_DIR"] = data
        for run in range(runs + 1):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "bot", "ask", "who met the OSCE PA president?"],
                cwd=tree, env=env, capture_output=True, check=True, timeout=120,
            )  # fmt: skip
            if run:  # the first run creates the database
                times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--meetings", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--base", type=Path, help="another checkout to time `ask` in")
    parser.add_argument("--ask-runs", type=int, default=7)
    args = parser.parse_args(argv)
    url, name = busiest_with(args.size, args.meetings)
    print(f"| {args.size:,} meetings, {name}: {args.meetings} | seconds |")
    print("|---|---|")
    for label, value in time_drawing(url, name, args.repeat):
        shown = f"{value:,.0f}" if "bytes" in label else f"{value:.3f}"
        print(f"| {label} | {shown} |")
    print()
    print("| `python -m bot ask` start-up (median) | seconds |")
    print("|---|---|")
    print(f"| this tree | {time_ask(ROOT, args.ask_runs):.3f} |")
    if args.base:
        print(f"| {args.base} | {time_ask(args.base, args.ask_runs):.3f} |")
    one, five, _ = os.getloadavg()
    print(f"\nload average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
