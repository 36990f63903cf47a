"""Benchmark many users at once: answers a second and reply times, with Telegram's limits on.

Run: .venv/bin/python -m bench.load [--users 40] [--seconds 60] [--import-meetings 10000]
                                    [--import-at 20] [--database-url URL]

It starts the fake Bot API (tests/fake_bot_api.py) over HTTP on 127.0.0.1 with Telegram's
limits (30 messages a second per bot, one a second per chat, 429 with retry_after beyond them)
and the bot for real in a process of its own (`meetbot run`, long polling against the fake
server, a fresh SQLite database with the seed meeting unless --database-url). Each of --users
users writes a question in a private chat of their own, waits for the answer, and asks again
one second after it came. With --import-meetings N, an admin sends /import with a file of N
meetings --import-at seconds in, and the reply times while it runs are reported apart.

Reported: answers, answers a second, the reply time (question injected to answer received)
p50/p95/max over the run and during the import, 429 answers, chat actions sent. A measurement,
not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the fake Bot API lives with the tests

from fake_bot_api import DEFAULT_TOKEN, FakeBotApi, FakeBotApiServer, text_entities  # noqa: E402

QUESTIONS = (
    "who met the OSCE PA president?",
    "what did Ali Naghiyev discuss?",
    "meetings about mine contamination",
    "when did Pia Kauma visit Baku?",
)
ADMIN = 4242
FIRST_USER = 5_000_000


def import_file(count: int) -> bytes:
    """A catalog of count meetings among 2,000 people, as a JSON import file."""
    rng = random.Random(7)
    meetings = [
        {
            "date": f"20{10 + i % 14:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "location": f"City {i % 300}",
            "title": f"Bench meeting {i}",
            "source": f"https://example.org/bench/{i}",
            "participants": [
                {"name": f"Bench Person {p}", "country": f"Country {p % 90}"}
                for p in rng.sample(range(2000), 3)
            ],
            "issues": [f"bench issue {i % 50}"],
        }
        for i in range(count)
    ]
    return json.dumps({"meetings": meetings}).encode("utf-8")


def user_loop(
    api: FakeBotApi,
    user_id: int,
    stop_at: float,
    times: list[tuple[float, float]],
    lock: threading.Lock,
) -> None:
    """Ask, wait for the answer, wait a second, ask again; record (asked at, reply time)."""
    user = api.add_user(user_id, f"User {user_id}")
    chat = api.private_chat(user)
    rng = random.Random(user_id)
    while time.monotonic() < stop_at:
        after = len(api.calls)
        asked = time.monotonic()
        api.inject(api.message_update(chat, user, rng.choice(QUESTIONS)))

        def answered(after: int = after) -> bool:
            return any(
                c.method == "sendMessage" and c.ok and c.params.get("chat_id") == user_id
                for c in api.calls[after:]
            )

        if not api.wait_until(answered, timeout=60):
            print(f"user {user_id}: no answer within 60 s", file=sys.stderr)
            return
        took = time.monotonic() - asked
        with lock:
            times.append((asked, took))
        time.sleep(1.0)


def send_import(api: FakeBotApi, data: bytes) -> float:
    """The admin sends /import with a file; return when."""
    admin = api.add_user(ADMIN, "Admin")
    chat = api.private_chat(admin)
    api.add_file("bench-import", data, file_path="documents/bench.json")
    caption = "/import"
    api.inject(
        {
            "message": {
                "message_id": api.next_message_id(chat["id"]),
                "date": int(time.time()),
                "chat": chat,
                "from": admin,
                "document": {
                    "file_id": "bench-import",
                    "file_unique_id": "ubench-import",
                    "file_name": "bench.json",
                    "file_size": len(data),
                },
                "caption": caption,
                "caption_entities": text_entities(caption),
            }
        }
    )
    return time.monotonic()


def percentile(values: list[float], share: float) -> float:
    """The share-th percentile (nearest rank) of values, in the same unit."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def describe(label: str, values: list[float]) -> str:
    if not values:
        return f"{label:<28} none"
    ms = [v * 1000 for v in values]
    return (
        f"{label:<28} n={len(ms):<5} p50 {statistics.median(ms):6.0f} ms   "
        f"p95 {percentile(ms, 0.95):6.0f} ms   max {max(ms):6.0f} ms"
    )


def run(args: argparse.Namespace) -> int:
    api = FakeBotApi(rate_limit=30, chat_rate_limit=1, max_poll_wait=10.0)
    with tempfile.TemporaryDirectory() as folder, FakeBotApiServer(api) as server:
        env = dict(os.environ)
        env.update(
            TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN,
            TELEGRAM_API_BASE_URL=server.base_url,
            MEETBOT_DATA_DIR=folder,
            ADMIN_IDS=str(ADMIN),
            LOG_LEVEL="WARNING",
            BOT_MODE="polling",
        )
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=folder,
            env=env,
            stderr=open(Path(folder) / "bot.log", "w"),  # noqa: SIM115
        )
        try:
            if not api.wait_until(
                lambda: any(c.method == "getUpdates" for c in api.calls), timeout=60
            ):
                print("the bot did not start polling", file=sys.stderr)
                return 1
            data = import_file(args.import_meetings) if args.import_meetings else b""
            times: list[tuple[float, float]] = []
            lock = threading.Lock()
            start = time.monotonic()
            stop_at = start + args.seconds
            users = [
                threading.Thread(
                    target=user_loop,
                    args=(api, FIRST_USER + i, stop_at, times, lock),
                    daemon=True,
                )
                for i in range(args.users)
            ]
            for thread in users:
                thread.start()
            import_started = import_done = None
            import_reply = ""
            if data:
                time.sleep(args.import_at)
                before = len(api.calls)
                import_started = send_import(api, data)

                def imported() -> bool:
                    return any(
                        c.method == "sendMessage" and c.params.get("chat_id") == ADMIN
                        for c in api.calls[before:]
                    )

                if api.wait_until(imported, timeout=args.seconds * 4):
                    import_done = time.monotonic()
                    reply = next(
                        c
                        for c in api.calls[before:]
                        if c.method == "sendMessage" and c.params.get("chat_id") == ADMIN
                    )
                    import_reply = str(reply.params.get("text", "")).splitlines()[0][:150]
            for thread in users:
                thread.join()
            elapsed = time.monotonic() - start
        finally:
            bot.terminate()
            bot.wait(timeout=30)
            log = (Path(folder) / "bot.log").read_text(errors="replace")
    took = [t for _, t in times]
    print(
        f"users                {args.users} in private chats, asking again 1 s after each answer"
    )
    print("limits (fake API)    30 messages/s per bot, 1 message/s per chat, 429 beyond")
    print(f"database             {'PostgreSQL' if args.database_url else 'SQLite'}")
    print(f"run                  {elapsed:.1f} s")
    print(f"answers              {len(took)} = {len(took) / elapsed:.1f} answers/s")
    print(describe("reply time, whole run", took))
    if import_started is not None:
        end = import_done or time.monotonic()
        during = [t for asked, t in times if import_started <= asked <= end]
        print(
            f"import               {args.import_meetings} meetings, "
            + (f"{import_done - import_started:.1f} s" if import_done else "no reply")
        )
        print(f"import reply         {import_reply}")
        print(describe("reply time, during import", during))
    print(f"429 answers          {api.rejected}")
    print(f"chat actions         {len(api.calls_to('sendChatAction'))}")
    lines = log.splitlines()
    errors = [i for i, line in enumerate(lines) if " ERROR " in line]
    if errors:
        print(f"bot errors           {len(errors)}, the first:")
        print("\n".join(lines[errors[0] : errors[0] + 40]))
    return 0


def main() -> int:
    """Parse the arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--import-meetings", type=int, default=0)
    parser.add_argument("--import-at", type=float, default=20.0)
    parser.add_argument("--database-url", default=None)
    return run(parser.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
