"""The application's rate limiter (bot.tg.limiter.BotRateLimiter) in virtual time.

Requests are plain coroutines that record when they went out; a 429 is a real RetryAfter and a
dropped connection a real NetworkError, raised by the request the first time it runs.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from digest_support import VirtualTime
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.tg.limiter import OVERALL_RATE, BotRateLimiter, SendLimiter


class Requests:
    """Requests that record (virtual time, chat) as they go out, failing first if told to."""

    def __init__(self, vt: VirtualTime) -> None:
        self.vt = vt
        self.sent: list[tuple[float, object]] = []
        self.attempts: dict[object, int] = {}
        self.fail_first: dict[object, Exception] = {}

    def call(self, chat: object) -> Any:
        async def request() -> bool:
            self.attempts[chat] = self.attempts.get(chat, 0) + 1
            failure = self.fail_first.pop(chat, None)
            if failure is not None:
                raise failure
            self.sent.append((self.vt.now, chat))
            return True

        return request


def _limiter(vt: VirtualTime) -> BotRateLimiter:
    spacing = SendLimiter(
        chat_interval=0.0, group_interval=0.0, monotonic=vt.monotonic, sleep=vt.sleep
    )
    return BotRateLimiter(spacing, sleep=vt.sleep)


async def _send(
    limiter: BotRateLimiter, requests: Requests, chat: object, endpoint: str = "sendMessage"
) -> Any:
    return await limiter.process_request(
        requests.call(chat), (), {}, endpoint, {"chat_id": chat}, None
    )


async def test_messages_go_out_evenly_spaced_never_in_a_burst() -> None:
    vt = VirtualTime()
    limiter, requests = _limiter(vt), Requests(vt)
    async with vt.autopilot():
        await asyncio.gather(*(_send(limiter, requests, chat) for chat in range(1, 61)))
    times = [when for when, _ in requests.sent]
    assert len(times) == 60
    assert all(b - a >= 1 / OVERALL_RATE - 1e-9 for a, b in itertools.pairwise(times))
    # No one-second window holds more than Telegram's 30.
    assert max(sum(1 for t in times if start <= t < start + 1) for start in times) <= 30


async def test_a_429_holds_back_its_chat_only_and_no_burst_follows_the_pause() -> None:
    vt = VirtualTime()
    limiter, requests = _limiter(vt), Requests(vt)
    requests.fail_first[1] = RetryAfter(2)
    async with vt.autopilot():
        await asyncio.gather(*(_send(limiter, requests, chat) for chat in range(1, 41)))
    by_chat = {chat: when for when, chat in requests.sent}
    assert requests.attempts[1] == 2 and by_chat[1] >= 2.0
    # The other chats were not held for those two seconds, and the limiter slowed down
    # instead of letting the queue go at once.
    assert by_chat[2] < 0.1
    times = sorted(by_chat.values())
    assert all(b - a >= 1 / OVERALL_RATE - 1e-9 for a, b in itertools.pairwise(times))


async def test_a_chat_action_takes_no_turn() -> None:
    vt = VirtualTime()
    limiter, requests = _limiter(vt), Requests(vt)
    async with vt.autopilot():
        await _send(limiter, requests, 7)
        await _send(limiter, requests, 7, endpoint="sendChatAction")
        await _send(limiter, requests, 8, endpoint="sendChatAction")
    assert [when for when, _ in requests.sent] == [0.0, 0.0, 0.0]


async def test_a_dropped_connection_is_retried_but_a_timed_out_request_is_not() -> None:
    vt = VirtualTime()
    limiter, requests = _limiter(vt), Requests(vt)
    requests.fail_first[1] = NetworkError("connection reset")
    requests.fail_first[2] = TimedOut()
    async with vt.autopilot():
        assert await _send(limiter, requests, 1) is True
        with pytest.raises(TimedOut):
            await _send(limiter, requests, 2)
    assert requests.attempts == {1: 2, 2: 1}
    assert [chat for _, chat in requests.sent] == [1]


async def test_a_429_after_the_last_retry_reaches_the_caller() -> None:
    vt = VirtualTime()
    spacing = SendLimiter(
        chat_interval=0.0, group_interval=0.0, monotonic=vt.monotonic, sleep=vt.sleep
    )
    limiter, requests = BotRateLimiter(spacing, max_retries=0, sleep=vt.sleep), Requests(vt)
    requests.fail_first["@news"] = RetryAfter(5)
    async with vt.autopilot():
        with pytest.raises(RetryAfter):
            await _send(limiter, requests, "@news")
    assert requests.sent == []
