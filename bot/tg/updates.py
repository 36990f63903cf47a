"""Updates processed concurrently, those of one chat one after another.

PTB processes one update at a time by default, so one slow update (an admin's /import of a big
file) makes every other user wait. PerChatUpdateProcessor lets up to max_concurrent updates run
at once, but holds an asyncio.Lock per chat (per user for an inline query, which has no chat),
so two updates of one chat never interleave: a conversation's messages and the /add form's
steps (bot/tg/admin/registration.py reads the form row for each update) are handled in the
order they came. The locks live in a WeakValueDictionary: a chat's lock exists only while one
of its updates waits or runs.

The heavy work itself (matching, imports, exports) already runs in worker threads
(BotContext.in_session, one session per thread), so the event loop stays free to answer.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Updates running at once, all chats together; one chat's updates queue behind its lock.
MAX_CONCURRENT_UPDATES = 64


def ordering_key(update: object) -> tuple[str, int] | None:
    """The key whose updates must run in order: the chat, else the user, else none."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Runs updates concurrently, one chat's (or user's) updates one after another."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: weakref.WeakValueDictionary[tuple[str, int], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await coroutine, after the updates of the same chat that came before it."""
        key = ordering_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        async with lock:  # asyncio.Lock wakes its waiters in the order they came
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
