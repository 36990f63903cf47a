"""The digest commands through a real Application: who may subscribe which chat, and how.

Updates go through application.process_update; the Bot's calls go to the in-process fake Bot
API (tests/fake_bot_api.py), which answers getChat and getChatMember from the chats and members
a test sets up, and refuses HTML Telegram would refuse.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fake_bot_api import FakeBotApi, telegram_html_to_text
from sqlalchemy import Engine
from sqlmodel import Session, select
from tg_support import BotHarness, import_records, meeting_record

from bot.core.clock import FakeClock
from bot.tg import jobs
from storage.db import create_db_engine
from storage.models import DigestDelivery, Subscription

GROUP_ID = -1001234567890
CHANNEL_ID = -1009876543210
ANONYMOUS_BOT = {"id": 1087968824, "is_bot": True, "first_name": "Group"}


@pytest.fixture
async def bot(sqlite_engine: Engine, clock: FakeClock) -> AsyncIterator[BotHarness]:
    """The bot on a fresh database, bot admin 42; fails the test if a handler failed."""
    async with BotHarness(
        sqlite_engine, clock=clock, admin_ids=(42,), default_timezone="Europe/Berlin"
    ) as harness:
        yield harness
    assert harness.errors == [], "a handler failed"


def _subscriptions(engine: Engine) -> list[Subscription]:
    with Session(engine) as session:
        return list(session.exec(select(Subscription)).all())


def _engine(bot: BotHarness) -> Engine:
    engine = bot.app.bot_data["meetbot.deps"].engine
    assert isinstance(engine, Engine)
    return engine


def _text(bot: BotHarness, chat_id: int) -> str:
    return telegram_html_to_text(bot.last_reply(chat_id).params["text"])


# -- private chats --------------------------------------------------------------------------------


async def test_private_subscribe_shows_time_zone_and_next_send(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    chat = bot.api.private_chat(ann)
    await bot.say(chat, ann, "/subscribe 08:30 Asia/Baku")
    text = _text(bot, 1001)
    assert text.startswith("Subscribed. This chat gets the daily digest at 08:30 Asia/Baku")
    # 09:00 UTC is 13:00 in Baku: today's 08:30 has passed, so the first digest is tomorrow.
    assert "Next digest: 29 November 2026, 08:30 +04." in text
    (sub,) = _subscriptions(_engine(bot))
    assert (sub.chat_id, sub.chat_type, sub.send_time, sub.timezone) == (
        1001,
        "private",
        dt.time(8, 30),
        "Asia/Baku",
    )
    await bot.say(chat, ann, "/subscribe silent note")
    assert _text(bot, 1001).startswith("Updated. This chat gets the daily digest at 08:30")
    assert "a note on days without new meetings, silent" in _text(bot, 1001)
    await bot.say(chat, ann, "/subscription")
    assert "08:30 Asia/Baku" in _text(bot, 1001)


async def test_defaults_are_nine_and_the_default_time_zone(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    await bot.say(bot.api.private_chat(ann), ann, "/subscribe")
    # 09:00 UTC is 10:00 in Berlin: tomorrow 09:00 CET.
    assert "at 09:00 Europe/Berlin" in _text(bot, 1001)
    assert "Next digest: 29 November 2026, 09:00 CET." in _text(bot, 1001)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ("25:00 Europe/Berlin", "“25:00” is not a time of day"),
        ("08:30 Europe/Berln", "I do not know the time zone “Europe/Berln”"),
        ("08:30 Mars/Olympus", "I do not know the time zone “Mars/Olympus”"),
        ("08:30 <b>", "I do not understand “<b>”"),
    ],
)
async def test_bad_arguments_get_a_sentence_and_change_nothing(
    bot: BotHarness, arguments: str, expected: str
) -> None:
    ann = bot.api.add_user(1001, "Ann")
    chat = bot.api.private_chat(ann)
    await bot.say(chat, ann, "/subscribe 07:00 UTC")
    before = [(s.send_time, s.timezone, s.updated_at) for s in _subscriptions(_engine(bot))]
    await bot.say(chat, ann, f"/subscribe {arguments}")
    text = _text(bot, 1001)
    assert expected in text and "/subscribe 08:30 Europe/Berlin" in text
    after = [(s.send_time, s.timezone, s.updated_at) for s in _subscriptions(_engine(bot))]
    assert after == before


async def test_unsubscribe_and_subscription_without_one(bot: BotHarness) -> None:
    ann = bot.api.add_user(1001, "Ann")
    chat = bot.api.private_chat(ann)
    await bot.say(chat, ann, "/subscription")
    assert "has no digest subscription" in _text(bot, 1001)
    await bot.say(chat, ann, "/unsubscribe")
    assert _text(bot, 1001) == "This chat has no daily digest to stop."
    await bot.say(chat, ann, "/subscribe 08:00 UTC")
    await bot.say(chat, ann, "/unsubscribe")
    assert _text(bot, 1001) == "Unsubscribed: This chat gets no more daily digests."
    (sub,) = _subscriptions(_engine(bot))
    assert not sub.active and sub.deactivated_reason == "Unsubscribed."
    await bot.say(chat, ann, "/subscription")
    assert "is not subscribed any more (Unsubscribed.)" in _text(bot, 1001)


async def test_digest_previews_what_the_next_digest_would_hold(
    bot: BotHarness, clock: FakeClock
) -> None:
    ann = bot.api.add_user(1001, "Ann")
    chat = bot.api.private_chat(ann)
    await bot.say(chat, ann, "/digest")
    assert "No new meetings since the last digest." in _text(bot, 1001)
    import_records(
        _engine(bot),
        clock,
        [
            meeting_record(
                "2026-11-20",
                [("Ali <Naghiyev>", "Chief & head", None, None), ("Pia Kauma", None, None, None)],
                source="https://example.org/a?x=1&y=2",
                issues=["mine contamination"],
            )
        ],
    )
    await bot.say(chat, ann, "/digest")
    html = bot.last_reply(1001).params["text"]
    text = telegram_html_to_text(html)
    assert "Digest preview" in text and "1 new meeting" in text
    assert "Ali <Naghiyev>" in text and "Chief & head" in text
    assert "&lt;Naghiyev&gt;" in html


# -- groups ---------------------------------------------------------------------------------------


@pytest.fixture
def group(bot: BotHarness) -> dict[str, Any]:
    return bot.api.add_chat(GROUP_ID, "Diplomacy watchers")


async def test_group_members_may_not_subscribe_admins_may(
    bot: BotHarness, group: dict[str, Any]
) -> None:
    bob = bot.api.add_user(2002, "Bob")
    bot.api.set_member(GROUP_ID, bob, "member")
    await bot.say(group, bob, "/subscribe 08:00 Europe/Berlin")
    assert _text(bot, GROUP_ID) == "Only the group's administrators can change its digest."
    assert _subscriptions(_engine(bot)) == []
    # /subscription and /digest only read: anyone may.
    await bot.say(group, bob, "/subscription")
    assert "This group has no digest subscription" in _text(bot, GROUP_ID)
    ada = bot.api.add_user(2003, "Ada")
    bot.api.set_member(GROUP_ID, ada, "administrator")
    await bot.say(group, ada, "/subscribe@meetbot_test_bot 08:00 Europe/Berlin")
    assert _text(bot, GROUP_ID).startswith("Subscribed. This group gets the daily digest")
    (sub,) = _subscriptions(_engine(bot))
    assert (sub.chat_id, sub.chat_type, sub.created_by) == (GROUP_ID, "supergroup", 2003)
    await bot.say(group, bob, "/unsubscribe")
    assert _text(bot, GROUP_ID) == "Only the group's administrators can change its digest."
    assert _subscriptions(_engine(bot))[0].active


async def test_group_owner_anonymous_admin_and_bot_admin_may_subscribe(
    bot: BotHarness, group: dict[str, Any]
) -> None:
    owner = bot.api.add_user(2004, "Olga")
    bot.api.set_member(GROUP_ID, owner, "creator")
    await bot.say(group, owner, "/subscribe 07:00 UTC")
    assert _text(bot, GROUP_ID).startswith("Subscribed.")
    # An anonymous admin writes as the group: from is GroupAnonymousBot, sender_chat the group.
    anonymous = bot.api.user_message(group, ANONYMOUS_BOT, "/subscribe 07:30", sender_chat=group)
    await bot.feed({"message": anonymous})
    assert _text(bot, GROUP_ID).startswith("Updated.")
    assert _subscriptions(_engine(bot))[0].send_time == dt.time(7, 30)
    # Bot admin 42 is not an admin of this group, and may still.
    boss = bot.api.add_user(42, "Boss")
    bot.api.set_member(GROUP_ID, boss, "member")
    await bot.say(group, boss, "/subscribe 06:45")
    assert _subscriptions(_engine(bot))[0].send_time == dt.time(6, 45)


async def test_group_message_on_behalf_of_another_channel_is_refused(
    bot: BotHarness, group: dict[str, Any]
) -> None:
    linked = bot.api.add_chat(-1005550000, "Some channel", chat_type="channel")
    message = bot.api.user_message(group, ANONYMOUS_BOT, "/subscribe 07:00", sender_chat=linked)
    await bot.feed({"message": message})
    assert "not on behalf of a channel" in _text(bot, GROUP_ID)
    assert _subscriptions(_engine(bot)) == []


async def test_channel_link_from_a_group_is_refused(
    bot: BotHarness, group: dict[str, Any]
) -> None:
    ada = bot.api.add_user(2003, "Ada")
    bot.api.set_member(GROUP_ID, ada, "administrator")
    await bot.say(group, ada, "/subscribe @somechannel 08:00")
    assert "from a private chat with me" in _text(bot, GROUP_ID)


async def test_removed_bot_and_migrated_group(bot: BotHarness, group: dict[str, Any]) -> None:
    ada = bot.api.add_user(2003, "Ada")
    bot.api.set_member(GROUP_ID, ada, "administrator")
    small = bot.api.add_chat(-4242, "Small group", chat_type="group")
    bot.api.set_member(-4242, ada, "administrator")
    await bot.say(small, ada, "/subscribe 08:00")
    await bot.say(group, ada, "/subscribe 08:00")
    # The small group becomes a supergroup: Telegram says so with a service message.
    migrated = bot.api.user_message(small, ada, "x")
    del migrated["text"]
    migrated["migrate_to_chat_id"] = -1004242
    await bot.feed({"message": migrated})
    # The bot is removed from the other group.
    await bot.membership(group, ada, "member", "kicked")
    subs = {s.chat_id: s for s in _subscriptions(_engine(bot))}
    assert set(subs) == {-1004242, GROUP_ID}
    assert subs[-1004242].active and subs[-1004242].chat_type == "supergroup"
    assert not subs[GROUP_ID].active
    assert subs[GROUP_ID].deactivated_reason == "The bot was removed from the chat (kicked)."


# -- channels -------------------------------------------------------------------------------------


@pytest.fixture
def channel(bot: BotHarness) -> dict[str, Any]:
    return bot.api.add_chat(CHANNEL_ID, "Meeting news", chat_type="channel", username="meetnews")


async def test_channel_subscription_needs_the_bot_to_post_and_the_user_to_be_admin(
    bot: BotHarness, channel: dict[str, Any]
) -> None:
    ann = bot.api.add_user(1001, "Ann")
    chat = bot.api.private_chat(ann)
    await bot.say(chat, ann, "/subscribe @nosuchchannel 08:30 Europe/Berlin")
    assert "I cannot find the channel @nosuchchannel" in _text(bot, 1001)
    # The bot is a plain member: it cannot post.
    await bot.say(chat, ann, "/subscribe @meetnews 08:30 Europe/Berlin")
    assert _text(bot, 1001).startswith("I cannot post in @meetnews")
    # An administrator without the right to post is no better.
    bot.api.set_member(CHANNEL_ID, bot.api.bot_user, "administrator", can_post_messages=False)
    await bot.say(chat, ann, "/subscribe @meetnews 08:30 Europe/Berlin")
    assert _text(bot, 1001).startswith("I cannot post in @meetnews")
    bot.api.set_member(CHANNEL_ID, bot.api.bot_user, "administrator", can_post_messages=True)
    # Ann is no administrator of the channel.
    await bot.say(chat, ann, "/subscribe @meetnews 08:30 Europe/Berlin")
    assert _text(bot, 1001) == "Only administrators of @meetnews can change its digest."
    assert _subscriptions(_engine(bot)) == []
    bot.api.set_member(CHANNEL_ID, ann, "administrator", can_post_messages=True)
    await bot.say(chat, ann, "/subscribe @meetnews 08:30 Europe/Berlin silent")
    assert _text(bot, 1001).startswith("Subscribed. @meetnews gets the daily digest at 08:30")
    (sub,) = _subscriptions(_engine(bot))
    assert (sub.chat_id, sub.chat_type, sub.title, sub.silent) == (
        CHANNEL_ID,
        "channel",
        "Meeting news",
        True,
    )
    await bot.say(chat, ann, "/subscription @meetnews")
    assert "@meetnews gets the daily digest at 08:30 Europe/Berlin" in _text(bot, 1001)
    await bot.say(chat, ann, "/unsubscribe @meetnews")
    assert _text(bot, 1001) == "Unsubscribed: @meetnews gets no more daily digests."


async def test_subscribe_posted_in_the_channel_itself(
    bot: BotHarness, channel: dict[str, Any]
) -> None:
    await bot.feed(bot.api.channel_post_update(channel, "/subscribe 07:15 Europe/Berlin"))
    assert _text(bot, CHANNEL_ID).startswith("I cannot post in this channel")
    assert _subscriptions(_engine(bot)) == []
    bot.api.set_member(CHANNEL_ID, bot.api.bot_user, "administrator", can_post_messages=True)
    await bot.feed(bot.api.channel_post_update(channel, "/subscribe 07:15 Europe/Berlin"))
    assert _text(bot, CHANNEL_ID).startswith("Subscribed. This channel gets the daily digest")
    (sub,) = _subscriptions(_engine(bot))
    assert (sub.chat_id, sub.chat_type, sub.send_time) == (CHANNEL_ID, "channel", dt.time(7, 15))


# -- the digest itself, through the application ---------------------------------------------------


async def test_subscribing_a_minute_ahead_brings_the_digest_at_that_minute_once(
    sqlite_engine: Engine, clock: FakeClock
) -> None:
    api = FakeBotApi()
    ann = api.add_user(1001, "Ann")
    import_records(
        sqlite_engine,
        clock,
        [
            meeting_record(
                "2026-11-27", [("Ali Naghiyev", None, None, None), ("Pia Kauma", None, None, None)]
            )
        ],
    )
    clock.advance(dt.timedelta(minutes=1))
    async with BotHarness(sqlite_engine, clock=clock, api=api) as bot:
        await bot.run_post_init()
        assert {job.name for job in bot.app.job_queue.jobs()} == {jobs.TICK_JOB}
        # 09:01 UTC now; the digest is wanted at 09:02 UTC.
        await bot.say(api.private_chat(ann), ann, "/subscribe 09:02 UTC")
        sender = jobs.digest_sender(bot.app)
        await sender.send_due()
        assert len(api.sent(1001)) == 1  # only the confirmation
        clock.advance(dt.timedelta(minutes=1))
        await sender.send_due()
        digest = telegram_html_to_text(api.sent(1001)[-1].params["text"])
        assert "Meetings digest" in digest and "Ali Naghiyev" in digest
    # A restart right after: the new application sends nothing again.
    async with BotHarness(sqlite_engine, clock=clock, api=api) as bot:
        await bot.run_post_init()
        clock.advance(dt.timedelta(seconds=30))
        await jobs.digest_sender(bot.app).send_due()
    assert len(api.sent(1001)) == 2
    with Session(sqlite_engine) as session:
        (row,) = session.exec(select(DigestDelivery)).all()
        assert row.status == "sent" and row.digest_date == dt.date(2026, 11, 28)


async def test_two_applications_on_one_postgres_database_send_each_digest_once(
    pg_url: str, clock: FakeClock
) -> None:
    api = FakeBotApi()
    engines = [create_db_engine(pg_url), create_db_engine(pg_url)]
    chats = list(range(5001, 5061))
    try:
        import_records(
            engines[0],
            clock,
            [
                meeting_record(
                    "2026-11-27",
                    [("Ali Naghiyev", None, None, None), ("Pia Kauma", None, None, None)],
                )
            ],
        )
        async with (
            BotHarness(engines[0], clock=clock, api=api) as first,
            BotHarness(engines[1], clock=clock, api=api) as second,
        ):
            for index, chat_id in enumerate(chats):
                user = api.add_user(chat_id, "Reader")
                # Half subscribe through one replica, half through the other.
                bot = first if index % 2 else second
                await bot.say(api.private_chat(user), user, "/subscribe 09:05 UTC")
            await first.run_post_init()
            await second.run_post_init()
            clock.advance(dt.timedelta(minutes=5))
            before = len(api.sent())
            senders = [jobs.digest_sender(first.app), jobs.digest_sender(second.app)]
            await asyncio.gather(*(sender.send_due() for sender in senders))
            await asyncio.gather(*(sender.send_due() for sender in senders))
            digests = api.sent()[before:]
    finally:
        for engine in engines:
            engine.dispose()
    assert sorted(call.params["chat_id"] for call in digests) == chats
    assert all("Meetings digest" in call.params["text"] for call in digests)
    assert sum(sender.stats.chats_sent for sender in senders) == len(chats)
    # They did race: each found digests the other had claimed.
    assert sum(sender.stats.claimed_elsewhere for sender in senders) >= 1
