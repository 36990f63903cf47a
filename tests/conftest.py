"""Fixtures shared by every test: a clock, fresh SQLite and PostgreSQL databases, seeded ones.

`engine` runs a test once on SQLite and once on PostgreSQL; use it for what the database does
(queries, claims, transactions), and `sqlite_engine` for logic that merely needs somewhere to
keep its rows. Every test gets a database of its own, already migrated: the migrations run
once per test run into a template, and each test gets a copy of it (a file copy for SQLite,
CREATE DATABASE ... TEMPLATE on the server at MEETBOT_TEST_POSTGRES_URL, by default the local
`test` database's server). The PostgreSQL copies are made one ahead and dropped in a
background thread, so a test waits for neither. When that server does not answer the
PostgreSQL variants are skipped with the reason, unless MEETBOT_REQUIRE_POSTGRES=1 (CI), where
they fail.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from pathlib import Path

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


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite file that every test's database starts as a copy of."""
    path = tmp_path_factory.mktemp("template") / "meetbot.db"
    create_db_engine(f"sqlite:///{path}").dispose()  # the last connection checkpoints the WAL
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, _sqlite_template: Path) -> str:
    """The URL of a new, migrated, empty SQLite file in the test's temporary folder."""
    path = tmp_path / "meetbot.db"
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path}"


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


class PostgresDatabases:
    """Copies of one migrated template database on the test server, made a few ahead.

    CREATE DATABASE waits for the disk (about 0.3 s), a migration as long again; the template
    pays the migration once, and a background thread makes the next copies and drops the used
    ones while tests run. Most tests take less than a copy, so up to AHEAD copies are kept
    ready; fewer while a run has used few, so that a run of one file makes none it never uses.
    """

    AHEAD = 6

    def __init__(self) -> None:
        run = f"{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self._prefix = f"meetbot_test_{run}"
        self._template = f"meetbot_tmpl_{run}"
        self._count = 0
        self._taken = 0
        self._admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        self._execute(f'CREATE DATABASE "{self._template}"')
        # A template must have no connections while it is copied: dispose at once.
        create_db_engine(self.url(self._template)).dispose()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-databases")
        self._ready: deque[Future[str]] = deque()
        self._top_up()

    def url(self, name: str) -> str:
        """The URL of database name on the test server, password included."""
        return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    def take(self) -> str:
        """Return the name of a fresh copy of the template, and start making the next one."""
        name = self._ready.popleft().result()
        self._taken += 1
        self._top_up()
        return name

    def give_back(self, name: str) -> None:
        """Drop a copy in the background."""
        self._worker.submit(self._drop, name)

    def close(self) -> None:
        """Drop the copy made ahead and the template, and wait for every drop."""
        try:
            for made in self._ready:
                self.give_back(made.result())
        finally:
            self._worker.shutdown(wait=True)
            self._drop(self._template)
            self._admin.dispose()

    def _top_up(self) -> None:
        while len(self._ready) < min(self.AHEAD, 1 + self._taken):
            self._ready.append(self._worker.submit(self._clone))

    def _clone(self) -> str:
        self._count += 1
        name = f"{self._prefix}_{self._count}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        return name

    def _drop(self, name: str) -> None:
        # FORCE ends sessions a failed test left open (PostgreSQL 13+).
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _execute(self, sql: str) -> None:
        with self._admin.connect() as connection:
            connection.execute(text(sql))


@pytest.fixture(scope="session")
def _postgres_databases() -> Iterator[PostgresDatabases]:
    _require_postgres()
    databases = PostgresDatabases()
    yield databases
    databases.close()


@pytest.fixture
def pg_url(_postgres_databases: PostgresDatabases) -> Iterator[str]:
    """The URL of a new, migrated, empty PostgreSQL database, dropped after the test."""
    name = _postgres_databases.take()
    try:
        yield _postgres_databases.url(name)
    finally:
        _postgres_databases.give_back(name)


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
