"""Many people at once: a slow update in one chat never delays another chat; one chat in order.

The Application runs for real (app.start(): the update fetcher and the update processor), and
updates go in through its update_queue, as polling or a webhook would put them. An admin's
/import is held inside its database write (a cursor hook waits for the test) so that it is
slow for as long as the test wants, without timing anything.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import threading
from collections.abc import Hashable
from typing import Any

import pytest
from fake_bot_api import ApiCall, telegram_html_to_text, text_entities
from sqlalchemy import Engine, event
from sqlmodel import select
from telegram import Update
from tg_support import BotHarness

from bot.core.clock import FakeClock
from bot.core.seeds import load_seeds_if_empty
from bot.tg.context import WriteBehind, deps_of
from storage.db import session_scope
from storage.models import SentAnswer

JSON = dict[str, Any]
ADMIN = 42
QUESTION = "who met the OSCE PA president?"
NEW_MEETING = (
    b"meetings:\n  - date: 2024-01-10\n    source: https://example.org/x\n"
    b"    participants: [{name: Ann Slow}, {name: Bob Slow}]\n"
)


@pytest.fixture
def seeded(sqlite_engine: Engine, clock: FakeClock) -> Engine:
    with session_scope(sqlite_engine) as session:
        load_seeds_if_empty(session=session, clock=clock)
    return sqlite_engine


def _document_update(bot: BotHarness, user: JSON, data: bytes, caption: str) -> JSON:
    chat = bot.api.private_chat(user)
    file_id = f"upload{len(bot.api.files) + 1}"
    bot.api.add_file(file_id, data, file_path="documents/slow.yaml")
    message: JSON = {
        "message_id": bot.api.next_message_id(chat["id"]),
        "date": 1_700_000_000,
        "chat": chat,
        "from": user,
        "document": {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": "slow.yaml",
            "file_size": len(data),
        },
        "caption": caption,
        "caption_entities": text_entities(caption),
    }
    bot.api.messages[(chat["id"], message["message_id"])] = message
    return {"message": message}


async def _put(bot: BotHarness, update: JSON) -> None:
    await bot.app.update_queue.put(Update.de_json(bot.api.with_update_id(update), bot.app.bot))


async def _until(condition: Any, timeout: float = 10.0) -> bool:
    """Poll condition until it holds (True) or timeout real seconds pass (False)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


def _texts(calls: list[ApiCall]) -> list[str]:
    return [str(c.params["text"]) for c in calls]


async def test_a_slow_import_delays_no_other_chat_and_one_chat_stays_in_order(
    seeded: Engine, clock: FakeClock
) -> None:
    importing, release = threading.Event(), threading.Event()

    def hold_the_import(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # The import's first write to the meeting table waits until the test says so.
        if statement.lstrip().upper().startswith("INSERT INTO MEETING ") and not release.is_set():
            importing.set()
            release.wait(timeout=30)

    event.listen(seeded, "before_cursor_execute", hold_the_import)
    try:
        async with BotHarness(seeded, clock=clock, admin_ids=(ADMIN,)) as bot:
            admin = bot.api.add_user(ADMIN, "Admin")
            ann = bot.api.add_user(1001, "Ann")
            await bot.app.start()
            try:
                await _put(bot, _document_update(bot, admin, NEW_MEETING, "/import"))
                assert await _until(importing.is_set)
                # The admin asks a question in the same chat while the import runs.
                await _put(
                    bot, bot.api.message_update(bot.api.private_chat(admin), admin, QUESTION)
                )
                # Another user in another chat is answered while the import still runs.
                await _put(bot, bot.api.message_update(bot.api.private_chat(ann), ann, QUESTION))
                answered = await _until(lambda: bool(bot.replies(ann["id"])))
                admin_replies_meanwhile = len(bot.replies(ADMIN))
                release.set()
                assert answered, "Ann waited for the admin's import"
                assert admin_replies_meanwhile == 0
                assert await _until(lambda: len(bot.replies(ADMIN)) >= 2)
            finally:
                release.set()
                await bot.app.stop()
    finally:
        event.remove(seeded, "before_cursor_execute", hold_the_import)
    assert "Ali Naghiyev" in _texts(bot.replies(ann["id"]))[0]
    # The admin's chat is answered in the order it wrote: the import, then the question.
    first, second = _texts(bot.replies(ADMIN))[:2]
    assert "Imported" in first or "added" in first, first
    assert "Ali Naghiyev" in second
    assert bot.errors == []


class _SeenWriteBehind(WriteBehind):
    """The real WriteBehind, telling the test which rows readers have started waiting for."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.awaited: list[Hashable] = []

    async def settle(self, key: Hashable) -> None:
        self.awaited.append(key)
        await super().settle(key)


def _answer_rows(engine: Engine) -> set[tuple[int, int]]:
    with session_scope(engine) as session:
        return {(r.chat_id, r.message_id) for r in session.exec(select(SentAnswer)).all()}


async def test_answers_go_on_while_another_connection_holds_the_write_lock(
    seeded: Engine, clock: FakeClock
) -> None:
    # Another connection (an import in another process, say) holds SQLite's one write lock.
    assert seeded.url.database
    holder = sqlite3.connect(seeded.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        async with BotHarness(seeded, clock=clock) as bot:
            deps = deps_of(bot.app)
            seen = deps.write_behind = _SeenWriteBehind(seeded)
            ann = bot.api.add_user(1001, "Ann")
            chat = bot.api.private_chat(ann)
            await bot.app.start()
            try:
                await _put(bot, bot.api.message_update(chat, ann, "who met Kauma?"))
                assert await _until(lambda: len(bot.replies(ann["id"])) == 1)
                answer = bot.message_of(bot.replies(ann["id"])[0])
                # The chat's next question is answered while the first answer's row waits.
                await _put(bot, bot.api.message_update(chat, ann, QUESTION))
                assert await _until(lambda: len(bot.replies(ann["id"])) == 2)
                assert _answer_rows(seeded) == set()
                # A follow-up of the first answer waits for that answer's row...
                follow_up = "what did they discuss?"
                await _put(bot, bot.api.message_update(chat, ann, follow_up, reply_to=answer))
                key = (chat["id"], answer["message_id"])
                assert await _until(lambda: key in seen.awaited)
                assert len(bot.replies(ann["id"])) == 2
                holder.execute("ROLLBACK")
                # ...and is answered from it once the lock is free.
                assert await _until(lambda: len(bot.replies(ann["id"])) == 3)
            finally:
                await bot.app.stop()
        replies = [telegram_html_to_text(text) for text in _texts(bot.replies(ann["id"]))]
        assert "Ali Naghiyev and Pia Kauma discussed South Caucasus security" in replies[2]
        # Every answer's row was written (the last ones at the latest when the bot stopped).
        assert _answer_rows(seeded) == {
            (chat["id"], bot.message_of(call)["message_id"]) for call in bot.replies(ann["id"])
        }
        assert bot.errors == []
    finally:
        holder.close()


async def test_a_write_behind_that_fails_for_good_lets_its_readers_go_on(
    seeded: Engine, clock: FakeClock
) -> None:
    writes = WriteBehind(seeded)

    def broken(_session: Any) -> None:
        raise ValueError("not a database error: no retry")

    def kept(session: Any) -> None:
        expires = clock.now() + dt.timedelta(days=1)
        session.add(SentAnswer(chat_id=7, message_id=2, payload={}, expires_at=expires))

    writes.put((7, 1), broken)
    await writes.settle((7, 1))  # returns: the write failed, and nobody waits forever
    writes.put((7, 2), kept)
    await writes.close()  # what is queued is written before the bot stops
    assert _answer_rows(seeded) == {(7, 2)}
