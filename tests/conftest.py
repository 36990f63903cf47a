"""Fixtures shared by every test: a clock, fresh SQLite and PostgreSQL databases, seeded ones.

`engine` runs a test once on SQLite and once on PostgreSQL. The PostgreSQL database is created
fresh for each test on the server at MEETBOT_TEST_POSTGRES_URL (default: the local `test`
database's server) and dropped afterwards. When that server does not answer the PostgreSQL
variants are skipped with the reason, unless MEETBOT_REQUIRE_POSTGRES=1 (CI), where they fail.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from functools import cache

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot.core.clock import FakeClock
from bot.core.seeds import load_seeds_if_empty
from storage.db import create_db_engine, session_scope

POSTGRES_URL = os.environ.get(
    "MEETBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("MEETBOT_REQUIRE_POSTGRES") == "1"
# A fixed "now" for every test: Saturday 28 November 2026, 09:00 UTC.
NOW = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> FakeClock:
    """A clock standing at NOW until the test moves it."""
    return FakeClock(NOW)


@pytest.fixture
def sqlite_url(tmp_path: object) -> str:
    """The URL of a new SQLite file in the test's temporary folder (created on first use)."""
    return f"sqlite:///{tmp_path}/meetbot.db"


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    """A fresh, migrated SQLite database in a file (WAL, foreign keys on)."""
    engine = create_db_engine(sqlite_url)
    yield engine
    engine.dispose()


@cache
def _postgres_problem() -> str | None:
    """Ask the server once per run whether it answers; None when it does."""
    try:
        admin = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
        admin.dispose()
    except (SQLAlchemyError, OSError, ModuleNotFoundError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return reason[0] if reason else type(exc).__name__
    return None


def _require_postgres() -> None:
    problem = _postgres_problem()
    if problem is None:
        return
    message = (
        f"PostgreSQL at {make_url(POSTGRES_URL).render_as_string()} does not answer ({problem});"
        " start it or set MEETBOT_TEST_POSTGRES_URL"
    )
    if REQUIRE_POSTGRES:
        pytest.fail(f"MEETBOT_REQUIRE_POSTGRES=1 but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    _require_postgres()
    name = f"meetbot_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            # FORCE ends sessions a failed test left open (PostgreSQL 13+).
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    """A fresh, migrated PostgreSQL database of its own."""
    engine = create_db_engine(pg_url)
    yield engine
    engine.dispose()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def engine(request: pytest.FixtureRequest) -> Engine:
    """A fresh, migrated database: the test runs once on SQLite and once on PostgreSQL."""
    fixture = "sqlite_engine" if request.param == "sqlite" else "pg_engine"
    result: Engine = request.getfixturevalue(fixture)
    return result


@pytest.fixture
def database_url(engine: Engine) -> str:
    """The URL of `engine`, password included, for subprocesses (DATABASE_URL)."""
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def seeded_engine(engine: Engine, clock: FakeClock) -> Engine:
    """`engine` with the seed meeting (Naghiyev meets Kauma, Baku, 2023-11-14) loaded."""
    with session_scope(engine) as session:
        load_seeds_if_empty(session=session, clock=clock)
    return engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on `engine` for one test; whatever the test did not commit is rolled back."""
    with Session(engine, expire_on_commit=False) as db_session:
        yield db_session
