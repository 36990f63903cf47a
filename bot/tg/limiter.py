"""Telegram's flood limits for a sender: the SendLimiter that spaces sends, and RetryAfter's wait.

Telegram allows a bot about 30 messages a second overall, one a second in a chat and 20 a
minute in a group or channel, and answers 429 with retry_after beyond them. The limiter keeps a
sender inside those limits in its own clock (`monotonic`, `sleep`), so tests run in virtual
time; bot/tg/fanout.py sends the digests through it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

Sleep = Callable[[float], Awaitable[None]]
logger = logging.getLogger(__name__)

# Two below Telegram's 30: a send scheduled on time can leave late when the machine is busy,
# and several late ones leave together; 28 leaves room for that jitter in any one-second window.
OVERALL_RATE = 28.0
CHAT_INTERVAL = 1.0
GROUP_INTERVAL = 3.0
# A sender claims a chat only when its first message would go out within this many seconds.
CLAIM_HORIZON = 1.0


def retry_after_seconds(exc: RetryAfter) -> float:
    """Return RetryAfter's wait in seconds, whichever type this PTB version reports."""
    with warnings.catch_warnings():
        # PTB 22 warns that retry_after will become a timedelta; both are handled.
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class SendLimiter:
    """Spaces sends: rate a second overall, and per chat one every chat/group interval.

    The overall rate adapts: a RetryAfter lowers it by a sixth (once a second at most), each
    message sent raises it by 0.05/s back up to rate. Telegram counts per bot, not per process,
    so when other senders share the budget (another replica fanning out, answers to users) the
    429s they cause slow this one down instead of repeating.
    """

    def __init__(
        self,
        *,
        rate: float | None = OVERALL_RATE,
        chat_interval: float = CHAT_INTERVAL,
        group_interval: float = GROUP_INTERVAL,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._max_rate = rate
        self._rate = rate
        self._chat_interval = chat_interval
        self._group_interval = group_interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_slot = 0.0
        self._slowed_at = -1e9
        self._chat_ready: dict[int, float] = {}
        self._claiming = 0

    @property
    def rate(self) -> float | None:
        """Return the current overall rate in messages a second (None: unlimited)."""
        return self._rate

    async def wait_turn(self, chat_id: int, *, group: bool) -> None:
        """Wait until chat_id may receive a message and a slot in the overall rate is free."""
        while True:
            now = self._monotonic()
            ready = self._chat_ready.get(chat_id, 0.0)
            if ready <= now:
                break
            await self._sleep(ready - now)
        # The overall slot is reserved only once the chat is ready, so no slot is held idle
        # while a chat waits out its own interval.
        slot = max(now, self._next_slot)
        self._next_slot = slot + (1.0 / self._rate if self._rate else 0.0)
        interval = self._group_interval if group else self._chat_interval
        self._chat_ready[chat_id] = slot + interval
        if len(self._chat_ready) > 10_000:
            self._chat_ready = {k: v for k, v in self._chat_ready.items() if v > now}
        if slot > now:
            await self._sleep(slot - now)

    async def reserve_claim(self, chat_id: int, *, horizon: float = CLAIM_HORIZON) -> None:
        """Wait until a first message to chat_id would go out within horizon seconds.

        The sender calls this before it claims a chat's digest, and release_claim() once the
        claim is taken or refused (right before wait_turn()), so the digests it holds claimed
        are the ones about to be sent, never a backlog that a crash would strand. Each caller
        between the two counts as one send already queued.
        """
        while True:
            now = self._monotonic()
            step = 1.0 / self._rate if self._rate else 0.0
            backlog = max(self._next_slot - now, 0.0) + self._claiming * step
            wait = max(self._chat_ready.get(chat_id, 0.0) - now, backlog - horizon)
            if wait <= 0:
                break
            await self._sleep(max(wait, step))
        self._claiming += 1

    def release_claim(self) -> None:
        """A reserve_claim() caller has claimed (or not): it no longer counts as queued."""
        self._claiming = max(0, self._claiming - 1)

    def chat_wait(self, chat_id: int) -> float:
        """Return how many seconds chat_id must still wait (0 when it may receive now)."""
        return max(0.0, self._chat_ready.get(chat_id, 0.0) - self._monotonic())

    def sent(self) -> None:
        """A message went through: creep back towards the full rate."""
        if self._rate is not None and self._max_rate is not None:
            self._rate = min(self._max_rate, self._rate + 0.05)

    def hold_chat(self, chat_id: int, seconds: float) -> None:
        """Keep chat_id waiting for seconds (Telegram's RetryAfter for it) and slow down."""
        now = self._monotonic()
        self._chat_ready[chat_id] = max(self._chat_ready.get(chat_id, 0.0), now + seconds)
        # One overflow answers several requests with 429 at once; slow down once for all.
        if self._rate is not None and now - self._slowed_at >= 1.0:
            self._rate = max(1.0, self._rate * 5 / 6)
            self._slowed_at = now


# Requests that are no message in a chat: they take no turn (a "typing…" action before an
# answer must not make the answer wait a second for its chat).
_UNCOUNTED = frozenset({"sendChatAction", "answerCallbackQuery", "answerInlineQuery"})
NETWORK_RETRIES = 2


class BotRateLimiter(BaseRateLimiter[int]):
    """The application's requests (answers, admin replies) spaced by a SendLimiter.

    Every message to a chat takes the next slot of the overall rate, evenly spaced. Answers
    come one at a time in a chat, a question before each, so no interval is kept per chat (the
    digests, sent by a Bot of their own, keep theirs: bot/tg/fanout.py). A RetryAfter holds
    back that chat and slows the limiter, and the request is tried again after the wait, up
    to max_retries times; no other request waits with it, so no burst follows the pause (PTB's
    AIORateLimiter, used before, let every request queued during a pause go at once, and the
    burst drew the next 429: 40 users got 86 of them in a minute). A dropped connection is
    retried twice with backoff; a request that timed out is not, since Telegram may have
    delivered it, nor a BadRequest, which would fail again.
    """

    def __init__(
        self,
        limiter: SendLimiter | None = None,
        *,
        max_retries: int = 3,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._limiter = limiter or SendLimiter(chat_interval=0.0, group_interval=0.0)
        self._max_retries = max_retries
        self._sleep = sleep

    async def initialize(self) -> None:
        """Nothing to set up: the SendLimiter is plain state."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Send when the request's chat may receive a message; wait out RetryAfter, retry."""
        chat_id = data.get("chat_id")
        counted = chat_id is not None and endpoint not in _UNCOUNTED
        key, group = _chat_key(chat_id)
        retries_left = rate_limit_args if rate_limit_args is not None else self._max_retries
        network_attempt = 0
        while True:
            if counted:
                await self._limiter.wait_turn(key, group=group)
            try:
                result = await callback(*args, **kwargs)
            except RetryAfter as exc:
                if retries_left <= 0:
                    raise
                retries_left -= 1
                self._limiter.hold_chat(key, retry_after_seconds(exc))
                if not counted:
                    await self._sleep(retry_after_seconds(exc))
                continue
            except (TimedOut, BadRequest):
                raise  # both are NetworkErrors; retrying either would not help or could repeat
            except NetworkError as exc:
                if network_attempt == NETWORK_RETRIES:
                    raise
                logger.warning("Telegram request failed (%s); retrying", exc)
                await self._sleep(0.5 * 2**network_attempt)
                network_attempt += 1
                continue
            if counted:
                self._limiter.sent()
            return result


def _chat_key(chat_id: object) -> tuple[int, bool]:
    """The limiter's key for a chat id (a channel may be "@name") and whether it is a group:
    a negative id or a username is a group or channel, with Telegram's 20 a minute."""
    if isinstance(chat_id, str):
        try:
            chat_id = int(chat_id)
        except ValueError:
            return hash(chat_id), True
    if isinstance(chat_id, int):
        return chat_id, chat_id < 0
    return 0, False
