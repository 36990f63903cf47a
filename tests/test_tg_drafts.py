"""/draft and news links through the real Application, the fake Bot API and a local news site.

The application's Fetcher is replaced, in deps, by one that also reaches the test's own
server on 127.0.0.1 (tests/pages_support.py); everything else is as in production: the link is
fetched in a worker thread, the article read and extracted, and the draft opens the /add form.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from pages_support import NewsSite, local_fetcher, serve_news_site
from sqlalchemy import Engine, func
from sqlmodel import select
from tg_support import BotHarness, button_data, reply_buttons

from bot.core.answering import Status, answer_question
from bot.core.clock import FakeClock
from bot.core.seeds import load_seeds_if_empty
from bot.tg.context import deps_of
from storage.db import session_scope
from storage.models import AuditEntry, ConversationState, Meeting, Participation

ADMIN = 42
STRANGER = 5555
ARTICLE = "/news/bayramov_darchiashvili"
SEED_TEXT = Path(__file__).parent.parent / "seeds" / "000_b5d7cf45aaab672d.txt"
TWO_MEETINGS = """Foreign minister holds talks in Baku

Azerbaijan's Foreign Minister Jeyhun Bayramov met Georgia's Foreign Minister Ilia Darchiashvili \
in Baku on Monday. The ministers discussed transport links and energy cooperation between the \
two countries, and the timetable of the joint commission that meets in the spring.

On the same day, Jeyhun Bayramov also met Kazakhstan's Foreign Minister Murat Nurtleu. They \
discussed trade across the Caspian Sea and the Middle Corridor, and agreed that their deputies \
would meet again before the summer to prepare the next round of talks in Astana."""

news_site = pytest.fixture(serve_news_site)


@asynccontextmanager
async def drafting_bot(
    engine: Engine, clock: FakeClock, **fetcher_options: float
) -> AsyncIterator[Any]:
    """The bot with ADMIN as admin, its fetcher allowed to reach the local news site."""
    async with BotHarness(engine, clock=clock, admin_ids=(ADMIN,)) as bot:
        deps_of(bot.app).fetcher = local_fetcher(**fetcher_options)
        yield bot
    assert not bot.errors, bot.errors


def last_text(bot: Any, chat_id: int) -> str:
    return str(bot.last_reply(chat_id).params["text"])


def plain(html_text: str) -> str:
    return re.sub(r"<[^>]+>", "", html_text).replace("&amp;", "&")


def counts(engine: Engine) -> tuple[int, int, int]:
    """Meetings, audit entries and open forms: what a draft must not write before Save."""
    with session_scope(engine) as session:
        return tuple(  # type: ignore[return-value]
            int(session.exec(select(func.count()).select_from(table)).one())
            for table in (Meeting, AuditEntry, ConversationState)
        )


def ask(engine: Engine, question: str) -> Any:
    with session_scope(engine) as session:
        return answer_question(question, session=session, today=dt.date(2026, 11, 28))


async def test_an_admin_sends_a_link_saves_the_draft_and_undoes_it(
    sqlite_engine: Engine, clock: FakeClock, news_site: NewsSite
) -> None:
    async with drafting_bot(sqlite_engine, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(chat, ann, news_site.url(ARTICLE))
        preview = bot.last_reply(ADMIN)
        text = plain(str(preview.params["text"]))
        assert text.startswith("Preview · nothing is saved until you press Save.")
        for expected in ("12 March 2024", "Jeyhun Bayramov", "Ilia Darchiashvili", "Baku"):
            assert expected in text
        assert [label for label, _ in reply_buttons(preview)] == ["Save", "Edit", "Cancel"]
        assert news_site.requests == [ARTICLE]
        assert counts(sqlite_engine)[:2] == (0, 0)  # nothing written before Save
        await bot.tap(ann, bot.message_of(preview), button_data(preview, "Save"))
        saved = bot.message_of(preview)["text"]
        assert saved.startswith("Saved as meeting 1. /undo takes it back.")
        found = ask(sqlite_engine, "who did Bayramov meet?")
        assert found.status == Status.ANSWERED
        assert [m.id for m in found.meetings] == [1]
        assert found.meetings[0].sources == (news_site.url(ARTICLE),)
        await bot.say(chat, ann, "/undo")
        assert "meeting 1" in last_text(bot, ADMIN)
    assert ask(sqlite_engine, "who did Bayramov meet?").status != Status.ANSWERED
    with session_scope(sqlite_engine) as session:
        actions = [e.action for e in session.exec(select(AuditEntry)).all()]
    assert actions[0] == "create" and len(actions) == 2


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("http://192.168.0.10/news/today", "private or local address (192.168.0.10)"),
        ("/to-private", "private or local address (10.1.2.3)"),
        ("/big", "The page is larger than the 5 MB that are read"),
        ("/report.pdf", "PDF document, not a web page"),
        ("/slow", "did not send the page within 0.5 seconds"),
        ("/news/section_front", "no article text"),
    ],
)
async def test_a_link_that_cannot_be_drafted_gets_one_sentence_and_writes_nothing(
    sqlite_engine: Engine, clock: FakeClock, news_site: NewsSite, path: str, says: str
) -> None:
    async with drafting_bot(sqlite_engine, clock, total_timeout=0.5) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        url = path if path.startswith("http") else news_site.url(path)
        await bot.say(chat, ann, f"/draft {url}")
        answer = plain(last_text(bot, ADMIN))
        assert says in answer
        assert answer.endswith(".") and ". " not in answer  # one sentence
        assert len(bot.replies(ADMIN)) == 1
    assert counts(sqlite_engine) == (0, 0, 0)


async def test_a_strangers_link_is_a_question_and_is_never_fetched(
    sqlite_engine: Engine, clock: FakeClock, news_site: NewsSite
) -> None:
    async with drafting_bot(sqlite_engine, clock) as bot:
        bob = bot.api.add_user(STRANGER, "Bob")
        chat = bot.api.private_chat(bob)
        await bot.say(chat, bob, news_site.url(ARTICLE))
        answer = plain(last_text(bot, STRANGER))
        assert answer.startswith("I have no records matching")  # answered as a question
        await bot.say(chat, bob, f"/draft {news_site.url(ARTICLE)}")
        assert last_text(bot, STRANGER) == "Sorry, /draft is for bot admins only."
    assert news_site.requests == []
    assert counts(sqlite_engine) == (0, 0, 0)


async def test_pasted_text_asks_about_known_people_and_the_date(
    sqlite_engine: Engine, clock: FakeClock
) -> None:
    with session_scope(sqlite_engine) as session:
        load_seeds_if_empty(session=session, clock=clock)  # Naghiyev (1) and Kauma (2)
    async with drafting_bot(sqlite_engine, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(chat, ann, SEED_TEXT.read_text("utf-8"))  # too long for a question
        question = bot.last_reply(ADMIN)
        assert question.params["text"] == "Is this Ali Naghiyev (Azerbaijan)?"
        await bot.tap(ann, bot.message_of(question), button_data(question, "Yes"))
        question = bot.last_reply(ADMIN)
        assert question.params["text"] == "Is this Pia Kauma (Finland)?"
        await bot.tap(ann, bot.message_of(question), button_data(question, "Yes"))
        # The text states no date and was pasted, not forwarded: the bot asks.
        assert "When did the meeting take place?" in last_text(bot, ADMIN)
        await bot.say(chat, ann, "16.11.2023")
        preview = bot.last_reply(ADMIN)
        text = plain(str(preview.params["text"]))
        assert "16 November 2023" in text
        assert "⚠ Location:" in text  # the text names no city
        assert counts(sqlite_engine)[0] == 1
        await bot.tap(ann, bot.message_of(preview), button_data(preview, "Save"))
        assert bot.message_of(preview)["text"].startswith("Saved as meeting 2.")
    with session_scope(sqlite_engine) as session:
        people = session.exec(
            select(Participation.person_id).where(Participation.meeting_id == 2)
        ).all()
    assert sorted(people) == [1, 2]  # the people on record, not new ones


async def test_a_forwarded_post_takes_its_date_and_several_meetings_come_in_turn(
    sqlite_engine: Engine, clock: FakeClock
) -> None:
    async with drafting_bot(sqlite_engine, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        message = bot.api.user_message(chat, ann, TWO_MEETINGS)
        channel = {"id": -1001234, "type": "channel", "title": "Caspian Daily Wire"}
        posted = int(dt.datetime(2024, 3, 12, 9, 30, tzinfo=dt.UTC).timestamp())
        message["forward_origin"] = {
            "type": "channel",
            "chat": channel,
            "message_id": 77,
            "date": posted,
        }
        await bot.feed({"message": message})
        replies = [plain(str(c.params["text"])) for c in bot.replies(ADMIN)]
        assert replies[0] == "The article reports 2 meetings; here is the first to check."
        first = bot.last_reply(ADMIN)
        assert "11 March 2024" in plain(str(first.params["text"]))  # Monday before the post
        await bot.tap(ann, bot.message_of(first), button_data(first, "Save"))
        assert "another meeting (1 more to check)" in plain(
            str(bot.replies(ADMIN)[-2].params["text"])
        )
        question = bot.last_reply(ADMIN)
        assert question.params["text"] == "Is this Jeyhun Bayramov (Azerbaijan)?"
        await bot.tap(ann, bot.message_of(question), button_data(question, "Yes"))
        second = bot.last_reply(ADMIN)
        text = plain(str(second.params["text"]))
        assert "Murat Nurtleu" in text and "12 March 2024" in text  # the post's own date
        await bot.tap(ann, bot.message_of(second), button_data(second, "Cancel"))
        assert bot.message_of(second)["text"] == "Cancelled; nothing was saved."
    assert counts(sqlite_engine) == (1, 1, 0)
