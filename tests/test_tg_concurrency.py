"""Many people at once: a slow update in one chat never delays another chat; one chat in order.

The Application runs for real (app.start(): the update fetcher and the update processor), and
updates go in through its update_queue, as polling or a webhook would put them. An admin's
/import is held inside its database write (a cursor hook waits for the test) so that it is
slow for as long as the test wants, without timing anything.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from fake_bot_api import ApiCall, text_entities
from sqlalchemy import Engine, event
from telegram import Update
from tg_support import BotHarness

from bot.core.clock import FakeClock
from bot.core.seeds import load_seeds_if_empty
from storage.db import session_scope

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
