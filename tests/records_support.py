"""Shared pieces for the admin-records tests: a clock, the seed meeting, databases."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, func, make_url, text
from sqlmodel import Session, SQLModel, select

from bot.core.clock import FakeClock
from bot.core.records import MeetingRecord, ParticipantRecord
from storage.db import create_db_engine

TODAY = dt.date(2024, 6, 1)
NOW = dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC)
POSTGRES_URL = os.environ.get(
    "MEETBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SEED_SOURCE = (
    "https://www.news.az/news/chief-of-azerbaijans-state-security-service-meets-with-osce-"
    "parliamentary-assembly-president"
)


def make_clock() -> FakeClock:
    """Return a clock standing at NOW."""
    return FakeClock(NOW)


def seed_record(**changes: Any) -> MeetingRecord:
    """Return the seed meeting (Naghiyev meets Kauma, Baku, 2023-11-14) with changes."""
    record = MeetingRecord(
        date=dt.date(2023, 11, 14),
        participants=(
            ParticipantRecord(
                name="Ali Naghiyev",
                title="Chief of the State Security Service of Azerbaijan",
                organization="State Security Service of Azerbaijan",
                country="Azerbaijan",
            ),
            ParticipantRecord(
                name="Pia Kauma",
                title="President of the OSCE Parliamentary Assembly",
                organization="OSCE Parliamentary Assembly",
                country="Finland",
            ),
        ),
        location="Baku, Azerbaijan",
        title="Ali Naghiyev meets OSCE PA President Pia Kauma",
        sources=(SEED_SOURCE,),
        issues=("mine contamination", "missing persons"),
    )
    fields = {name: getattr(record, name) for name in record.__dataclass_fields__}
    return MeetingRecord(**{**fields, **changes})


def count_rows(session: Session, model: Any) -> int:
    """Return how many rows model's table holds."""
    return int(session.exec(select(func.count()).select_from(model)).one())


@contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """Create a throwaway PostgreSQL database for this process; skip when there is no server."""
    import psycopg

    url = make_url(POSTGRES_URL)
    name = f"{prefix}_{os.getpid()}"
    admin_dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        connection = psycopg.connect(admin_dsn, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {url.host}:{url.port}: {exc}")
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def empty_tables(engine: Engine) -> None:
    """Delete every row (keeping the schema), so one migrated database serves many tests."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(SQLModel.metadata.sorted_tables):
                connection.execute(table.delete())


def sqlite_engine(tmp_path: Any) -> Engine:
    """Return a fresh migrated SQLite engine in tmp_path."""
    return create_db_engine(f"sqlite:///{tmp_path / 'records.db'}")
