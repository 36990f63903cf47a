"""Admin commands through the real Application on the fake Bot API (bot/tg/admin/, auth.py).

Every test feeds real Update objects to application.process_update and reads what the bot sent
to the fake Bot API; the database is the real one (SQLite, and PostgreSQL where marked).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import ApiCall, text_entities
from sqlalchemy import Engine, func
from sqlalchemy import text as sql
from sqlmodel import SQLModel, select
from tg_support import BotHarness, button_data, import_records, meeting_record, reply_buttons

from bot.core import forms, records
from bot.core.answering import Status, answer_question
from bot.core.clock import FakeClock
from bot.core.interchange import export_catalog
from bot.core.seeds import load_seeds_if_empty
from bot.tg import admin
from bot.tg.auth import ANONYMOUS_HINT, refusal
from bot.tg.context import deps_of
from storage.db import CATALOG_LOCK_KEY, create_db_engine, session_scope
from storage.models import Admin, AuditEntry, Meeting, Person

ADMIN = 42
GRANTED = 4343
REVOKED = 4444
STRANGER = 5555
MEMBER = 6666
GROUP_ID = -100777
ANONYMOUS_BOT = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
TWIN_DAY = "5 March 2024"

JSON = dict[str, Any]


@pytest.fixture
def seeded(sqlite_engine: Engine, clock: FakeClock) -> Engine:
    """A SQLite database with the seed meeting (meeting 1, id m00)."""
    with session_scope(sqlite_engine) as session:
        load_seeds_if_empty(session=session, clock=clock)
    return sqlite_engine


@asynccontextmanager
async def running_bot(engine: Engine, clock: FakeClock, **settings: Any) -> AsyncIterator[Any]:
    """A BotHarness with ADMIN as bootstrap admin and its JobQueue running (timeouts)."""
    settings.setdefault("admin_ids", (ADMIN,))
    async with BotHarness(engine, clock=clock, **settings) as bot:
        assert bot.app.job_queue is not None
        await bot.app.job_queue.start()
        try:
            yield bot
        finally:
            await bot.app.job_queue.stop(wait=False)
    assert not bot.errors, bot.errors


def texts(bot: Any, chat_id: int) -> list[str]:
    """The HTML of every message the bot sent to chat_id, in order."""
    return [str(c.params["text"]) for c in bot.replies(chat_id)]


def last_text(bot: Any, chat_id: int) -> str:
    return str(bot.last_reply(chat_id).params["text"])


def plain(html_text: str) -> str:
    return re.sub(r"<[^>]+>", "", html_text).replace("&amp;", "&").replace("&lt;", "<")


def database_state(engine: Engine) -> tuple[str, dict[str, int]]:
    """The export plus the row count of every table: equal before and after means unchanged."""
    with session_scope(engine) as session:
        exported = export_catalog(session=session)
        counts = {
            table.name: int(session.exec(select(func.count()).select_from(table)).one())
            for table in SQLModel.metadata.sorted_tables
            # An open form, or the answers the bot sent, are not data.
            if table.name not in ("conversationstate", "sentanswer")
        }
        counts["undone"] = int(
            session.exec(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.undone)
            ).one()
        )
        counts["deleted"] = int(
            session.exec(
                select(func.count()).select_from(Meeting).where(Meeting.deleted_at.is_not(None))  # type: ignore[union-attr]
            ).one()
        )
    return exported, counts


def seeded_backend(backend: str, request: pytest.FixtureRequest, clock: FakeClock) -> Engine:
    """A fresh database of backend ("sqlite" or "postgres") with the seed meeting."""
    engine: Engine = request.getfixturevalue(
        "sqlite_engine" if backend == "sqlite" else "pg_engine"
    )
    with session_scope(engine) as session:
        load_seeds_if_empty(session=session, clock=clock)
    return engine


def ask(engine: Engine, question: str, today: dt.date) -> Any:
    with session_scope(engine) as session:
        return answer_question(question, session=session, today=today)


async def send_document(
    bot: Any, user: JSON, data: bytes, *, name: str, caption: str | None, size: int | None = None
) -> None:
    """The user sends a file (optionally with a caption such as /import) in their private chat."""
    chat = bot.api.private_chat(user)
    file_id = f"upload{len(bot.api.files) + 1}"
    bot.api.add_file(file_id, data, file_path=f"documents/{name}")
    message: JSON = {
        "message_id": bot.api.next_message_id(chat["id"]),
        "date": 1_700_000_000,
        "chat": chat,
        "from": user,
        "document": {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": name,
            "file_size": len(data) if size is None else size,
        },
    }
    if caption is not None:
        message["caption"] = caption
        message["caption_entities"] = text_entities(caption)
    bot.api.messages[(chat["id"], message["message_id"])] = message
    await bot.feed({"message": message})


async def add_twin(bot: Any, user: JSON, *, save: bool = True) -> ApiCall:
    """Walk /add for the seed meeting's twin on TWIN_DAY; return the preview message call."""
    chat = bot.api.private_chat(user)
    await bot.say(chat, user, "/add")
    await bot.say(chat, user, TWIN_DAY)
    await bot.say(
        chat,
        user,
        "Ali Naghiyev, Chief of the State Security Service, "
        "State Security Service of Azerbaijan, Azerbaijan",
    )
    await bot.say(
        chat,
        user,
        "Pia Kauma, President of the OSCE Parliamentary Assembly, "
        "OSCE Parliamentary Assembly, Finland",
    )
    await bot.say(chat, user, "/done")
    await bot.say(chat, user, "Vienna, Austria")
    await bot.say(chat, user, "landmines, missing persons")
    await bot.say(chat, user, "https://example.org/news/twin")
    preview = bot.last_reply(user["id"])
    if save:
        await bot.tap(user, bot.message_of(preview), button_data(preview, "Save"))
    return preview


# --------------------------------------------------------------------------- /add


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def test_add_step_by_step_then_a_question_finds_both_meetings(
    backend: str, request: pytest.FixtureRequest, clock: FakeClock
) -> None:
    engine = seeded_backend(backend, request, clock)
    today = clock.now().date()
    before = ask(engine, "when did Naghiyev meet Kauma?", today)
    assert [m.date for m in before.meetings] == [dt.date(2023, 11, 14)]
    async with running_bot(engine, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(chat, ann, "/add")
        assert "When did it take place?" in last_text(bot, ADMIN)
        await bot.say(chat, ann, TWIN_DAY)
        assert "Date: <b>5 March 2024</b>" in last_text(bot, ADMIN)  # as people write it
        assert "Who took part?" in last_text(bot, ADMIN)
        await bot.say(
            chat,
            ann,
            "Ali Naghiyev, Chief of the State Security Service, "
            "State Security Service of Azerbaijan, Azerbaijan",
        )
        assert "on record as Ali Naghiyev (Azerbaijan)" in last_text(bot, ADMIN)
        await bot.say(chat, ann, "/done")
        assert "at least two participants; you have sent 1" in last_text(bot, ADMIN)
        await bot.say(
            chat,
            ann,
            "Pia Kauma, President of the OSCE Parliamentary Assembly, "
            "OSCE Parliamentary Assembly, Finland",
        )
        await bot.say(chat, ann, "/done")
        assert "Where did it take place?" in last_text(bot, ADMIN)
        await bot.say(chat, ann, "Vienna, Austria")
        issues_question = last_text(bot, ADMIN)
        assert "Which issues did they discuss?" in issues_question
        # Existing issues are suggested with their synonyms.
        assert "• mine contamination (landmines, land mines, mines, mine maps)" in issues_question
        await bot.say(chat, ann, "landmines, missing persons")
        assert "Source link?" in last_text(bot, ADMIN)
        await bot.say(chat, ann, "https://example.org/news/twin")
        preview = bot.last_reply(ADMIN)
        assert "<b>Preview</b>" in preview.params["text"]
        assert "“landmines” is recorded as the issue mine contamination." in preview.params["text"]
        assert [text for text, _ in reply_buttons(preview)] == ["Save", "Edit", "Cancel"]
        assert database_state(engine)[1]["meeting"] == 1  # nothing saved before Save
        await bot.tap(ann, bot.message_of(preview), button_data(preview, "Save"))
        saved = bot.message_of(preview)
        assert saved["text"].startswith("Saved as meeting 2.")
        assert "Vienna" in saved["text"]
    with session_scope(engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "create")).all()
        assert [(e.entity_id, e.actor_id) for e in entries] == [(2, ADMIN)]
        snap = records.snapshot_meeting(2, session=session)
        assert snap is not None
        assert [i["name"] for i in snap["issues"]] == ["mine contamination", "missing persons"]
        assert [p["person_id"] for p in snap["participants"]] == [1, 2]  # people reused
    after = ask(engine, "when did Naghiyev meet Kauma?", today)
    assert after.status == Status.ANSWERED
    assert sorted(m.date for m in after.meetings) == [dt.date(2023, 11, 14), dt.date(2024, 3, 5)]


async def test_add_asks_when_a_name_is_only_close(seeded: Engine, clock: FakeClock) -> None:
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(chat, ann, "/add")
        await bot.say(chat, ann, "2024-03-05")
        await bot.say(chat, ann, "Ali Nagiyeff, Chief, SSS, Azerbaijan")
        question = bot.last_reply(ADMIN)
        assert question.params["text"] == "Is this Ali Naghiyev (Azerbaijan)?"
        assert [t for t, _ in reply_buttons(question)] == ["Yes", "New person"]
        await bot.say(chat, ann, "Pia Kauma")
        assert "Please answer with the buttons above" in last_text(bot, ADMIN)
        await bot.tap(ann, bot.message_of(question), button_data(question, "Yes"))
        assert bot.message_of(question)["text"].startswith("Added Ali Naghiyev, Chief, SSS")
        await bot.say(chat, ann, "Pia Kauma, President, OSCE PA, Finland")
        await bot.say(chat, ann, "Pia Kaumann, Adviser, OSCE PA, Finland")
        second = bot.last_reply(ADMIN)
        assert second.params["text"] == "Is this Pia Kauma (Finland)?"
        await bot.tap(ann, bot.message_of(second), button_data(second, "New person"))
        assert "(new person)" in bot.message_of(second)["text"]
        for answer in ("/done", "/skip", "/skip", "/skip"):
            await bot.say(chat, ann, answer)
        preview = bot.last_reply(ADMIN)
        await bot.tap(ann, bot.message_of(preview), button_data(preview, "Save"))
    with session_scope(seeded) as session:
        snap = records.snapshot_meeting(2, session=session)
        assert snap is not None
        assert [p["name"] for p in snap["participants"]] == [
            "Ali Naghiyev",
            "Pia Kauma",
            "Pia Kaumann",
        ]
        assert snap["participants"][0]["person_id"] == 1
        assert int(session.exec(select(func.count()).select_from(Person)).one()) == 3


async def test_add_cancel_and_cancel_button_save_nothing(seeded: Engine, clock: FakeClock) -> None:
    state = database_state(seeded)
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(chat, ann, "/add")
        await bot.say(chat, ann, "today")
        await bot.say(chat, ann, "/cancel")
        assert last_text(bot, ADMIN) == "Cancelled; nothing was saved."
        await bot.say(chat, ann, "/cancel")
        assert last_text(bot, ADMIN) == "There is nothing to cancel."
        preview = await add_twin(bot, ann, save=False)
        await bot.tap(ann, bot.message_of(preview), button_data(preview, "Cancel"))
        assert bot.message_of(preview)["text"] == "Cancelled; nothing was saved."
        # The form is over: Save on the old card saves nothing, and says so.
        before = len(bot.api.calls)
        await bot.tap(ann, bot.message_of(preview), "adm:add:save")
        [answer] = _answers_to(bot, before)
        assert answer.params["text"] == "This form has ended; send /add to start again."
    assert database_state(seeded) == state


async def test_add_form_expires_and_the_next_message_says_what_was_lost(
    seeded: Engine, clock: FakeClock
) -> None:
    state = database_state(seeded)
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(chat, ann, "/add")
        await bot.say(chat, ann, "today")
        clock.advance(dt.timedelta(minutes=29))  # an answer within 30 minutes keeps it open
        await bot.say(chat, ann, "Pia Kauma, President")
        assert "Added Pia Kauma, President" in last_text(bot, ADMIN)
        clock.advance(dt.timedelta(minutes=30))
        await bot.say(chat, ann, "Ali Naghiyev, Chief")
        assert last_text(bot, ADMIN) == (
            "Your /add form from 09:29 expired after 30 minutes; nothing was saved. "
            "Send /add to start again."
        )
        # Told once: the next text is a question again, not a participant.
        await bot.say(chat, ann, "Pia Kauma, President")
        assert "Added" not in last_text(bot, ADMIN)
        # An expired preview's Save is answered with what was lost, and saves nothing.
        preview = await add_twin(bot, ann, save=False)
        clock.advance(dt.timedelta(minutes=31))
        before = len(bot.api.calls)
        await bot.tap(ann, bot.message_of(preview), button_data(preview, "Save"))
        [answer] = _answers_to(bot, before)
        assert answer.params["text"].startswith("Your /add form from 09:59 expired after 30")
        assert answer.params["show_alert"] is True
    assert database_state(seeded) == state


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def test_add_form_survives_a_restart(
    backend: str, request: pytest.FixtureRequest, clock: FakeClock
) -> None:
    engine = seeded_backend(backend, request, clock)
    async with running_bot(engine, clock) as first:
        ann = first.api.add_user(ADMIN, "Ann")
        chat = first.api.private_chat(ann)
        await first.say(chat, ann, "/add")
        await first.say(chat, ann, TWIN_DAY)
        await first.say(chat, ann, "Ali Nagiyeff, Chief, SSS, Azerbaijan")
        question = first.last_reply(ADMIN)
        assert question.params["text"] == "Is this Ali Naghiyev (Azerbaijan)?"
    # A new process on the same database: nothing of the form is in its memory.
    async with running_bot(engine, clock, api=first.api) as second:
        await second.tap(ann, second.message_of(question), button_data(question, "Yes"))
        assert second.message_of(question)["text"].startswith("Added Ali Naghiyev, Chief")
        await second.say(chat, ann, "Pia Kauma, President, OSCE PA, Finland")
        assert "on record as Pia Kauma (Finland)" in last_text(second, ADMIN)
        for answer in ("/done", "Vienna", "/skip", "/skip"):
            await second.say(chat, ann, answer)
        preview = second.last_reply(ADMIN)
        assert "<b>Preview</b>" in preview.params["text"]
    async with running_bot(engine, clock, api=first.api) as third:
        await third.tap(ann, third.message_of(preview), button_data(preview, "Save"))
        assert third.message_of(preview)["text"].startswith("Saved as meeting 2.")
    with session_scope(engine) as session:
        snap = records.snapshot_meeting(2, session=session)
        assert snap is not None
        assert [p["person_id"] for p in snap["participants"]] == [1, 2]
        assert snap["location"] == "Vienna"


async def test_cancel_and_done_after_a_restart_still_belong_to_the_form(
    seeded: Engine, clock: FakeClock
) -> None:
    async with running_bot(seeded, clock) as first:
        ann = first.api.add_user(ADMIN, "Ann")
        chat = first.api.private_chat(ann)
        await first.say(chat, ann, "/add")
        await first.say(chat, ann, "today")
        await first.say(chat, ann, "/edit 1 title")  # another form replaces this one, says so
        assert last_text(first, ADMIN).startswith(
            "(Your /add form from 09:00 is closed; nothing of it was saved.)"
        )
        await first.say(chat, ann, "/add")
        await first.say(chat, ann, "today")
        await first.say(chat, ann, "Pia Kauma")
    async with running_bot(seeded, clock, api=first.api) as second:
        await second.say(chat, ann, "/done")
        assert "at least two participants; you have sent 1" in last_text(second, ADMIN)
        await second.say(chat, ann, "/cancel")
        assert last_text(second, ADMIN) == "Cancelled; nothing was saved."
        await second.say(chat, ann, "/cancel")
        assert last_text(second, ADMIN) == "There is nothing to cancel."


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def test_two_replicas_continue_one_form(
    backend: str, request: pytest.FixtureRequest, clock: FakeClock
) -> None:
    engine = seeded_backend(backend, request, clock)
    async with running_bot(engine, clock) as one, running_bot(engine, clock, api=one.api) as two:
        ann = one.api.add_user(ADMIN, "Ann")
        chat = one.api.private_chat(ann)
        replicas = [one, two]
        for turn, answer in enumerate(
            ["/add", TWIN_DAY, "Ali Naghiyev", "Pia Kauma", "/done", "/skip", "/skip", "/skip"]
        ):
            await replicas[turn % 2].say(chat, ann, answer)
        preview = one.last_reply(ADMIN)
        assert "<b>Preview</b>" in preview.params["text"]
        await two.tap(ann, one.message_of(preview), button_data(preview, "Edit"))
        await one.tap(ann, one.message_of(preview), "adm:add:f:title")
        await two.say(chat, ann, "Twin meeting")
        second = one.last_reply(ADMIN)
        assert "Twin meeting" in second.params["text"]
        await one.tap(ann, one.message_of(second), button_data(second, "Save"))
        assert one.message_of(second)["text"].startswith("Saved as meeting 2.")
        # The other replica does not save it again.
        before = len(one.api.calls)
        await two.tap(ann, one.message_of(second), "adm:add:save")
        [answer] = _answers_to(two, before)
        assert answer.params["text"] == "This form has ended; send /add to start again."
    with session_scope(engine) as session:
        assert int(session.exec(select(func.count()).select_from(Meeting)).one()) == 2
        meeting = session.get(Meeting, 2)
        assert meeting is not None and meeting.title == "Twin meeting"


async def test_add_timeout_setting_is_used(seeded: Engine, clock: FakeClock) -> None:
    conversations = [h for h in admin.handlers(timeout=5) if hasattr(h, "conversation_timeout")]
    assert {h.conversation_timeout for h in conversations} == {5}  # type: ignore[attr-defined]
    default = [h for h in admin.handlers() if hasattr(h, "conversation_timeout")]
    assert {h.conversation_timeout for h in default} == {admin.ADMIN_CONVERSATION_TIMEOUT}  # type: ignore[attr-defined]


async def test_add_refuses_bad_answers_with_one_sentence(seeded: Engine, clock: FakeClock) -> None:
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(chat, ann, "/add")
        for answer, expected in [
            ("31.02.2024", "There is no 31 February 2024."),
            ("2030-01-01", "The date 2030-01-01 is in the future"),
            ("someday", "I cannot read “someday” as a date"),
            ("1850-01-01", "is before 1900"),
        ]:
            await bot.say(chat, ann, answer)
            assert expected in plain(last_text(bot, ADMIN))
        await bot.say(chat, ann, "14.11.2023")
        await bot.say(chat, ann, ", President")
        assert "A participant needs a name" in last_text(bot, ADMIN)
        await bot.say(chat, ann, "X" * 201)
        assert "the limit is 200" in last_text(bot, ADMIN)
        await bot.say(chat, ann, "Pia Kauma")
        await bot.say(chat, ann, "pia kauma")
        assert "already a participant" in last_text(bot, ADMIN)
        await bot.say(chat, ann, "Ilham Aliyev, President, , Azerbaijan")
        await bot.say(chat, ann, "/done")
        await bot.say(chat, ann, "Baku")
        await bot.say(chat, ann, "/skip")
        await bot.say(chat, ann, "ftp://example.org/x")
        assert "must start with http:// or https://" in plain(last_text(bot, ADMIN))
        await bot.say(chat, ann, "https://example")
        assert "has no valid host name" in plain(last_text(bot, ADMIN))
        await bot.say(chat, ann, "https://example.org/ok")
        assert "<b>Preview</b>" in last_text(bot, ADMIN)


async def test_add_preview_edit_changes_the_draft(seeded: Engine, clock: FakeClock) -> None:
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        preview = await add_twin(bot, ann, save=False)
        await bot.tap(ann, bot.message_of(preview), button_data(preview, "Edit"))
        fields = [t for t, _ in reply_buttons(bot.api.calls_to("editMessageReplyMarkup")[-1])]
        assert fields[:3] == ["Date", "Participants", "Location"]
        await bot.tap(ann, bot.message_of(preview), "adm:add:f:location")
        assert "Send the place" in last_text(bot, ADMIN)
        await bot.say(chat, ann, "x" * 201)
        assert "The location is 201 characters long" in last_text(bot, ADMIN)
        await bot.say(chat, ann, "Ganja, Azerbaijan")
        second = bot.last_reply(ADMIN)
        assert "Ganja" in second.params["text"] and "Vienna" not in second.params["text"]
        await bot.tap(ann, bot.message_of(second), "adm:add:edit")
        await bot.tap(ann, bot.message_of(second), "adm:add:f:title")
        await bot.say(chat, ann, "Naghiyev & Kauma <again>")
        third = bot.last_reply(ADMIN)
        assert "Naghiyev &amp; Kauma &lt;again&gt;" in third.params["text"]
        await bot.tap(ann, bot.message_of(third), "adm:add:save")
    with session_scope(seeded) as session:
        meeting = session.get(Meeting, 2)
        assert meeting is not None
        assert (meeting.location, meeting.title) == (
            "Ganja, Azerbaijan",
            "Naghiyev & Kauma <again>",
        )


async def test_add_escapes_hostile_text(seeded: Engine, clock: FakeClock) -> None:
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        for answer in (
            "/add",
            "2024-01-02",
            "<b>Evil</b> & Co, <script>alert(1)</script>, A&B, <i>",
            "Pia Kauma",
            "/done",
            "<a href='x'>place</a>",
            "<b>mines</b>, a & b",
            "/skip",
        ):
            await bot.say(chat, ann, answer)
        preview = bot.last_reply(ADMIN)
        assert "&lt;script&gt;" in preview.params["text"]
        await bot.tap(ann, bot.message_of(preview), "adm:add:save")
        assert bot.message_of(preview)["text"].startswith("Saved as meeting 2.")


async def test_add_one_message_yaml(seeded: Engine, clock: FakeClock) -> None:
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(
            chat,
            ann,
            "/add\n```yaml\ndate: 2024-03-05\nlocation: Vienna\nparticipants:\n"
            "  - name: Ali Naghiyev\n  - name: Pia Kauma\nissues: [landmines]\n```",
        )
        reply = last_text(bot, ADMIN)
        assert reply.startswith("1 meeting(s) added, 0 updated, 0 unchanged")
        assert "Meeting 2" in reply
        await bot.say(
            chat,
            ann,
            "/add\nmeetings:\n  - date: 2024-03-06\n    participants:\n      - name: Only One\n",
        )
        failure = plain(last_text(bot, ADMIN))
        assert failure.startswith("Nothing was added; the file has 1 problem:")
        assert "meetings[0].participants: at least two participants are needed" in failure
        await bot.say(chat, ann, "/add\ndate: 2031-01-01\nparticipants:\n  - name: A\n  - name: B")
        assert "meetings[0].date: 2031-01-01 is in the future" in plain(last_text(bot, ADMIN))
        await bot.say(chat, ann, "/undo")
        assert last_text(bot, ADMIN) == "Undid your import: 1 meeting(s) removed, 0 restored."
    with session_scope(seeded) as session:
        assert records.find_meeting(2, session=session, include_deleted=True).deleted_at
        assert int(session.exec(select(func.count()).select_from(Meeting)).one()) == 2


async def test_add_in_a_group_points_to_a_private_chat(seeded: Engine, clock: FakeClock) -> None:
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        group = bot.api.add_chat(GROUP_ID, "Officials")
        await bot.say(group, ann, f"/add@{bot.username}")
        assert last_text(bot, GROUP_ID).startswith("Send /add to me in a private chat")


# --------------------------------------------------------------------------- edit, delete, undo


async def test_edit_history_and_undo_restore_exactly(seeded: Engine, clock: FakeClock) -> None:
    with session_scope(seeded) as session:
        original = records.snapshot_meeting(1, session=session)
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        clock.advance(dt.timedelta(minutes=3))
        await bot.say(chat, ann, "/edit m00 location Ganja, Azerbaijan")
        changed = last_text(bot, ADMIN)
        assert changed.startswith("Changed meeting 1; /undo takes it back.")
        assert "• location: Baku, Azerbaijan → Ganja, Azerbaijan" in changed
        await bot.say(chat, ann, "/edit 1 colour red")
        assert "There is no field “colour”" in last_text(bot, ADMIN)
        await bot.say(chat, ann, "/edit 99 title x")
        assert last_text(bot, ADMIN) == "There is no meeting 99."
        await bot.say(chat, ann, "/history 1")
        history = last_text(bot, ADMIN)
        assert "<b>History of meeting 1</b>" in history
        assert "import by the system" in history
        assert "edit by user 42" in history
        # When, as people write it: "28 November 2026, 10:00", never "2026-11-28 10:00".
        assert re.search(r"<b>[1-9]\d? [A-Z][a-z]+ \d{4}, \d\d:\d\d</b> edit", history)
        assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", history)
        assert "• location: Baku, Azerbaijan → Ganja, Azerbaijan" in history
        await bot.say(chat, ann, "/undo")
        assert last_text(bot, ADMIN).startswith("Undid the edit of meeting 1.")
        await bot.say(chat, ann, "/undo")
        assert last_text(bot, ADMIN) == "You have no change left to undo."
        await bot.say(chat, ann, "/history 1")
        assert "edit by user 42 (undone)" in last_text(bot, ADMIN)
    with session_scope(seeded) as session:
        assert records.snapshot_meeting(1, session=session) == original


async def test_edit_and_history_show_what_changed_among_the_participants(
    seeded: Engine, clock: FakeClock
) -> None:
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(
            chat,
            ann,
            "/edit 1 participants\nAli Naghiyev\nPia Kauma, Former President, OSCE PA, Finland"
            "\nJohn Doe, Adviser",
        )
        changed = last_text(bot, ADMIN)
        await bot.say(chat, ann, "/edit 1 participants\nAli Naghiyev\nPia Kauma, Former President")
        removed = last_text(bot, ADMIN)
        await bot.say(chat, ann, "/history 1")
        history = last_text(bot, ADMIN).split("edit by user 42", 1)[1]
    difference = [
        "• participants:",
        "   + John Doe (Adviser)",
        "   Ali Naghiyev: Chief of the State Security Service of Azerbaijan; Chairman of the State"
        " Commission on Prisoners of War, Hostages and Missing Persons, State Security Service of"
        " Azerbaijan, Azerbaijan → no role",
        "   Pia Kauma: President of the OSCE Parliamentary Assembly, OSCE Parliamentary Assembly,"
        " Finland → Former President, OSCE Parliamentary Assembly, Finland",
    ]
    assert "\n".join(difference) in changed
    assert "\n".join(difference) in history
    assert "   − John Doe (Adviser)" in removed
    assert (
        "Pia Kauma: Former President, OSCE Parliamentary Assembly, Finland → Former President"
        in removed
    )
    # Neither message lists the people twice, as two whole lists would.
    for text in (changed, removed, history):
        assert "); Pia Kauma" not in text and " → Ali Naghiyev" not in text


async def test_guided_edit_from_the_card_button(seeded: Engine, clock: FakeClock) -> None:
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(chat, ann, "/edit 1")
        card = bot.last_reply(ADMIN)
        assert "Which field do you want to change?" in card.params["text"]
        await bot.tap(ann, bot.message_of(card), button_data(card, "Issues"))
        assert "Send the issues, separated by commas for meeting 1." in last_text(bot, ADMIN)
        await bot.say(chat, ann, "hostages, Karabakh")
        result = bot.last_reply(ADMIN)
        assert "• issues:" in result.params["text"]
        assert [t for t, _ in reply_buttons(result)] == ["Edit", "Delete"]
        # The Edit button under that card starts the guided edit again.
        await bot.tap(ann, bot.message_of(result), button_data(result, "Edit"))
        fields = bot.last_reply(ADMIN)
        await bot.tap(ann, bot.message_of(fields), button_data(fields, "Date"))
        await bot.say(chat, ann, "15.11.2023")
        assert "• date: 14 November 2023 → 15 November 2023" in last_text(bot, ADMIN)
    with session_scope(seeded) as session:
        snap = records.snapshot_meeting(1, session=session)
        assert snap is not None and snap["date"] == "2023-11-15"
        assert [i["name"] for i in snap["issues"]] == ["hostages", "Karabakh"]


async def test_delete_asks_first_and_undo_brings_it_back(seeded: Engine, clock: FakeClock) -> None:
    today = clock.now().date()
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(chat, ann, "/delete 1")
        confirm = bot.last_reply(ADMIN)
        assert confirm.params["text"].startswith("Delete <b>Meeting 1 (m00)</b>?")
        assert ask(seeded, "who met the OSCE PA president?", today).status == Status.ANSWERED
        await bot.tap(ann, bot.message_of(confirm), button_data(confirm, "Keep"))
        assert bot.message_of(confirm)["text"] == "Kept meeting 1."
        await bot.say(chat, ann, "/delete 1")
        confirm = bot.last_reply(ADMIN)
        await bot.tap(ann, bot.message_of(confirm), button_data(confirm, "Delete"))
        assert bot.message_of(confirm)["text"] == "Deleted meeting 1. /undo brings it back."
        assert ask(seeded, "who met the OSCE PA president?", today).status == Status.NOT_FOUND
        await bot.say(chat, ann, "/delete 1")
        assert last_text(bot, ADMIN) == "Meeting 1 is deleted."
        await bot.say(chat, ann, "/undo")
        assert last_text(bot, ADMIN).startswith("Undid deleting meeting 1.")
        assert ask(seeded, "who met the OSCE PA president?", today).status == Status.ANSWERED


# --------------------------------------------------------------------------- import and export


async def test_export_then_import_round_trips(
    seeded: Engine, clock: FakeClock, tmp_path: Path
) -> None:
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        await add_twin(bot, ann)
        await bot.say(bot.api.private_chat(ann), ann, "/export")
        sent = bot.api.calls_to("sendDocument", chat_id=ADMIN)[-1]
        name, exported = sent.params["document"]
        assert name == "meetbot-2026-11-28.yaml"
        await bot.say(bot.api.private_chat(ann), ann, "/export json")
        json_name, json_data = bot.api.calls_to("sendDocument", chat_id=ADMIN)[-1].params[
            "document"
        ]
        assert json_name.endswith(".json") and json_data.startswith(b"{")
        await bot.say(bot.api.private_chat(ann), ann, "/export csv")
        csv_call = bot.api.calls_to("sendDocument", chat_id=ADMIN)[-1]
        csv_name, csv_data = csv_call.params["document"]
        assert csv_name == "meetbot-2026-11-28.csv"
        assert csv_data.startswith(b"\xef\xbb\xbfmeeting,import_id,date,place,title,person,")
        assert "not for /import" in csv_call.params["caption"]
        await bot.say(bot.api.private_chat(ann), ann, "/export xml")
        assert last_text(bot, ADMIN) == (
            "Write /export for YAML, /export json for JSON or /export csv for a table."
        )
    assert exported.decode("utf-8") == database_state(seeded)[0]
    assert "Vienna, Austria" in exported.decode("utf-8")
    empty = create_db_engine(f"sqlite:///{tmp_path}/other.db")
    async with running_bot(empty, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        await send_document(bot, ann, exported, name=name, caption="/import")
        assert last_text(bot, ADMIN).startswith("Imported: 2 meeting(s) added, 0 updated")
        await send_document(bot, ann, exported, name=name, caption="/import")
        assert last_text(bot, ADMIN).startswith(
            "Imported: 0 meeting(s) added, 0 updated, 2 unchanged"
        )
    assert database_state(empty)[0] == exported.decode("utf-8")
    empty.dispose()


async def test_import_in_two_steps(seeded: Engine, clock: FakeClock) -> None:
    state = database_state(seeded)
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(chat, ann, "/import")
        assert last_text(bot, ADMIN).startswith("Send the YAML or JSON file as a document now")
        await bot.say(chat, ann, "hello")
        assert last_text(bot, ADMIN) == "Please send the file as a document, or /cancel."
        await send_document(bot, ann, state[0].encode("utf-8"), name="again.yml", caption=None)
        assert last_text(bot, ADMIN).startswith(
            "Imported: 0 meeting(s) added, 0 updated, 1 unchanged"
        )
    assert database_state(seeded) == state


SHORT_SEED = (
    b"meetings:\n  - id: m00\n    date: 2023-11-14\n"
    b"    participants: [{name: Ali Naghiyev}, {name: Pia Kauma}]\n"
)


async def test_a_short_import_keeps_details_unless_the_caption_says_replace(
    seeded: Engine, clock: FakeClock
) -> None:
    state = database_state(seeded)
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await send_document(bot, ann, SHORT_SEED, name="short.yaml", caption="/import")
        assert last_text(bot, ADMIN).startswith("Imported: 0 meeting(s) added, 0 updated")
        assert database_state(seeded) == state

        await send_document(bot, ann, SHORT_SEED, name="short.yaml", caption="/import replace")
        assert last_text(bot, ADMIN).startswith("Imported: 0 meeting(s) added, 1 updated")
        assert "Baku" not in database_state(seeded)[0]
        await bot.say(chat, ann, "/undo")
        assert database_state(seeded)[0] == state[0]

        await bot.say(chat, ann, "/import replace")
        await send_document(bot, ann, SHORT_SEED, name="short.yaml", caption=None)
        assert last_text(bot, ADMIN).startswith("Imported: 0 meeting(s) added, 1 updated")
        assert "Baku" not in database_state(seeded)[0]


async def test_history_names_the_command_line_and_bot_undo_leaves_its_import(
    seeded: Engine, clock: FakeClock
) -> None:
    with session_scope(seeded) as session:
        records.import_document(
            SHORT_SEED.replace(b"    participants", b"    title: Short\n    participants"),
            filename="short.yaml",
            session=session,
            clock=clock,
            actor_id=records.COMMAND_LINE_ACTOR,
        )
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(chat, ann, "/history m00")
        assert "import by the command line" in last_text(bot, ADMIN)
        await bot.say(chat, ann, "/undo")  # an admin's /undo is about the admin's own changes
        assert last_text(bot, ADMIN) == "You have no change left to undo."


async def test_import_with_one_bad_record_writes_nothing(seeded: Engine, clock: FakeClock) -> None:
    state = database_state(seeded)
    bad = (
        b"meetings:\n"
        b"  - date: 2024-01-01\n    participants: [{name: A}, {name: B}]\n"
        b"  - date: 2024-01-02\n    participants: [{name: C}]\n"
        b"  - date: 2024-13-02\n    participants: [{name: C}, {name: D}]\n    colour: red\n"
    )
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        await send_document(bot, ann, bad, name="bad.yaml", caption="/import")
        reply = plain(last_text(bot, ADMIN))
        assert reply.startswith("Nothing was imported; the file has 3 problems:")
        assert "• meetings[1].participants: at least two participants are needed" in reply
        assert "• meetings[2].date: not a date (2024-13-02)" in reply
        assert "• meetings[2].colour: unknown key" in reply
    assert database_state(seeded) == state


@pytest.mark.parametrize(
    ("data", "name", "size", "expected"),
    [
        (b"\xff\xfe\x00bad", "x.yaml", None, "the file is not UTF-8 text"),
        (b"meetings: []", "x.txt", None, "Send a .yaml, .yml or .json file"),
        (b"meeting,date\r\n1,2024-01-01", "x.CSV", None, "A CSV file cannot be imported"),
        (b"meetings: []", "x.yaml", 11 * 1024 * 1024, "The file is 11.0 MB; the limit is 10 MB"),
        (b"{", "x.json", None, "not valid JSON"),
    ],
)
async def test_import_refuses_unusable_files(
    seeded: Engine, clock: FakeClock, data: bytes, name: str, size: int | None, expected: str
) -> None:
    state = database_state(seeded)
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        await send_document(bot, ann, data, name=name, caption="/import", size=size)
        assert expected in plain(last_text(bot, ADMIN))
        if size is not None:
            assert not bot.api.calls_to("getFile")  # refused before downloading
    assert database_state(seeded) == state


async def test_a_file_bigger_than_telegram_said_is_refused_with_its_real_size(
    seeded: Engine, clock: FakeClock
) -> None:
    data = b"#" * (10 * 1024 * 1024 + 5)
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        await send_document(bot, ann, data, name="x.yaml", caption="/import", size=1)
        assert plain(last_text(bot, ADMIN)) == (
            "The file is 10,485,765 bytes; the limit is 10 MB (use meetbot import on the server)."
        )


# Two meetings nobody has stored; an import of it goes to the child process when the threshold
# (Deps.process_import_bytes) is lowered below its size.
TWO_MEETINGS = (
    b"meetings:\n"
    b"  - date: 2024-05-02\n    location: Oslo\n"
    b"    participants: [{name: Ola Nordmann}, {name: Pia Kauma}]\n"
    b"  - date: 2024-05-03\n    location: Bergen\n"
    b"    participants: [{name: Ola Nordmann}, {name: Ali Naghiyev}]\n"
)


async def test_a_big_import_runs_in_the_child_process_and_undo_takes_it_back(
    seeded: Engine, clock: FakeClock
) -> None:
    state = database_state(seeded)
    async with running_bot(seeded, clock) as bot:
        deps = deps_of(bot.app)
        deps.process_import_bytes = len(TWO_MEETINGS) - 1
        ann, bob = bot.api.add_user(ADMIN, "Ann"), bot.api.add_user(MEMBER, "Bob")
        await send_document(bot, ann, TWO_MEETINGS, name="big.yaml", caption="/import")
        assert deps.worker.started
        assert last_text(bot, ADMIN) == (
            "Imported: 2 meeting(s) added, 0 updated, 0 unchanged; 1 person added."
            " /undo takes it back."
        )
        with session_scope(seeded) as session:
            entries = session.exec(select(AuditEntry).where(AuditEntry.actor_id == ADMIN)).all()
            # The child wrote the audit entries as the admin, at the bot's clock's moment.
            assert [e.action for e in entries] == ["import", "import"]
            assert {e.at.replace(tzinfo=None) for e in entries} == {
                clock.now().replace(tzinfo=None)
            }
        # The answering index sees the catalog version the child committed.
        await bot.say(bot.api.private_chat(bob), bob, "who met Ola Nordmann?")
        assert "Oslo" in last_text(bot, MEMBER) and "Bergen" in last_text(bot, MEMBER)
        await bot.say(bot.api.private_chat(ann), ann, "/undo")
        assert "Ola Nordmann" not in database_state(seeded)[0]
        assert database_state(seeded)[0] == state[0]


async def test_a_big_invalid_import_names_the_paths_like_a_small_one(
    seeded: Engine, clock: FakeClock
) -> None:
    state = database_state(seeded)
    bad = TWO_MEETINGS.replace(b"2024-05-03", b"2024-13-03") + b"    colour: red\n"
    async with running_bot(seeded, clock) as bot:
        deps = deps_of(bot.app)
        ann = bot.api.add_user(ADMIN, "Ann")
        await send_document(bot, ann, bad, name="bad.yaml", caption="/import")
        in_thread = last_text(bot, ADMIN)
        assert not deps.worker.started
        deps.process_import_bytes = len(bad) - 1
        await send_document(bot, ann, bad, name="bad.yaml", caption="/import")
        assert deps.worker.started
        assert last_text(bot, ADMIN) == in_thread
        assert plain(in_thread) == (
            "Nothing was imported; the file has 2 problems:\n"
            "• meetings[1].date: not a date (2024-13-03)\n"
            "• meetings[1].colour: unknown key (allowed: id, date, location, title, summary,"
            " source, participants, issues)"
        )
    assert database_state(seeded) == state


@pytest.mark.postgres
async def test_questions_are_answered_while_a_big_import_waits_in_the_child(
    pg_engine: Engine, clock: FakeClock
) -> None:
    with session_scope(pg_engine) as session:
        load_seeds_if_empty(session=session, clock=clock)
    async with running_bot(pg_engine, clock) as bot:
        deps_of(bot.app).process_import_bytes = 0
        ann, bob = bot.api.add_user(ADMIN, "Ann"), bot.api.add_user(MEMBER, "Bob")
        with pg_engine.connect() as holder:
            # Another catalog writer holds the lock: the import in the child waits for it.
            holder.execute(sql("SELECT pg_advisory_lock(:k)"), {"k": CATALOG_LOCK_KEY})
            importing = asyncio.create_task(
                send_document(bot, ann, TWO_MEETINGS, name="big.yaml", caption="/import")
            )
            await _catalog_lock_wanted(pg_engine)
            await bot.say(bot.api.private_chat(bob), bob, "who met the OSCE PA president?")
            assert "Ali Naghiyev" in last_text(bot, MEMBER)
            assert not importing.done() and multiprocessing.active_children()
            assert not bot.replies(ADMIN)
            holder.execute(sql("SELECT pg_advisory_unlock(:k)"), {"k": CATALOG_LOCK_KEY})
        await importing
        assert last_text(bot, ADMIN).startswith("Imported: 2 meeting(s) added, 0 updated")


async def _catalog_lock_wanted(engine: Engine) -> None:
    """Return once a session waits for the catalog lock (a lock not granted in pg_locks)."""
    query = sql(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :k AND NOT granted"
    )
    for _ in range(1200):  # a minute at most: the child starts, parses, then asks for the lock
        with engine.connect() as connection:
            if connection.execute(query, {"k": CATALOG_LOCK_KEY}).scalar():
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the import never asked for the catalog lock")


# --------------------------------------------------------------------------- admins, alias, merge


async def test_grant_revoke_and_admins(seeded: Engine, clock: FakeClock) -> None:
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        bob = bot.api.add_user(GRANTED, "Bob")
        chat, bob_chat = bot.api.private_chat(ann), bot.api.private_chat(bob)
        await bot.say(bob_chat, bob, "/export")
        assert last_text(bot, GRANTED) == refusal("export")
        await bot.say(chat, ann, f"/grant {GRANTED}")
        assert (
            last_text(bot, ADMIN)
            == f"User {GRANTED} is now a bot admin. /revoke {GRANTED} takes it back."
        )
        menu = bot.api.calls_to("setMyCommands")[-1]
        assert menu.params["scope"] == {"type": "chat", "chat_id": GRANTED}
        await bot.say(chat, ann, f"/grant {GRANTED}")
        assert last_text(bot, ADMIN) == f"User {GRANTED} is already an admin."
        await bot.say(chat, ann, "/grant")
        assert last_text(bot, ADMIN).startswith("Write /grant USER_ID")
        await bot.say(bob_chat, bob, "/admins")
        listing = last_text(bot, GRANTED)
        assert f"• {ADMIN} (ADMIN_IDS setting)" in listing
        assert f"• {GRANTED}, granted by {ADMIN} on 28 November 2026" in listing
        await bot.say(bob_chat, bob, f"/revoke {ADMIN}")
        assert "from the ADMIN_IDS setting; remove them there" in last_text(bot, GRANTED)
        await bot.say(chat, ann, f"/revoke {GRANTED}")
        assert last_text(bot, ADMIN) == f"User {GRANTED} is no longer a bot admin."
        assert bot.api.calls_to("deleteMyCommands")[-1].params["scope"]["chat_id"] == GRANTED
        await bot.say(bob_chat, bob, "/admins")
        assert last_text(bot, GRANTED) == refusal("admins")


async def test_grant_refuses_a_huge_number_with_one_sentence(
    seeded: Engine, clock: FakeClock
) -> None:
    state = database_state(seeded)
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        for command in ("/grant", "/revoke"):
            await bot.say(chat, ann, f"{command} {'7' * 5000}")
            assert last_text(bot, ADMIN) == (
                "That number has 5,000 digits; a Telegram user id has at most 16. "
                f"Write {command} USER_ID, for example {command} 123456789."
            )
        await bot.say(chat, ann, f"/grant {'7' * 17}")
        assert last_text(bot, ADMIN).startswith("That number has 17 digits;")
    assert database_state(seeded) == state


async def test_grant_as_a_reply_to_no_person_grants_nothing(
    seeded: Engine, clock: FakeClock
) -> None:
    state = database_state(seeded)
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        group = bot.api.add_chat(GROUP_ID, "Officials")
        anonymous = bot.api.user_message(group, ANONYMOUS_BOT, "as the group", sender_chat=group)
        await bot.say(group, ann, f"/grant@{bot.username}", reply_to=anonymous)
        assert last_text(bot, GROUP_ID) == (
            "That message was sent on behalf of “Officials”, not by a person, so /grant "
            "cannot tell who wrote it. Ask them to write as themselves, or send /grant USER_ID."
        )
        # The bot's own message (here its refusal above), and the stand-in users by id.
        own = bot.message_of(bot.last_reply(GROUP_ID))
        await bot.say(group, ann, f"/grant@{bot.username}", reply_to=own)
        assert last_text(bot, GROUP_ID).startswith("That is a bot or an anonymous sender,")
        without_chat = bot.api.user_message(group, ANONYMOUS_BOT, "anonymous, no sender_chat")
        await bot.say(group, ann, f"/grant@{bot.username}", reply_to=without_chat)
        assert last_text(bot, GROUP_ID).startswith("That is a bot or an anonymous sender,")
        # In a forum topic, a message without a reply still carries the topic's first message.
        starter = bot.api.add_user(MEMBER, "Topic starter")
        topic = bot.api.user_message(group, starter, "")
        topic.pop("text")
        topic["forum_topic_created"] = {"name": "Admins", "icon_color": 7322096}
        await bot.say(group, ann, f"/grant@{bot.username}", reply_to=topic)
        assert last_text(bot, GROUP_ID).startswith("Write /grant USER_ID")
        for user_id in (ANONYMOUS_BOT["id"], bot.api.bot_user["id"]):
            await bot.say(group, ann, f"/grant@{bot.username} {user_id}")
            assert last_text(bot, GROUP_ID).startswith("That is a bot or an anonymous sender,")
        assert not bot.api.calls_to("setMyCommands")
    assert database_state(seeded) == state


async def test_alias_and_merge(seeded: Engine, clock: FakeClock) -> None:
    today = clock.now().date()
    with session_scope(seeded) as session:
        session.add(Person(name="A. Naghiyev", aliases=["Naghiyev Ali"], country="Azerbaijan"))
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(chat, ann, "/alias Pia Kauma = Pia Kauma-Lind")
        assert last_text(bot, ADMIN) == (
            "“Pia Kauma-Lind” is now another name of the person Pia Kauma. /undo takes it back."
        )
        await bot.say(chat, ann, "/alias mines = explosive remnants")
        assert "of the issue mine contamination" in last_text(bot, ADMIN)
        await bot.say(chat, ann, "/alias Nobody Known = X")
        assert last_text(bot, ADMIN).startswith("No person, organization or issue is called")
        await bot.say(chat, ann, "/alias Pia Kauma")
        assert last_text(bot, ADMIN).startswith("Write /alias NAME = OTHER NAME")
        await bot.say(chat, ann, "/merge Ali Naghiyev = A. Naghiyev")
        confirm = bot.last_reply(ADMIN)
        await bot.tap(ann, bot.message_of(confirm), button_data(confirm, "Merge"))
        assert bot.message_of(confirm)["text"] == (
            "Merged A. Naghiyev (#3) into Ali Naghiyev (#1): 0 meetings moved. "
            "/undo splits them again."
        )
        await bot.say(chat, ann, "/merge Ali Naghiyev = Pia Kauma")
        assert "both took part in meeting 1" in last_text(bot, ADMIN)
    answer = ask(seeded, "who met Pia Kauma-Lind?", today)
    assert answer.status == Status.ANSWERED
    with session_scope(seeded) as session:
        kept = session.get(Person, 1)
        assert kept is not None and "A. Naghiyev" in kept.aliases


def _merge_entries(engine: Engine) -> int:
    with session_scope(engine) as session:
        return len(session.exec(select(AuditEntry).where(AuditEntry.action == "merge")).all())


async def test_merge_asks_first_showing_both_people_and_their_meetings(
    seeded: Engine, clock: FakeClock
) -> None:
    import_records(
        seeded,
        clock,
        [
            meeting_record(
                f"2024-0{month}-10",
                [("A. Naghiyev", "Chief", None, "Azerbaijan"), ("Pia Kauma", None, None, None)],
                title=f"Talks number {month}",
            )
            for month in range(1, 5)
        ],
    )
    state = database_state(seeded)
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(chat, ann, "/merge Ali Naghiyev = A. Naghiyev")
        confirm = bot.last_reply(ADMIN)
        assert [text for text, _ in reply_buttons(confirm)] == ["Merge", "Cancel"]
        assert plain(confirm.params["text"]) == (
            "Merge A. Naghiyev (#3) into Ali Naghiyev (#1)? Their meetings and names move to "
            "Ali Naghiyev, and #3 is removed; /undo splits them again.\n\n"
            "Keep: Ali Naghiyev (#1, Azerbaijan), 1 meeting:\n"
            "Also called Ali Nagiyev, Ali Nagiev, Ali Naghiev, Əli Nağıyev, Али Нагиев.\n"
            "• 14 November 2023, meeting 1: Ali Naghiyev meets OSCE PA President Pia Kauma\n"
            "\nRemove: A. Naghiyev (#3, Azerbaijan), 4 meetings:\n"
            "• 10 April 2024, meeting 5: Talks number 4\n"
            "• 10 March 2024, meeting 4: Talks number 3\n"
            "• 10 February 2024, meeting 3: Talks number 2\n"
            "• and 1 earlier"
        )
        # Asking changed nothing.
        assert database_state(seeded) == state
        await bot.say(chat, ann, "/merge Pia Kauma = A. Naghiyev")
        assert "both took part in meeting 2" in last_text(bot, ADMIN)
        assert not reply_buttons(bot.last_reply(ADMIN))
    assert database_state(seeded) == state


async def test_merge_cancel_changes_nothing(seeded: Engine, clock: FakeClock) -> None:
    with session_scope(seeded) as session:
        session.add(Person(name="A. Naghiyev", country="Azerbaijan"))
    state = database_state(seeded)
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(chat, ann, "/merge Ali Naghiyev = A. Naghiyev")
        confirm = bot.last_reply(ADMIN)
        before = len(bot.api.calls)
        await bot.tap(ann, bot.message_of(confirm), button_data(confirm, "Cancel"))
        assert len(_answers_to(bot, before)) == 1
        assert bot.message_of(confirm)["text"] == (
            "Cancelled; #1 and #3 stay two people, nothing was merged."
        )
        assert "reply_markup" not in bot.message_of(confirm)
    assert database_state(seeded) == state
    assert _merge_entries(seeded) == 0


async def test_merge_button_merges_once(seeded: Engine, clock: FakeClock) -> None:
    with session_scope(seeded) as session:
        session.add(Person(name="A. Naghiyev", country="Azerbaijan"))
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(chat, ann, "/merge Ali Naghiyev = A. Naghiyev")
        confirm = bot.last_reply(ADMIN)
        stale = bot.message_of(confirm)  # as a second device still shows it, buttons and all
        before = len(bot.api.calls)
        await bot.tap(ann, stale, button_data(confirm, "Merge"))
        [answer] = _answers_to(bot, before)
        assert answer.params["text"] == "Merged."
        assert bot.message_of(confirm)["text"].startswith("Merged A. Naghiyev (#3) into")
        assert _merge_entries(seeded) == 1
        state = database_state(seeded)
        for button in ("Merge", "Cancel"):
            before = len(bot.api.calls)
            await bot.tap(ann, stale, button_data(confirm, button))
            [answer] = _answers_to(bot, before)
            assert answer.params["text"].endswith(
                "This merge was done already, or the records changed; send /merge again if needed."
            ), button
            assert answer.params["show_alert"] is True
        assert database_state(seeded) == state
        assert bot.message_of(confirm)["text"].startswith("Merged A. Naghiyev (#3) into")
        await bot.say(chat, ann, "/undo")
        assert last_text(bot, ADMIN) == "Split A. Naghiyev from Ali Naghiyev again."
    assert _merge_entries(seeded) == 1


# --------------------------------------------------------------------------- who may


COMMANDS = [
    "/add",
    "/edit 1 location Ganja",
    "/delete 1",
    "/undo",
    "/history 1",
    "/import",
    "/export",
    f"/grant {STRANGER}",
    f"/revoke {STRANGER}",
    "/admins",
    "/alias Pia Kauma = P. Kauma",
    "/merge Ali Naghiyev = Pia Kauma",
]


def _prepare_admins(engine: Engine, clock: FakeClock) -> None:
    with session_scope(engine) as session:
        for user_id in (GRANTED, REVOKED):
            records.grant_admin(
                user_id, session=session, clock=clock, actor_id=ADMIN, bootstrap_ids=[ADMIN]
            )
    with session_scope(engine) as session:
        records.revoke_admin(
            REVOKED, session=session, clock=clock, actor_id=ADMIN, bootstrap_ids=[ADMIN]
        )


@pytest.mark.parametrize("role", ["bot admin", "granted admin"])
async def test_admins_may_use_every_admin_command(
    role: str, seeded: Engine, clock: FakeClock
) -> None:
    _prepare_admins(seeded, clock)
    user_id = ADMIN if role == "bot admin" else GRANTED
    async with running_bot(seeded, clock) as bot:
        user = bot.api.add_user(user_id, "Admin")
        bot.api.add_user(STRANGER, "Stranger")  # /grant publishes the menu in their chat
        chat = bot.api.private_chat(user)
        for command in COMMANDS:
            name = command.split()[0].lstrip("/")
            before = len(bot.replies(user_id)) + len(bot.api.calls_to("sendDocument"))
            await bot.say(chat, user, command)
            after = len(bot.replies(user_id)) + len(bot.api.calls_to("sendDocument"))
            assert after > before, command
            if bot.replies(user_id):
                assert last_text(bot, user_id) != refusal(name), command
            await bot.say(chat, user, "/cancel")


@pytest.mark.parametrize(
    "role", ["revoked admin", "group member", "anonymous group admin", "stranger"]
)
async def test_everyone_else_is_refused_and_nothing_changes(
    role: str, seeded: Engine, clock: FakeClock
) -> None:
    _prepare_admins(seeded, clock)
    state = database_state(seeded)
    async with running_bot(seeded, clock) as bot:
        group = bot.api.add_chat(GROUP_ID, "Officials")
        if role == "revoked admin":
            user: JSON | None = bot.api.add_user(REVOKED, "Rev")
            chat, chat_id, suffix = bot.api.private_chat(user), REVOKED, ""
        elif role == "stranger":
            user = bot.api.add_user(STRANGER, "Stranger")
            chat, chat_id, suffix = bot.api.private_chat(user), STRANGER, ""
        else:
            user = bot.api.add_user(MEMBER, "Member") if role == "group member" else ANONYMOUS_BOT
            chat, chat_id, suffix = group, GROUP_ID, f"@{bot.username}"
        for command in COMMANDS:
            name, _, rest = command.partition(" ")
            text = f"{name}{suffix} {rest}".strip()
            if role == "anonymous group admin":
                message = bot.api.user_message(group, user, text, sender_chat=group)
                await bot.feed({"message": message})
                expected = ANONYMOUS_HINT
            else:
                await bot.say(chat, user, text)
                expected = refusal(name.lstrip("/"))
            assert last_text(bot, chat_id) == expected, command
            assert database_state(seeded) == state, command
        # A document with /import as caption is refused the same way.
        if role in ("revoked admin", "stranger"):
            assert user is not None
            await send_document(bot, user, state[0].encode(), name="x.yaml", caption="/import")
            assert last_text(bot, chat_id) == refusal("import")
            assert not bot.api.calls_to("getFile")
        # Nobody but admins sent a document back.
        assert not bot.api.calls_to("sendDocument")
    assert database_state(seeded) == state


async def test_buttons_pressed_by_a_non_admin_are_refused(
    seeded: Engine, clock: FakeClock
) -> None:
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        group = bot.api.add_chat(GROUP_ID, "Officials")
        await bot.say(group, ann, f"/delete@{bot.username} 1")
        confirm = bot.last_reply(GROUP_ID)
        state = database_state(seeded)
        member = bot.api.add_user(MEMBER, "Member")
        await bot.tap(member, bot.message_of(confirm), button_data(confirm, "Delete"))
        answer = bot.api.calls_to("answerCallbackQuery")[-1]
        assert answer.params["text"] == refusal("delete")
        assert answer.params["show_alert"] is True
        assert database_state(seeded) == state
        await bot.tap(ann, bot.message_of(confirm), button_data(confirm, "Delete"))
        assert bot.message_of(confirm)["text"].startswith("Deleted meeting 1.")
    with session_scope(seeded) as session:
        assert session.get(Admin, MEMBER) is None
        assert session.get(Meeting, 1).deleted_at is not None  # type: ignore[union-attr]


async def test_edit_asking_for_the_value_and_its_timeout(seeded: Engine, clock: FakeClock) -> None:
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(chat, ann, "/edit m00 summary")
        assert last_text(bot, ADMIN).startswith("Send the summary for meeting 1.")
        await bot.say(chat, ann, "-")
        assert "• summary: Ali Naghiyev, head of" in last_text(bot, ADMIN)
        await bot.say(chat, ann, "/edit 1 title")
        clock.advance(dt.timedelta(minutes=30))
        await bot.say(chat, ann, "A title too late")
        assert last_text(bot, ADMIN) == (
            "Your edit of meeting 1 from 09:00 expired after 30 minutes; nothing was changed. "
            "Send /edit 1 to start again."
        )
        await bot.say(chat, ann, "/import")
        await bot.say(chat, ann, "/cancel")
        assert last_text(bot, ADMIN) == "Cancelled; nothing was saved."
        stranger = bot.api.add_user(STRANGER, "Sam")
        hello = await bot.say(bot.api.private_chat(stranger), stranger, "hello")
        group = bot.api.add_chat(GROUP_ID, "Officials")
        note = bot.api.user_message(group, stranger, "I would like to help")
        await bot.say(group, ann, f"/grant@{bot.username}", reply_to=note)
        assert last_text(bot, GROUP_ID).startswith(f"User {STRANGER} is now a bot admin.")
        assert hello  # the stranger's chat exists, so the admin menu reached it
    with session_scope(seeded) as session:
        meeting = session.get(Meeting, 1)
        assert meeting is not None and meeting.summary is None and meeting.title
        assert session.get(Admin, STRANGER) is not None


# --------------------------------------------------------------------------- refusals on buttons


def _answers_to(bot: Any, before: int) -> list[ApiCall]:
    return [c for c in bot.api.calls[before:] if c.method == "answerCallbackQuery"]


async def test_a_refused_button_is_answered_once_and_says_why(
    seeded: Engine, clock: FakeClock
) -> None:
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(chat, ann, "/edit 1 location Baku")
        card = bot.last_reply(ADMIN)
        await bot.say(chat, ann, "/delete 1")
        confirm = bot.last_reply(ADMIN)
        # Another admin deletes the meeting meanwhile.
        with session_scope(seeded) as session:
            records.delete_meeting(1, session=session, clock=clock, actor_id=GRANTED)
        state = database_state(seeded)
        before = len(bot.api.calls)
        await bot.tap(ann, bot.message_of(confirm), button_data(confirm, "Delete"))
        [answer] = _answers_to(bot, before)
        assert answer.params["text"] == "Meeting 1 is deleted."
        assert answer.params["show_alert"] is True
        before = len(bot.api.calls)
        await bot.tap(ann, bot.message_of(card), button_data(card, "Delete"))
        [answer] = _answers_to(bot, before)
        assert not answer.params.get("text")
        assert last_text(bot, ADMIN) == "Meeting 1 is deleted."
    assert database_state(seeded) == state


async def test_save_refused_by_the_core_keeps_the_form(seeded: Engine, clock: FakeClock) -> None:
    with session_scope(seeded) as session:
        records.create_meeting(
            records.MeetingRecord(
                date=dt.date(2024, 1, 9),
                participants=(
                    records.ParticipantRecord("Ali Naghiyev"),
                    records.ParticipantRecord("Lena Berg", country="Sweden"),
                ),
            ),
            session=session,
            clock=clock,
            actor_id=ADMIN,
        )
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        for answer in ("/add", TWIN_DAY, "Lena Berg", "Pia Kauma", "/done"):
            await bot.say(chat, ann, answer)
        for answer in ("/skip", "/skip", "/skip"):
            await bot.say(chat, ann, answer)
        preview = bot.last_reply(ADMIN)
        # Another admin merges Lena Berg's record into Pia Kauma's before Save.
        with session_scope(seeded) as session:
            lena = records.find_person("Lena Berg", session=session)
            records.merge_people(
                "Pia Kauma", "Lena Berg", session=session, clock=clock, actor_id=1
            )
        state = database_state(seeded)
        before = len(bot.api.calls)
        await bot.tap(ann, bot.message_of(preview), button_data(preview, "Save"))
        [answer] = _answers_to(bot, before)
        assert not answer.params.get("text")
        assert last_text(bot, ADMIN) == (
            f"There is no person #{lena.id}.\nPress Edit to fix it, or Cancel."
        )
        await bot.tap(ann, bot.message_of(preview), button_data(preview, "Cancel"))
        assert bot.message_of(preview)["text"] == "Cancelled; nothing was saved."
    assert database_state(seeded) == state


async def test_every_tapped_button_gets_an_answer(seeded: Engine, clock: FakeClock) -> None:
    async with running_bot(seeded, clock) as bot:
        ann = bot.api.add_user(ADMIN, "Ann")
        chat = bot.api.private_chat(ann)
        await bot.say(chat, ann, "/add")
        await bot.say(chat, ann, TWIN_DAY)
        await bot.say(chat, ann, "Ali Nagiyeff, Chief, SSS, Azerbaijan")
        question = bot.last_reply(ADMIN)
        await bot.tap(ann, bot.message_of(question), button_data(question, "Yes"))
        for data, expected in [
            # The question was answered: its other button is stale.
            ("adm:p:new", "This question is no longer open."),
            # A preview button while the form waits for a participant.
            ("adm:add:save", "This button belongs to an earlier step"),
        ]:
            before = len(bot.api.calls)
            await bot.tap(ann, bot.message_of(question), data)
            [answer] = _answers_to(bot, before)
            assert answer.params["text"].startswith(expected), data
        for answer_text in ("Pia Kauma", "/done", "/skip", "/skip", "/skip"):
            await bot.say(chat, ann, answer_text)
        preview = bot.last_reply(ADMIN)
        await bot.tap(ann, bot.message_of(preview), button_data(preview, "Save"))
        state = database_state(seeded)
        member = bot.api.add_user(MEMBER, "Member")
        for user, data in [
            # The saved preview's old buttons, and the field buttons of its Edit.
            (ann, "adm:add:save"),
            (ann, "adm:add:edit"),
            (ann, "adm:add:f:title"),
            (ann, "adm:add:back"),
            (ann, "adm:add:cancel"),
            (ann, "adm:p:1"),
            (member, "adm:add:save"),
            # Buttons no handler knows: from an older version, or made up.
            (ann, "adm:edit:x"),
            (ann, "adm:whatever"),
            (member, "nonsense"),
        ]:
            before = len(bot.api.calls)
            await bot.tap(user, bot.message_of(preview), data)
            answers = _answers_to(bot, before)
            assert len(answers) == 1, data
            assert answers[0].params.get("text"), data
        assert database_state(seeded) == state


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def test_save_racing_on_two_replicas_saves_once(
    backend: str, request: pytest.FixtureRequest, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = seeded_backend(backend, request, clock)
    async with running_bot(engine, clock) as one, running_bot(engine, clock, api=one.api) as two:
        ann = one.api.add_user(ADMIN, "Ann")
        preview = await add_twin(one, ann, save=False)
        with session_scope(engine) as session:
            read_before_the_other_save = forms.find_form(ADMIN, ADMIN, session=session)
        await one.tap(ann, one.message_of(preview), button_data(preview, "Save"))
        # Replica two read the form before replica one's Save committed.
        monkeypatch.setattr(forms, "find_form", lambda *a, **k: read_before_the_other_save)
        before = len(one.api.calls)
        await two.tap(ann, one.message_of(preview), "adm:add:save")
        [answer] = _answers_to(two, before)
        assert answer.params["text"] == "This form has ended; send /add to start again."
    with session_scope(engine) as session:
        assert int(session.exec(select(func.count()).select_from(Meeting)).one()) == 2


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def test_one_step_answered_on_two_replicas_at_once_is_taken_once(
    backend: str, request: pytest.FixtureRequest, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = seeded_backend(backend, request, clock)
    async with running_bot(engine, clock) as one, running_bot(engine, clock, api=one.api) as two:
        ann = one.api.add_user(ADMIN, "Ann")
        chat = one.api.private_chat(ann)
        await one.say(chat, ann, "/add")
        await two.say(chat, ann, TWIN_DAY)
        with session_scope(engine) as session:
            read_before_the_other_step = forms.find_form(ADMIN, ADMIN, session=session)
        await one.say(chat, ann, "Jane Roe, Special Envoy")
        assert "Added Jane Roe, Special Envoy" in last_text(one, ADMIN)
        # Replica two read the form before replica one's step committed, and takes another
        # answer to the same step: it must not write over the first one's.
        monkeypatch.setattr(forms, "find_form", lambda *a, **k: read_before_the_other_step)
        await two.say(chat, ann, "John Doe, Minister")
        assert last_text(two, ADMIN) == (
            "Another answer to this step came in at the same moment and was taken, so this one "
            "was not; please answer the last question again."
        )
        monkeypatch.undo()
        with session_scope(engine) as session:
            form = forms.find_form(ADMIN, ADMIN, session=session)
        assert form is not None
        assert [p["name"] for p in form.data["draft"]["participants"]] == ["Jane Roe"]
        # Asked again, the answer is taken on either replica.
        await two.say(chat, ann, "John Doe, Minister")
        assert "Added John Doe, Minister" in last_text(two, ADMIN)
