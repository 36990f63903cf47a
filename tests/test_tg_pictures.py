"""Pictures through a real Application: /graph, /timeline, the answer's buttons, "show who …".

The fake Bot API takes sendPhoto as Telegram does: a multipart upload that must be a PNG or JPEG
of a size Telegram accepts, and a caption of at most 1024 UTF-16 units.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from answering_support import load_yaml
from fake_bot_api import CAPTION_LIMIT, ApiCall, FakeBotApi
from sqlalchemy import Engine
from tg_support import BotHarness, button_data, reply_buttons

from bot.core.clock import FakeClock

ROOT = Path(__file__).resolve().parent.parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def db(sqlite_engine: Engine) -> Engine:
    """The seed meeting and the README's example meetings of Pia Kauma."""
    for path in (ROOT / "seeds" / "000_naghiyev_kauma.yaml", ROOT / "docs/examples/pictures.yaml"):
        load_yaml(path.read_bytes(), engine=sqlite_engine, filename=path.name)
    return sqlite_engine


@pytest.fixture
async def bot(db: Engine, clock: FakeClock) -> AsyncIterator[BotHarness]:
    async with BotHarness(db, clock=clock) as harness:
        yield harness
    assert harness.errors == [], "a handler failed"


def last_photo(bot: BotHarness, chat_id: int) -> ApiCall:
    photos = [c for c in bot.api.calls_to("sendPhoto", chat_id=chat_id) if c.ok]
    assert photos, "no photo was sent"
    return photos[-1]


def assert_png(call: ApiCall, size: tuple[int, int]) -> None:
    name, data = call.params["photo"]
    assert name.endswith(".png") and data[:8] == PNG_SIGNATURE
    stored = call.result["photo"][0]
    assert (stored["width"], stored["height"]) == size


async def test_graph_command_sends_the_picture_with_its_caption(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    await bot.say(bot.api.private_chat(ann), ann, "/graph Pia Kauma")
    photo = last_photo(bot, ann["id"])
    assert_png(photo, (1100, 900))
    assert photo.params["caption"] == "16 meetings of Pia Kauma."
    assert photo.result["caption"] == "16 meetings of Pia Kauma."
    await bot.say(bot.api.private_chat(ann), ann, "/timeline Смирнова")
    photo = last_photo(bot, ann["id"])
    assert_png(photo, (1100, 550))
    assert photo.params["caption"].startswith("Встреч: 2")


async def test_in_a_group_the_picture_replies_to_the_command(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    group = bot.api.add_chat(-1001234567890, "Diplomacy watchers")
    asked = await bot.say(group, ann, "/timeline@meetbot_test_bot OSCE PA since 2024")
    photo = last_photo(bot, group["id"])
    assert photo.params["reply_parameters"]["message_id"] == asked["message_id"]
    assert photo.params["caption"] == (
        "8 meetings of Pia Kauma since 1 January 2024.\nMeetings per month."
    )


async def test_nothing_to_draw_and_a_bare_command_are_one_sentence(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    chat = bot.api.private_chat(ann)
    await bot.say(chat, ann, "/timeline Greta Gruber")
    assert bot.last_reply(ann["id"]).params["text"] == (
        "I have no records matching “Greta Gruber”."
    )
    await bot.say(chat, ann, "/graph")
    assert bot.last_reply(ann["id"]).params["text"].startswith("Name a person, an organisation")
    assert not bot.api.calls_to("sendPhoto")


async def test_a_question_asking_for_a_picture_gets_it(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    await bot.say(bot.api.private_chat(ann), ann, "show who Kauma met in 2024")
    photo = last_photo(bot, ann["id"])
    assert photo.params["caption"].startswith("Pia Kauma met 9 people in 8 meetings (2024)")
    assert not bot.api.sent(ann["id"])  # the picture instead of the cards


async def test_answer_buttons_send_the_pictures_even_after_a_restart(
    db: Engine, clock: FakeClock
) -> None:
    api = FakeBotApi()
    ann = api.add_user(1001, "Ann")
    async with BotHarness(db, clock=clock, api=api) as first:
        await first.say(api.private_chat(ann), ann, "who did Kauma meet?")
        answer = first.last_reply(ann["id"])
        texts = [text for text, _data in reply_buttons(answer)]
        assert texts[-2:] == ["Network", "Timeline"]
        await first.tap(ann, first.message_of(answer), button_data(answer, "Network"))
        photo = last_photo(first, ann["id"])
        assert_png(photo, (1100, 900))
        question_id = answer.params["reply_parameters"]["message_id"]
        assert photo.params["reply_parameters"]["message_id"] == question_id
    async with BotHarness(db, clock=clock, api=api) as second:  # memory lost: the quote tells
        await second.tap(ann, second.message_of(answer), button_data(answer, "Timeline"))
        assert_png(last_photo(second, ann["id"]), (1100, 550))
        assert second.errors == []


async def test_a_single_meeting_answer_has_no_picture_buttons(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    await bot.say(bot.api.private_chat(ann), ann, "when did Naghiyev meet Kauma?")
    assert reply_buttons(bot.last_reply(ann["id"])) == []


def test_the_fake_refuses_what_telegram_refuses_in_a_photo() -> None:
    api = FakeBotApi()
    ann = api.add_user(1001, "Ann")
    png = (ROOT / "docs" / "graph.png").read_bytes()
    status, body = api.handle(
        "sendPhoto", {"chat_id": ann["id"], "photo": ("g.png", png), "caption": "😀" * 512}
    )
    assert status == 200 and body["result"]["photo"][0]["width"] == 1100
    too_long = "😀" * (CAPTION_LIMIT // 2) + "x"  # 1025 UTF-16 units, 513 characters
    status, body = api.handle(
        "sendPhoto", {"chat_id": ann["id"], "photo": ("g.png", png), "caption": too_long}
    )
    assert status == 400 and "too long" in body["description"]
    status, body = api.handle("sendPhoto", {"chat_id": ann["id"], "photo": ("x.png", b"hello")})
    assert (status, body["description"]) == (400, "Bad Request: IMAGE_PROCESS_FAILED")


async def test_pictures_of_a_follow_up_are_drawn_in_its_context(
    db: Engine, clock: FakeClock
) -> None:
    api = FakeBotApi()
    ann = api.add_user(1001, "Ann")
    chat = api.private_chat(ann)
    async with BotHarness(db, clock=clock, api=api) as first:
        await first.say(chat, ann, "who did Kauma meet in 2024?")
        answer = first.message_of(first.last_reply(ann["id"]))
        # A reply that asks for a picture of "them" draws the answer's people.
        await first.say(chat, ann, "show who she met", reply_to=answer)
        assert last_photo(first, ann["id"]).params["caption"].startswith("Pia Kauma met")
        await first.say(chat, ann, "what did they discuss?", reply_to=answer)
        follow_up = first.last_reply(ann["id"])
    async with BotHarness(db, clock=clock, api=api) as second:
        message = second.message_of(follow_up)
        await second.tap(ann, message, button_data(follow_up, "Network"))
        assert last_photo(second, ann["id"]).params["caption"].startswith("Pia Kauma")
        assert second.errors == []
