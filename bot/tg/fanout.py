"""Send the due digests to many chats within Telegram's limits, once per chat and local date.

A DigestSender takes the due digests from the Subscription table (bot/core/deliveries.py),
and a pool of workers delivers them one chat at a time: wait until the rate limiter would let
the chat's first part go within a second (SendLimiter.reserve_claim), claim the DigestDelivery
row, build and render the digest, send its parts, mark it sent. A worker holds its claim only
while it sends: a heartbeat renews the one-minute lease every quarter lease while a part is on
its way or a RetryAfter is waited out, and dies with the worker, so a crashed replica's claims
(a few chats, never the whole queue) free up within a minute for another replica or the
restarted one (which has a new worker id). The claim is what makes a digest go out once
across restarts and replicas (bot/core/deliveries.py holds the claim rule, storage/deliveries.py
explains the lease); the limiter (bot/tg/limiter.py) keeps the bot inside Telegram's limits:

- about 30 messages a second overall: sends are spaced evenly at `rate` a second (28 by
  default, a margin for the jitter between our clock and Telegram's), never in bursts, and
  the rate backs off after a RetryAfter (other senders share the bot's budget);
- one message a second in a chat, one every 3 s (20 a minute) in a group or channel;
- RetryAfter holds back only the chat it was about; every other chat goes on.

Forbidden (the bot was blocked or removed) deactivates the subscription with the reason;
ChatMigrated (a group became a supergroup) moves the subscription to the new chat id and sends
there; a network error is retried with backoff, then the delivery is marked failed and a later
tick retries it as the claim rule allows. Nothing is dropped silently: every outcome is logged
and kept on the row.

A send whose outcome is unknown is never repeated: when the request may have reached Telegram
and only the answer was lost (a read or write timeout, a connection dropped mid-request), the
part is recorded as sent with UNKNOWN_MESSAGE_ID and the digest goes on with the next part, so
that part goes out at most once. Only a failure before the request left (a connect or pool
timeout, a refused connection) or an error answer from Telegram is retried (send_outcome_unknown
tells them apart).

The writes after a send (the part sent, the digest sent, the failure) are idempotent and are
retried on a transient database error (a dropped connection, a busy SQLite) with a doubling
back-off for up to write_patience seconds, so a short database outage after a send does not
leave the row claimed until the lease runs out and the part goes again.

Time comes from the injected clock (database timestamps) and from the `monotonic` and `sleep`
callables (spacing and waits), so tests run the whole fan-out in virtual time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import random
import secrets
import socket
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import httpx
from sqlalchemy import Engine
from sqlmodel import Session
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.core.clock import Clock
from bot.core.deliveries import (
    DEFAULT_LEASE,
    UNKNOWN_MESSAGE_ID,
    Claim,
    DueDigest,
    Refusal,
    claim_digest,
    fail_delivery,
    find_due_digests,
    finish_delivery,
    move_subscription,
    record_progress,
    renew_claim,
    stop_subscription,
)
from bot.core.digest import build_digest
from bot.tg.context import run_idempotent_write, run_in_session
from bot.tg.digest import render_digest
from bot.tg.limiter import SendLimiter, Sleep, retry_after_seconds
from bot.tg.render import NO_PREVIEW

logger = logging.getLogger(__name__)

Spawn = Callable[[Coroutine[Any, Any, None]], "asyncio.Task[None]"]
T = TypeVar("T")

GROUP_TYPES = frozenset({"group", "supergroup", "channel"})

# A write after a send is retried for this long: longer than a PostgreSQL failover and than
# the longest a big import holds SQLite's write lock (an import validates and resolves before
# it takes the lock). The heartbeat's renewals wait as long, so a database that is away for
# less than the lease never lets another replica take a live claim; one away for longer may
# (the one part then sent twice is the lease's trade-off, storage/deliveries.py).
WRITE_PATIENCE = 120.0
WRITE_BACKOFF = 0.2
WRITE_BACKOFF_CAP = 10.0


def new_worker_id() -> str:
    """Return an id for this sender, unique across hosts, processes and restarts."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


# httpx failures that happen before a request leaves this host: Telegram never saw it.
_NOT_SENT = (
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ConnectError,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
)


def send_outcome_unknown(exc: NetworkError) -> bool:
    """Tell whether a failed send may still have been delivered (only its answer was lost).

    PTB raises TimedOut for every httpx timeout; the cause tells a connect or pool timeout (the
    request never left) from a read or write timeout (Telegram may have it). A transport error
    mid-request (connection reset, server disconnected) is unknown too. A NetworkError without
    an httpx cause is Telegram's own error answer (502 and the like): nothing was delivered.
    """
    cause = exc.__cause__
    if isinstance(cause, _NOT_SENT):
        return False
    return isinstance(exc, TimedOut) or isinstance(cause, httpx.TransportError)


@dataclass(slots=True)
class FanoutStats:
    """Counts of what the sender did, for logs, tests and the bench."""

    chats_sent: int = 0
    messages_sent: int = 0
    empty_days: int = 0
    failed: int = 0
    deactivated: int = 0
    migrated: int = 0
    retry_after: int = 0
    network_retries: int = 0
    write_retries: int = 0
    # Parts whose send timed out after it may have reached Telegram: recorded, never resent.
    uncertain: int = 0
    claimed_elsewhere: int = 0
    lost_claims: int = 0
    # The latest errors only: a bot runs for months.
    errors: deque[str] = field(default_factory=lambda: deque(maxlen=100))


@dataclass(slots=True)
class _Claimed:
    """A claimed digest, ready to send: where, how, the parts and those already sent."""

    delivery_id: int
    subscription_id: int
    chat_id: int
    group: bool
    silent: bool
    parts: list[str]
    sent_ids: list[int]


class _Abort(Exception):
    """Stop delivering this digest; the row is marked failed (and the subscription maybe off)."""

    def __init__(self, error: str, *, deactivate: bool = False, expected: bool = False) -> None:
        super().__init__(error)
        self.error = error
        self.deactivate = deactivate
        # A shutdown is no error: the digest simply continues after the restart.
        self.expected = expected


class _LostClaim(Exception):
    """Another replica took the delivery over (our lease expired); stop without writing."""


class DigestSender:
    """Delivers due digests through bot with a pool of workers; see the module docstring."""

    def __init__(
        self,
        bot: Bot,
        *,
        engine: Engine,
        clock: Clock,
        worker_id: str | None = None,
        limiter: SendLimiter | None = None,
        sleep: Sleep = asyncio.sleep,
        workers: int = 32,
        lease: dt.timedelta = DEFAULT_LEASE,
        network_attempts: int = 4,
        backoff: float = 1.0,
        max_retry_wait: float = 120.0,
        write_backoff: float = WRITE_BACKOFF,
        write_patience: float = WRITE_PATIENCE,
        should_stop: Callable[[], bool] = lambda: False,
        spawn: Spawn | None = None,
    ) -> None:
        self.bot = bot
        self.engine = engine
        self.clock = clock
        self.worker_id = worker_id or new_worker_id()
        self.limiter = limiter or SendLimiter(sleep=sleep)
        self.stats = FanoutStats()
        self._sleep = sleep
        self._max_workers = workers
        self._lease = lease
        self._network_attempts = network_attempts
        self._backoff = backoff
        # A wait longer than this gives the claim back for a later tick rather than holding it.
        self._max_retry_wait = max_retry_wait
        self._write_backoff = write_backoff
        self._write_patience = write_patience
        self._should_stop = should_stop
        self._spawn: Spawn = spawn or asyncio.create_task
        self._queue: asyncio.Queue[DueDigest] = asyncio.Queue()
        self._pending: set[tuple[int, dt.date]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._rendered: dict[tuple[object, ...], list[str]] = {}

    # -- scheduling ------------------------------------------------------------------------

    async def tick(self) -> int:
        """Queue the digests due now that are not queued yet; return how many were added.

        Returns at once: workers send in the background (drain() waits for them).
        """
        if self._should_stop():
            return 0
        now = self.clock.now()
        due = await run_in_session(
            self.engine,
            lambda session: find_due_digests(session=session, now=now, lease=self._lease),
        )
        if not self._pending:
            self._rendered.clear()
        # Replicas that tick together would all start with the same chat; shuffling spreads
        # them over different chats, while the earliest send times still go first.
        random.shuffle(due)
        due.sort(key=lambda d: d.cutoff)
        added = 0
        for item in due:
            key = (item.subscription_id, item.digest_date)
            if key in self._pending:
                continue
            self._pending.add(key)
            self._queue.put_nowait(item)
            added += 1
        while len(self._tasks) < min(self._max_workers, self._queue.qsize()):
            task = self._spawn(self._work())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return added

    async def drain(self) -> None:
        """Wait until the workers have handled every queued digest (or stopped)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def send_due(self) -> FanoutStats:
        """Queue the due digests and wait until they are handled; return the running stats."""
        await self.tick()
        await self.drain()
        return self.stats

    async def _work(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            try:
                # Once the application stops, queued digests stay unclaimed for the next start.
                if not self._should_stop():
                    await self._deliver(item)
            except Exception as exc:  # a bug in one delivery must not stop the others
                logger.exception("Digest for subscription %s failed", item.subscription_id)
                self.stats.errors.append(f"{type(exc).__name__}: {exc}")
            finally:
                self._pending.discard((item.subscription_id, item.digest_date))
                self._queue.task_done()

    # -- one chat --------------------------------------------------------------------------

    async def _deliver(self, item: DueDigest) -> None:
        # Claim only what is about to be sent: once the chat may receive and the overall rate
        # reaches it within a second. A backlog waits unclaimed, so a crash strands nothing.
        if not await self._wait_for_chat(item.chat_id):
            return
        await self.limiter.reserve_claim(item.chat_id)
        try:
            if self._should_stop():
                return  # stopped while waiting: the digest stays unclaimed for the next start
            now = self.clock.now()
            claimed = await run_in_session(
                self.engine, lambda session: self._claim(session, item, now)
            )
        finally:
            self.limiter.release_claim()
        if claimed is Refusal.ELSEWHERE:
            self.stats.claimed_elsewhere += 1
        elif claimed is None:
            self.stats.empty_days += 1
        if not isinstance(claimed, _Claimed):
            return
        heartbeat = asyncio.create_task(self._heartbeat(claimed))
        try:
            for index in range(len(claimed.sent_ids), len(claimed.parts)):
                message_id = await self._send_part(claimed, claimed.parts[index])
                claimed.sent_ids.append(message_id)
                if message_id != UNKNOWN_MESSAGE_ID:
                    self.stats.messages_sent += 1
                if index + 1 < len(claimed.parts):
                    await self._write(self._progress, claimed)
            await self._write(self._sent, claimed, item.cutoff)
            self.stats.chats_sent += 1
            logger.info(
                "Digest %s sent to chat %s in %d message(s)",
                item.digest_date,
                claimed.chat_id,
                len(claimed.sent_ids),
            )
        except _LostClaim:
            self.stats.lost_claims += 1
            logger.warning(
                "Digest %s for chat %s was taken over by another replica after our lease ran "
                "out; stopped sending",
                item.digest_date,
                claimed.chat_id,
            )
        except _Abort as abort:
            await self._retrying(partial(self._fail, claimed=claimed, abort=abort))
            self._log_failure(claimed, abort)
        finally:
            # Also when this task is cancelled (a crash): the claim then simply ages out.
            heartbeat.cancel()
            await asyncio.wait({heartbeat})

    async def _wait_for_chat(self, chat_id: int) -> bool:
        """Wait out a chat held back by RetryAfter, a second at a time; False on shutdown."""
        while (hold := self.limiter.chat_wait(chat_id)) > 0 and not self._should_stop():
            await self._sleep(min(hold, 1.0))
        return not self._should_stop()

    async def _heartbeat(self, claimed: _Claimed) -> None:
        """Renew the claim every quarter lease while a part is on its way or a wait runs."""
        interval = self._lease.total_seconds() / 4
        while True:
            await self._sleep(interval)
            try:
                if not await self._write(self._renew, claimed):
                    return  # lost: the next write after a send stops the delivery
            except Exception:
                logger.exception("Renewing the claim of chat %s failed", claimed.chat_id)

    def _claim(
        self, session: Session, item: DueDigest, now: dt.datetime
    ) -> _Claimed | Refusal | None:
        """Claim the digest and render it (None: an empty day, done without a message).

        Runs in a worker thread, so it only returns values.
        """
        claim = claim_digest(
            item, session=session, worker=self.worker_id, now=now, lease=self._lease
        )
        if isinstance(claim, Refusal):
            return claim
        parts = self._parts(session, claim, item)
        if not parts:
            # An empty day without a note: nothing to send, but the day is done.
            finish_delivery(
                session=session,
                delivery_id=claim.delivery_id,
                worker=self.worker_id,
                message_ids=[],
                now=now,
                covered_until=item.cutoff,
            )
            return None
        return _Claimed(
            delivery_id=claim.delivery_id,
            subscription_id=item.subscription_id,
            chat_id=claim.chat_id,
            group=claim.chat_type in GROUP_TYPES,
            silent=claim.silent,
            parts=parts,
            sent_ids=list(claim.message_ids),
        )

    def _parts(self, session: Session, claim: Claim, item: DueDigest) -> list[str]:
        """Render the claimed digest, once for every chat with the same window and options."""
        key = (claim.covered_until, item.cutoff, item.digest_date, claim.empty_day_note)
        parts = self._rendered.get(key)
        if parts is None:
            digest = build_digest(
                session=session,
                since=claim.covered_until,
                until=item.cutoff,
                digest_date=item.digest_date,
            )
            parts = render_digest(digest, empty_day_note=claim.empty_day_note)
            self._rendered[key] = parts
        return parts

    async def _send_part(self, claimed: _Claimed, text: str) -> int:
        network_failures = 0
        while True:
            # A chat held back by RetryAfter is waited out a second at a time, so a shutdown
            # never waits for it.
            if not await self._wait_for_chat(claimed.chat_id):
                raise _Abort("Interrupted by shutdown; a later run sends the rest.", expected=True)
            await self.limiter.wait_turn(claimed.chat_id, group=claimed.group)
            try:
                message = await self.bot.send_message(
                    claimed.chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    disable_notification=claimed.silent,
                    link_preview_options=NO_PREVIEW,
                )
                self.limiter.sent()
                return message.message_id
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                self.stats.retry_after += 1
                if wait > self._max_retry_wait:
                    raise _Abort(f"Flood control asked to wait {wait:.0f} s.") from exc
                logger.info("Chat %s: flood control, waiting %.1f s", claimed.chat_id, wait)
                self.limiter.hold_chat(claimed.chat_id, wait)
            except ChatMigrated as exc:
                old = claimed.chat_id
                moved = await self._write(self._move, claimed, exc.new_chat_id)
                if not moved:
                    raise _Abort(
                        f"The group moved to chat {exc.new_chat_id}, which has its own "
                        "subscription."
                    ) from exc
                self.stats.migrated += 1
                logger.info("Chat %s became %s; subscription moved", old, exc.new_chat_id)
            except Forbidden as exc:
                raise _Abort(f"Telegram refused: {exc.message}", deactivate=True) from exc
            except BadRequest as exc:
                gone = "chat not found" in exc.message.lower()
                raise _Abort(f"Telegram refused: {exc.message}", deactivate=gone) from exc
            except NetworkError as exc:
                if send_outcome_unknown(exc):
                    self.stats.uncertain += 1
                    logger.warning(
                        "Chat %s: a digest part may or may not have been delivered (%s: %s); "
                        "recorded as sent and not sent again",
                        claimed.chat_id,
                        type(exc).__name__,
                        exc.message,
                    )
                    return UNKNOWN_MESSAGE_ID
                network_failures += 1
                if network_failures >= self._network_attempts:
                    raise _Abort(f"Network error: {exc.message}") from exc
                self.stats.network_retries += 1
                await self._sleep(self._backoff * 2 ** (network_failures - 1))
            except TelegramError as exc:
                raise _Abort(f"Telegram error: {exc.message}") from exc

    # -- database writes (in a worker thread) ---------------------------------------------

    async def _write(self, write: Callable[..., bool], claimed: _Claimed, *args: Any) -> bool:
        return await self._retrying(lambda session: write(session, claimed, *args))

    async def _retrying(self, work: Callable[[Session], T]) -> T:
        """Run an idempotent write; after a transient database error, again with back-off.

        After write_patience seconds of waiting the error is raised, and the row keeps its
        claim until the lease ends.
        """
        return await run_idempotent_write(
            self.engine,
            work,
            sleep=self._sleep,
            backoff=self._write_backoff,
            backoff_cap=WRITE_BACKOFF_CAP,
            patience=self._write_patience,
            on_retry=self._write_failed,
        )

    def _write_failed(self, exc: BaseException, wait: float) -> None:
        self.stats.write_retries += 1
        cause = str(getattr(exc, "orig", None) or exc).strip()
        logger.warning(
            "Digest bookkeeping write failed (%s); trying again in %.1f s",
            cause.splitlines()[0] if cause else type(exc).__name__,
            wait,
        )

    def _progress(self, session: Session, claimed: _Claimed) -> bool:
        if not record_progress(
            session=session,
            delivery_id=claimed.delivery_id,
            worker=self.worker_id,
            message_ids=claimed.sent_ids,
            now=self.clock.now(),
        ):
            raise _LostClaim
        return True

    def _renew(self, session: Session, claimed: _Claimed) -> bool:
        return renew_claim(
            session=session,
            delivery_id=claimed.delivery_id,
            worker=self.worker_id,
            now=self.clock.now(),
        )

    def _sent(self, session: Session, claimed: _Claimed, cutoff: dt.datetime) -> bool:
        if not finish_delivery(
            session=session,
            delivery_id=claimed.delivery_id,
            worker=self.worker_id,
            message_ids=claimed.sent_ids,
            now=self.clock.now(),
            covered_until=cutoff,
        ):
            raise _LostClaim
        return True

    def _move(self, session: Session, claimed: _Claimed, new_chat_id: int) -> bool:
        moved = move_subscription(
            session=session,
            subscription_id=claimed.subscription_id,
            new_chat_id=new_chat_id,
            now=self.clock.now(),
        )
        if moved:
            claimed.chat_id = new_chat_id
        return moved

    def _fail(self, session: Session, *, claimed: _Claimed, abort: _Abort) -> None:
        now = self.clock.now()
        if abort.deactivate:
            stop_subscription(
                session=session,
                subscription_id=claimed.subscription_id,
                reason=abort.error,
                now=now,
            )
        fail_delivery(
            session=session,
            delivery_id=claimed.delivery_id,
            worker=self.worker_id,
            error=abort.error,
            now=now,
            message_ids=claimed.sent_ids,
        )

    def _log_failure(self, claimed: _Claimed, abort: _Abort) -> None:
        if abort.deactivate:
            self.stats.deactivated += 1
        self.stats.failed += 1
        self.stats.errors.append(abort.error)
        log = logger.warning if abort.deactivate else logger.error
        if abort.expected:
            log = logger.info
        log(
            "Digest for chat %s not delivered%s: %s",
            claimed.chat_id,
            " (subscription deactivated)" if abort.deactivate else "; a later tick retries it",
            abort.error,
        )
