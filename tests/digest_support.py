"""Shared pieces for the digest tests: databases, meetings and subscriptions as plain rows."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import heapq
import itertools
import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from fake_bot_api import DEFAULT_TOKEN, FakeBotApi
from sqlmodel import Session, select
from telegram import Bot
from telegram.request import BaseRequest, RequestData
from tg_support import RecordingRequest

from bot.core.clock import FakeClock
from storage.deliveries import SubscriptionSettings, save_subscription
from storage.models import Issue, Meeting, MeetingIssue, Participation, Person, Subscription


def utc(*args: int) -> dt.datetime:
    """Return an aware UTC datetime."""
    return dt.datetime(*args, tzinfo=dt.UTC)  # type: ignore[misc]


def add_meeting(
    session: Session,
    *,
    created_at: dt.datetime,
    date: dt.date = dt.date(2024, 1, 10),
    title: str = "A meets B",
    issues: tuple[str, ...] = (),
    people: tuple[str, ...] = ("Ali Naghiyev", "Pia Kauma"),
    source: str = "https://example.org/news",
    role: str = "Official",
    deleted: bool = False,
) -> int:
    """Insert one meeting with its people and issues; return its id."""
    meeting = Meeting(
        date=date,
        title=title,
        location="Baku, Azerbaijan",
        sources=[source],
        created_at=created_at,
        updated_at=created_at,
        deleted_at=created_at if deleted else None,
    )
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    for position, name in enumerate(people):
        person = Person(name=name, aliases=[])
        session.add(person)
        session.flush()
        assert person.id is not None
        session.add(
            Participation(
                meeting_id=meeting.id, person_id=person.id, position=position, title=role
            )
        )
    for position, label in enumerate(issues):
        issue = session.exec(select(Issue).where(Issue.name == label)).first()
        if issue is None:
            issue = Issue(name=label, aliases=[])
            session.add(issue)
            session.flush()
        assert issue.id is not None
        session.add(MeetingIssue(meeting_id=meeting.id, issue_id=issue.id, position=position))
    session.flush()
    return meeting.id


def add_subscription(
    session: Session,
    *,
    chat_id: int,
    now: dt.datetime,
    send_time: dt.time = dt.time(9, 0),
    timezone: str = "Europe/Berlin",
    chat_type: str = "private",
    empty_day_note: bool = False,
    silent: bool = False,
) -> Subscription:
    """Subscribe a chat as /subscribe would at now."""
    sub, _ = save_subscription(
        session=session,
        chat_id=chat_id,
        chat_type=chat_type,
        title=None,
        settings=SubscriptionSettings(send_time, timezone, empty_day_note, silent),
        created_by=1,
        now=now,
    )
    return sub


class ApiRequest(RecordingRequest):
    """Hands the Bot's requests to a FakeBotApi in process, with hooks for fan-out tests.

    before_send(chat_id) runs before each sendMessage reaches the fake (it may raise, e.g.
    CancelledError to play a crash); each successful sendMessage is stamped with
    time_source() in `sent_at` (every attempt, with its HTTP status, in `attempts`), so tests
    can check spacing in virtual time.
    """

    def __init__(
        self,
        api: FakeBotApi,
        *,
        time_source: Callable[[], float] | None = None,
        before_send: Callable[[Any], None] | None = None,
    ) -> None:
        super().__init__(api)
        self.time_source = time_source
        self.before_send = before_send
        self.sent_at: list[tuple[Any, float]] = []
        self.attempts: list[tuple[Any, float, int]] = []

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Answer one request through the FakeBotApi."""
        match = re.search(r"/bot([^/]+)/([A-Za-z]+)$", urlsplit(url).path)
        assert match, url
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        if match.group(2) == "sendMessage" and self.before_send is not None:
            self.before_send(params.get("chat_id"))
        status, body = self.api.handle(match.group(2), params, token=match.group(1))
        if match.group(2) == "sendMessage" and self.time_source:
            at = self.time_source()
            self.attempts.append((params.get("chat_id"), at, status))
            if status == 200:
                self.sent_at.append((params.get("chat_id"), at))
        return status, json.dumps(body).encode("utf-8")


async def make_bot(request: BaseRequest) -> Bot:
    """Return an initialized Bot (getMe done) that sends through request."""
    bot = Bot(DEFAULT_TOKEN, request=request, get_updates_request=request)
    await bot.initialize()
    return bot


class VirtualTime:
    """Seconds that pass only when told to: monotonic() and sleep() for the sender and limiter.

    advance(seconds) wakes the sleepers due by then, in order. autopilot() runs a task that,
    whenever someone sleeps, jumps to the earliest wake-up after letting everything runnable
    run for a real millisecond; a FakeClock given here moves along.
    """

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.now = 0.0
        self.clock = clock
        self._start = clock.now() if clock else None
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def monotonic(self) -> float:
        """Return the virtual seconds since the start."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Wait until the virtual time has moved on by seconds."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._seq), future))
        await future

    @property
    def sleeping(self) -> int:
        """Return how many sleepers wait (a cancelled sleep no longer counts)."""
        return len(self.wakeups())

    def wakeups(self) -> list[float]:
        """Return when the sleepers wake, in order (a cancelled sleep no longer counts).

        Which sleeps are pending tells more than how many: a test waits for the very state
        it means before it moves time.
        """
        return sorted(wake for wake, _, future in self._sleepers if not future.done())

    def advance(self, seconds: float) -> None:
        """Move the virtual time forward, waking the sleepers due by then."""
        self._move(self.now + seconds)

    def _move(self, target: float) -> None:
        while self._sleepers and self._sleepers[0][0] <= target:
            wake, _, future = heapq.heappop(self._sleepers)
            self._set(wake)
            if not future.done():
                future.set_result(None)
        self._set(target)

    def _set(self, value: float) -> None:
        self.now = max(self.now, value)
        if self.clock is not None and self._start is not None:
            self.clock.set(self._start + dt.timedelta(seconds=self.now))

    @asynccontextmanager
    async def autopilot(self) -> AsyncIterator[None]:
        """Advance to each next wake-up by itself while the block runs."""

        async def drive() -> None:
            while True:
                await asyncio.sleep(0.001)
                if self._sleepers:
                    self._move(self._sleepers[0][0])

        task = asyncio.create_task(drive())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def wait_until(condition: Callable[[], bool], *, timeout: float = 10.0) -> None:
    """Poll condition every real millisecond or so until it holds; fail after timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.002)
