"""The digest fan-out: once per chat and day, Telegram's limits, and every failure path.

A real telegram.Bot sends through ApiRequest to the in-process FakeBotApi, which answers and
refuses like Telegram (403, 429 with retry_after, migrated groups, 502). Time is virtual: the
FakeClock for database timestamps, VirtualTime for the limiter's spacing and waits.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from digest_support import (
    ApiRequest,
    VirtualTime,
    add_meeting,
    add_subscription,
    make_bot,
    utc,
    wait_until,
)
from fake_bot_api import DEFAULT_TOKEN, FakeBotApi, FakeBotApiServer, utf16_len
from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select
from telegram import Bot
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

from bot.core.clock import FakeClock
from bot.core.deliveries import UNKNOWN_MESSAGE_ID, find_due_digests, retry_delay
from bot.core.interchange import apply_import, parse_import
from bot.tg.fanout import DigestSender, SendLimiter, send_outcome_unknown
from bot.tg.limiter import OVERALL_RATE
from bot.tg.render import MESSAGE_LIMIT
from storage.db import session_scope
from storage.models import DigestDelivery, Person, Subscription

SEND = utc(2024, 1, 15, 8, 0)  # 09:00 in Berlin, the subscriptions' send time
SUBSCRIBED = utc(2024, 1, 14, 10, 0)
MEETINGS_AT = utc(2024, 1, 14, 12, 0)

# What the sender does with Telegram's answers needs the database only to keep rows: SQLite.
sqlite_only = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def _setup(engine: Engine, api: FakeBotApi, chats: list[int], *, meetings: int = 1) -> None:
    """Subscribe chats (private for positive ids, groups for negative) and add meetings."""
    with session_scope(engine) as session:
        for chat_id in chats:
            if chat_id > 0:
                api.add_user(chat_id, f"User {chat_id}")
            else:
                api.add_chat(chat_id, f"Group {chat_id}", chat_type="supergroup")
            add_subscription(
                session,
                chat_id=chat_id,
                now=SUBSCRIBED,
                chat_type="private" if chat_id > 0 else "supergroup",
            )
        for i in range(meetings):
            add_meeting(
                session,
                created_at=MEETINGS_AT + dt.timedelta(minutes=i),
                date=dt.date(2024, 1, 1) + dt.timedelta(days=i % 14),
                title=f"Meeting {i}",
                people=tuple(f"Person {i} {x}" for x in "ABCD"),
                role="Deputy Minister of Foreign Affairs of the Republic of Somewhere",
            )


async def _sender(
    engine: Engine,
    clock: FakeClock,
    api: FakeBotApi,
    *,
    vt: VirtualTime | None = None,
    before_send: Callable[[Any], None] | None = None,
    limiter: SendLimiter | None = None,
    **kwargs: Any,
) -> tuple[DigestSender, ApiRequest]:
    vt = vt or VirtualTime()
    request = ApiRequest(api, time_source=vt.monotonic, before_send=before_send)
    bot = await make_bot(request)
    sender = DigestSender(
        bot,
        engine=engine,
        clock=clock,
        limiter=limiter or SendLimiter(monotonic=vt.monotonic, sleep=vt.sleep),
        **({"sleep": vt.sleep} | kwargs),
    )
    return sender, request


def _unlimited(vt: VirtualTime) -> SendLimiter:
    return SendLimiter(
        rate=None, chat_interval=0, group_interval=0, monotonic=vt.monotonic, sleep=vt.sleep
    )


def _deliveries(engine: Engine) -> list[DigestDelivery]:
    with Session(engine) as session:
        return list(session.exec(select(DigestDelivery)).all())


def _texts(api: FakeBotApi, chat_id: int) -> list[str]:
    return [str(call.params["text"]) for call in api.sent(chat_id)]


# -- once per chat and day -----------------------------------------------------------------------


async def test_each_due_chat_gets_its_digest_once(engine: Engine) -> None:
    api = FakeBotApi()
    chats = [1001, 1002, -1003]
    _setup(engine, api, chats, meetings=2)
    clock = FakeClock(SEND)
    vt = VirtualTime(clock)
    sender, _ = await _sender(engine, clock, api, vt=vt)
    async with vt.autopilot():
        stats = await sender.send_due()
        assert (stats.chats_sent, stats.messages_sent) == (3, 3)
        # A second tick, and a second sender (a restart), find nothing to do.
        await sender.send_due()
        restarted, _ = await _sender(engine, clock, api, vt=vt)
        await restarted.send_due()
    for chat_id in chats:
        (text,) = _texts(api, chat_id)
        assert "Meetings digest" in text and "15 January 2024" in text
        assert "Person 0 A" in text and "Person 1 B" in text
        assert text.index("Person 1 A") < text.index("Person 0 A")  # newest meeting first
    rows = _deliveries(engine)
    assert sorted(r.status for r in rows) == ["sent"] * 3
    with Session(engine) as session:
        for sub in session.exec(select(Subscription)).all():
            assert sub.covered_until == SEND


@sqlite_only
async def test_empty_day_sends_nothing_or_the_note(engine: Engine) -> None:
    api = FakeBotApi()
    _setup(engine, api, [1001, 1002], meetings=0)
    with session_scope(engine) as session:
        sub = session.exec(select(Subscription).where(Subscription.chat_id == 1002)).one()
        sub.empty_day_note = True
        session.add(sub)
    clock = FakeClock(SEND)
    sender, _ = await _sender(engine, clock, api, limiter=_unlimited(VirtualTime()))
    stats = await sender.send_due()
    assert _texts(api, 1001) == []
    (note,) = _texts(api, 1002)
    assert "No new meetings today." in note
    assert (stats.empty_days, stats.chats_sent) == (1, 1)
    # The quiet day still counts as done: nothing is retried.
    assert sorted(r.status for r in _deliveries(engine)) == ["sent", "sent"]
    clock.advance(dt.timedelta(hours=3))
    assert (await sender.send_due()).messages_sent == 1


async def test_downtime_over_send_time_catches_up_once_the_same_day(engine: Engine) -> None:
    api = FakeBotApi()
    _setup(engine, api, [1001])
    clock = FakeClock(utc(2024, 1, 15, 7, 59))
    sender, _ = await _sender(engine, clock, api, limiter=_unlimited(VirtualTime()))
    await sender.send_due()
    assert _texts(api, 1001) == []
    # The bot was down from 08:59 to 15:00 Berlin; it comes back and sends today's, once.
    clock.set(utc(2024, 1, 15, 14, 0))
    restarted, _ = await _sender(engine, clock, api, limiter=_unlimited(VirtualTime()))
    await restarted.send_due()
    clock.set(utc(2024, 1, 15, 22, 59))
    await restarted.send_due()
    assert len(_texts(api, 1001)) == 1
    # Not early the next day: 08:59 Berlin is still too early, 09:00 is on time.
    with session_scope(engine) as session:
        add_meeting(session, created_at=utc(2024, 1, 15, 20, 0), people=("Late", "News"))
    clock.set(utc(2024, 1, 16, 7, 59))
    await restarted.send_due()
    assert len(_texts(api, 1001)) == 1
    clock.set(utc(2024, 1, 16, 8, 0))
    await restarted.send_due()
    texts = _texts(api, 1001)
    assert len(texts) == 2 and "Late" in texts[1] and "Person 0 A" not in texts[1]


# -- long digests and Telegram's limits ---------------------------------------------------------


@sqlite_only
async def test_long_digest_is_split_between_cards_and_paced_per_chat(engine: Engine) -> None:
    api = FakeBotApi()
    _setup(engine, api, [1001, -1002], meetings=30)
    clock = FakeClock(SEND)
    vt = VirtualTime(clock)
    sender, request = await _sender(engine, clock, api, vt=vt)
    async with vt.autopilot():
        await sender.send_due()
    for chat_id, gap in ((1001, 1.0), (-1002, 3.0)):
        texts = _texts(api, chat_id)
        assert len(texts) >= 3
        assert all(len(text) <= MESSAGE_LIMIT for text in texts)
        joined = "\n".join(texts)
        for i in range(30):
            # Each card whole, in exactly one message.
            assert joined.count(f"<b>Person {i} A</b>") == 1, i
            assert sum(f"Person {i} A<" in t and f"Person {i} D<" in t for t in texts) == 1, i
        times = [t for chat, t in request.sent_at if chat == chat_id]
        assert all(b - a >= gap - 1e-9 for a, b in itertools.pairwise(times))
    rows = _deliveries(engine)
    assert all(len(r.message_ids) >= 3 and r.status == "sent" for r in rows)


def test_the_fake_bot_api_counts_lengths_in_utf16_units_like_telegram() -> None:
    api = FakeBotApi()
    api.add_user(1001, "Ann")
    # 2,049 characters, 4,098 UTF-16 units: too long for Telegram.
    assert api.handle("sendMessage", {"chat_id": 1001, "text": "😀" * 2048})[0] == 200
    status, body = api.handle("sendMessage", {"chat_id": 1001, "text": "😀" * 2049})
    assert (status, body["description"]) == (400, "Bad Request: message is too long")
    for caption, expected in (("𝐀" * 512, 200), ("𝐀" * 513, 400)):
        document = {"chat_id": 1001, "document": ("a.json", b"{}"), "caption": caption}
        assert api.handle("sendDocument", document)[0] == expected


@sqlite_only
async def test_astral_characters_are_counted_in_utf16_units(engine: Engine) -> None:
    api = FakeBotApi()  # refuses a text over 4096 UTF-16 units, as Telegram does
    _setup(engine, api, [1001], meetings=0)
    with session_scope(engine) as session:
        for i in range(12):
            # Mathematical letters and flags: one Python character, two UTF-16 units each.
            add_meeting(
                session,
                created_at=MEETINGS_AT + dt.timedelta(minutes=i),
                title=f"Meeting {i}",
                people=tuple(f"{i:02d}{x} " + "𝐀" * 43 for x in "ABCDEFGHIJ"),
                role="🇦🇿" * 40,
            )
    clock = FakeClock(SEND)
    sender, _ = await _sender(engine, clock, api, limiter=_unlimited(VirtualTime()))
    stats = await sender.send_due()
    calls = api.calls_to("sendMessage", chat_id=1001)
    assert [c.description for c in calls if not c.ok] == []
    texts = _texts(api, 1001)
    assert len(texts) >= 6 and all(utf16_len(text) <= MESSAGE_LIMIT for text in texts)
    joined = "\n".join(texts)
    for i in range(12):
        assert joined.count(f"{i:02d}A ") == 1, i
    assert (stats.chats_sent, stats.failed) == (1, 0)
    (row,) = _deliveries(engine)
    assert row.status == "sent" and len(row.message_ids) == len(texts)


@sqlite_only
async def test_overall_rate_stays_under_telegrams_limit(engine: Engine) -> None:
    api = FakeBotApi()
    _setup(engine, api, list(range(2001, 2091)))
    clock = FakeClock(SEND)
    vt = VirtualTime(clock)
    sender, request = await _sender(engine, clock, api, vt=vt)
    async with vt.autopilot():
        stats = await sender.send_due()
    assert stats.messages_sent == 90
    times = sorted(t for _, t in request.sent_at)
    # Evenly spaced, never in bursts: no one-second window holds more than 30 sends.
    assert all(b - a >= 1 / OVERALL_RATE - 1e-9 for a, b in itertools.pairwise(times))
    assert max(sum(1 for t in times if start <= t < start + 1.0) for start in times) <= 30


# -- restarts -----------------------------------------------------------------------------------


async def test_restart_mid_fanout_sends_the_rest_without_duplicates(engine: Engine) -> None:
    api = FakeBotApi()
    chats = [1001, 1002, 1003, 1004]
    _setup(engine, api, chats, meetings=30)
    clock = FakeClock(SEND)
    stopping = {"now": False}

    def stop_after_two_messages(_chat_id: Any) -> None:
        # Runs before each send: the stop request arrives while the second message goes out.
        if len(api.sent()) >= 1:
            stopping["now"] = True

    sender, _ = await _sender(
        engine,
        clock,
        api,
        limiter=_unlimited(VirtualTime()),
        before_send=stop_after_two_messages,
        should_stop=lambda: stopping["now"],
        workers=1,
    )
    await sender.send_due()
    assert len(api.sent()) == 2
    # The stopped sender handed its half-sent digest back with the parts it had sent.
    (row,) = [r for r in _deliveries(engine) if r.status != "sent"]
    assert row.status == "failed" and len(row.message_ids) == 2
    clock.advance(dt.timedelta(minutes=2))
    restarted, _ = await _sender(engine, clock, api, limiter=_unlimited(VirtualTime()))
    await restarted.send_due()
    parts = {chat_id: _texts(api, chat_id) for chat_id in chats}
    reference = max(parts.values(), key=len)
    for chat_id in chats:
        assert parts[chat_id] == reference, chat_id  # every part once, in order
    assert all(r.status == "sent" for r in _deliveries(engine))


async def test_crash_mid_digest_resumes_after_the_lease_without_resending(
    engine: Engine,
) -> None:
    api = FakeBotApi()
    _setup(engine, api, [1001], meetings=30)
    clock = FakeClock(SEND)

    def crash_before_second_part(_chat_id: Any) -> None:
        if len(api.sent()) == 1:
            raise asyncio.CancelledError  # the process dies here

    crashed, _ = await _sender(
        engine,
        clock,
        api,
        limiter=_unlimited(VirtualTime()),
        before_send=crash_before_second_part,
    )
    await crashed.tick()
    await crashed.drain()
    assert len(api.sent()) == 1
    # The dead process left its claim, with the part it had sent and recorded.
    (row,) = _deliveries(engine)
    assert (row.status, len(row.message_ids)) == ("claimed", 1)
    # Right after the restart the claim still holds: nothing is sent twice.
    clock.advance(dt.timedelta(seconds=30))
    restarted, _ = await _sender(engine, clock, api, limiter=_unlimited(VirtualTime()))
    await restarted.send_due()
    assert len(api.sent()) == 1
    # After the one-minute lease the new process takes over and sends only the parts not yet
    # sent.
    clock.advance(dt.timedelta(seconds=40))
    await restarted.send_due()
    texts = _texts(api, 1001)
    assert len(texts) >= 3 and len(set(texts)) == len(texts)
    assert "Meetings digest" in texts[0] and "Meetings digest" not in texts[1]
    (row,) = _deliveries(engine)
    assert row.status == "sent" and row.attempts == 2 and len(row.message_ids) == len(texts)


def _claimed_rows(engine: Engine) -> int:
    return sum(1 for row in _deliveries(engine) if row.status == "claimed")


async def test_a_killed_replicas_claims_free_up_within_a_minute(engine: Engine) -> None:
    api = FakeBotApi()
    chats = list(range(2001, 2061))
    _setup(engine, api, chats, meetings=30)
    clock = FakeClock(SEND)
    # Virtual time that never moves: the replica sends a first part, then waits for its turns.
    killed, _ = await _sender(engine, clock, api)
    await killed.tick()

    def claims_held_and_sends_recorded() -> bool:
        recorded = sum(len(row.message_ids) for row in _deliveries(engine))
        return _claimed_rows(engine) >= 10 and recorded == len(api.sent()) >= 1

    # (A kill between a send and its record may send that one part again: the lease's
    # trade-off, tested elsewhere; here the kill comes while every worker waits its turn.)
    await wait_until(claims_held_and_sends_recorded)
    for task in list(killed._tasks):  # the process is killed with its claims held
        task.cancel()
    await asyncio.gather(*killed._tasks, return_exceptions=True)
    stranded = _claimed_rows(engine)
    assert 10 <= stranded < len(chats)
    # The restarted replica (a new worker id) a little more than the lease later sends them all.
    clock.advance(dt.timedelta(seconds=70))
    restarted, _ = await _sender(engine, clock, api, limiter=_unlimited(VirtualTime()))
    stats = await restarted.send_due()
    assert stats.chats_sent == len(chats) and stats.claimed_elsewhere == 0
    reference = _texts(api, 2001 if _texts(api, 2001) else 2002)
    for chat_id in chats:
        assert _texts(api, chat_id) == reference, chat_id  # every part once, in order
    assert all(row.status == "sent" for row in _deliveries(engine))


@sqlite_only
async def test_only_chats_about_to_be_sent_are_claimed(engine: Engine) -> None:
    api = FakeBotApi()
    chats = list(range(2001, 2101))
    _setup(engine, api, chats)
    clock = FakeClock(SEND)
    vt = VirtualTime(clock)
    held: list[int] = []
    sender, _ = await _sender(
        engine,
        clock,
        api,
        vt=vt,
        limiter=SendLimiter(rate=10, monotonic=vt.monotonic, sleep=vt.sleep),
        before_send=lambda _chat_id: held.append(_claimed_rows(engine)),
    )
    async with vt.autopilot():
        stats = await sender.send_due()
    assert stats.chats_sent == len(chats)
    # At 10 messages a second, about a second's worth of chats is claimed at any time, plus
    # those sent whose "sent" mark is still on its way (32 workers that claimed before waiting
    # for the limiter held 32).
    assert max(held) <= 20


@sqlite_only
async def test_a_long_retry_after_keeps_the_claim_alive(engine: Engine) -> None:
    api = FakeBotApi()
    _setup(engine, api, [1001])
    api.fail("sendMessage", 429, "Too Many Requests: retry after 100", retry_after=100)
    clock = FakeClock(SEND)
    vt = VirtualTime(clock)
    due_elsewhere: list[int] = []

    def another_replica_looks(_chat_id: Any) -> None:
        # At the retry, 100 s after the claim: the heartbeat kept the claim, nobody may take it.
        with Session(engine) as session:
            due_elsewhere.append(len(find_due_digests(session=session, now=clock.now())))

    sender, _ = await _sender(
        engine, clock, api, vt=vt, limiter=_unlimited(vt), before_send=another_replica_looks
    )
    async with vt.autopilot():
        stats = await sender.send_due()
    assert vt.now >= 100 and due_elsewhere == [0, 0]
    assert stats.chats_sent == 1 and stats.lost_claims == 0
    (row,) = _deliveries(engine)
    assert row.status == "sent" and row.attempts == 1


# -- Telegram's refusals ------------------------------------------------------------------------


@sqlite_only
async def test_forbidden_deactivates_the_subscription_with_the_reason(engine: Engine) -> None:
    api = FakeBotApi()
    _setup(engine, api, [1001, 1002])
    api.fail(
        "sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=1001, times=None
    )
    clock = FakeClock(SEND)
    sender, _ = await _sender(engine, clock, api, limiter=_unlimited(VirtualTime()))
    stats = await sender.send_due()
    assert (stats.deactivated, stats.chats_sent) == (1, 1)
    assert len(_texts(api, 1002)) == 1
    with Session(engine) as session:
        sub = session.exec(select(Subscription).where(Subscription.chat_id == 1001)).one()
        assert not sub.active
        assert sub.deactivated_reason == "Telegram refused: Forbidden: bot was blocked by the user"
    # Never retried: the chat does not want it.
    clock.advance(dt.timedelta(hours=2))
    await sender.send_due()
    assert len(api.calls_to("sendMessage", chat_id=1001)) == 1


@sqlite_only
async def test_chat_migrated_moves_the_subscription_and_sends_there(engine: Engine) -> None:
    api = FakeBotApi()
    _setup(engine, api, [-42])
    api.add_chat(-100042, "Group -42", chat_type="supergroup")
    api.fail(
        "sendMessage",
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        chat_id=-42,
        times=None,
        migrate_to_chat_id=-100042,
    )
    clock = FakeClock(SEND)
    sender, _ = await _sender(engine, clock, api, limiter=_unlimited(VirtualTime()))
    stats = await sender.send_due()
    assert (stats.migrated, stats.chats_sent) == (1, 1)
    assert len(_texts(api, -100042)) == 1
    with Session(engine) as session:
        sub = session.exec(select(Subscription)).one()
        assert (sub.chat_id, sub.chat_type, sub.active) == (-100042, "supergroup", True)
    # Tomorrow's digest goes straight to the new id.
    with session_scope(engine) as session:
        add_meeting(session, created_at=SEND + dt.timedelta(hours=5), people=("New", "One"))
    clock.advance(dt.timedelta(days=1))
    await sender.send_due()
    assert len(api.calls_to("sendMessage", chat_id=-42)) == 1
    assert len(_texts(api, -100042)) == 2


@sqlite_only
async def test_retry_after_holds_only_that_chat(engine: Engine) -> None:
    api = FakeBotApi()
    _setup(engine, api, [1001, 1002, 1003, 1004])
    api.fail("sendMessage", 429, "Too Many Requests: retry after 30", chat_id=1001, retry_after=30)
    clock = FakeClock(SEND)
    vt = VirtualTime(clock)
    sender, request = await _sender(engine, clock, api, vt=vt, limiter=_unlimited(vt))
    run = asyncio.create_task(sender.send_due())
    # The other chats get theirs (done: their heartbeats gone) while 1001 waits out its 30
    # seconds a second at a time (the wait wakes at 1), its claim's heartbeat beside it (at
    # 15). Two sleepers are not enough to know it: until 1001's 429 has come back, another
    # chat's heartbeat may still sleep while that chat writes "sent", and time moved then
    # starts 1001's 30 seconds late.
    await wait_until(lambda: sender.stats.chats_sent == 3 and vt.wakeups() == [1.0, 15.0])
    assert vt.now == 0 and _texts(api, 1001) == []
    vt.advance(29)
    # The heartbeat woke at 15 s and renews the claim in a worker thread: both waits must be
    # asleep again (the chat's until 30, the heartbeat's until 44) before time moves on, or a
    # move could pass them by.
    await wait_until(lambda: vt.wakeups() == [30.0, 44.0])
    assert _texts(api, 1001) == []
    vt.advance(1)
    async with vt.autopilot():  # what the send leaves asleep (its heartbeat) may move on
        stats = await run
    assert len(_texts(api, 1001)) == 1 and stats.retry_after == 1
    assert [t for chat, t in request.sent_at if chat == 1001] == [30.0]


@sqlite_only
async def test_shutdown_does_not_wait_out_a_retry_after(engine: Engine) -> None:
    api = FakeBotApi()
    _setup(engine, api, [1001])
    api.fail("sendMessage", 429, "Too Many Requests: retry after 90", retry_after=90)
    clock = FakeClock(SEND)
    vt = VirtualTime(clock)
    stopping = {"now": False}
    sender, _ = await _sender(
        engine, clock, api, vt=vt, limiter=_unlimited(vt), should_stop=lambda: stopping["now"]
    )
    run = asyncio.create_task(sender.send_due())
    await wait_until(lambda: vt.sleeping == 2)  # the chat's wait and its claim's heartbeat
    stopping["now"] = True
    vt.advance(1)
    await run
    assert vt.now == 1 and api.sent() == []
    (row,) = _deliveries(engine)
    assert row.status == "failed" and (row.error or "").startswith("Interrupted by shutdown")


@sqlite_only
async def test_network_errors_retry_with_backoff_then_a_later_tick(engine: Engine) -> None:
    api = FakeBotApi()
    _setup(engine, api, [1001, 1002])
    api.fail("sendMessage", 502, "Bad Gateway", chat_id=1001, times=2)
    api.fail("sendMessage", 502, "Bad Gateway", chat_id=1002, times=6)
    clock = FakeClock(SEND)
    vt = VirtualTime(clock)
    sender, request = await _sender(engine, clock, api, vt=vt, limiter=_unlimited(vt))
    async with vt.autopilot():
        stats = await sender.send_due()
    # 1001: two failures, waits of 1 s and 2 s, then sent.
    tries = [(t, status) for chat, t, status in request.attempts if chat == 1001]
    assert [status for _, status in tries] == [502, 502, 200]
    assert [b[0] - a[0] for a, b in itertools.pairwise(tries)] == [1.0, 2.0]
    # 1002: four attempts fail; the delivery is kept as failed, with the error.
    assert _texts(api, 1002) == [] and stats.failed == 1
    failed = [r for r in _deliveries(engine) if r.status == "failed"]
    assert len(failed) == 1 and "Bad Gateway" in (failed[0].error or "")
    # A later tick, after the retry delay (counted from the failure), tries again and
    # succeeds. It runs on a clock of its own, started from the failure, so that nothing
    # left of the first run's virtual time can move it.
    failed_at = failed[0].claimed_at.replace(tzinfo=clock.now().tzinfo)
    later = FakeClock(failed_at + dt.timedelta(seconds=30))
    later_vt = VirtualTime(later)
    again, _ = await _sender(engine, later, api, vt=later_vt, limiter=_unlimited(later_vt))
    async with later_vt.autopilot():
        await again.send_due()
    assert _texts(api, 1002) == []
    later_vt.advance((retry_delay(failed[0].attempts) - dt.timedelta(seconds=29)).total_seconds())
    async with later_vt.autopilot():
        await again.send_due()
    assert len(_texts(api, 1002)) == 1
    assert all(r.status == "sent" for r in _deliveries(engine))


# -- sends whose outcome is unknown ------------------------------------------------------------


def _raised(error: NetworkError, cause: BaseException) -> NetworkError:
    """Return error as PTB raises it: from the httpx exception underneath."""
    try:
        raise error from cause
    except NetworkError as exc:
        return exc


def test_a_timeout_after_the_request_left_means_maybe_delivered() -> None:
    request = httpx.Request("POST", "https://api.telegram.org/bot1:x/sendMessage")
    maybe = [
        _raised(TimedOut(), httpx.ReadTimeout("read", request=request)),
        _raised(TimedOut(), httpx.WriteTimeout("write", request=request)),
        _raised(NetworkError("reset"), httpx.ReadError("reset", request=request)),
        _raised(NetworkError("gone"), httpx.RemoteProtocolError("gone", request=request)),
    ]
    not_sent = [
        _raised(TimedOut(), httpx.ConnectTimeout("connect", request=request)),
        _raised(TimedOut("Pool timeout"), httpx.PoolTimeout("pool", request=request)),
        _raised(NetworkError("refused"), httpx.ConnectError("refused", request=request)),
        NetworkError("Bad Gateway"),  # Telegram answered with an error
    ]
    assert [send_outcome_unknown(e) for e in maybe] == [True] * 4
    assert [send_outcome_unknown(e) for e in not_sent] == [False] * 4


@sqlite_only
async def test_a_send_answered_after_the_read_timeout_is_not_sent_again(engine: Engine) -> None:
    api = FakeBotApi()
    _setup(engine, api, [1001, 1002], meetings=30)
    # Telegram delivers 1001's first part, but answers after the client has given up.
    api.answer_late("sendMessage", 3.0, chat_id=1001)
    clock = FakeClock(SEND)
    with FakeBotApiServer(api) as server:
        request = HTTPXRequest(connection_pool_size=4, read_timeout=1.0)
        async with Bot(DEFAULT_TOKEN, base_url=server.base_url, request=request) as bot:
            sender = DigestSender(
                bot, engine=engine, clock=clock, limiter=_unlimited(VirtualTime()), backoff=0.01
            )
            stats = await sender.send_due()
            # Later ticks, and a restarted sender, do not send it again either.
            clock.advance(dt.timedelta(hours=2))
            await sender.send_due()
    texts = _texts(api, 1001)
    assert len(texts) >= 3 and texts == _texts(api, 1002)  # every part once, in order
    assert (stats.uncertain, stats.network_retries, stats.chats_sent) == (1, 0, 2)
    rows = _deliveries(engine)
    assert all(r.status == "sent" and r.attempts == 1 for r in rows)
    assert sorted(r.message_ids[0] for r in rows)[0] == UNKNOWN_MESSAGE_ID
    assert all(len(r.message_ids) == len(texts) for r in rows)


@sqlite_only
@pytest.mark.parametrize("cause", [httpx.ConnectTimeout, httpx.PoolTimeout])
async def test_a_timeout_before_the_request_left_is_retried(
    engine: Engine, cause: type[httpx.TimeoutException]
) -> None:
    api = FakeBotApi()
    _setup(engine, api, [1001])
    failures = [1]

    def not_connected(_chat_id: Any) -> None:
        if failures:
            failures.pop()
            raise _raised(TimedOut(), cause("no connection"))

    clock = FakeClock(SEND)
    vt = VirtualTime(clock)
    sender, _ = await _sender(
        engine, clock, api, vt=vt, limiter=_unlimited(vt), before_send=not_connected
    )
    async with vt.autopilot():
        stats = await sender.send_due()
    assert len(_texts(api, 1001)) == 1
    assert (stats.uncertain, stats.network_retries, stats.chats_sent) == (0, 1, 1)
    (row,) = _deliveries(engine)
    assert row.status == "sent" and UNKNOWN_MESSAGE_ID not in row.message_ids


# -- database errors after a send ---------------------------------------------------------------


def _db_error(engine: Engine) -> OperationalError:
    """The error a dropped connection (PostgreSQL) or a busy database (SQLite) raises."""
    if engine.dialect.name == "sqlite":
        return OperationalError("COMMIT", None, sqlite3.OperationalError("database is locked"))
    import psycopg

    dropped = psycopg.OperationalError("server closed the connection unexpectedly")
    return OperationalError("COMMIT", None, dropped, connection_invalidated=True)


@pytest.mark.parametrize("after_part", ["first", "last"])
@pytest.mark.parametrize("fault", ["write lost", "answer lost"])
async def test_a_database_error_after_a_send_does_not_send_it_again(
    engine: Engine, fault: str, after_part: str
) -> None:
    api = FakeBotApi()
    _setup(engine, api, [1001], meetings=30)
    fault_at = {"armed": False, "done": False}

    def fail_once(connection: Any) -> None:
        # The commit of the write right after the armed send fails once: either nothing is
        # written, or it is written and the answer is lost on the way back.
        if not fault_at["armed"] or fault_at["done"]:
            return
        fault_at["done"] = True
        if fault == "answer lost":
            connection.connection.dbapi_connection.commit()
        raise _db_error(engine)

    def arm_after_first(_chat_id: Any) -> None:
        fault_at["armed"] = True

    def arm_after_last(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # Marking the digest sent moves the subscription's covered_until, after the last part.
        if statement.lstrip().upper().startswith("UPDATE SUBSCRIPTION"):
            fault_at["armed"] = True

    event.listen(engine, "commit", fail_once)
    event.listen(engine, "before_cursor_execute", arm_after_last)
    try:
        clock = FakeClock(SEND)
        vt = VirtualTime(clock)
        sender, _ = await _sender(
            engine,
            clock,
            api,
            vt=vt,
            limiter=_unlimited(vt),
            before_send=arm_after_first if after_part == "first" else None,
        )
        async with vt.autopilot():
            stats = await sender.send_due()
        (first,) = _deliveries(engine)
        # Once the lease is over, another sender finds nothing left to send.
        clock.advance(dt.timedelta(minutes=11))
        restarted, _ = await _sender(engine, clock, api, limiter=_unlimited(VirtualTime()))
        await restarted.send_due()
    finally:
        event.remove(engine, "commit", fail_once)
        event.remove(engine, "before_cursor_execute", arm_after_last)
    texts = _texts(api, 1001)
    assert len(texts) >= 3 and len(set(texts)) == len(texts)  # no part sent twice
    # The first sender finished the digest itself: the row was not left claimed.
    assert first.status == "sent"
    assert first.message_ids == [c.result["message_id"] for c in api.sent()]
    assert (stats.chats_sent, stats.lost_claims, stats.write_retries) == (1, 0, 1)


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_an_import_holding_sqlites_write_lock_is_waited_out(engine: Engine) -> None:
    """An import writes while a part goes out and holds the lock past the busy timeout."""
    api = FakeBotApi()
    _setup(engine, api, [1001], meetings=30)
    importer = _second_engine(engine)  # the import runs elsewhere: an admin's /import

    @event.listens_for(engine, "connect")
    def _short_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
        # The sender's writes give up on a lock after 50 ms instead of 5 s, so the test is quick.
        dbapi_connection.execute("PRAGMA busy_timeout=50")

    engine.dispose()
    doc = parse_import(
        b'{"meetings": [{"date": "2024-01-02", "source": "https://example.org/i",'
        b' "participants": [{"name": "Ann Import"}, {"name": "Bob Import"}]}]}',
        filename="big.json",
    )
    holder = Session(importer)
    release = threading.Timer(1.0, holder.commit)

    def import_during_first_send(_chat_id: Any) -> None:
        if not release.is_alive() and not release.finished.is_set():
            # The import has written (it holds the write lock) and commits 1 s later.
            apply_import(doc, session=holder, clock=FakeClock(SEND))
            holder.flush()
            release.start()

    clock = FakeClock(SEND)
    sender, _ = await _sender(
        engine,
        clock,
        api,
        limiter=_unlimited(VirtualTime()),
        before_send=import_during_first_send,
        sleep=asyncio.sleep,
        write_backoff=0.05,
    )
    try:
        stats = await sender.send_due()
        (first,) = _deliveries(engine)
        clock.advance(dt.timedelta(minutes=11))
        restarted, _ = await _sender(engine, clock, api, limiter=_unlimited(VirtualTime()))
        await restarted.send_due()
    finally:
        release.join()
        holder.close()
        importer.dispose()
    texts = _texts(api, 1001)
    assert len(texts) >= 3 and len(set(texts)) == len(texts)  # no part sent twice
    assert first.status == "sent" and len(first.message_ids) == len(texts)
    assert stats.chats_sent == 1 and stats.write_retries >= 1
    with Session(engine) as session:
        assert session.exec(select(Person).where(Person.name == "Ann Import")).one()


# -- several replicas ---------------------------------------------------------------------------


async def test_two_senders_on_one_database_send_each_digest_once(
    engine: Engine,
) -> None:
    api = FakeBotApi()
    chats = list(range(3001, 3041))
    _setup(engine, api, chats)
    clock = FakeClock(SEND)
    # Each replica has its own engine (its own connections), as two processes would.
    other_engine = _second_engine(engine)
    try:
        first, _ = await _sender(engine, clock, api, limiter=_unlimited(VirtualTime()))
        second, _ = await _sender(other_engine, clock, api, limiter=_unlimited(VirtualTime()))
        one, two = await asyncio.gather(first.send_due(), second.send_due())
    finally:
        other_engine.dispose()
    assert sorted(c.params["chat_id"] for c in api.sent()) == chats
    assert one.chats_sent + two.chats_sent == len(chats)
    assert one.claimed_elsewhere + two.claimed_elsewhere >= 1


def _second_engine(engine: Engine) -> Engine:
    from storage.db import create_db_engine

    return create_db_engine(engine.url.render_as_string(hide_password=False))
