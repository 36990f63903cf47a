"""Typed access to the bot's shared dependencies from handlers and jobs.

Handlers are declared with `context: BotContext` and read `context.deps.engine`,
`context.deps.clock` and `context.deps.settings`; `await context.in_session(fn)` runs
`fn(session)` in a worker thread inside one short session (committed on success), so database
work and CPU-heavy matching never block the event loop that also sends digests;
`context.reading(fn)` does the same for read-only work (questions) and tries once more after a
dropped connection; run_idempotent_write does the same for a write that may be repeated, again
after a transient database error. `deps.worker.run(fn, ...)` runs fn in a child process instead
(ProcessWorker): for a big import, whose seconds of Python work would hold this process's
interpreter lock and keep the answers waiting.

Hooks for feature modules (see bot/tg/app.py): `deps.startup_hooks` run in post_init after the
command list is registered (the digest schedules its jobs there), and `deps.membership_hooks` run
whenever the bot is added to or removed from a chat (a removed bot can deactivate a subscription).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import multiprocessing
from collections.abc import Awaitable, Callable, Hashable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.drafts.fetch import Fetcher
from bot.tg.commands import BotCommandInfo
from storage.db import is_transient_db_error, session_scope, shared_url

if TYPE_CHECKING:
    from telegram.ext import BaseHandler

T = TypeVar("T")
P = ParamSpec("P")

logger = logging.getLogger(__name__)

DEPS_KEY = "meetbot.deps"


@dataclass(frozen=True, slots=True)
class MembershipChange:
    """The bot's own membership in a chat changed (a my_chat_member update)."""

    chat_id: int
    chat_type: str
    chat_title: str | None
    old_status: str
    new_status: str
    by_user_id: int | None
    at: dt.datetime

    @property
    def added(self) -> bool:
        """True when the bot can now read or post in the chat and could not before."""
        return self.new_status in _PRESENT and self.old_status not in _PRESENT

    @property
    def removed(self) -> bool:
        """True when the bot was kicked, left, or was blocked in a private chat."""
        return self.new_status not in _PRESENT and self.old_status in _PRESENT


_PRESENT = frozenset({"member", "administrator", "creator", "restricted"})

StartupHook = Callable[["Application[Any, Any, Any, Any, Any, Any]"], Awaitable[None]]
MembershipHook = Callable[[MembershipChange, "BotContext"], Awaitable[None]]


# An /import of more bytes than this runs in the child process (Deps.worker); a smaller one, an
# /add with YAML for one, in a thread like any change. 256 KB is about 400 meetings, a fraction
# of a second of work: below that, starting a process costs more than it saves.
PROCESS_IMPORT_BYTES = 256 * 1024


class ProcessWorker:
    """One child process for CPU-heavy work, started on first use and stopped with the bot.

    A 10,000-meeting import is seconds of pure Python: in a thread it holds this process's
    interpreter lock, and the event loop and the answering threads wait for it. In a child
    process it has an interpreter of its own. The child is started with "spawn" (a fresh
    interpreter: no copy of this process's threads, event loop or database connections), so fn,
    its arguments and its result cross as pickles: plain values, never sessions or Telegram
    objects. One child at a time (catalog writers take turns anyway); it stays for the next.
    """

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """fn(*args, **kwargs) in the child process; its exception is raised here."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
        pool = self._pool
        try:
            return await asyncio.get_running_loop().run_in_executor(
                pool, functools.partial(fn, *args, **kwargs)
            )
        except BrokenProcessPool:
            # The child died (killed, out of memory): the next run starts a new one.
            if self._pool is pool:
                self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise

    @property
    def started(self) -> bool:
        """Whether the child process pool has been started (and not shut down)."""
        return self._pool is not None

    async def shutdown(self) -> None:
        """Stop the child, after the work it is doing (an import commits or rolls back)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)


@dataclass(slots=True)
class Deps:
    """What every handler may use; built once by build_application."""

    settings: Settings
    engine: Engine
    clock: Clock
    commands: tuple[BotCommandInfo, ...] = ()
    # Fetches the links admins send to /draft: public addresses only (tests put in one that
    # also reaches their own server on 127.0.0.1).
    fetcher: Fetcher = field(default_factory=Fetcher)
    startup_hooks: list[StartupHook] = field(default_factory=list)
    membership_hooks: list[MembershipHook] = field(default_factory=list)
    # Imports bigger than this many bytes run in worker, the child process (tests lower it).
    process_import_bytes: int = PROCESS_IMPORT_BYTES
    worker: ProcessWorker = field(default_factory=ProcessWorker)
    # Small writes made after the reply (the answers remembered for buttons and follow-ups).
    write_behind: WriteBehind = field(init=False)

    def __post_init__(self) -> None:
        self.write_behind = WriteBehind(self.engine)

    def today(self) -> dt.date:
        """Today's date in DEFAULT_TIMEZONE, read from the injected clock."""
        return self.clock.now().astimezone(self.settings.default_zone).date()

    def worker_database_url(self) -> str | None:
        """The URL the child process opens the database with; None for an in-memory one."""
        return shared_url(self.engine)

    def is_bootstrap_admin(self, user_id: int | None) -> bool:
        """True for the user ids in ADMIN_IDS (granted admins live in the database)."""
        return user_id is not None and user_id in self.settings.admin_ids


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The callback context of meetbot's handlers: the usual context plus typed deps."""

    @property
    def deps(self) -> Deps:
        """The shared dependencies stored by build_application."""
        deps = self.bot_data.get(DEPS_KEY)
        if not isinstance(deps, Deps):
            raise RuntimeError("build_application did not store the dependencies")
        return deps

    async def in_session(self, work: Callable[[Session], T]) -> T:
        """Run work(session) in a worker thread within one short, committed session."""
        return await run_in_session(self.deps.engine, work)

    async def reading(self, work: Callable[[Session], T]) -> T:
        """Run read-only work like in_session, once more after a dropped connection."""
        return await run_read_only(self.deps.engine, work)


async def run_in_session(engine: Engine, work: Callable[[Session], T]) -> T:
    """Run work(session) in a worker thread within one short session on engine."""

    def unit() -> T:
        with session_scope(engine) as session:
            return work(session)

    return await asyncio.to_thread(unit)


async def run_read_only(engine: Engine, work: Callable[[Session], T]) -> T:
    """Run work(session), which only reads, like run_in_session; once more after a drop.

    A failover or a killed backend breaks the connection a question is using (pool_pre_ping
    checks it only when it is taken from the pool); the read is repeated once on a new one
    (storage.db.is_transient_db_error), so the user gets the answer, not an apology. Work
    that writes must not come here: its commit may have happened.
    """
    try:
        return await run_in_session(engine, work)
    except Exception as exc:
        if not is_transient_db_error(exc):
            raise
        logger.warning("A database read failed (%s); trying once more", type(exc).__name__)
    return await run_in_session(engine, work)


async def run_idempotent_write(
    engine: Engine,
    work: Callable[[Session], T],
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    backoff: float = 0.2,
    backoff_cap: float = 10.0,
    patience: float = 120.0,
    on_retry: Callable[[BaseException, float], None] | None = None,
) -> T:
    """Run an idempotent write like run_in_session; after a transient database error, again.

    A dropped connection or a busy SQLite (storage.db.is_transient_db_error) is retried after
    backoff seconds, doubling up to backoff_cap, until patience seconds of waiting have passed;
    then, and on any other error, the error is raised. on_retry(error, wait) is told of each
    retry. work must be safe to repeat: its commit may have succeeded before the error.
    """
    delay, waited = backoff, 0.0
    while True:
        try:
            return await run_in_session(engine, work)
        except Exception as exc:
            if not is_transient_db_error(exc) or waited >= patience:
                raise
            if on_retry is not None:
                on_retry(exc, delay)
        await sleep(delay)
        waited += delay
        delay = min(delay * 2, backoff_cap)


class WriteBehind:
    """Small idempotent writes made after the reply, so that a busy database holds up no chat.

    put(key, work) queues work(session) and returns at once. One task writes what is queued,
    all of it in one transaction, and again after a transient error (run_idempotent_write): on
    SQLite an import's transaction holds the one write lock for its writes, and a write per
    answer, waited for in the answer's chat, kept that chat's next question waiting as long.
    One task, not a thread per write: the threads that answer are not spent waiting for the
    lock. settle(key) returns once the write queued under key has landed or failed, so a
    reader of that row (a button, a follow-up) waits for it; close() writes what is left (the
    bot's post_shutdown). A write that fails for good is logged and lost, as are the writes
    still queued when the process is killed: they are extras, the reply was already sent.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._queued: dict[Hashable, tuple[Callable[[Session], object], asyncio.Future[None]]] = {}
        self._writing: dict[Hashable, asyncio.Future[None]] = {}
        self._task: asyncio.Task[None] | None = None

    def put(self, key: Hashable, work: Callable[[Session], object]) -> None:
        """Queue work(session), which must be safe to repeat, as the write of key."""
        queued = self._queued.get(key)
        landed = queued[1] if queued else asyncio.get_running_loop().create_future()
        self._queued[key] = (work, landed)  # a newer write of key replaces a queued one
        if self._task is None:
            self._task = asyncio.create_task(self._write_queued())

    async def settle(self, key: Hashable) -> None:
        """Return once the writes of key queued so far have landed or failed."""
        queued = self._queued.get(key)
        for landed in (self._writing.get(key), queued[1] if queued else None):
            if landed is not None:
                await asyncio.shield(landed)  # a cancelled reader must not cancel the write

    async def close(self) -> None:
        """Write what is queued; return when it is written or failed."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def _write_queued(self) -> None:
        batch: dict[Hashable, tuple[Callable[[Session], object], asyncio.Future[None]]] = {}
        try:
            while self._queued:
                batch, self._queued = self._queued, {}
                self._writing = {key: landed for key, (_, landed) in batch.items()}
                works = [work for work, _ in batch.values()]
                try:
                    await run_idempotent_write(
                        self._engine,
                        functools.partial(_run_each, works),
                        on_retry=_log_write_retry,
                    )
                except Exception as exc:
                    logger.warning("Cannot write %d row(s) after replies: %s", len(works), exc)
                self._settle(batch)
        finally:
            # Cancelled (the loop is closing): nobody may wait for what will not be written.
            self._settle(batch)
            self._settle(self._queued)
            self._writing, self._task = {}, None

    @staticmethod
    def _settle(
        entries: dict[Hashable, tuple[Callable[[Session], object], asyncio.Future[None]]],
    ) -> None:
        for _, landed in entries.values():
            if not landed.done():
                landed.set_result(None)


def _run_each(works: list[Callable[[Session], object]], session: Session) -> None:
    for work in works:
        work(session)


def _log_write_retry(error: BaseException, wait: float) -> None:
    logger.info("A write after replies met %s; again in %.1f s", type(error).__name__, wait)


CONTEXT_TYPES = ContextTypes(context=BotContext)


def deps_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Deps:
    """The Deps of an application, for post_init hooks and jobs outside a handler."""
    deps = application.bot_data.get(DEPS_KEY)
    if not isinstance(deps, Deps):
        raise RuntimeError("build_application did not store the dependencies")
    return deps


# What a feature module's handlers() returns.
HandlerList = list["BaseHandler[Any, BotContext, Any]"]
