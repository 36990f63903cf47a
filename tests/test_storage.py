"""The repository's queries and the seed loader, on SQLite and on PostgreSQL."""

from __future__ import annotations

import ast
import datetime as dt
import logging
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.config import load_settings
from bot.core.clock import FakeClock
from bot.core.interchange import apply_import, parse_import
from bot.core.seeds import load_seeds_if_empty, seed_files, seeds_dir
from storage import repository
from storage.db import (
    create_db_engine,
    normalize_database_url,
    read_catalog_version,
    session_scope,
    shared_url,
)
from storage.models import Meeting, Organization, Person

SEED_SOURCE = (
    "https://www.news.az/news/chief-of-azerbaijans-state-security-service-meets-with-osce-"
    "parliamentary-assembly-president"
)

TWO_MEETINGS = b"""\
meetings:
  - id: a
    date: 2024-05-01
    participants: [{name: Ann Example, aliases: [A. Example]}, {name: Bob Example}]
    issues: [trade, energy]
  - date: 2024-05-01
    participants: [{name: Ann Example}, {name: Cy Example, organization: Example Union}]
"""


def _load(engine: Engine, clock: FakeClock, data: bytes = TWO_MEETINGS) -> None:
    with session_scope(engine) as session:
        apply_import(parse_import(data, filename="two.yaml"), session=session, clock=clock)


# --- repository ----------------------------------------------------------------------------------


def test_queries_find_meetings_and_their_links(engine: Engine, clock: FakeClock) -> None:
    _load(engine, clock)
    with Session(engine) as session:
        assert repository.count_meetings(session=session) == 2
        found = repository.find_meetings_by_external_ids(["a", "missing"], session=session)
        assert list(found) == ["a"]
        on_day = repository.list_meetings_on_dates([dt.date(2024, 5, 1)], session=session)
        assert [m.external_id for m in on_day] == ["a", None]
        ids = [m.id for m in on_day if m.id is not None]
        people = repository.list_participations(ids, session=session)
        assert [p.position for p in people[ids[0]]] == [0, 1]
        issues = repository.list_meeting_issues(ids, session=session)
        assert [i.position for i in issues[ids[0]]] == [0, 1]
        assert ids[1] not in issues
        assert [p.name for p in repository.list_people(session=session)] == [
            "Ann Example",
            "Bob Example",
            "Cy Example",
        ]
        assert [o.name for o in repository.list_organizations(session=session)] == [
            "Example Union"
        ]
        assert [i.name for i in repository.list_issues(session=session)] == ["trade", "energy"]
        audit = repository.list_audit_entries(session=session, entity="meeting")
        assert [e.entity_id for e in audit] == list(reversed(ids))


def test_deleted_meetings_count_but_are_not_live(engine: Engine, clock: FakeClock) -> None:
    _load(engine, clock)
    with session_scope(engine) as session:
        meeting = repository.find_meetings_by_external_ids(["a"], session=session)["a"]
        meeting.deleted_at = clock.now()
    with Session(engine) as session:
        assert repository.count_meetings(session=session) == 2
        assert repository.count_meetings(session=session, include_deleted=False) == 1
        assert [m.external_id for m in repository.list_live_meetings(session=session)] == [None]
        assert repository.get_meeting(meeting.id or 0, session=session) is not None


def test_queries_on_many_ids_work_in_chunks(engine: Engine, clock: FakeClock) -> None:
    many = "meetings:\n" + "".join(
        f"  - {{id: m{i}, date: 2020-01-01, participants: [{{name: P{i}}}, {{name: Q}}]}}\n"
        for i in range(repository.CHUNK + 20)
    )
    _load(engine, clock, many.encode())
    with Session(engine) as session:
        wanted = [f"m{i}" for i in range(repository.CHUNK + 20)]
        found = repository.find_meetings_by_external_ids(wanted, session=session)
        assert len(found) == repository.CHUNK + 20
        ids = [m.id for m in found.values() if m.id is not None]
        assert len(repository.list_participations(ids, session=session)) == len(ids)


# --- seeds ---------------------------------------------------------------------------------------


def test_the_seed_folder_holds_the_article_and_its_record() -> None:
    names = sorted(p.name for p in seeds_dir().iterdir())
    assert "000_b5d7cf45aaab672d.txt" in names
    assert [p.name for p in seed_files()] == ["000_naghiyev_kauma.yaml"]


def test_seeds_load_into_an_empty_database_once(engine: Engine, clock: FakeClock) -> None:
    with session_scope(engine) as session:
        result = load_seeds_if_empty(session=session, clock=clock)
    assert result is not None and result.added == 1
    with Session(engine) as session:
        version = read_catalog_version(session)
    with session_scope(engine) as session:
        assert load_seeds_if_empty(session=session, clock=clock) is None
    with Session(engine) as session:
        assert read_catalog_version(session) == version
        meeting = session.exec(select(Meeting)).one()
        assert meeting.external_id == "m00"
        assert meeting.date == dt.date(2023, 11, 14)
        assert meeting.location == "Baku, Azerbaijan"
        assert meeting.sources == [SEED_SOURCE]
        people = session.exec(select(Person.name).order_by(Person.id)).all()
        assert people == ["Ali Naghiyev", "Pia Kauma"]
        osce = session.exec(
            select(Organization).where(Organization.name == "OSCE Parliamentary Assembly")
        ).one()
        assert "OSCE PA" in osce.aliases
        sss = session.exec(
            select(Organization).where(Organization.name == "State Security Service of Azerbaijan")
        ).one()
        assert "SSS" in sss.aliases


def test_the_seed_record_carries_what_the_article_says(seeded_engine: Engine) -> None:
    from bot.core.views import load_meeting_views

    with Session(seeded_engine) as session:
        meeting_id = session.exec(select(Meeting.id)).one()
        (view,) = load_meeting_views([meeting_id], session=session)
    naghiyev, kauma = view.participants
    assert naghiyev.title is not None and "State Security Service" in naghiyev.title
    assert "Prisoners of War, Hostages and Missing Persons" in naghiyev.title
    assert (kauma.title, kauma.organization, kauma.country) == (
        "President of the OSCE Parliamentary Assembly",
        "OSCE Parliamentary Assembly",
        "Finland",
    )
    for issue in ("Karabakh", "mine contamination", "hostages", "missing persons"):
        assert issue in view.issues


def test_seeds_stay_out_when_there_are_meetings(engine: Engine, clock: FakeClock) -> None:
    _load(engine, clock)
    with session_scope(engine) as session:
        for meeting in session.exec(select(Meeting)).all():
            meeting.deleted_at = clock.now()  # deleted meetings are still the admins' data
    with session_scope(engine) as session:
        assert load_seeds_if_empty(session=session, clock=clock) is None
    with Session(engine) as session:
        assert repository.count_meetings(session=session) == 2


def test_the_seed_folder_can_be_moved(
    sqlite_engine: Engine,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "my-seeds"
    folder.mkdir()
    (folder / "b.json").write_bytes(
        b'{"meetings": [{"date": "2020-01-02", "participants": [{"name": "X"}, {"name": "Y"}]}]}'
    )
    (folder / "a.yaml").write_bytes(TWO_MEETINGS)
    (folder / "notes.txt").write_text("not a seed")
    monkeypatch.setenv("MEETBOT_SEEDS_DIR", str(folder))
    settings = load_settings(env_file=None)
    assert [p.name for p in seed_files(settings.meetbot_seeds_dir)] == ["a.yaml", "b.json"]
    with session_scope(sqlite_engine) as session:
        result = load_seeds_if_empty(
            session=session, clock=clock, folder=settings.meetbot_seeds_dir
        )
    assert result is not None and result.added == 3


def test_no_seed_folder_means_an_empty_start(
    sqlite_engine: Engine,
    clock: FakeClock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING), session_scope(sqlite_engine) as session:
        result = load_seeds_if_empty(session=session, clock=clock, folder=tmp_path / "none")
    assert result is not None and not result.changed
    assert "No seed files" in caplog.text


# --- layering ------------------------------------------------------------------------------------


def test_storage_imports_nothing_from_bot_and_reads_no_environment() -> None:
    root = Path(__file__).resolve().parent.parent / "storage"
    offenders = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "bot":
                offenders.append(f"{path.name}: from {node.module}")
            if isinstance(node, ast.Import) and any(
                a.name.split(".")[0] == "bot" for a in node.names
            ):
                offenders.append(f"{path.name}: import bot")
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                offenders.append(f"{path.name}: os.{node.attr}")
    assert offenders == []


def test_transient_database_errors_are_told_from_lasting_ones() -> None:
    import sqlite3

    import psycopg
    from sqlalchemy.exc import IntegrityError, OperationalError

    from storage.db import is_transient_db_error

    def wrapped(orig: Exception, **kwargs: bool) -> OperationalError:
        return OperationalError("UPDATE", None, orig, **kwargs)

    assert is_transient_db_error(wrapped(sqlite3.OperationalError("database is locked")))
    assert is_transient_db_error(wrapped(psycopg.OperationalError("terminating connection")))
    dropped = IntegrityError("UPDATE", None, Exception("gone"))
    dropped.connection_invalidated = True
    assert is_transient_db_error(dropped)
    assert not is_transient_db_error(wrapped(sqlite3.OperationalError("no such table: x")))
    assert not is_transient_db_error(IntegrityError("INSERT", None, Exception("duplicate key")))
    assert not is_transient_db_error(ValueError("not a database error"))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db:5432/x", "postgresql+psycopg://u:p@db:5432/x"),
        ("postgresql://u@db/x?sslmode=require", "postgresql+psycopg://u@db/x?sslmode=require"),
        ("POSTGRES://u@db/x", "postgresql+psycopg://u@db/x"),
        ("postgresql+psycopg://u@db/x", "postgresql+psycopg://u@db/x"),
        ("sqlite:///data/meetbot.db", "sqlite:///data/meetbot.db"),
    ],
)
def test_postgres_url_spellings_mean_postgresql(url: str, expected: str) -> None:
    assert normalize_database_url(url) == expected


def test_another_process_opens_the_same_database_but_no_in_memory_one(engine: Engine) -> None:
    url = shared_url(engine)
    assert url is not None
    other = create_db_engine(url)  # what the child process of a big import does
    assert other.url == engine.url
    other.dispose()
    memory = create_db_engine("sqlite://")
    assert shared_url(memory) is None
    memory.dispose()


def test_a_form_step_is_written_only_over_the_version_it_read(
    engine: Engine, clock: FakeClock
) -> None:
    from bot.core import forms

    def save(data: dict[str, object], over: forms.Form | None = None) -> forms.Form:
        with Session(engine) as session:
            form = forms.save_form(
                1, 2, kind="add", step="people", data=data, session=session, clock=clock, over=over
            )
            session.commit()
            return form

    first = save({"n": 0})
    save({"n": 1}, over=first)
    # A second write over the same read (another replica, at the same moment) changes nothing.
    with pytest.raises(forms.FormChanged):
        save({"n": 2}, over=first)
    # Nor does a late write of an ended form land on a new form started after it.
    with Session(engine) as session:
        forms.end_form(1, 2, session=session)
        session.commit()
    fresh = save({"new": True})
    with pytest.raises(forms.FormChanged):
        save({"n": 3}, over=first)
    with Session(engine) as session:
        stored = forms.find_form(1, 2, session=session)
    assert stored is not None and dict(stored.data) == {"new": True}
    assert stored.version == fresh.version
