"""A small fake Telegram Bot API: in memory, strict where Telegram is strict, optionally over HTTP.

One `FakeBotApi` holds the state (chats, messages, pending updates, recorded calls) and answers
Bot API methods like Telegram does, including its refusals: malformed HTML ("can't parse
entities"), texts over 4096 and captions over 1024 UTF-16 units, photos that are no PNG or JPEG
or whose size Telegram refuses, callback data over 64 bytes,
unknown chats, a message that is "not modified", and 429 Too Many Requests with retry_after when
a rate limit is set.
Tests reach it two ways:

* in process, through `tests.tg_support.RecordingRequest(api)` given to build_application: the
  Bot's requests are answered by `api.handle(...)` without sockets (handler tests);
* over HTTP, with `FakeBotApiServer(api)` on 127.0.0.1 and a random port, for a real
  `meetbot run` subprocess (TELEGRAM_API_BASE_URL=server.base_url) or for benchmarks.

Typical use::

    api = FakeBotApi()
    ann = api.add_user(1001, "Ann")
    with FakeBotApiServer(api) as server:
        ...start the bot with TELEGRAM_API_BASE_URL=server.base_url...
        api.wait_for("getUpdates")
        api.inject(api.message_update(api.private_chat(ann), ann, "who met the OSCE PA?"))
        call = api.wait_for("sendMessage", lambda c: c.params["chat_id"] == ann["id"])

Rate limits (all optional, off by default): `rate_limit` messages a second across all chats,
`chat_rate_limit` a second per chat, `group_rate_per_minute` per group or channel. They count
the methods in `limited_methods`; beyond a limit the call gets 429 with retry_after, is recorded
with ok=False and counted in `api.rejected`. Scripted failures: `api.fail(method, code,
description, chat_id=..., times=..., retry_after=..., migrate_to_chat_id=...)` makes matching
calls fail like Telegram would (403 blocked, 400 migrated, 502, ...). `api.answer_late(method,
seconds, chat_id=..., times=...)` makes matching calls take effect at once (the message is
delivered) while the HTTP answer comes only after seconds, past a client's read timeout.

Waiting helpers (`wait_for`, `wait_until`) block the calling thread up to a timeout; from async
tests call them through `asyncio.to_thread`.
"""

from __future__ import annotations

import email.parser
import email.policy
import html.parser
import itertools
import json
import math
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

JSON = dict[str, Any]

DEFAULT_TOKEN = "123456789:TEST-token-for-the-fake-bot-api_0000"
# Telegram's limits, in UTF-16 code units of the text after parsing (an emoji counts 2).
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64

# Form values that are plain strings even when they look like JSON ("123", "true").
_TEXT_KEYS = frozenset(
    """text caption query callback_query_id inline_query_id description short_description title
    name secret_token url next_offset start_parameter action parse_mode emoji language_code file_id
    inline_message_id""".split()  # noqa: SIM905 - a list literal would take 20 lines
)

_ALLOWED_TAGS = frozenset(
    "b strong i em u ins s strike del span tg-spoiler a tg-emoji code pre blockquote".split()  # noqa: SIM905
)
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlError(ValueError):
    """Text that Telegram would refuse with "can't parse entities"."""


class _TelegramHtml(html.parser.HTMLParser):
    """Telegram's HTML subset: known tags, properly nested, only &lt; &gt; &amp; &quot;."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.parts: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            raise HtmlError(f'Unsupported start tag "{tag}"')
        if tag == "a" and not any(name == "href" and value for name, value in attrs):
            raise HtmlError('Tag "a" must have an href')
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise HtmlError(f'Unsupported self-closing tag "{tag}"')

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise HtmlError(f'Unmatched end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for char in "<>&":
            if char in data:
                raise HtmlError(f'Unescaped "{char}" in text')
        self.parts.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in _NAMED_ENTITIES:
            raise HtmlError(f'Unsupported HTML entity "&{name};"')
        self.parts.append(_NAMED_ENTITIES[name])

    def handle_charref(self, name: str) -> None:
        code = int(name[1:], 16) if name[:1] in ("x", "X") else int(name)
        self.parts.append(chr(code))

    def handle_comment(self, data: str) -> None:
        raise HtmlError("Comments are not supported")

    def handle_decl(self, decl: str) -> None:
        raise HtmlError("Declarations are not supported")

    def unknown_decl(self, data: str) -> None:
        raise HtmlError("Declarations are not supported")

    def handle_pi(self, data: str) -> None:
        raise HtmlError("Processing instructions are not supported")


def telegram_html_to_text(markup: str) -> str:
    """Parse Telegram HTML the way the Bot API does; return the visible text or raise HtmlError."""
    parser = _TelegramHtml()
    parser.feed(markup)
    parser.close()
    if parser.stack:
        raise HtmlError(f'Unclosed start tag "{parser.stack[-1]}"')
    return "".join(parser.parts)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(slots=True)
class ApiCall:
    """One Bot API request the fake received, with its outcome."""

    method: str
    params: JSON
    ok: bool = True
    result: Any = None
    error_code: int | None = None
    description: str | None = None
    at: float = 0.0


@dataclass(slots=True)
class _LateAnswer:
    method: str
    seconds: float
    chat_id: int | str | None
    times: int | None


@dataclass(slots=True)
class _Failure:
    method: str
    code: int
    description: str
    chat_id: int | str | None
    times: int | None
    parameters: JSON


class ApiError(Exception):
    """Raised inside a method implementation: the call answers with this error."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters or {}


@dataclass(slots=True)
class _Window:
    """Timestamps of recent sends, for a sliding-window limit."""

    span: float
    limit: int
    times: deque[float] = field(default_factory=deque)

    def retry_after(self, now: float) -> int:
        while self.times and self.times[0] <= now - self.span:
            self.times.popleft()
        if len(self.times) < self.limit:
            return 0
        return max(1, math.ceil(self.times[0] + self.span - now))

    def add(self, now: float) -> None:
        self.times.append(now)


class FakeBotApi:
    """The state and behaviour of a fake Bot API for one bot; thread-safe."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "meetbot_test_bot",
        bot_name: str = "Meetbot",
        rate_limit: int | None = None,
        chat_rate_limit: int | None = None,
        group_rate_per_minute: int | None = None,
        limited_methods: Iterable[str] = (
            "sendMessage",
            "sendDocument",
            "sendPhoto",
            "copyMessage",
            "forwardMessage",
        ),
        max_poll_wait: float = 1.0,
        now: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: JSON = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }
        self.rate_limit = rate_limit
        self.chat_rate_limit = chat_rate_limit
        self.group_rate_per_minute = group_rate_per_minute
        self.limited_methods = frozenset(limited_methods)
        self.max_poll_wait = max_poll_wait
        self._now = now
        self._monotonic = monotonic
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self.calls: list[ApiCall] = []
        self.rejected = 0
        self.updates: list[JSON] = []
        self._next_update_id = itertools.count(1)
        self.users: dict[int, JSON] = {}
        self.chats: dict[int, JSON] = {}
        self.members: dict[tuple[int, int], JSON] = {}
        self.messages: dict[tuple[int, int], JSON] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self.files: dict[str, tuple[str, bytes]] = {}
        self.commands: dict[str, list[JSON]] = {}
        self.webhook: JSON = {}
        self._failures: list[_Failure] = []
        self._late: list[_LateAnswer] = []
        self._global = _Window(1.0, rate_limit) if rate_limit else None
        self._per_chat: dict[int | str, _Window] = {}
        self._per_group: dict[int | str, _Window] = {}
        self._ids = itertools.count(1)
        self._answered_queries: set[str] = set()

    # --- the world: users, chats, members ----------------------------------------------------

    def add_user(
        self, user_id: int, first_name: str = "Ann", *, username: str | None = None
    ) -> JSON:
        """Register a person (and their private chat with the bot); return the User dict."""
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        with self._lock:
            self.users[user_id] = user
            self.chats.setdefault(user_id, self.private_chat(user))
        return user

    @staticmethod
    def private_chat(user: JSON) -> JSON:
        """The Chat dict of the private chat between the bot and user."""
        chat: JSON = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        if "username" in user:
            chat["username"] = user["username"]
        return chat

    def add_chat(
        self,
        chat_id: int,
        title: str,
        *,
        chat_type: str = "supergroup",
        username: str | None = None,
    ) -> JSON:
        """Register a group, supergroup or channel; return the Chat dict."""
        chat: JSON = {"id": chat_id, "type": chat_type, "title": title}
        if username:
            chat["username"] = username
        with self._lock:
            self.chats[chat_id] = chat
        return chat

    def set_member(self, chat_id: int, user: JSON, status: str = "member", **rights: Any) -> None:
        """Set what getChatMember says about user in chat: member, administrator, creator, ..."""
        member: JSON = {"status": status, "user": user}
        if status == "administrator":
            member |= {
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": True,
                "can_restrict_members": True,
                "can_promote_members": False,
                "can_change_info": True,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
            }
        elif status == "creator":
            member["is_anonymous"] = False
        elif status == "kicked":
            member["until_date"] = 0
        member |= rights
        with self._lock:
            self.members[(chat_id, user["id"])] = member

    def add_file(self, file_id: str, content: bytes, *, file_path: str | None = None) -> None:
        """Make getFile and the file download serve content under file_id."""
        with self._lock:
            self.files[file_id] = (file_path or f"documents/{file_id}", content)

    def fail(
        self,
        method: str,
        code: int,
        description: str,
        *,
        chat_id: int | str | None = None,
        times: int | None = 1,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """Make the next `times` calls of method (to chat_id, if given) fail; None: always."""
        parameters: JSON = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        with self._lock:
            self._failures.append(_Failure(method, code, description, chat_id, times, parameters))

    def answer_late(
        self,
        method: str,
        seconds: float,
        *,
        chat_id: int | str | None = None,
        times: int | None = 1,
    ) -> None:
        """Over HTTP, answer the next `times` calls of method (to chat_id) only after seconds.

        The call itself takes effect at once, like a message Telegram delivered while its
        answer was slow: a client with a shorter read timeout gives up on a delivered message.
        """
        with self._lock:
            self._late.append(_LateAnswer(method, seconds, chat_id, times))

    def answer_delay(self, method: str, params: JSON) -> float:
        """Seconds to hold back the HTTP answer of this call (answer_late), counting it."""
        with self._lock:
            for late in self._late:
                if late.method != method or late.times == 0:
                    continue
                if late.chat_id is not None and params.get("chat_id") != late.chat_id:
                    continue
                if late.times is not None:
                    late.times -= 1
                return late.seconds
        return 0.0

    # --- updates a user causes ---------------------------------------------------------------

    def next_message_id(self, chat_id: int) -> int:
        """Allocate the next message id in chat (shared by users' and the bot's messages)."""
        with self._lock:
            counter = self._message_ids.setdefault(chat_id, itertools.count(1))
            return next(counter)

    def user_message(
        self,
        chat: JSON,
        user: JSON | None,
        text: str,
        *,
        reply_to: JSON | None = None,
        sender_chat: JSON | None = None,
    ) -> JSON:
        """A Message dict a user sends (entities for /commands and @mentions filled in)."""
        with self._lock:
            self.chats.setdefault(chat["id"], chat)
        message: JSON = {
            "message_id": self.next_message_id(chat["id"]),
            "date": int(self._now()),
            "chat": chat,
            "text": text,
        }
        if user is not None:
            message["from"] = user
        if sender_chat is not None:
            message["sender_chat"] = sender_chat
        entities = text_entities(text)
        if entities:
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        with self._lock:
            self.messages[(chat["id"], message["message_id"])] = message
        return message

    def message_update(
        self, chat: JSON, user: JSON | None, text: str, *, reply_to: JSON | None = None
    ) -> JSON:
        """An Update dict carrying a new user message (channel posts: use channel_post_update)."""
        return {"message": self.user_message(chat, user, text, reply_to=reply_to)}

    def channel_post_update(self, chat: JSON, text: str) -> JSON:
        """An Update dict carrying a post in a channel."""
        return {"channel_post": self.user_message(chat, None, text, sender_chat=chat)}

    def callback_update(self, user: JSON, message: JSON, data: str) -> JSON:
        """An Update dict for a tap on an inline button of message (a message the bot sent)."""
        return {
            "callback_query": {
                "id": str(next(self._ids)),
                "from": user,
                "chat_instance": f"ci{message['chat']['id']}",
                "message": _public(message),
                "data": data,
            }
        }

    def inline_update(self, user: JSON, query: str, *, chat_type: str = "private") -> JSON:
        """An Update dict for an inline query typed after the bot's @username."""
        return {
            "inline_query": {
                "id": str(next(self._ids)),
                "from": user,
                "query": query,
                "offset": "",
                "chat_type": chat_type,
            }
        }

    def my_chat_member_update(
        self, chat: JSON, by_user: JSON, old_status: str, new_status: str
    ) -> JSON:
        """An Update dict for the bot's own membership changing in chat."""
        with self._lock:
            self.chats.setdefault(chat["id"], chat)
        old: JSON = {"status": old_status, "user": self.bot_user}
        new: JSON = {"status": new_status, "user": self.bot_user}
        for member in (old, new):
            if member["status"] == "kicked":
                member["until_date"] = 0
            if member["status"] == "administrator":
                member |= {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": False,
                    "can_manage_video_chats": False,
                    "can_restrict_members": False,
                    "can_promote_members": False,
                    "can_change_info": False,
                    "can_invite_users": False,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                    "can_post_messages": True,
                }
        return {
            "my_chat_member": {
                "chat": chat,
                "from": by_user,
                "date": int(self._now()),
                "old_chat_member": old,
                "new_chat_member": new,
            }
        }

    def inject(self, update: JSON) -> JSON:
        """Queue update for getUpdates, giving it the next update_id; return it."""
        with self._changed:
            update = {"update_id": next(self._next_update_id), **update}
            self.updates.append(update)
            self._changed.notify_all()
        return update

    def with_update_id(self, update: JSON) -> JSON:
        """Give update an update_id without queueing it (for in-process process_update)."""
        return {"update_id": next(self._next_update_id), **update}

    # --- inspection --------------------------------------------------------------------------

    def calls_to(
        self, method: str | None = None, *, chat_id: int | str | None = None
    ) -> list[ApiCall]:
        """The recorded calls, optionally of one method and to one chat."""
        with self._lock:
            return [
                c
                for c in self.calls
                if (method is None or c.method == method)
                and (chat_id is None or c.params.get("chat_id") == chat_id)
            ]

    def sent(self, chat_id: int | str | None = None) -> list[ApiCall]:
        """The successful sendMessage calls (to chat_id, if given)."""
        return [c for c in self.calls_to("sendMessage", chat_id=chat_id) if c.ok]

    def wait_for(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        *,
        timeout: float = 15.0,
        after: int = 0,
    ) -> ApiCall:
        """Block until a call of method (matching predicate) at index >= after; return it."""
        found: list[ApiCall] = []

        def seen() -> bool:
            for call in self.calls[after:]:
                if call.method == method and (predicate is None or predicate(call)):
                    found.append(call)
                    return True
            return False

        if not self.wait_until(seen, timeout=timeout):
            raise TimeoutError(f"no {method} call within {timeout} s")
        return found[0]

    def wait_until(self, condition: Callable[[], bool], *, timeout: float = 15.0) -> bool:
        """Block until condition() (checked whenever a call arrives) is true or timeout passes."""
        with self._changed:
            return self._changed.wait_for(condition, timeout=timeout)

    # --- the API -----------------------------------------------------------------------------

    def handle(self, method: str, params: JSON, *, token: str | None = None) -> tuple[int, JSON]:
        """Answer one Bot API call: (HTTP status, JSON body), recording it."""
        if token is not None and token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        call = ApiCall(method, params, at=self._monotonic())
        if method == "getUpdates":
            # Long polls are not recorded while they wait, or waiters would wake for nothing.
            result = self._get_updates(params)
            call.result = result
            with self._changed:
                self.calls.append(call)
                self._changed.notify_all()
            return 200, {"ok": True, "result": result}
        with self._changed:
            try:
                self._check_failures(method, params)
                self._check_rate(method, params)
                implementation = getattr(self, f"_api_{method}", None)
                if implementation is None:
                    raise ApiError(404, "Not Found: method not found")
                call.result = implementation(params)
                body: JSON = {"ok": True, "result": call.result}
                status = 200
            except ApiError as exc:
                call.ok = False
                call.error_code = exc.code
                call.description = exc.description
                body = {"ok": False, "error_code": exc.code, "description": exc.description}
                if exc.parameters:
                    body["parameters"] = exc.parameters
                status = exc.code
            self.calls.append(call)
            self._changed.notify_all()
        return status, body

    def _check_failures(self, method: str, params: JSON) -> None:
        for failure in self._failures:
            if failure.method != method or failure.times == 0:
                continue
            if failure.chat_id is not None and params.get("chat_id") != failure.chat_id:
                continue
            if failure.times is not None:
                failure.times -= 1
            raise ApiError(failure.code, failure.description, failure.parameters)

    def _check_rate(self, method: str, params: JSON) -> None:
        if method not in self.limited_methods:
            return
        now = self._monotonic()
        chat_id = params.get("chat_id")
        windows: list[_Window] = []
        if self._global:
            windows.append(self._global)
        if self.chat_rate_limit and chat_id is not None:
            windows.append(self._per_chat.setdefault(chat_id, _Window(1.0, self.chat_rate_limit)))
        if self.group_rate_per_minute and _is_group_id(chat_id):
            assert chat_id is not None
            windows.append(
                self._per_group.setdefault(chat_id, _Window(60.0, self.group_rate_per_minute))
            )
        wait = max((w.retry_after(now) for w in windows), default=0)
        if wait:
            self.rejected += 1
            raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        for window in windows:
            window.add(now)

    def _get_updates(self, params: JSON) -> list[JSON]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        wait = min(float(params.get("timeout") or 0), self.max_poll_wait)
        deadline = self._monotonic() + wait
        with self._changed:
            if offset:
                # Telegram forgets the updates below the offset: they are confirmed.
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self.updates:
                left = deadline - self._monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return list(self.updates[:limit])

    def _chat(self, chat_id: Any) -> JSON:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self.chats.values():
                if chat.get("username", "").lower() == chat_id[1:].lower():
                    return chat
        elif chat_id is not None:
            chat = self.chats.get(int(chat_id))
            if chat is not None:
                return chat
        raise ApiError(400, "Bad Request: chat not found")

    def _message(self, chat: JSON, text: str | None = None) -> JSON:
        message: JSON = {
            "message_id": self.next_message_id(chat["id"]),
            "date": int(self._now()),
            "chat": chat,
            "from": self.bot_user,
        }
        if text is not None:
            message["text"] = text
        return message

    def _api_getMe(self, params: JSON) -> JSON:
        return self.bot_user

    def _api_logOut(self, params: JSON) -> bool:
        return True

    def _api_close(self, params: JSON) -> bool:
        return True

    def _api_deleteWebhook(self, params: JSON) -> bool:
        self.webhook = {}
        if params.get("drop_pending_updates"):
            self.updates.clear()
        return True

    def _api_setWebhook(self, params: JSON) -> bool:
        url = params.get("url") or ""
        if url and not str(url).startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")
        self.webhook = dict(params)
        return True

    def _api_getWebhookInfo(self, params: JSON) -> JSON:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }

    def _api_setMyCommands(self, params: JSON) -> bool:
        scope = params.get("scope") or {"type": "default"}
        if scope.get("type") == "chat":
            self._chat(scope.get("chat_id"))
        commands = params.get("commands") or []
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[_scope_key(scope, params.get("language_code"))] = commands
        return True

    def _api_getMyCommands(self, params: JSON) -> list[JSON]:
        scope = params.get("scope") or {"type": "default"}
        return self.commands.get(_scope_key(scope, params.get("language_code")), [])

    def _api_deleteMyCommands(self, params: JSON) -> bool:
        scope = params.get("scope") or {"type": "default"}
        self.commands.pop(_scope_key(scope, params.get("language_code")), None)
        return True

    def _api_sendChatAction(self, params: JSON) -> bool:
        self._chat(params.get("chat_id"))
        return True

    def _api_sendMessage(self, params: JSON) -> JSON:
        chat = self._chat(params.get("chat_id"))
        text = _render_text(params.get("text"), params.get("parse_mode"))
        _check_markup(params.get("reply_markup"))
        message = self._message(chat, text)
        self._attach_reply(message, chat, params)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        message["html"] = params.get("text")  # what the bot sent, before parsing
        self.messages[(chat["id"], message["message_id"])] = message
        return _public(message)

    def _api_sendDocument(self, params: JSON) -> JSON:
        return self._send_file(params, "document")

    def _api_sendPhoto(self, params: JSON) -> JSON:
        return self._send_file(params, "photo")

    def _send_file(self, params: JSON, kind: str) -> JSON:
        """sendDocument or sendPhoto: an uploaded file (multipart) or a file_id, and a caption
        of at most CAPTION_LIMIT UTF-16 units. A photo must be a PNG or JPEG whose size
        Telegram accepts; it is stored with its width and height (read from the image)."""
        chat = self._chat(params.get("chat_id"))
        upload = params.get(kind)
        if upload is None:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        file_id = f"{kind[:3]}{next(self._ids)}"
        name = kind
        content = b""
        if isinstance(upload, tuple):
            name, content = upload
        elif isinstance(upload, str):
            file_id = upload
            content = self.files.get(upload, ("", b""))[1]
        self.files[file_id] = (f"{kind}s/{name}", content)
        caption = None
        if params.get("caption") is not None:
            caption = _render_text(params["caption"], params.get("parse_mode"), CAPTION_LIMIT)
        message = self._message(chat)
        if kind == "photo":
            width, height = image_size(content)
            message["photo"] = [
                {
                    "file_id": file_id,
                    "file_unique_id": f"u{file_id}",
                    "width": width,
                    "height": height,
                    "file_size": len(content),
                }
            ]
        else:
            message["document"] = {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_name": name,
                "file_size": len(content),
            }
        if caption is not None:
            message["caption"] = caption
        if params.get("reply_markup"):
            _check_markup(params["reply_markup"])
            message["reply_markup"] = params["reply_markup"]
        self._attach_reply(message, chat, params)
        self.messages[(chat["id"], message["message_id"])] = message
        return _public(message)

    def _api_getFile(self, params: JSON) -> JSON:
        file_id = params.get("file_id")
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        path, content = self.files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(content),
            "file_path": path,
        }

    def file_content(self, file_path: str) -> bytes | None:
        """The bytes served at file_path (the download URL of getFile), or None."""
        with self._lock:
            for path, content in self.files.values():
                if path == file_path:
                    return content
        return None

    def _attach_reply(self, message: JSON, chat: JSON, params: JSON) -> None:
        reply = params.get("reply_parameters") or {}
        reply_id = reply.get("message_id") or params.get("reply_to_message_id")
        if not reply_id:
            return
        original = self.messages.get((chat["id"], int(reply_id)))
        if original is None:
            if not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
            return
        quoted = {k: v for k, v in original.items() if k not in ("reply_to_message", "html")}
        message["reply_to_message"] = quoted

    def _edited(self, params: JSON) -> JSON:
        chat = self._chat(params.get("chat_id"))
        message = self.messages.get((chat["id"], int(params.get("message_id") or 0)))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    def _api_editMessageText(self, params: JSON) -> JSON:
        message = self._edited(params)
        text = _render_text(params.get("text"), params.get("parse_mode"))
        markup = params.get("reply_markup")
        _check_markup(markup)
        if text == message.get("text") and markup == message.get("reply_markup"):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message["text"] = text
        message["html"] = params.get("text")
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(self._now())
        return _public(message)

    def _api_editMessageReplyMarkup(self, params: JSON) -> JSON:
        message = self._edited(params)
        markup = params.get("reply_markup")
        _check_markup(markup)
        if (markup or None) == (message.get("reply_markup") or None):
            raise ApiError(400, "Bad Request: message is not modified")
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(self._now())
        return _public(message)

    def _api_deleteMessage(self, params: JSON) -> bool:
        chat = self._chat(params.get("chat_id"))
        if self.messages.pop((chat["id"], int(params.get("message_id") or 0)), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _api_answerCallbackQuery(self, params: JSON) -> bool:
        if len(params.get("text") or "") > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query_id = str(params.get("callback_query_id"))
        if query_id in self._answered_queries:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is "
                "invalid",
            )
        self._answered_queries.add(query_id)
        return True

    def _api_answerInlineQuery(self, params: JSON) -> bool:
        results = params.get("results") or []
        if len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [r.get("id", "") for r in results]
        if len(set(ids)) != len(ids) or any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        for result in results:
            content = result.get("input_message_content") or {}
            if "message_text" in content:
                _render_text(content["message_text"], content.get("parse_mode"))
            _check_markup(result.get("reply_markup"))
        button = params.get("button")
        start = (button or {}).get("start_parameter")
        if start is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", start):
            raise ApiError(400, "Bad Request: START_PARAM_INVALID")
        return True

    def _api_getChat(self, params: JSON) -> JSON:
        chat = self._chat(params.get("chat_id"))
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _api_getChatMember(self, params: JSON) -> JSON:
        chat = self._chat(params.get("chat_id"))
        user_id = int(params.get("user_id") or 0)
        member = self.members.get((chat["id"], user_id))
        if member is not None:
            return member
        if user_id == self.bot_id:
            return {"status": "member", "user": self.bot_user}
        user = self.users.get(user_id)
        if user is None:
            raise ApiError(400, "Bad Request: user not found")
        if chat["type"] == "private":
            return {"status": "member", "user": user}
        return {"status": "left", "user": user}

    def _api_getChatAdministrators(self, params: JSON) -> list[JSON]:
        chat = self._chat(params.get("chat_id"))
        return [
            m
            for (chat_id, _), m in self.members.items()
            if chat_id == chat["id"] and m["status"] in ("administrator", "creator")
        ]

    def _api_leaveChat(self, params: JSON) -> bool:
        self._chat(params.get("chat_id"))
        return True


def _scope_key(scope: JSON, language_code: str | None) -> str:
    return json.dumps({"scope": scope, "language": language_code or ""}, sort_keys=True)


def _is_group_id(chat_id: Any) -> bool:
    """Groups and channels have negative ids; "@name" addresses a channel or supergroup."""
    if isinstance(chat_id, str):
        return chat_id.startswith(("@", "-"))
    return isinstance(chat_id, int) and chat_id < 0


def _render_text(text: Any, parse_mode: Any, limit: int = MESSAGE_LIMIT) -> str:
    """Check text like Telegram: parse HTML, refuse empty or over-long text; return plain text."""
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if parse_mode and str(parse_mode).upper() == "HTML":
        try:
            plain = telegram_html_to_text(text)
        except HtmlError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
    elif parse_mode:
        raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode} in this fake")
    else:
        plain = text
    if not plain.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_len(plain) > limit:
        raise ApiError(400, "Bad Request: message is too long")
    return plain


PHOTO_MAX_BYTES = 10 * 1024 * 1024  # Telegram's limit for an uploaded photo


def image_size(content: bytes) -> tuple[int, int]:
    """Width and height of a PNG (from its IHDR chunk) or a JPEG (from its SOF marker), refused
    like Telegram refuses a photo it cannot process or whose size it does not take."""
    width = height = 0
    if content[:8] == b"\x89PNG\r\n\x1a\n" and content[12:16] == b"IHDR":
        width = int.from_bytes(content[16:20], "big")
        height = int.from_bytes(content[20:24], "big")
    elif content[:2] == b"\xff\xd8":
        at = 2
        while at + 9 < len(content) and content[at] == 0xFF:
            marker, length = content[at + 1], int.from_bytes(content[at + 2 : at + 4], "big")
            if marker in (0xC0, 0xC1, 0xC2):
                height = int.from_bytes(content[at + 5 : at + 7], "big")
                width = int.from_bytes(content[at + 7 : at + 9], "big")
                break
            at += 2 + length
    if not width or not height:
        raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
    if len(content) > PHOTO_MAX_BYTES:
        raise ApiError(400, "Bad Request: PHOTO_SAVE_FILE_INVALID")
    if width + height > 10_000 or max(width, height) > 20 * min(width, height):
        raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
    return width, height


def _check_markup(markup: Any) -> None:
    if not markup:
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise ApiError(400, "Bad Request: BUTTON_TEXT_EMPTY")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


def _public(message: JSON) -> JSON:
    """The message as Telegram returns it (without the fake's own bookkeeping keys)."""
    return {k: v for k, v in message.items() if k != "html"}


_ENTITY = re.compile(
    r"(?<![\w/@])(/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?|@[A-Za-z0-9_]{3,32})"
)


def text_entities(text: str) -> list[JSON]:
    """bot_command and mention entities as Telegram marks them (offsets in UTF-16 units)."""
    entities = []
    for match in _ENTITY.finditer(text):
        kind = "bot_command" if match.group(0).startswith("/") else "mention"
        entities.append(
            {
                "type": kind,
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group(0)),
            }
        )
    return entities


# --- over HTTP -----------------------------------------------------------------------------


class FakeBotApiServer:
    """Serve a FakeBotApi over HTTP on 127.0.0.1 (a random free port) from a daemon thread."""

    def __init__(self, api: FakeBotApi, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.api = api
        handler = type("_BoundHandler", (_Handler,), {"api": api})
        self._server = _QuietServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The TELEGRAM_API_BASE_URL that points a bot at this server."""
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> FakeBotApiServer:
        """Start serving in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeBotApiServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


class _QuietServer(ThreadingHTTPServer):
    """A server that does not print a traceback when a client drops a kept-alive connection."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    api: FakeBotApi
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        # PTB percent-encodes the token's colon in a file's download URL; Telegram accepts it.
        path = unquote(parts.path)
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", path)
        file_match = re.fullmatch(r"/file/bot([^/]+)/(.+)", path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if file_match:
            content = self.api.file_content(file_match.group(2))
            if file_match.group(1) != self.api.token or content is None:
                self._send(404, b'{"ok":false,"error_code":404,"description":"Not Found"}')
            else:
                self._send(200, content, "application/octet-stream")
            return
        if not match:
            self._send(404, b'{"ok":false,"error_code":404,"description":"Not Found"}')
            return
        params = dict(_decode_form(parse_qsl(parts.query)))
        params |= _decode_body(self.headers.get("Content-Type") or "", body)
        delay = self.api.answer_delay(match.group(2), params)
        status, answer = self.api.handle(match.group(2), params, token=match.group(1))
        if delay:
            time.sleep(delay)  # done and recorded; only the answer is late
        self._send(status, json.dumps(answer).encode("utf-8"))

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status, HTTPStatus(status).phrase)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _decode_value(key: str, value: str) -> Any:
    if key in _TEXT_KEYS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _decode_form(pairs: Iterable[tuple[str, str]]) -> Iterable[tuple[str, Any]]:
    for key, value in pairs:
        yield key, _decode_value(key, value)


def _decode_body(content_type: str, body: bytes) -> JSON:
    if not body:
        return {}
    if content_type.startswith("application/json"):
        decoded = json.loads(body)
        return decoded if isinstance(decoded, dict) else {}
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(_decode_form(parse_qsl(body.decode("utf-8"), keep_blank_values=True)))
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        params: JSON = {}
        for part in message.iter_parts():  # type: ignore[attr-defined]
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True) or b""
            if filename is not None:
                params[name] = (filename, payload)
            else:
                params[name] = _decode_value(name, payload.decode("utf-8"))
        # PTB sends a file as attach://<name> in the JSON field and the bytes in a part.
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                params[key] = params.pop(value.removeprefix("attach://"), value)
        return params
    return {}
