"""Imports that race: namesakes never multiply, concurrent PostgreSQL imports never duplicate.

Two people may share a name (a namesake added through /add's "New person"), so the name is no
unique key: a re-import finds the stored meeting's people, or tells namesakes apart by country,
organization or title, or names the path and writes nothing. On PostgreSQL, catalog writers
are serialized by an advisory lock (storage.db.lock_catalog), so a second import waits for the
first and reads what it wrote.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from records_support import count_rows, seed_record
from sqlalchemy import Engine, text
from sqlmodel import Session, func, select

import storage.db
from bot.core import records
from bot.core.clock import FakeClock
from bot.core.interchange import InvalidImport, apply_import, parse_import
from bot.core.records import ParticipantRecord
from storage.db import CatalogBusy, create_db_engine, session_scope
from storage.models import Meeting, Participation, Person

SEED_FILE = Path(__file__).resolve().parent.parent / "seeds" / "000_naghiyev_kauma.yaml"
ADMIN = 111


def _import(engine: Engine, clock: FakeClock, data: bytes, filename: str = "f.yaml") -> None:
    doc = parse_import(data, filename=filename)
    with session_scope(engine) as session:
        apply_import(doc, session=session, clock=clock, actor_id=ADMIN)


def _people_named(engine: Engine, name: str) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Person).where(Person.name == name)).all())


def _add_namesake(engine: Engine, clock: FakeClock) -> None:
    """A second Ali Naghiyev, from the same country, added through /add's "New person"."""
    twin = seed_record(
        date=dt.date(2024, 2, 1),
        participants=(
            ParticipantRecord(
                name="Ali Naghiyev",
                title="Professor of History",
                organization="Baku State University",
                country="Azerbaijan",
                new_person=True,
            ),
            ParticipantRecord(name="Pia Kauma"),
        ),
    )
    with session_scope(engine) as session:
        records.create_meeting(twin, session=session, clock=clock, actor_id=ADMIN)


def test_a_namesake_never_multiplies_on_reimport(engine: Engine, clock: FakeClock) -> None:
    seed = SEED_FILE.read_bytes()
    _import(engine, clock, seed, SEED_FILE.name)
    _add_namesake(engine, clock)
    assert _people_named(engine, "Ali Naghiyev") == 2
    with Session(engine) as session:
        people = count_rows(session, Person)
    for _ in range(3):
        _import(engine, clock, seed, SEED_FILE.name)
    with Session(engine) as session:
        assert count_rows(session, Person) == people
        assert count_rows(session, Meeting) == 2
    # The seed file without its id: the meeting on that date with those names is the one.
    no_id = seed.replace(b"  - id: m00\n    date:", b"  - date:")
    assert no_id != seed
    _import(engine, clock, no_id, SEED_FILE.name)
    with Session(engine) as session:
        assert (count_rows(session, Person), count_rows(session, Meeting)) == (people, 2)


def test_one_name_from_two_countries_is_two_people_and_stays_two(
    engine: Engine, clock: FakeClock
) -> None:
    karimovs = {
        "meetings": [
            {
                "date": "2019-03-04",
                "source": "https://example.org/k1",
                "participants": [
                    {"name": "Abdullah Karimov", "country": "Uzbekistan"},
                    {"name": "Pia Kauma"},
                ],
            },
            {
                "date": "2023-03-15",
                "source": "https://example.org/k2",
                "participants": [
                    {"name": "Abdullah Karimov", "country": "Tajikistan"},
                    {"name": "Pia Kauma"},
                ],
            },
        ]
    }
    data = json.dumps(karimovs).encode()
    for _ in range(3):
        _import(engine, clock, data, "karimovs.json")
        assert _people_named(engine, "Abdullah Karimov") == 2
    with Session(engine) as session:
        assert count_rows(session, Meeting) == 2


def _new_meeting(participant: dict[str, Any]) -> bytes:
    record = {
        "date": "2024-03-03",
        "source": "https://example.org/n",
        "participants": [participant, {"name": "Pia Kauma"}],
    }
    return json.dumps({"meetings": [record]}).encode()


def test_namesakes_are_told_apart_or_the_import_names_the_path(
    engine: Engine, clock: FakeClock
) -> None:
    _import(engine, clock, SEED_FILE.read_bytes(), SEED_FILE.name)
    _add_namesake(engine, clock)
    with Session(engine) as session:
        people = count_rows(session, Person)
    # Same name and country: nothing tells them apart, so nothing is written.
    ambiguous = _new_meeting({"name": "Ali Naghiyev", "country": "Azerbaijan"})
    with pytest.raises(InvalidImport) as caught:
        _import(engine, clock, ambiguous)
    (error,) = caught.value.errors
    assert error.startswith("meetings[0].participants[0]: Ali Naghiyev could be any of 2 people")
    assert "tells them apart" in error
    with Session(engine) as session:
        assert (count_rows(session, Person), count_rows(session, Meeting)) == (people, 2)
    # The organization (or the title) decides.
    by_org = _new_meeting(
        {"name": "Ali Naghiyev", "organization": "State Security Service of Azerbaijan"}
    )
    _import(engine, clock, by_org)
    by_title = _new_meeting({"name": "Ali Naghiyev", "title": "Professor of History"})
    _import(engine, clock, by_title.replace(b"2024-03-03", b"2024-03-04"))
    with Session(engine) as session:
        assert count_rows(session, Person) == people
        chief, professor = sorted(
            session.exec(select(Person).where(Person.name == "Ali Naghiyev")).all(),
            key=lambda p: p.id or 0,
        )
        met: dict[dt.date, set[int]] = {}
        for day, person_id in session.exec(
            select(Meeting.date, Participation.person_id).where(
                Participation.meeting_id == Meeting.id
            )
        ).all():
            met.setdefault(day, set()).add(person_id)
    assert chief.id in met[dt.date(2024, 3, 3)] and professor.id in met[dt.date(2024, 3, 4)]


# -- concurrent imports on PostgreSQL -----------------------------------------------------------


def _catalog(people: int, meetings: int, prefix: str = "Person") -> bytes:
    records_ = [
        {
            "date": (dt.date(2024, 1, 1) + dt.timedelta(days=i % 300)).isoformat(),
            "source": f"https://example.org/{i}",
            "participants": [
                {"name": f"{prefix} {(i * 7 + k) % people}", "country": "Austria"}
                for k in range(3)
            ],
            "issues": [f"issue {i % 11}"],
        }
        for i in range(meetings)
    ]
    return json.dumps({"meetings": records_}).encode()


def _race(url: str, data: bytes, clock: FakeClock, runs: int = 2) -> list[BaseException | None]:
    """Import data from runs threads at once, each with its own engine (as processes would)."""
    doc = parse_import(data, filename="race.json")
    engines = [create_db_engine(url) for _ in range(runs)]
    start = threading.Barrier(runs)
    outcomes: list[BaseException | None] = [None] * runs

    def run(index: int) -> None:
        start.wait()
        try:
            with session_scope(engines[index]) as session:
                apply_import(doc, session=session, clock=clock)
        except Exception as exc:
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    return outcomes


@pytest.mark.postgres
def test_concurrent_imports_on_postgres_never_duplicate(pg_url: str, clock: FakeClock) -> None:
    data = _catalog(people=120, meetings=400)
    # An empty database: both imports would insert the first catalog version row.
    assert _race(pg_url, data, clock) == [None, None]
    # And on a database with a catalog: new people, added by both at once.
    more = _catalog(people=80, meetings=200, prefix="Other")
    assert _race(pg_url, more, clock) == [None, None]
    engine = create_db_engine(pg_url)
    try:
        with Session(engine) as session:
            assert count_rows(session, Person) == 200
            assert count_rows(session, Meeting) == 600
            names = session.exec(select(Person.name, func.count()).group_by(Person.name)).all()
            assert {count for _, count in names} == {1}
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_an_import_that_waits_too_long_says_so_and_writes_nothing(
    pg_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.db, "CATALOG_LOCK_TIMEOUT", 0.3)
    engine = create_db_engine(pg_url)
    try:
        with engine.connect() as holder:
            # Another writer holds the catalog lock (a long import on another replica).
            holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": storage.db.CATALOG_LOCK_KEY})
            with pytest.raises(CatalogBusy) as caught:
                _import(engine, clock, _catalog(people=5, meetings=3), "late.json")
            holder.execute(
                text("SELECT pg_advisory_unlock(:k)"), {"k": storage.db.CATALOG_LOCK_KEY}
            )
        assert str(caught.value) == (
            "Another change to the meetings was still being saved after 0.3 s, so this one was "
            "not saved; please try again."
        )
        with Session(engine) as session:
            assert count_rows(session, Person) == 0
    finally:
        engine.dispose()
