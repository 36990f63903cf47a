"""Asking through a real Application: private chats, groups, inline mode, buttons, errors.

Every test feeds real Update objects to application.process_update; the Bot's requests go to
the in-process fake Bot API (tests/fake_bot_api.py), which refuses what Telegram refuses
(broken HTML, messages over 4096 characters, callback data over 64 bytes).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fake_bot_api import FakeBotApi, telegram_html_to_text, utf16_len
from sqlalchemy import Engine, delete, event, text
from telegram.error import NetworkError, TimedOut
from tg_support import (
    BotHarness,
    button_data,
    import_records,
    meeting_record,
    reply_buttons,
)

from bot.core.clock import FakeClock
from bot.core.records import grant_admin
from bot.core.seeds import load_seeds_if_empty
from bot.tg import asking
from bot.tg.app import SORRY
from bot.tg.context import MembershipChange, deps_of
from storage.db import create_db_engine, session_scope
from storage.models import SentAnswer

SOURCE = (
    "https://www.news.az/news/chief-of-azerbaijans-state-security-service-meets-with-osce-"
    "parliamentary-assembly-president"
)
QUESTION = "who met the OSCE PA president?"
GROUP_ID = -1001234567890


@pytest.fixture
def db(sqlite_engine: Engine, clock: FakeClock) -> Engine:
    """A SQLite database with the seed meeting (Naghiyev meets Kauma, Baku, 2023-11-14)."""
    with session_scope(sqlite_engine) as session:
        load_seeds_if_empty(session=session, clock=clock)
    return sqlite_engine


@pytest.fixture
async def bot(db: Engine, clock: FakeClock) -> AsyncIterator[BotHarness]:
    """The bot on the seeded database; fails the test if an unexpected error was handled."""
    async with BotHarness(db, clock=clock) as harness:
        yield harness
    assert harness.errors == [], "a handler failed"


def assert_seed_answer(html: str) -> None:
    text = telegram_html_to_text(html)
    assert "Ali Naghiyev" in text
    assert "14 November 2023" in text
    assert f'href="{SOURCE}"' in html


# --- private chats ---------------------------------------------------------------------------


async def test_a_quick_answer_spends_no_request_on_typing(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    await bot.say(bot.api.private_chat(ann), ann, QUESTION)
    methods = [c.method for c in bot.api.calls if c.params.get("chat_id") == ann["id"]]
    assert methods == ["sendMessage"]
    reply = bot.last_reply(ann["id"])
    assert reply.params["parse_mode"] == "HTML"
    assert_seed_answer(reply.params["text"])
    assert "reply_parameters" not in reply.params  # no buttons: no need to quote in private


async def test_a_slow_answer_shows_typing_first(
    bot: BotHarness, db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(asking, "TYPING_DELAY", 0.01)
    ann = bot.api.add_user(1001, "Ann")
    typing_seen = threading.Event()

    def slow_lookup(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # The answer's look-up (it reads the catalog version first) waits until "typing…"
        # has gone out; the open-form check before it does not.
        if "catalogversion" in statement.lower():
            typing_seen.wait(timeout=10)

    event.listen(db, "before_cursor_execute", slow_lookup)
    try:
        asked = asyncio.create_task(bot.say(bot.api.private_chat(ann), ann, QUESTION))
        await asyncio.to_thread(bot.api.wait_for, "sendChatAction", timeout=10)
        typing_seen.set()
        await asked
    finally:
        typing_seen.set()
        event.remove(db, "before_cursor_execute", slow_lookup)
    methods = [c.method for c in bot.api.calls if c.params.get("chat_id") == ann["id"]]
    assert methods == ["sendChatAction", "sendMessage"]
    assert bot.api.calls_to("sendChatAction")[0].params["action"] == "typing"
    assert_seed_answer(bot.last_reply(ann["id"]).params["text"])


async def test_private_ask_command_and_bare_ask(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    chat = bot.api.private_chat(ann)
    await bot.say(chat, ann, f"/ask {QUESTION}")
    assert_seed_answer(bot.last_reply(ann["id"]).params["text"])
    await bot.say(chat, ann, "/ask")
    assert bot.last_reply(ann["id"]).params["text"].startswith("Ask a question after the command")


async def test_a_question_the_core_refuses_gets_its_sentence(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    await bot.say(bot.api.private_chat(ann), ann, "who met " + "x" * 600)
    assert "please keep it under 500" in bot.last_reply(ann["id"]).params["text"]


async def test_unknown_command_in_private_points_to_help(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    await bot.say(bot.api.private_chat(ann), ann, "/frobnicate")
    assert "/help" in bot.last_reply(ann["id"]).params["text"]


async def test_edited_messages_are_not_asked_again(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    message = bot.api.user_message(bot.api.private_chat(ann), ann, QUESTION)
    await bot.feed({"edited_message": {**message, "edit_date": message["date"] + 5}})
    assert bot.replies() == []


# --- groups ----------------------------------------------------------------------------------


@pytest.fixture
def group(bot: BotHarness) -> dict[str, object]:
    return bot.api.add_chat(GROUP_ID, "Diplomacy watchers")


@pytest.mark.parametrize("command", ["/ask", "/ask@meetbot_test_bot", "/ASK@Meetbot_Test_Bot"])
async def test_group_ask_command_is_answered_as_a_reply(
    bot: BotHarness, group: dict[str, object], command: str
) -> None:
    bob = bot.api.add_user(2002, "Bob")
    asked = await bot.say(group, bob, f"{command} {QUESTION}")
    reply = bot.last_reply(GROUP_ID)
    assert_seed_answer(reply.params["text"])
    assert reply.params["reply_parameters"]["message_id"] == asked["message_id"]


async def test_group_mention_is_answered_without_the_mention(
    bot: BotHarness, group: dict[str, object]
) -> None:
    bob = bot.api.add_user(2002, "Bob")
    await bot.say(group, bob, f"@meetbot_test_bot {QUESTION}")
    assert_seed_answer(bot.last_reply(GROUP_ID).params["text"])
    await bot.say(group, bob, "@meetbot_test_bot")
    assert "Ask me a question" in bot.last_reply(GROUP_ID).params["text"]


async def test_group_reply_to_the_bot_is_a_question(
    bot: BotHarness, group: dict[str, object]
) -> None:
    bob = bot.api.add_user(2002, "Bob")
    await bot.say(group, bob, "/ask who met Pia Kauma?")
    bot_message = bot.message_of(bot.last_reply(GROUP_ID))
    await bot.say(group, bob, "and who did Ali Naghiyev meet?", reply_to=bot_message)
    replies = bot.replies(GROUP_ID)
    assert len(replies) == 2
    assert "Pia Kauma" in telegram_html_to_text(replies[1].params["text"])


async def test_other_group_chatter_is_ignored_silently(
    bot: BotHarness, group: dict[str, object]
) -> None:
    bob = bot.api.add_user(2002, "Bob")
    cy = bot.api.add_user(2003, "Cy")
    before = len(bot.api.calls)
    said = await bot.say(group, bob, QUESTION)  # a question, but not to the bot
    await bot.say(group, cy, "good point", reply_to=said)  # a reply to a person
    await bot.say(group, bob, f"@some_other_bot {QUESTION}")
    await bot.say(group, bob, f"/ask@some_other_bot {QUESTION}")
    await bot.say(group, bob, "/frobnicate")
    assert bot.api.calls[before:] == []


# --- inline mode -------------------------------------------------------------------------------


async def test_inline_query_offers_one_result_per_meeting(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    call = await bot.inline(ann, QUESTION)
    assert call.ok
    (result,) = call.params["results"]
    assert result["title"] == "Ali Naghiyev & Pia Kauma"
    assert result["description"].startswith("14 November 2023 · Baku, Azerbaijan")
    assert_seed_answer(result["input_message_content"]["message_text"])


async def test_inline_query_empty_or_unknown_shows_a_button_instead(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    empty = await bot.inline(ann, "   ")
    assert empty.params["results"] == []
    assert empty.params["button"]["text"].startswith("Type a question")
    unknown = await bot.inline(ann, "who met Vladimir Putin?")
    assert unknown.ok and unknown.params["results"] == []
    assert "no records" in unknown.params["button"]["text"]
    assert unknown.params["button"]["start_parameter"] == "help"


# --- buttons: More, suggestions, examples -----------------------------------------------------

FIRST = ["Anna", "Boris", "Carla", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas"]
LAST = ["Berg", "Cole", "Duarte", "Eriksen", "Fischer", "Garcia", "Horvat", "Ivanova", "Jensen"]


def kauma_meetings(count: int, role_length: int = 1) -> list[dict[str, object]]:
    """Meetings of Pia Kauma with other people, one a week in 2024."""
    return [
        meeting_record(
            dt.date(2024, 1, 1) + dt.timedelta(weeks=i),
            [
                ("Pia Kauma", "President of the OSCE Parliamentary Assembly", None, "Finland"),
                (
                    f"{FIRST[i % 10]} {LAST[i // 10 % 9]}",
                    "Minister of Foreign Affairs " + "and of many other things " * role_length,
                    None,
                    None,
                ),
                (
                    f"{FIRST[(i + 3) % 10]} {LAST[(i + 4) % 9]}",
                    "Deputy " + "special envoy " * role_length,
                    None,
                    None,
                ),
            ],
            location="Vienna, Austria",
            issues=["security"],
            source=f"https://example.org/kauma/{i}",
        )
        for i in range(count)
    ]


async def test_long_answer_is_paged_with_more_buttons(
    db: Engine, clock: FakeClock, bot: BotHarness
) -> None:
    import_records(db, clock, kauma_meetings(12, role_length=7))
    ann = bot.api.add_user(1001, "Ann")
    chat = bot.api.private_chat(ann)
    asked = await bot.say(chat, ann, "meetings of Pia Kauma")
    pages = [bot.last_reply(ann["id"])]
    assert pages[0].params["reply_parameters"]["message_id"] == asked["message_id"]
    while any(text.startswith("More") for text, _ in reply_buttons(pages[-1])):
        await bot.tap(ann, bot.message_of(pages[-1]), button_data(pages[-1], "More"))
        pages.append(bot.last_reply(ann["id"]))
        # The older page lost its More button, so it cannot send the same page twice; the
        # first page keeps its picture buttons.
        kept = bot.message_of(pages[-2]).get("reply_markup", {}).get("inline_keyboard", [])
        kept_texts = [button["text"] for row in kept for button in row]
        assert kept_texts == (["Network", "Timeline"] if len(pages) == 2 else [])
    texts = [telegram_html_to_text(p.params["text"]) for p in pages]
    assert len(pages) >= 3
    assert all(utf16_len(t) <= 4096 for t in texts)
    assert sum(utf16_len(t) for t in texts) > 4096  # one message could not have held it
    everything = "\n".join(texts)
    for i in range(12):
        assert everything.count(f"https://example.org/kauma/{i}") == 0  # links show the host
    links = "".join(p.params["text"] for p in pages)
    assert sorted(int(x.split('"')[0]) for x in links.split("https://example.org/kauma/")[1:]) == (
        list(range(12))
    )
    assert "Meetings 1–" in texts[0] and "of 13." in texts[-1]  # 12 new and the seed meeting
    answered = [c for c in bot.api.calls_to("answerCallbackQuery")]
    assert len(answered) == len(pages) - 1 and all(c.ok for c in answered)


async def test_more_still_works_after_a_restart(db: Engine, clock: FakeClock) -> None:
    import_records(db, clock, kauma_meetings(7))
    api = FakeBotApi()
    ann = api.add_user(1001, "Ann")
    async with BotHarness(db, clock=clock, api=api) as first:
        await first.say(api.private_chat(ann), ann, "meetings of Pia Kauma")
        page_one = first.last_reply(ann["id"])
    # A new process (or another replica) finds the question in the answer's database row.
    async with BotHarness(db, clock=clock, api=api) as second:
        await second.tap(ann, second.message_of(page_one), button_data(page_one, "More"))
        page_two = second.last_reply(ann["id"])
        assert page_two is not page_one
        assert "Meetings 6–8 of 8." in telegram_html_to_text(page_two.params["text"])
        assert second.errors == []


async def test_more_of_an_answer_without_its_row_finds_the_question_in_the_quote(
    db: Engine, clock: FakeClock
) -> None:
    # An answer sent before answers were kept (or whose row expired) replies to the question.
    import_records(db, clock, kauma_meetings(7))
    api = FakeBotApi()
    ann = api.add_user(1001, "Ann")
    async with BotHarness(db, clock=clock, api=api) as first:
        await first.say(api.private_chat(ann), ann, "meetings of Pia Kauma")
        page_one = first.last_reply(ann["id"])
    with session_scope(db) as session:
        session.exec(delete(SentAnswer))
    async with BotHarness(db, clock=clock, api=api) as second:
        await second.tap(ann, second.message_of(page_one), button_data(page_one, "More"))
        assert "Meetings 6–8 of 8." in telegram_html_to_text(
            second.last_reply(ann["id"]).params["text"]
        )


async def test_a_forged_or_forgotten_button_says_it_expired(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    await bot.say(bot.api.private_chat(ann), ann, QUESTION)
    message = bot.message_of(bot.last_reply(ann["id"]))
    await bot.tap(ann, message, "more:0123456789ab:5")
    await bot.tap(ann, message, "ex:99")
    answers = bot.api.calls_to("answerCallbackQuery")
    assert [a.params.get("text") for a in answers] == [
        "This button has expired; please ask the question again."
    ] * 2


async def test_not_found_offers_suggestions_that_ask_again(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    await bot.say(bot.api.private_chat(ann), ann, "who met Naghiyevski?")
    not_found = bot.last_reply(ann["id"])
    assert "no records" in telegram_html_to_text(not_found.params["text"])
    assert [text for text, _ in reply_buttons(not_found)] == ["Ali Naghiyev"]
    await bot.tap(ann, bot.message_of(not_found), button_data(not_found, "Ali Naghiyev"))
    answer = bot.last_reply(ann["id"])
    assert answer is not not_found
    assert "1 meeting of Ali Naghiyev" in telegram_html_to_text(answer.params["text"])
    assert answer.params["reply_parameters"]["message_id"] == not_found.result["message_id"]


async def test_start_offers_examples_that_are_answered(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    await bot.say(bot.api.private_chat(ann), ann, "/start")
    welcome = bot.last_reply(ann["id"])
    examples = reply_buttons(welcome)
    assert len(examples) == 3
    assert examples[0][0] == "Who met the OSCE PA president?"
    await bot.tap(ann, bot.message_of(welcome), examples[0][1] or "")
    assert_seed_answer(bot.last_reply(ann["id"]).params["text"])


async def test_help_and_about(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    chat = bot.api.private_chat(ann)
    await bot.say(chat, ann, "/help")
    help_text = telegram_html_to_text(bot.last_reply(ann["id"]).params["text"])
    for command in ("/ask", "/help", "/about", "/start"):
        assert command in help_text
    await bot.say(chat, ann, "/about")
    about = telegram_html_to_text(bot.last_reply(ann["id"]).params["text"])
    assert "It holds 1 meeting." in about and "meetbot 0." in about


async def test_hostile_record_text_reaches_telegram_escaped(
    db: Engine, clock: FakeClock, bot: BotHarness
) -> None:
    import_records(
        db,
        clock,
        [
            meeting_record(
                "2024-05-05",
                [
                    ("Eve <b>Bold</b>", "Head of <script>alert(1)</script>", "A & B", None),
                    ("Mallory", "Chief of R&D <i>", None, "X>Y"),
                ],
                location="<Geneva> & co",
                issues=["<b>", "&amp;"],
                source='https://example.org/?q=<a>&b="c"',
            )
        ],
    )
    ann = bot.api.add_user(1001, "Ann")
    await bot.say(bot.api.private_chat(ann), ann, "who met Mallory?")
    reply = bot.last_reply(ann["id"])
    assert reply.ok  # the fake parses the HTML like Telegram: raw tags would have failed it
    text = telegram_html_to_text(reply.params["text"])
    assert "Head of <script>alert(1)</script>" in text
    assert "<Geneva> & co" in text
    assert "Issues: <b>, &amp;" in text
    assert "<script>" not in reply.params["text"]


# --- start-up, membership, errors ------------------------------------------------------------


async def test_post_init_publishes_commands_and_runs_startup_hooks(
    db: Engine, clock: FakeClock
) -> None:
    api = FakeBotApi()
    api.add_user(42, "Admin")  # 43 never opened a chat with the bot: "chat not found"
    api.add_user(77, "Granted")
    with session_scope(db) as session:
        grant_admin(77, session=session, clock=clock, actor_id=42, bootstrap_ids=(42, 43))
    async with BotHarness(db, clock=clock, api=api, admin_ids=(42, 43)) as bot:
        started: list[str] = []

        async def hook(application: object) -> None:
            started.append("digest jobs")

        deps_of(bot.app).startup_hooks.append(hook)
        await bot.run_post_init()
    calls = api.calls_to("setMyCommands")
    default = [c for c in calls if c.params["scope"] == {"type": "default"}]
    everyone = [c["command"] for c in default[0].params["commands"]]
    assert {"ask", "help", "about", "start"} <= set(everyone)
    assert everyone[:2] == ["ask", "help"]  # asking first, as in /help
    scoped = {c.params["scope"].get("chat_id"): c for c in calls if c not in default}
    assert {chat: call.ok for chat, call in scoped.items()} == {42: True, 43: False, 77: True}
    for_admins = [c["command"] for c in scoped[42].params["commands"]]
    assert set(everyone) < set(for_admins)  # admins see everything, and more
    assert for_admins[: len(everyone)] == everyone  # their own commands after everyone's
    admin_only = {c.command for c in deps_of(bot.app).commands if c.scope == "admin"}
    assert admin_only and not admin_only & set(everyone)
    assert started == ["digest jobs"]


async def test_bot_added_to_a_group_greets_and_runs_membership_hooks(bot: BotHarness) -> None:
    changes: list[MembershipChange] = []

    async def hook(change: MembershipChange, context: object) -> None:
        changes.append(change)

    deps_of(bot.app).membership_hooks.append(hook)
    bob = bot.api.add_user(2002, "Bob")
    group = bot.api.add_chat(GROUP_ID, "Diplomacy watchers")
    channel = bot.api.add_chat(-1009, "News", chat_type="channel")
    await bot.membership(group, bob, "left", "member")
    await bot.membership(channel, bob, "left", "administrator")
    await bot.membership(group, bob, "member", "kicked")
    assert [(c.chat_id, c.added, c.removed) for c in changes] == [
        (GROUP_ID, True, False),
        (-1009, True, False),
        (GROUP_ID, False, True),
    ]
    assert changes[0].by_user_id == 2002
    assert [c.params["chat_id"] for c in bot.replies()] == [GROUP_ID]  # greet groups only
    assert "/ask" in bot.replies()[0].params["text"]


async def test_a_failing_send_is_reported_to_the_user_in_one_sentence(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    bot.api.fail("sendMessage", 400, "Bad Request: something unexpected")
    await bot.say(bot.api.private_chat(ann), ann, QUESTION)
    assert bot.last_reply(ann["id"]).params["text"] == SORRY
    assert [type(e).__name__ for e in bot.errors] == ["BadRequest"]
    bot.errors.clear()


async def test_retry_after_is_waited_out_and_the_answer_arrives(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    bot.api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await bot.say(bot.api.private_chat(ann), ann, QUESTION)
    sends = bot.api.calls_to("sendMessage")
    assert [c.error_code for c in sends] == [429, None]
    assert_seed_answer(sends[-1].params["text"])


async def test_a_connection_failure_is_retried(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    bot.request.break_transport("sendMessage", NetworkError("Connection reset by peer"))
    await bot.say(bot.api.private_chat(ann), ann, QUESTION)
    assert_seed_answer(bot.last_reply(ann["id"]).params["text"])


async def test_a_timed_out_send_is_not_repeated_but_reported(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    bot.request.break_transport("sendMessage", TimedOut())
    await bot.say(bot.api.private_chat(ann), ann, QUESTION)
    # Telegram may have delivered the timed-out answer: the bot says sorry, never sends twice.
    assert [c.params["text"] for c in bot.replies(ann["id"])] == [SORRY]
    assert [type(e).__name__ for e in bot.errors] == ["TimedOut"]
    bot.errors.clear()


async def test_help_lists_admin_commands_for_admins_in_private_only(
    db: Engine, clock: FakeClock
) -> None:
    async with BotHarness(db, clock=clock, admin_ids=(42,)) as bot:
        boss = bot.api.add_user(42, "Boss")
        ann = bot.api.add_user(1001, "Ann")
        group = bot.api.add_chat(GROUP_ID, "Diplomacy watchers")
        await bot.say(bot.api.private_chat(boss), boss, "/help")
        assert "Admin commands" in bot.last_reply(42).params["text"]
        listed = [
            line.split()[0]
            for line in telegram_html_to_text(bot.last_reply(42).params["text"]).splitlines()
            if line.startswith("/")
        ]
        assert listed[:2] == ["/ask", "/help"] and listed.index("/add") > listed.index("/digest")
        await bot.say(bot.api.private_chat(ann), ann, "/help")
        assert "Admin commands" not in bot.last_reply(1001).params["text"]
        await bot.say(group, boss, "/help")
        assert "Admin commands" not in bot.last_reply(GROUP_ID).params["text"]
        assert bot.errors == []


async def test_an_old_tap_still_gets_its_page(
    db: Engine, clock: FakeClock, bot: BotHarness
) -> None:
    import_records(db, clock, kauma_meetings(7))
    ann = bot.api.add_user(1001, "Ann")
    await bot.say(bot.api.private_chat(ann), ann, "meetings of Pia Kauma")
    first = bot.last_reply(ann["id"])
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    bot.api.fail("answerCallbackQuery", 400, too_old)
    await bot.tap(ann, bot.message_of(first), button_data(first, "More"))
    assert "Meetings 6–8 of 8." in telegram_html_to_text(bot.last_reply(ann["id"]).params["text"])


async def test_a_failing_button_is_reported_in_the_chat(
    db: Engine, clock: FakeClock, bot: BotHarness
) -> None:
    import_records(db, clock, kauma_meetings(7))
    ann = bot.api.add_user(1001, "Ann")
    await bot.say(bot.api.private_chat(ann), ann, "meetings of Pia Kauma")
    first = bot.last_reply(ann["id"])
    bot.api.fail("sendMessage", 400, "Bad Request: something unexpected")
    await bot.tap(ann, bot.message_of(first), button_data(first, "More"))
    # The tap was already answered (no spinner left), so the sentence goes to the chat.
    assert bot.last_reply(ann["id"]).params["text"] == SORRY
    assert [type(e).__name__ for e in bot.errors] == ["BadRequest"]
    bot.errors.clear()


async def test_the_bot_answers_on_sqlite_and_on_postgresql(
    seeded_engine: Engine, clock: FakeClock
) -> None:
    async with BotHarness(seeded_engine, clock=clock) as bot:
        ann = bot.api.add_user(1001, "Ann")
        group = bot.api.add_chat(GROUP_ID, "Diplomacy watchers")
        await bot.say(bot.api.private_chat(ann), ann, QUESTION)
        assert_seed_answer(bot.last_reply(ann["id"]).params["text"])
        await bot.say(group, ann, "/about")
        assert "It holds 1 meeting." in bot.last_reply(GROUP_ID).params["text"]
        assert bot.errors == []


async def test_more_works_after_a_restart_for_an_answer_from_a_button(
    db: Engine, clock: FakeClock
) -> None:
    # The example's answer replies to the bot's own welcome, not to a question a user typed:
    # only the database can tell a new process what its More button was asking.
    import_records(db, clock, kauma_meetings(7))
    api = FakeBotApi()
    ann = api.add_user(1001, "Ann")
    async with BotHarness(db, clock=clock, api=api) as first:
        await first.say(api.private_chat(ann), ann, "/start")
        welcome = first.last_reply(ann["id"])
        await first.tap(ann, first.message_of(welcome), reply_buttons(welcome)[0][1] or "")
        page_one = first.last_reply(ann["id"])
        assert "Meetings 1–5 of 8." in telegram_html_to_text(page_one.params["text"])
    async with BotHarness(db, clock=clock, api=api) as second:
        await second.tap(ann, second.message_of(page_one), button_data(page_one, "More"))
        page_two = second.last_reply(ann["id"])
        assert "Meetings 6–8 of 8." in telegram_html_to_text(page_two.params["text"])
        answered = api.calls_to("answerCallbackQuery")[-1]
        assert answered.params.get("text") is None  # not "expired"
        assert second.errors == []


# --- follow-ups: a reply to an answer ----------------------------------------------------------


async def test_a_reply_to_an_answer_follows_it_up_also_after_a_restart(
    db: Engine, clock: FakeClock
) -> None:
    api = FakeBotApi()
    ann = api.add_user(1001, "Ann")
    chat = api.private_chat(ann)
    async with BotHarness(db, clock=clock, api=api) as first:
        await first.say(chat, ann, "who met Kauma?")
        answer = first.message_of(first.last_reply(ann["id"]))
        await first.say(chat, ann, "what did they discuss?", reply_to=answer)
        text = telegram_html_to_text(first.last_reply(ann["id"]).params["text"])
        assert "Ali Naghiyev and Pia Kauma discussed South Caucasus security" in text
        # Not a reply: the same words name nobody.
        await first.say(chat, ann, "what did they discuss?")
        assert "could not tell whom" in first.last_reply(ann["id"]).params["text"]
    # A new Application on the same database (a restart, another replica) knows the answer.
    async with BotHarness(db, clock=clock, api=api) as second:
        await second.say(chat, ann, "и когда?", reply_to=answer)
        text = telegram_html_to_text(second.last_reply(ann["id"]).params["text"])
        assert "Pia Kauma — встреча с Ali Naghiyev: 14 ноября 2023." in text
        assert second.errors == []


async def test_more_of_a_follow_up_asks_it_in_the_same_context_after_a_restart(
    db: Engine, clock: FakeClock
) -> None:
    import_records(db, clock, kauma_meetings(7))
    api = FakeBotApi()
    ann = api.add_user(1001, "Ann")
    chat = api.private_chat(ann)
    async with BotHarness(db, clock=clock, api=api) as first:
        await first.say(chat, ann, "meetings of Pia Kauma in 2024")
        answer = first.message_of(first.last_reply(ann["id"]))
        await first.say(chat, ann, "what did they discuss?", reply_to=answer)
        page_one = first.last_reply(ann["id"])
        assert "Meetings 1–5 of 7." in telegram_html_to_text(page_one.params["text"])
    async with BotHarness(db, clock=clock, api=api) as second:
        await second.tap(ann, second.message_of(page_one), button_data(page_one, "More"))
        page_two = telegram_html_to_text(second.last_reply(ann["id"]).params["text"])
        assert "Meetings 6–7 of 7." in page_two
        assert second.errors == []


async def test_in_a_group_only_a_reply_to_the_answer_is_a_follow_up(
    bot: BotHarness, group: dict[str, object]
) -> None:
    bob = bot.api.add_user(2002, "Bob")
    await bot.say(group, bob, "/ask who met Pia Kauma?")
    answer = bot.message_of(bot.last_reply(GROUP_ID))
    await bot.say(group, bob, f"@{bot.username} where was that?")
    assert "could not tell whom" in bot.last_reply(GROUP_ID).params["text"]
    await bot.say(group, bob, "where was that?", reply_to=answer)
    text = telegram_html_to_text(bot.last_reply(GROUP_ID).params["text"])
    assert "Pia Kauma met in Baku, Azerbaijan (14 November 2023)." in text


@pytest.mark.postgres
async def test_a_question_survives_a_dropped_database_connection(
    pg_engine: Engine, clock: FakeClock
) -> None:
    with session_scope(pg_engine) as session:
        load_seeds_if_empty(session=session, clock=clock)
    killer = create_db_engine(pg_engine.url.render_as_string(hide_password=False))
    armed = {"now": False}

    def kill_the_backend(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # A failover between two questions: the pooled connection passed its pre-ping, then
        # its backend is gone before the question's look-up (it reads the catalog version).
        if not armed["now"] or "catalogversion" not in statement.lower():
            return
        armed["now"] = False
        pid = conn.connection.dbapi_connection.info.backend_pid
        with killer.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    event.listen(pg_engine, "before_cursor_execute", kill_the_backend)
    try:
        async with BotHarness(pg_engine, clock=clock) as bot:
            ann = bot.api.add_user(1001, "Ann")
            chat = bot.api.private_chat(ann)
            await bot.say(chat, ann, QUESTION)
            armed["now"] = True
            await bot.say(chat, ann, "what did Ali Naghiyev discuss?")
            texts = [str(c.params["text"]) for c in bot.replies(ann["id"])]
            assert len(texts) == 2 and SORRY not in texts
            assert "Ali Naghiyev" in texts[1]
            assert bot.errors == []
    finally:
        event.remove(pg_engine, "before_cursor_execute", kill_the_backend)
        killer.dispose()
