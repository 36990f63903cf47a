"""Support for Telegram-side tests: a real Application talking to the fake Bot API in process.

Shared by the asking, admin and digest tests. Nothing here mocks the bot: build_application
builds the real Application (handlers, error handler, rate limiter, custom context), and its Bot
sends every request through `RecordingRequest`, which hands it to a `FakeBotApi`
(tests/fake_bot_api.py) that answers like Telegram, refusals included, and records it.

    async with BotHarness(engine, clock=clock, admin_ids=(42,)) as bot:
        ann = bot.api.add_user(1001, "Ann")
        await bot.say(bot.api.private_chat(ann), ann, "who met the OSCE PA president?")
        reply = bot.last_reply(ann["id"])          # an ApiCall of sendMessage
        assert "Ali Naghiyev" in reply.params["text"]   # the HTML the bot sent
        await bot.tap(ann, bot.message_of(reply), reply_button(reply, "More"))

* `BotHarness(engine, clock=..., **settings)`: builds settings (a valid fake token, the given
  overrides such as admin_ids=(42,) or default_timezone="Europe/Berlin"), the Application and
  the FakeBotApi; `async with` initializes it (getMe) and shuts it down (post_shutdown too,
  which stops the child process of big imports). `await
  bot.run_post_init()` runs post_init (setMyCommands, the feature start-up hooks), which
  initialize() alone does not.
* Feeding updates: `say` (a text message; /commands and @mentions get their entities),
  `tap` (an inline button), `inline` (an inline query), `membership` (my_chat_member), or
  `feed(update_dict)` for anything else built with the FakeBotApi's builders. Each runs
  `application.process_update` and returns after the handlers are done.
* Looking: `bot.api.calls_to("sendMessage", chat_id=...)`, `bot.replies(chat_id)`,
  `bot.last_reply(chat_id)`, `bot.message_of(call)` (the message as stored, for replies and
  taps), `reply_buttons(call)`. `bot.errors` lists exceptions that reached the error handler;
  the `bot` fixture pattern below asserts it stays empty unless a test expects an error.
* Data: `import_records(engine, clock, meetings=[...])` writes meetings through the real import
  path (bot.core.interchange); `meeting_record(...)` builds one record dict.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from fake_bot_api import DEFAULT_TOKEN, ApiCall, FakeBotApi
from sqlalchemy import Engine
from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.interchange import apply_import, parse_import
from bot.tg.app import build_application
from bot.tg.context import BotContext
from storage.db import session_scope

JSON = dict[str, Any]


class RecordingRequest(BaseRequest):
    """A BaseRequest that answers from a FakeBotApi in process: no sockets, every call kept."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        # Method name -> exceptions to raise on its next calls, in order (network trouble).
        self.transport_failures: dict[str, list[Exception]] = {}

    def break_transport(self, method: str, *errors: Exception) -> None:
        """Make the next calls of method raise errors (e.g. NetworkError, TimedOut) in order."""
        self.transport_failures.setdefault(method, []).extend(errors)

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    @property
    def read_timeout(self) -> float:
        """PTB adds this to long-poll timeouts; nothing here waits."""
        return 1.0

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
        path = urlsplit(url).path
        file_match = re.search(r"/file/bot[^/]+/(.+)$", path)
        if file_match:
            content = self.api.file_content(file_match.group(1))
            return (200, content) if content is not None else (404, b"")
        match = re.search(r"/bot([^/]+)/([A-Za-z]+)$", path)
        if not match:
            return 404, b'{"ok": false, "error_code": 404, "description": "Not Found"}'
        pending = self.transport_failures.get(match.group(2))
        if pending:
            raise pending.pop(0)
        params: JSON = dict(request_data.parameters) if request_data else {}
        if request_data is not None and request_data.contains_files:
            for name, value in (request_data.multipart_data or {}).items():
                params[name] = (value[0], value[1])
            for key, value in list(params.items()):
                if isinstance(value, str) and value.startswith("attach://"):
                    params[key] = params.pop(value.removeprefix("attach://"), value)
        status, body = self.api.handle(match.group(2), params, token=match.group(1))
        return status, json.dumps(body).encode("utf-8")


def make_settings(**overrides: Any) -> Settings:
    """Settings for tests: the fake token and whatever overrides say; no .env is read."""
    values: JSON = {"telegram_bot_token": DEFAULT_TOKEN, "default_timezone": "UTC"}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class BotHarness:
    """A real Application on a FakeBotApi, with builders that feed it updates."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock,
        api: FakeBotApi | None = None,
        **settings: Any,
    ) -> None:
        self.api = api or FakeBotApi()
        self.settings = make_settings(**settings)
        self.request = RecordingRequest(self.api)
        self.app: Application[Any, BotContext, Any, Any, Any, Any] = build_application(
            self.settings, engine=engine, clock=clock, request=self.request
        )
        self.errors: list[BaseException] = []
        self.app.add_error_handler(self._record_error)

    async def _record_error(self, update: object, context: BotContext) -> None:
        if context.error is not None:
            self.errors.append(context.error)

    async def __aenter__(self) -> BotHarness:
        await self.app.initialize()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.app.shutdown()
        if self.app.post_shutdown is not None:  # as run_polling does after shutdown()
            await self.app.post_shutdown(self.app)

    async def run_post_init(self) -> None:
        """Run the application's post_init, as run_polling would after initialize()."""
        assert self.app.post_init is not None
        await self.app.post_init(self.app)

    @property
    def username(self) -> str:
        """The bot's @username, without the @."""
        return str(self.api.bot_user["username"])

    # --- feeding updates ---------------------------------------------------------------------

    async def feed(self, update: JSON) -> Update:
        """Process one Update dict (built by the FakeBotApi's builders) through the app."""
        parsed = Update.de_json(self.api.with_update_id(update), self.app.bot)
        await self.app.process_update(parsed)
        return parsed

    async def say(
        self, chat: JSON, user: JSON | None, text: str, *, reply_to: JSON | None = None
    ) -> JSON:
        """A user writes text in chat (optionally as a reply); return the message dict."""
        update = self.api.message_update(chat, user, text, reply_to=reply_to)
        await self.feed(update)
        return dict(update["message"])

    async def tap(self, user: JSON, message: JSON, data: str) -> None:
        """A user taps the inline button with callback data on message."""
        await self.feed(self.api.callback_update(user, message, data))

    async def inline(self, user: JSON, query: str) -> ApiCall:
        """A user types an inline query; return the answerInlineQuery call it caused."""
        before = len(self.api.calls)
        await self.feed(self.api.inline_update(user, query))
        answers = [c for c in self.api.calls[before:] if c.method == "answerInlineQuery"]
        assert answers, "the bot did not answer the inline query"
        return answers[-1]

    async def membership(self, chat: JSON, by_user: JSON, old: str, new: str) -> None:
        """The bot's membership in chat changes from old to new status (by by_user)."""
        await self.feed(self.api.my_chat_member_update(chat, by_user, old, new))

    # --- looking at what the bot did ---------------------------------------------------------

    def replies(self, chat_id: int | str | None = None) -> list[ApiCall]:
        """The messages the bot sent successfully (to chat_id, if given)."""
        return self.api.sent(chat_id)

    def last_reply(self, chat_id: int | str | None = None) -> ApiCall:
        """The last message the bot sent (to chat_id); fails the test if there is none."""
        sent = self.replies(chat_id)
        assert sent, f"the bot sent nothing to {chat_id}"
        return sent[-1]

    def message_of(self, call: ApiCall) -> JSON:
        """The current state of the message a sendMessage call created, as Telegram keeps it."""
        result = call.result
        stored = self.api.messages[(result["chat"]["id"], result["message_id"])]
        return {k: v for k, v in stored.items() if k != "html"}


def reply_buttons(call: ApiCall) -> list[tuple[str, str | None]]:
    """(text, callback data) of every inline button of a sendMessage/editMessage call."""
    markup = call.params.get("reply_markup") or {}
    return [
        (button["text"], button.get("callback_data"))
        for row in markup.get("inline_keyboard", [])
        for button in row
    ]


def button_data(call: ApiCall, text_starts: str) -> str:
    """The callback data of the first button whose text starts with text_starts."""
    for text, data in reply_buttons(call):
        if text.startswith(text_starts) and data:
            return data
    raise AssertionError(f"no button starting with {text_starts!r} in {reply_buttons(call)}")


def meeting_record(
    day: str | dt.date,
    participants: Sequence[tuple[str, str | None, str | None, str | None]],
    *,
    location: str | None = None,
    title: str | None = None,
    issues: Sequence[str] = (),
    source: str | Sequence[str] | None = None,
    record_id: str | None = None,
) -> JSON:
    """One meeting in the import format; participants are (name, title, organization, country)."""
    record: JSON = {
        "date": day.isoformat() if isinstance(day, dt.date) else day,
        "participants": [
            {
                key: value
                for key, value in (
                    ("name", name),
                    ("title", role),
                    ("organization", org),
                    ("country", country),
                )
                if value is not None
            }
            for name, role, org, country in participants
        ],
    }
    for key, value in (
        ("id", record_id),
        ("location", location),
        ("title", title),
        ("source", list(source) if isinstance(source, (list, tuple)) else source),
    ):
        if value is not None:
            record[key] = value
    if issues:
        record["issues"] = list(issues)
    return record


def import_records(
    engine: Engine, clock: Clock, meetings: Sequence[JSON], **sections: Sequence[JSON]
) -> None:
    """Write meetings (and organizations/issues sections) through the real import path."""
    document = {"meetings": list(meetings), **{k: list(v) for k, v in sections.items()}}
    doc = parse_import(json.dumps(document).encode("utf-8"), filename="test.json")
    with session_scope(engine) as session:
        apply_import(doc, session=session, clock=clock)
