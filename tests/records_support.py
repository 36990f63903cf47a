"""Shared pieces for the admin-records tests: a clock and the seed meeting as a record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from bot.core.clock import FakeClock
from bot.core.records import MeetingRecord, ParticipantRecord

TODAY = dt.date(2024, 6, 1)
NOW = dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC)
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
