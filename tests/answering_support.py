"""Shared pieces for the matching and answering tests: the fixture catalog and its databases.

The catalog is tests/data/answering_fixture.yaml, loaded through the real import path
(bot.core.interchange). Each database gets a URL of its own, because the answering index cache
is keyed by URL and a reused URL could hand one test the index of another test's catalog.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url
from sqlmodel import Session

from bot.core.answering import Answer, Status, answer_question
from bot.core.clock import FakeClock
from bot.core.followups import AnswerContext
from bot.core.interchange import apply_import, parse_import
from storage.db import create_db_engine, session_scope

FIXTURE = Path(__file__).parent / "data" / "answering_fixture.yaml"
TODAY = dt.date(2025, 3, 10)
NOW = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)
POSTGRES_URL = os.environ.get(
    "MEETBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# As in tests/conftest.py: CI sets this so that a missing server fails instead of skipping.
REQUIRE_POSTGRES = os.environ.get("MEETBOT_REQUIRE_POSTGRES") == "1"
SEED_SOURCE = (
    "https://www.news.az/news/chief-of-azerbaijans-state-security-service-meets-with-osce-"
    "parliamentary-assembly-president"
)
BACKENDS = (
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgres", marks=pytest.mark.postgres),
)
_counter = itertools.count()


def load_yaml(text: str | bytes, *, engine: Engine, filename: str = "catalog.yaml") -> None:
    """Import a document in the import format in one transaction."""
    data = text.encode() if isinstance(text, str) else text
    doc = parse_import(data, filename=filename)
    with session_scope(engine) as session:
        apply_import(doc, session=session, clock=FakeClock(NOW))


def load_fixture(engine: Engine) -> None:
    """Import the fixture catalog."""
    load_yaml(FIXTURE.read_bytes(), engine=engine, filename=FIXTURE.name)


@contextmanager
def fresh_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """Yield a migrated, empty database of backend ("sqlite" or "postgresql").

    Without a PostgreSQL server the test is skipped, or failed when MEETBOT_REQUIRE_POSTGRES=1.
    """
    if backend == "sqlite":
        engine = create_db_engine(f"sqlite:///{tmp_path / f'answers_{next(_counter)}.db'}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    with _postgres_database() as url:
        engine = create_db_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def _postgres_database() -> Iterator[str]:
    import psycopg

    url = make_url(POSTGRES_URL)
    name = f"answers_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin_dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        connection = psycopg.connect(admin_dsn, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL is not reachable at {url.host}:{url.port}: {exc}"
        if REQUIRE_POSTGRES:
            pytest.fail(f"MEETBOT_REQUIRE_POSTGRES=1 but {message}", pytrace=False)
        pytest.skip(message)
    with connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def ask(
    engine: Engine, text: str, *, today: dt.date = TODAY, context: AnswerContext | None = None
) -> Answer:
    """Answer text in a short session of its own, as the bot and the CLI do."""
    with Session(engine) as session:
        return answer_question(text, session=session, today=today, context=context)


def ids(answer: Answer) -> list[str]:
    """The external ids of the answer's meetings, in the order given."""
    return [m.external_id or f"#{m.id}" for m in answer.meetings]


def found(engine: Engine, text: str) -> set[str]:
    """The external ids of the meetings an answer states (it must be answered)."""
    answer = ask(engine, text)
    assert answer.status is Status.ANSWERED, answer.text
    return set(ids(answer))


@contextmanager
def catalog_engine(catalog: Path, tmp: Path) -> Iterator[Engine]:
    """A fresh SQLite database holding a YAML catalog of tests/data."""
    with fresh_engine("sqlite", tmp) as engine:
        load_yaml(catalog.read_bytes(), engine=engine, filename=catalog.name)
        yield engine
