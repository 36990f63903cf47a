"""SQLModel tables: meetings, the people and organisations in them, subscriptions, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

# JSON lists are replaced, never mutated in place: SQLAlchemy does not see in-place changes.
# Datetimes are aware and stored in UTC (SQLModel's UTCDateTime). Telegram ids exceed 32 bits,
# so every user or chat id column is a BIGINT.


class Person(SQLModel, table=True):
    """Someone who took part in a meeting; titles live on Participation, not here."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, max_length=200)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    country: str | None = Field(default=None, max_length=100)


class Organization(SQLModel, table=True):
    """An institution, with the other names and acronyms readers use for it."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=300)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    country: str | None = Field(default=None, max_length=100)


class Issue(SQLModel, table=True):
    """A topic discussed at meetings, with its synonyms."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Meeting(SQLModel, table=True):
    """One meeting; deleted_at marks a soft delete so an admin can undo it."""

    id: int | None = Field(default=None, primary_key=True)
    external_id: str | None = Field(default=None, unique=True, max_length=100)
    date: dt.date = Field(index=True)
    location: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=500)
    summary: str | None = Field(default=None, max_length=5000)
    sources: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = Field(index=True)
    created_by: int | None = Field(default=None, sa_type=BigInteger)
    updated_at: dt.datetime
    updated_by: int | None = Field(default=None, sa_type=BigInteger)
    deleted_at: dt.datetime | None = Field(default=None, index=True)


class Participation(SQLModel, table=True):
    """A person at a meeting, with the role, organisation and country they had there."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True)
    position: int = 0
    title: str | None = Field(default=None, max_length=500)
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    country: str | None = Field(default=None, max_length=100)


class MeetingIssue(SQLModel, table=True):
    """Which issues a meeting covered."""

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True, ondelete="CASCADE")
    issue_id: int = Field(foreign_key="issue.id", primary_key=True, index=True)
    position: int = 0


class Subscription(SQLModel, table=True):
    """A chat that receives the daily digest at its own local time and time zone."""

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(unique=True, sa_type=BigInteger)
    chat_type: str = Field(max_length=20)
    title: str | None = Field(default=None, max_length=300)
    send_time: dt.time
    timezone: str = Field(max_length=64)
    active: bool = True
    empty_day_note: bool = False
    silent: bool = False
    created_by: int | None = Field(default=None, sa_type=BigInteger)
    created_at: dt.datetime
    updated_at: dt.datetime
    # Meetings created after this instant go into the next digest.
    covered_until: dt.datetime
    deactivated_reason: str | None = Field(default=None, max_length=500)


class DigestDelivery(SQLModel, table=True):
    """One day's digest for one subscription; the unique key makes it go out once."""

    __table_args__ = (UniqueConstraint("subscription_id", "digest_date"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="subscription.id", index=True, ondelete="CASCADE")
    digest_date: dt.date
    status: str = Field(max_length=20)  # claimed, sent, failed
    claimed_at: dt.datetime
    claimed_by: str | None = Field(default=None, max_length=100)
    sent_at: dt.datetime | None = None
    attempts: int = 0
    # One entry per part sent, in order; 0 for a part whose send timed out (maybe delivered).
    message_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    error: str | None = Field(default=None, max_length=1000)


class Admin(SQLModel, table=True):
    """A Telegram user granted admin rights by another admin."""

    user_id: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    granted_by: int | None = Field(default=None, sa_type=BigInteger)
    granted_at: dt.datetime


class AuditEntry(SQLModel, table=True):
    """Who changed what, when, with the record before and after."""

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(index=True)
    actor_id: int | None = Field(default=None, index=True, sa_type=BigInteger)
    action: str = Field(max_length=50)
    entity: str = Field(max_length=50)
    entity_id: int | None = Field(default=None, index=True)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    undone: bool = False


class CatalogVersion(SQLModel, table=True):
    """One row whose counter rises with every change to meetings, people, organisations or issues.

    The answering index compares it before each question and rebuilds only when it moved, so
    several bot replicas on one database see each other's edits.
    """

    id: int = Field(default=1, primary_key=True)
    version: int = 0


class ConversationState(SQLModel, table=True):
    """The open form (/add, a guided /edit) of one user in one chat, read on every update.

    Kept here, not in a process's memory, so a restarted process or another replica continues
    the same form; expires_at ends it after a silence (the injected clock decides).
    """

    chat_id: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    user_id: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    kind: str = Field(max_length=20)  # add, edit
    step: str = Field(max_length=30)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    started_at: dt.datetime
    updated_at: dt.datetime
    expires_at: dt.datetime = Field(index=True)
    # Changed by every write; a step is stored only over the version it read (compare-and-set).
    version: int = Field(default=0, sa_type=BigInteger)


class SentAnswer(SQLModel, table=True):
    """An answer the bot sent, by its chat and message: the question and what it was about.

    A reply to the answer is a follow-up completed from it, and its "More" button finds the
    question again, after a restart and on another replica; expires_at ends it.
    """

    chat_id: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    message_id: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    expires_at: dt.datetime = Field(index=True)
