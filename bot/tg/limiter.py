"""Telegram's flood limits for a sender: the SendLimiter that spaces sends, and RetryAfter's wait.

Telegram allows a bot about 30 messages a second overall, one a second in a chat and 20 a
minute in a group or channel, and answers 429 with retry_after beyond them. The limiter keeps a
sender inside those limits in its own clock (`monotonic`, `sleep`), so tests run in virtual
time; bot/tg/fanout.py sends the digests through it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import warnings
from collections.abc import Awaitable, Callable

from telegram.error import RetryAfter

Sleep = Callable[[float], Awaitable[None]]

OVERALL_RATE = 29.5
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
