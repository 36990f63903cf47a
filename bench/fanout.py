"""Benchmark the digest fan-out against a fake Bot API that enforces Telegram's 30 messages/s.

Run: .venv/bin/python -m bench.fanout [--subscriptions 3000] [--replicas 1] [--rate-limit 30]
                                       [--database-url URL]

It subscribes N private chats (09:00 Europe/Berlin), adds a few meetings, and lets DigestSender
deliver the day's digest through a real telegram.Bot over HTTP to tests/fake_bot_api.py's server
on 127.0.0.1. The fake counts sendMessage in a sliding one-second window and answers
429 Too Many Requests with retry_after beyond the limit, as Telegram does. With --replicas 2
two senders, each with its own engine, race for the same digests on one database (use a
PostgreSQL --database-url for the multi-replica picture; the default is a fresh SQLite file).

Reported: messages accepted, 429 answers, chats that got no digest (lost), chats that got more
than one (doubled), and the sustained rate (accepted messages over the time from the first to
the last) as a share of the limit. A measurement, not a test: nothing here fails on a slow
machine; 3,000 messages at 30/s take about 100 s.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the fake Bot API lives with the tests

from fake_bot_api import DEFAULT_TOKEN, FakeBotApi, FakeBotApiServer  # noqa: E402
from sqlalchemy import Engine, insert  # noqa: E402
from telegram import Bot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bot.core.clock import FakeClock  # noqa: E402
from bot.tg.fanout import DigestSender, FanoutStats, SendLimiter  # noqa: E402
from bot.tg.limiter import OVERALL_RATE  # noqa: E402
from storage.db import create_db_engine, session_scope  # noqa: E402
from storage.models import Meeting, Participation, Person, Subscription  # noqa: E402

SEND = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)  # 09:00 in Berlin
FIRST_CHAT = 10_000_000


def prepare(engine: Engine, count: int) -> list[int]:
    """Subscribe count private chats and add three meetings; return the chat ids."""
    subscribed = SEND - dt.timedelta(days=1)
    chats = [FIRST_CHAT + i for i in range(count)]
    with session_scope(engine) as session:
        session.execute(
            insert(Subscription),
            [
                {
                    "chat_id": chat_id,
                    "chat_type": "private",
                    "title": None,
                    "send_time": dt.time(9, 0),
                    "timezone": "Europe/Berlin",
                    "active": True,
                    "empty_day_note": False,
                    "silent": False,
                    "created_by": chat_id,
                    "created_at": subscribed,
                    "updated_at": subscribed,
                    "covered_until": subscribed,
                }
                for chat_id in chats
            ],
        )
        for i in range(3):
            at = subscribed + dt.timedelta(hours=2 + i)
            meeting = Meeting(
                date=dt.date(2026, 11, 27 + i),
                location="Baku, Azerbaijan",
                sources=[f"https://example.org/news/{i}"],
                created_at=at,
                updated_at=at,
            )
            session.add(meeting)
            session.flush()
            for position, name in enumerate((f"Official {i}", f"Envoy {i}")):
                person = Person(name=name, aliases=[])
                session.add(person)
                session.flush()
                assert meeting.id is not None and person.id is not None
                session.add(
                    Participation(
                        meeting_id=meeting.id,
                        person_id=person.id,
                        position=position,
                        title="Minister",
                    )
                )
    return chats


async def run(args: argparse.Namespace) -> int:
    """Run the fan-out once and print the figures; return the exit status."""
    api = FakeBotApi(rate_limit=args.rate_limit, max_poll_wait=0.1)
    for chat_id in range(FIRST_CHAT, FIRST_CHAT + args.subscriptions):
        api.add_user(chat_id, "Reader")
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        engines = [create_db_engine(url) for _ in range(args.replicas)]
        chats = prepare(engines[0], args.subscriptions)
        clock = FakeClock(SEND + dt.timedelta(seconds=1))
        with FakeBotApiServer(api) as server:
            bots = [
                Bot(
                    DEFAULT_TOKEN,
                    base_url=server.base_url,
                    request=HTTPXRequest(connection_pool_size=16, pool_timeout=30.0),
                )
                for _ in engines
            ]
            for bot in bots:
                await bot.initialize()
            senders = [
                DigestSender(
                    bot,
                    engine=engine,
                    clock=clock,
                    limiter=SendLimiter(
                        rate=args.rate / args.replicas if args.split else args.rate
                    ),
                )
                for bot, engine in zip(bots, engines, strict=True)
            ]
            started = time.monotonic()
            results: list[FanoutStats] = await asyncio.gather(*(s.send_due() for s in senders))
            elapsed = time.monotonic() - started
            for bot in bots:
                await bot.shutdown()
        for engine in engines:
            engine.dispose()
    accepted = api.sent()
    per_chat = Counter(call.params["chat_id"] for call in accepted)
    lost = sum(1 for chat_id in chats if per_chat[chat_id] == 0)
    doubled = sum(1 for n in per_chat.values() if n > 1)
    times = sorted(call.at for call in accepted)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    sustained = (len(times) - 1) / span if span else 0.0
    print(f"subscriptions        {args.subscriptions}")
    print(f"replicas             {args.replicas}")
    print(f"database             {'PostgreSQL' if args.database_url else 'SQLite'}")
    print(f"limit (fake API)     {args.rate_limit} messages/s, sliding 1 s window")
    each = args.rate / args.replicas if args.split else args.rate
    print(f"sender rate          {each} messages/s per replica")
    print(f"messages accepted    {len(accepted)}")
    print(f"429 answers          {api.rejected}")
    print(f"lost                 {lost}")
    print(f"doubled              {doubled}")
    print(f"wall time            {elapsed:.1f} s")
    print(f"sustained rate       {sustained:.2f} messages/s = {sustained / args.rate_limit:.1%}")
    for index, stats in enumerate(results):
        print(
            f"sender {index}: chats {stats.chats_sent}, claimed elsewhere "
            f"{stats.claimed_elsewhere}, retry_after {stats.retry_after}, failed {stats.failed}, "
            f"rate at the end {senders[index].limiter.rate:.1f}/s"
        )
    return 0 if lost == 0 and doubled == 0 else 1


def main() -> int:
    """Parse the arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=3000)
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--rate-limit", type=int, default=30, help="the fake API's limit")
    parser.add_argument("--rate", type=float, default=OVERALL_RATE, help="each sender's rate")
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--no-split",
        dest="split",
        action="store_false",
        help="give every replica the full --rate (as in production) instead of a share",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
