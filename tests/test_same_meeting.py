"""A meeting saved again: records.find_same_meeting, and /add's and a draft's Save asking first.

The core check runs on its own (SQLite and PostgreSQL); the bot's side through the real
Application on the fake Bot API, with the seed meeting (meeting 1, m00: Ali Naghiyev and Pia
Kauma on 14 November 2023) on record. Nothing is written until the admin chooses, and the
choice is taken by whichever process reads the form next.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import ApiCall
from sqlalchemy import Engine, func
from sqlmodel import select
from tg_support import BotHarness, button_data, import_records, meeting_record, reply_buttons

from bot.core import forms, records
from bot.core.clock import FakeClock
from bot.core.names import same_people
from bot.core.records import MeetingRecord, ParticipantRecord
from bot.core.seeds import load_seeds_if_empty
from storage.db import session_scope
from storage.models import AuditEntry, Meeting, Person

ADMIN = 42
SEED_DAY = dt.date(2023, 11, 14)
SEED_TEXT = Path(__file__).parent.parent / "seeds" / "000_b5d7cf45aaab672d.txt"
NAGHIYEV = (
    "Ali Naghiyev, Chief of the State Security Service, "
    "State Security Service of Azerbaijan, Azerbaijan"
)
KAUMA = "Pia Kauma, President of the OSCE Parliamentary Assembly, OSCE Parliamentary Assembly"
BAYRAMOV = "Jeyhun Bayramov, Minister of Foreign Affairs, Azerbaijan"
ON_RECORD = (
    "Meeting 1 (m00), “Ali Naghiyev meets OSCE PA President Pia Kauma”, the meeting of "
    "Ali Naghiyev and Pia Kauma on 14 November 2023, is already on record; save yours as a "
    "new meeting anyway?"
)
FORM_ENDED = "This form has ended; send /add to start again."

JSON = dict[str, Any]


def seed(engine: Engine, clock: FakeClock) -> Engine:
    with session_scope(engine) as session:
        load_seeds_if_empty(session=session, clock=clock)
    return engine


def written(engine: Engine) -> tuple[int, int]:
    """Meetings and audit entries: what only a Save writes."""
    with session_scope(engine) as session:
        return tuple(  # type: ignore[return-value]
            int(session.exec(select(func.count()).select_from(table)).one())
            for table in (Meeting, AuditEntry)
        )


def plain(html_text: str) -> str:
    return re.sub(r"<[^>]+>", "", html_text).replace("&amp;", "&").replace("&lt;", "<")


# --------------------------------------------------------------------------- the core check


def person(name: str, person_id: int | None = None, **more: Any) -> ParticipantRecord:
    return ParticipantRecord(name=name, person_id=person_id, **more)


def same(engine: Engine, day: dt.date, *people: ParticipantRecord) -> int | None:
    with session_scope(engine) as session:
        return records.find_same_meeting(MeetingRecord(day, tuple(people)), session=session)


def test_a_meeting_on_record_is_found_by_date_and_people(engine: Engine, clock: FakeClock) -> None:
    seed(engine, clock)
    # Names compare by name key, with the aliases: Ali Nagiyev and Пиа Каума are on record.
    assert same(engine, SEED_DAY, person("Ali Nagiyev"), person("Пиа Каума")) == 1
    assert same(engine, SEED_DAY, person("PIA KAUMÁ"), person("ali  naghiyev")) == 1
    # A person tied by id is that person, whatever the spelling typed.
    assert same(engine, SEED_DAY, person("A. N.", person_id=1), person("Pia Kauma")) == 1
    # Another date, one person more or another person, a chosen new person: another meeting.
    naghiyev, kauma, bayramov = person("Ali Naghiyev"), person("Pia Kauma"), person("J. Bayramov")
    assert same(engine, SEED_DAY + dt.timedelta(days=1), naghiyev, kauma) is None
    assert same(engine, SEED_DAY, naghiyev, kauma, bayramov) is None
    assert same(engine, SEED_DAY, naghiyev, bayramov) is None
    assert same(engine, SEED_DAY, person("Ali Naghiyev", person_id=2), kauma) is None
    assert same(engine, SEED_DAY, person("Ali Naghiyev", new_person=True), kauma) is None


def test_a_deleted_meeting_is_not_on_record(engine: Engine, clock: FakeClock) -> None:
    seed(engine, clock)
    with session_scope(engine) as session:
        records.delete_meeting(1, session=session, clock=clock, actor_id=ADMIN)
    assert same(engine, SEED_DAY, person("Ali Naghiyev"), person("Pia Kauma")) is None


def test_same_people_is_the_name_key_one_for_one() -> None:
    naghiyev = Person(id=1, name="Ali Naghiyev", aliases=[])
    nagiev = Person(id=2, name="Ali Nagiev", aliases=[])
    # The name key folds case, accents, hyphens and scripts ("Али Нагиев" is "ali nagiev"),
    # but not spellings: without an alias, Nagiyev is not Naghiyev.
    assert same_people([("ALI-NAGHIYEV", None)], [naghiyev])
    assert same_people([("Али Нагиев", None)], [nagiev])
    assert not same_people([("Ali Nagiyev", None)], [naghiyev])
    aliased = Person(id=1, name="Ali Naghiyev", aliases=["Ali Nagiyev"])
    assert same_people([("Ali Nagiyev", None)], [aliased])
    # One for one: two namesakes are two people, one person cannot stand for two.
    twin = Person(id=3, name="Ali Naghiyev", aliases=[])
    assert same_people([("Ali Naghiyev", None), ("Ali Naghiyev", None)], [naghiyev, twin])
    assert not same_people([("Ali Naghiyev", None), ("Ali Naghiyev", None)], [naghiyev])
    # An id is matched before the names, so a name never takes the person an id names.
    assert same_people([("Ali Naghiyev", None), ("whoever", 1)], [naghiyev, twin])


# --------------------------------------------------------------------------- the bot


@asynccontextmanager
async def admin_bot(engine: Engine, clock: FakeClock, **kwargs: Any) -> AsyncIterator[Any]:
    async with BotHarness(engine, clock=clock, admin_ids=(ADMIN,), **kwargs) as bot:
        yield bot
    assert not bot.errors, bot.errors


async def walk_add(bot: Any, user: JSON, day: str, people: Sequence[str]) -> ApiCall:
    """Fill /add for day and people (confirming anyone on record); return the preview."""
    chat = bot.api.private_chat(user)
    await bot.say(chat, user, "/add")
    await bot.say(chat, user, day)
    for line in people:
        await bot.say(chat, user, line)
        question = bot.last_reply(user["id"])
        if question.params["text"].startswith("Is this"):
            await bot.tap(user, bot.message_of(question), button_data(question, "Yes"))
    for answer in ("/done", "Baku", "/skip", "/skip"):
        await bot.say(chat, user, answer)
    preview = bot.last_reply(user["id"])
    assert "<b>Preview</b>" in preview.params["text"]
    return preview


async def tap_answer(bot: Any, user: JSON, message: ApiCall, data: str) -> str:
    """Tap a button; return the text of the popup answer it got."""
    before = len(bot.api.calls)
    await bot.tap(user, bot.message_of(message), data)
    [answer] = [c for c in bot.api.calls[before:] if c.method == "answerCallbackQuery"]
    return str(answer.params.get("text") or "")


async def test_add_of_a_meeting_on_record_asks_then_saves_one_after_a_restart(
    engine: Engine, clock: FakeClock
) -> None:
    seed(engine, clock)
    before = written(engine)
    async with admin_bot(engine, clock) as first:
        ann = first.api.add_user(ADMIN, "Ann")
        preview = await walk_add(first, ann, "14.11.2023", [NAGHIYEV, KAUMA])
        await first.tap(ann, first.message_of(preview), button_data(preview, "Save"))
        question = first.last_reply(ADMIN)
        assert plain(str(question.params["text"])).startswith(ON_RECORD)
        assert [label for label, _ in reply_buttons(question)] == ["Save as new", "Edit", "Cancel"]
        kept = first.message_of(preview)  # the preview stays, without its buttons
        assert kept["text"].startswith("Preview · nothing is saved until you press Save.")
        assert "reply_markup" not in kept
        assert written(engine) == before
        # Text is not an answer to the question.
        await first.say(first.api.private_chat(ann), ann, "just save it")
        assert "answer the question above" in str(first.last_reply(ADMIN).params["text"])
    with session_scope(engine) as session:
        form = forms.find_form(ADMIN, ADMIN, session=session)
    assert form is not None and form.step == "same" and form.data["same_as"] == 1
    # Another process takes the choice from the database.
    async with admin_bot(engine, clock, api=first.api) as second:
        data = button_data(question, "Save as new")
        # Save as new of another question (an earlier draft's) saves nothing.
        stale = await tap_answer(second, ann, question, "adm:add:new:7")
        assert stale.startswith("This button belongs to an earlier step")
        assert written(engine) == before
        assert await tap_answer(second, ann, question, data) == "Saved."
        assert second.message_of(question)["text"].startswith("Saved as meeting 2.")
        assert written(engine) == (before[0] + 1, before[1] + 1)
        # A second tap finds the form ended and writes nothing.
        assert await tap_answer(second, ann, question, data) == FORM_ENDED
        assert await tap_answer(second, ann, question, "adm:add:cancel") == FORM_ENDED
    assert written(engine) == (before[0] + 1, before[1] + 1)
    with session_scope(engine) as session:
        snap = records.snapshot_meeting(2, session=session)
    assert snap is not None and [p["person_id"] for p in snap["participants"]] == [1, 2]


async def test_cancel_under_the_question_writes_nothing(
    sqlite_engine: Engine, clock: FakeClock
) -> None:
    engine = seed(sqlite_engine, clock)
    before = written(engine)
    async with admin_bot(engine, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        preview = await walk_add(bot, ann, "14 Nov 2023", [KAUMA, NAGHIYEV])  # any order
        await bot.tap(ann, bot.message_of(preview), button_data(preview, "Save"))
        question = bot.last_reply(ADMIN)
        assert plain(str(question.params["text"])).startswith(ON_RECORD)
        await bot.tap(ann, bot.message_of(question), button_data(question, "Cancel"))
        assert bot.message_of(question)["text"] == "Cancelled; nothing was saved."
        stale = button_data(question, "Save as new")
        assert await tap_answer(bot, ann, question, stale) == FORM_ENDED
    assert written(engine) == before
    with session_scope(engine) as session:
        assert forms.find_form(ADMIN, ADMIN, session=session) is None


async def test_edit_under_the_question_then_save_saves_directly(
    sqlite_engine: Engine, clock: FakeClock
) -> None:
    engine = seed(sqlite_engine, clock)
    async with admin_bot(engine, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        preview = await walk_add(bot, ann, "2023-11-14", [NAGHIYEV, KAUMA])
        await bot.tap(ann, bot.message_of(preview), button_data(preview, "Save"))
        question = bot.last_reply(ADMIN)
        await bot.tap(ann, bot.message_of(question), button_data(question, "Edit"))
        await bot.tap(ann, bot.message_of(question), "adm:add:f:date")
        await bot.say(bot.api.private_chat(ann), ann, "15.11.2023")  # the date was wrong
        preview = bot.last_reply(ADMIN)
        await bot.tap(ann, bot.message_of(preview), button_data(preview, "Save"))
        assert bot.message_of(preview)["text"].startswith("Saved as meeting 2.")


@pytest.mark.parametrize(
    ("day", "people"),
    [
        ("15.11.2023", [NAGHIYEV, KAUMA]),  # another day
        ("14.11.2023", [NAGHIYEV, BAYRAMOV]),  # another person
        ("14.11.2023", [NAGHIYEV, KAUMA, BAYRAMOV]),  # one person more
    ],
)
async def test_a_meeting_differing_in_date_or_people_saves_directly(
    sqlite_engine: Engine, clock: FakeClock, day: str, people: list[str]
) -> None:
    engine = seed(sqlite_engine, clock)
    before = written(engine)
    async with admin_bot(engine, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        preview = await walk_add(bot, ann, day, people)
        assert await tap_answer(bot, ann, preview, button_data(preview, "Save")) == "Saved."
        assert bot.message_of(preview)["text"].startswith("Saved as meeting 2.")
    assert written(engine) == (before[0] + 1, before[1] + 1)


async def test_the_question_escapes_what_the_record_holds(
    sqlite_engine: Engine, clock: FakeClock
) -> None:
    import_records(
        sqlite_engine,
        clock,
        [
            meeting_record(
                "2024-03-05",
                [("Ann <b>Lee</b>", None, None, None), ("Bo & Co", None, None, None)],
                title="Talks <i>& more</i>",
                record_id="x<1>",
            )
        ],
    )
    async with admin_bot(sqlite_engine, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        preview = await walk_add(bot, ann, "5 March 2024", ["Bo & Co", "Ann <b>Lee</b>"])
        await bot.tap(ann, bot.message_of(preview), button_data(preview, "Save"))
        html = str(bot.last_reply(ADMIN).params["text"])
    first = html.split("\n", 1)[0]
    assert first == (
        "<b>Meeting 1 (x&lt;1&gt;)</b>, “Talks &lt;i&gt;&amp; more&lt;/i&gt;”, the meeting of "
        "Ann &lt;b&gt;Lee&lt;/b&gt; and Bo &amp; Co on 5 March 2024, is already on record; "
        "save yours as a new meeting anyway?"
    )
    assert written(sqlite_engine)[0] == 1


# --------------------------------------------------------------------------- a draft's Save


async def draft_of_the_seed(bot: Any, user: JSON, day: str) -> ApiCall:
    """Paste the seed's article, confirm both people, give day; return the preview."""
    chat = bot.api.private_chat(user)
    await bot.say(chat, user, SEED_TEXT.read_text("utf-8"))  # too long for a question
    for _ in range(2):
        question = bot.last_reply(user["id"])
        assert question.params["text"].startswith("Is this")
        await bot.tap(user, bot.message_of(question), button_data(question, "Yes"))
    assert "When did the meeting take place?" in str(bot.last_reply(user["id"]).params["text"])
    await bot.say(chat, user, day)
    preview = bot.last_reply(user["id"])
    assert "<b>Preview</b>" in preview.params["text"]
    return preview


@pytest.mark.parametrize("choice", ["Save as new", "Cancel"])
async def test_a_drafts_save_of_a_meeting_on_record_asks_first(
    sqlite_engine: Engine, clock: FakeClock, choice: str
) -> None:
    engine = seed(sqlite_engine, clock)
    before = written(engine)
    async with admin_bot(engine, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        preview = await draft_of_the_seed(bot, ann, "14.11.2023")
        await bot.tap(ann, bot.message_of(preview), button_data(preview, "Save"))
        question = bot.last_reply(ADMIN)
        assert plain(str(question.params["text"])).startswith(ON_RECORD)
        assert written(engine) == before
        await bot.tap(ann, bot.message_of(question), button_data(question, choice))
        again = await tap_answer(bot, ann, question, button_data(question, "Save as new"))
        assert again == FORM_ENDED
    if choice == "Cancel":
        assert bot.message_of(question)["text"] == "Cancelled; nothing was saved."
        assert written(engine) == before
    else:
        assert bot.message_of(question)["text"].startswith("Saved as meeting 2.")
        assert written(engine) == (before[0] + 1, before[1] + 1)


async def test_a_draft_on_another_day_saves_directly(
    sqlite_engine: Engine, clock: FakeClock
) -> None:
    engine = seed(sqlite_engine, clock)
    async with admin_bot(engine, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        preview = await draft_of_the_seed(bot, ann, "16.11.2023")
        await bot.tap(ann, bot.message_of(preview), button_data(preview, "Save"))
        assert bot.message_of(preview)["text"].startswith("Saved as meeting 2.")
