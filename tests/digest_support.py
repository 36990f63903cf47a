"""Shared pieces for the digest tests: databases, meetings and subscriptions as plain rows."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url
from sqlmodel import Session

from storage.db import create_db_engine
from storage.deliveries import SubscriptionSettings, save_subscription
from storage.models import Issue, Meeting, MeetingIssue, Participation, Person, Subscription

POSTGRES_URL = os.environ.get(
    "MEETBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def utc(*args: int) -> dt.datetime:
    """Return an aware UTC datetime."""
    return dt.datetime(*args, tzinfo=dt.UTC)  # type: ignore[misc]


def sqlite_engine(folder: Path) -> Engine:
    """Return an engine on a fresh SQLite file in folder (a file, so threads share it)."""
    return create_db_engine(f"sqlite:///{folder / f'digest-{uuid.uuid4().hex[:8]}.db'}")


@contextmanager
def postgres_engine() -> Iterator[Engine]:
    """Yield an engine on a fresh PostgreSQL database, dropped afterwards.

    Skips with the reason when the server is down, unless MEETBOT_REQUIRE_POSTGRES=1.
    """
    import psycopg

    url = make_url(POSTGRES_URL)
    name = f"meetbot_digest_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin_dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        connection = psycopg.connect(admin_dsn, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL is not reachable at {url.host}:{url.port}: {exc}"
        if os.environ.get("MEETBOT_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    with connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    engine = create_db_engine(url.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def add_meeting(
    session: Session,
    *,
    created_at: dt.datetime,
    date: dt.date = dt.date(2024, 1, 10),
    title: str = "A meets B",
    issues: tuple[str, ...] = (),
    people: tuple[str, ...] = ("Ali Naghiyev", "Pia Kauma"),
    source: str = "https://example.org/news",
    deleted: bool = False,
) -> int:
    """Insert one meeting with its people and issues; return its id."""
    meeting = Meeting(
        date=date,
        title=title,
        location="Baku, Azerbaijan",
        sources=[source],
        created_at=created_at,
        updated_at=created_at,
        deleted_at=created_at if deleted else None,
    )
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    for position, name in enumerate(people):
        person = Person(name=name, aliases=[])
        session.add(person)
        session.flush()
        assert person.id is not None
        session.add(
            Participation(
                meeting_id=meeting.id, person_id=person.id, position=position, title="Official"
            )
        )
    for position, label in enumerate(issues):
        issue = session.query(Issue).filter(Issue.name == label).first()  # type: ignore[arg-type]
        if issue is None:
            issue = Issue(name=label, aliases=[])
            session.add(issue)
            session.flush()
        assert issue.id is not None
        session.add(MeetingIssue(meeting_id=meeting.id, issue_id=issue.id, position=position))
    session.flush()
    return meeting.id


def add_subscription(
    session: Session,
    *,
    chat_id: int,
    now: dt.datetime,
    send_time: dt.time = dt.time(9, 0),
    timezone: str = "Europe/Berlin",
    chat_type: str = "private",
    empty_day_note: bool = False,
    silent: bool = False,
) -> Subscription:
    """Subscribe a chat as /subscribe would at now."""
    sub, _ = save_subscription(
        session=session,
        chat_id=chat_id,
        chat_type=chat_type,
        title=None,
        settings=SubscriptionSettings(send_time, timezone, empty_day_note, silent),
        created_by=1,
        now=now,
    )
    return sub
