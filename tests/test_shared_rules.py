"""Import and the admin commands share one schema and one name key (issue 9).

Each test names a disagreement the two halves used to have: an imported meeting that /edit
refused, and one person imported twice under two spellings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from records_support import NOW, count_rows
from sqlalchemy import Engine
from tg_support import BotHarness

from bot.core import records
from bot.core.clock import FakeClock
from bot.core.interchange import apply_import, parse_import
from bot.core.names import name_key
from storage.db import session_scope
from storage.models import Meeting, Person

ADMIN = 42

MANY_SOURCES = "\n".join(
    ["meetings:", "  - id: many", "    date: 2023-05-02", "    location: Baku", "    source:"]
    + [f"      - https://example.org/report/{n}" for n in range(15)]
    + [
        "    participants:",
        "      - name: Ali Naghiyev",
        "      - name: Pia Kauma",
    ]
).encode()

ACCENTED = b"""
meetings:
  - date: 2023-11-14
    participants:
      - name: Ali Naghiyev
      - name: Pia Kauma
  - date: 2024-02-01
    participants:
      - name: Pia Kaum\xc3\xa1
      - name: Jan Novak
"""


@asynccontextmanager
async def running_bot(engine: Engine, clock: FakeClock) -> AsyncIterator[Any]:
    """The bot with ADMIN as admin and its JobQueue running (the /add conversation's timeout)."""
    async with BotHarness(engine, clock=clock, admin_ids=(ADMIN,)) as bot:
        assert bot.app.job_queue is not None
        await bot.app.job_queue.start()
        try:
            yield bot
        finally:
            await bot.app.job_queue.stop(wait=False)


def import_bytes(engine: Engine, clock: FakeClock, data: bytes) -> None:
    doc = parse_import(data, filename="x.yaml")
    with session_scope(engine) as session:
        apply_import(doc, session=session, clock=clock, actor_id=ADMIN)


def test_an_imported_meeting_with_15_sources_can_be_edited(engine: Engine) -> None:
    clock = FakeClock(NOW)
    import_bytes(engine, clock, MANY_SOURCES)
    with session_scope(engine) as session:
        result = records.edit_meeting(
            "many", "location", "Ganja", session=session, clock=clock, actor_id=ADMIN
        )
    assert [c.field for c in result.changes] == ["location"]
    with session_scope(engine) as session:
        meeting = session.get(Meeting, result.meeting_id)
        assert meeting is not None
        assert (meeting.location, len(meeting.sources)) == ("Ganja", 15)


async def test_edit_of_an_imported_meeting_with_15_sources_in_telegram(
    sqlite_engine: Engine,
) -> None:
    clock = FakeClock(NOW)
    import_bytes(sqlite_engine, clock, MANY_SOURCES)
    async with running_bot(sqlite_engine, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        await bot.say(bot.api.private_chat(ann), ann, "/edit many location Ganja")
        reply = str(bot.last_reply(ADMIN).params["text"])
    assert reply.startswith("Changed meeting 1;"), reply
    assert not bot.errors


def test_an_accented_spelling_imports_as_the_same_person(engine: Engine) -> None:
    import_bytes(engine, FakeClock(NOW), ACCENTED)
    with session_scope(engine) as session:
        assert count_rows(session, Person) == 3
        match = records.match_person("Pia Kauma", session=session)
    assert match.exact is not None and match.exact.name == "Pia Kauma"
    assert match.candidates == ()


async def test_add_offers_one_pia_kauma_after_importing_two_spellings(
    sqlite_engine: Engine,
) -> None:
    clock = FakeClock(NOW)
    import_bytes(sqlite_engine, clock, ACCENTED)
    async with running_bot(sqlite_engine, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(chat, ann, "/add")
        await bot.say(chat, ann, (NOW.date() - dt.timedelta(days=1)).isoformat())
        await bot.say(chat, ann, "Pia Kauma, President, OSCE PA, Finland")
        reply = str(bot.last_reply(ADMIN).params["text"])
    assert reply.startswith("Added Pia Kauma, President"), reply
    assert "on record as Pia Kauma" in reply
    assert not bot.errors


def test_name_key_folds_what_does_not_make_another_person() -> None:
    same = ["Pia Kauma", "Pia Kaumá", "  PIA  kauma ", "Pia-Kauma", "pia.kauma"]
    assert {name_key(n) for n in same} == {"pia kauma"}
    assert name_key("Али Нагиев") == name_key("Ali Nagiev")
    assert name_key("O’Brien") == name_key("OBrien")
    assert name_key("Pia Kaumann") != name_key("Pia Kauma")
