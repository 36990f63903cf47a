"""End to end: `python -m bot run` as a subprocess against the fake Bot API over HTTP.

The bot process polls (or serves a webhook) like it would against api.telegram.org; the test
plays the users by queueing updates in the fake, waits for the bot's calls, and stops the
process with SIGINT like a terminal or `docker stop` (SIGTERM) would.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_bot_api import (
    DEFAULT_TOKEN,
    ApiCall,
    FakeBotApi,
    FakeBotApiServer,
    telegram_html_to_text,
)

SOURCE = (
    "https://www.news.az/news/chief-of-azerbaijans-state-security-service-meets-with-osce-"
    "parliamentary-assembly-president"
)
QUESTION = "who met the OSCE PA president?"
GROUP_ID = -1001234567890
START_TIMEOUT = 90.0  # a cold start imports telegram, creates and seeds the database


class BotProcess:
    """`python -m bot run` in a temporary folder, with its output kept in files."""

    def __init__(self, folder: Path, env: dict[str, str], *args: str) -> None:
        self.folder = folder
        self.stdout = (folder / "stdout.txt").open("wb")
        self.stderr = (folder / "stderr.txt").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", *args],
            cwd=folder,
            env=env,
            stdout=self.stdout,
            stderr=self.stderr,
        )

    def output(self) -> str:
        if not self.stderr.closed:
            self.stderr.flush()
        return (self.folder / "stderr.txt").read_text(errors="replace")

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30.0) -> int:
        """Send sig and wait for the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.stdout.close()
            self.stderr.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def bot_env(folder: Path, base_url: str, **extra: str) -> dict[str, str]:
    """A clean environment for the bot: the fake API, a SQLite file, no .env around."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_", "ADMIN_", "BOT_"))
    }
    env |= {
        "TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN,
        "TELEGRAM_API_BASE_URL": base_url,
        "DATABASE_URL": f"sqlite:///{folder / 'meetbot.db'}",
        "MEETBOT_DATA_DIR": str(folder / "data"),
        "ADMIN_IDS": "1001",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    env |= extra
    return env


@pytest.fixture
def api() -> FakeBotApi:
    return FakeBotApi(max_poll_wait=0.5)


@pytest.fixture
def server(api: FakeBotApi) -> Iterator[FakeBotApiServer]:
    with FakeBotApiServer(api) as running:
        yield running


def wait_reply(api: FakeBotApi, chat_id: int, after: int) -> ApiCall:
    return api.wait_for(
        "sendMessage", lambda c: c.ok and c.params.get("chat_id") == chat_id, after=after
    )


def assert_seed_answer(call: ApiCall) -> None:
    text = telegram_html_to_text(call.params["text"])
    assert "Ali Naghiyev" in text
    assert "14 November 2023" in text
    assert f'href="{SOURCE}"' in call.params["text"]


def test_polling_bot_answers_in_private_and_in_groups_then_stops_cleanly(
    tmp_path: Path, api: FakeBotApi, server: FakeBotApiServer
) -> None:
    bot = BotProcess(tmp_path, bot_env(tmp_path, server.base_url))
    try:
        api.wait_for("getUpdates", timeout=START_TIMEOUT)
        ann = api.add_user(1001, "Ann")
        mark = len(api.calls)
        api.inject(api.message_update(api.private_chat(ann), ann, QUESTION))
        assert_seed_answer(wait_reply(api, ann["id"], mark))

        group = api.add_chat(GROUP_ID, "Diplomacy watchers")
        bob = api.add_user(2002, "Bob")
        mark = len(api.calls)
        api.inject(api.message_update(group, bob, f"/ask {QUESTION}"))
        assert_seed_answer(wait_reply(api, GROUP_ID, mark))

        mark = len(api.calls)
        api.inject(api.message_update(group, bob, "nice weather today"))
        api.inject(api.message_update(group, bob, f"@meetbot_test_bot {QUESTION}"))
        mention_reply = wait_reply(api, GROUP_ID, mark)
        assert_seed_answer(mention_reply)
        # The chatter before the mention got no reply at all.
        group_calls = [
            c
            for c in api.calls[mark:]
            if c.params.get("chat_id") == GROUP_ID and c.method != "sendChatAction"
        ]
        assert [c.method for c in group_calls] == ["sendMessage"]

        defaults = [
            c for c in api.calls_to("setMyCommands") if c.params["scope"] == {"type": "default"}
        ]
        assert defaults and defaults[0].ok
        assert api.calls_to("deleteWebhook")  # polling starts by dropping any webhook
    except BaseException:
        bot.kill()
        print(bot.output())
        raise
    status = bot.stop(signal.SIGINT)
    assert status == 0, bot.output()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def post_update(port: int, path: str, update: dict[str, object], secret: str | None) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/{path}",
        data=json.dumps(update).encode(),
        headers={"Content-Type": "application/json"}
        | ({"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}),
        method="POST",
    )
    # setWebhook may come before the bot's web server listens: knock until it answers.
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_webhook_bot_checks_the_secret_and_answers(
    tmp_path: Path, api: FakeBotApi, server: FakeBotApiServer
) -> None:
    port = free_port()
    env = bot_env(
        tmp_path,
        server.base_url,
        WEBHOOK_URL="https://bot.example.test/tg/hook",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        WEBHOOK_SECRET_TOKEN="s3cret-token",
    )
    bot = BotProcess(tmp_path, env, "--webhook")
    try:
        registered = api.wait_for("setWebhook", timeout=START_TIMEOUT)
        assert registered.params["url"] == "https://bot.example.test/tg/hook"
        assert registered.params["secret_token"] == "s3cret-token"
        ann = api.add_user(1001, "Ann")
        update = api.with_update_id(api.message_update(api.private_chat(ann), ann, QUESTION))
        assert post_update(port, "tg/hook", update, secret="wrong") == 403
        mark = len(api.calls)
        assert post_update(port, "tg/hook", update, secret="s3cret-token") == 200
        assert_seed_answer(wait_reply(api, ann["id"], mark))
    except BaseException:
        bot.kill()
        print(bot.output())
        raise
    status = bot.stop(signal.SIGTERM)
    assert status == 0, bot.output()


def test_missing_token_is_one_sentence_and_a_failure_status(
    tmp_path: Path, server: FakeBotApiServer
) -> None:
    bot = BotProcess(tmp_path, bot_env(tmp_path, server.base_url, TELEGRAM_BOT_TOKEN=""))
    status = bot.process.wait(timeout=START_TIMEOUT)
    bot.stop()
    assert status == 2
    assert "meetbot: TELEGRAM_BOT_TOKEN is not set" in bot.output()
    assert "Traceback" not in bot.output()


def test_a_token_telegram_refuses_is_one_sentence(
    tmp_path: Path, server: FakeBotApiServer
) -> None:
    other = "987654321:ANOTHER-token-the-fake-does-not-know_00"
    bot = BotProcess(tmp_path, bot_env(tmp_path, server.base_url, TELEGRAM_BOT_TOKEN=other))
    status = bot.process.wait(timeout=START_TIMEOUT)
    bot.stop()
    assert status == 1
    assert "Telegram refused TELEGRAM_BOT_TOKEN" in bot.output()
    assert "Traceback" not in bot.output()


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_an_add_form_continues_after_the_process_is_killed(
    tmp_path: Path, api: FakeBotApi, server: FakeBotApiServer, how: signal.Signals
) -> None:
    env = bot_env(tmp_path, server.base_url)
    ann = api.add_user(1001, "Ann")
    chat = api.private_chat(ann)

    def say(text: str) -> ApiCall:
        mark = len(api.calls)
        api.inject(api.message_update(chat, ann, text))
        return wait_reply(api, ann["id"], mark)

    (tmp_path / "first").mkdir()
    first = BotProcess(tmp_path / "first", env)
    try:
        api.wait_for("getUpdates", timeout=START_TIMEOUT)
        assert "When did it take place?" in say("/add").params["text"]
        assert "Who took part?" in say("5 March 2024").params["text"]
        assert "on record as Ali Naghiyev" in say("Ali Naghiyev").params["text"]
    except BaseException:
        first.kill()
        print(first.output())
        raise
    first.stop(how)
    (tmp_path / "second").mkdir()
    mark = len(api.calls)
    second = BotProcess(tmp_path / "second", env)
    try:
        api.wait_for("getUpdates", timeout=START_TIMEOUT, after=mark)
        assert "on record as Pia Kauma" in say("Pia Kauma").params["text"]
        assert "Where did it take place?" in say("/done").params["text"]
        say("Vienna")
        say("/skip")
        preview = say("/skip")
        assert "<b>Preview</b>" in preview.params["text"]
        message = api.messages[(ann["id"], preview.result["message_id"])]
        mark = len(api.calls)
        api.inject(api.callback_update(ann, message, "adm:add:save"))
        saved = api.wait_for("editMessageText", after=mark)
        assert saved.params["text"].startswith("Saved as <b>meeting 2</b>.")
    except BaseException:
        second.kill()
        print(second.output())
        raise
    assert second.stop(signal.SIGTERM) == 0, second.output()


@pytest.mark.postgres
def test_two_webhook_replicas_on_postgresql_continue_one_form(
    tmp_path: Path, api: FakeBotApi, server: FakeBotApiServer, pg_url: str
) -> None:
    ann = api.add_user(1001, "Ann")
    chat = api.private_chat(ann)
    replicas: list[tuple[BotProcess, int]] = []
    try:
        for name in ("one", "two"):
            port = free_port()
            env = bot_env(
                tmp_path,
                server.base_url,
                DATABASE_URL=pg_url,
                WEBHOOK_URL=f"https://bot.example.test/{name}",
                WEBHOOK_LISTEN="127.0.0.1",
                WEBHOOK_PORT=str(port),
                WEBHOOK_SECRET_TOKEN="s3cret-token",
            )
            (tmp_path / name).mkdir()
            mark = len(api.calls)
            replicas.append((BotProcess(tmp_path / name, env, "--webhook"), port))
            api.wait_for("setWebhook", timeout=START_TIMEOUT, after=mark)

        def post(turn: int, update: dict[str, object]) -> None:
            """Post update to replica one on even turns, replica two on odd ones."""
            port, path = replicas[turn % 2][1], ("one", "two")[turn % 2]
            status = post_update(port, path, api.with_update_id(update), "s3cret-token")
            assert status == 200

        answers = ["/add", "5 March 2024", "Ali Naghiyev", "Pia Kauma", "/done", "/skip"]
        answers += ["/skip", "/skip"]
        for turn, text in enumerate(answers):
            mark = len(api.calls)
            post(turn, api.message_update(chat, ann, text))
            reply = wait_reply(api, ann["id"], mark)
        assert "<b>Preview</b>" in reply.params["text"]
        message = api.messages[(ann["id"], reply.result["message_id"])]
        mark = len(api.calls)
        post(1, api.callback_update(ann, message, "adm:add:save"))
        saved = api.wait_for("editMessageText", after=mark)
        assert saved.params["text"].startswith("Saved as <b>meeting 2</b>.")
    except BaseException:
        for bot, _ in replicas:
            bot.kill()
            print(bot.output())
        raise
    for bot, _ in replicas:
        assert bot.stop(signal.SIGTERM) == 0, bot.output()
