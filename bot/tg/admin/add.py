"""Admin commands: /add, /edit, /delete, /undo, /history, /import, /export, /grant, /revoke,
/admins, /alias, /merge and /cancel.

Handlers are thin: they check the sender (bot/tg/auth.py), read the message, call one function
of bot/core/records/ inside one session (so a change and its audit entry commit together),
and reply with escaped HTML. /add is a guided conversation in a private chat (or one message
with a YAML block); /edit ID and a card's Edit button start a guided edit; /import takes a
document. Conversations end after ADMIN_CONVERSATION_TIMEOUT of silence and say so.

Callback data (at most 64 bytes), all under "adm:":
  adm:p:<person id>|new     the /add question "Is this …?"
  adm:add:save|edit|cancel|back, adm:add:f:<field>   the /add preview card
  adm:edit:<id>, adm:ef:<id>:<field>                 a saved meeting's Edit button
  adm:del:<id>, adm:delok:<id>, adm:delno:<id>       delete with confirmation
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import warnings
from dataclasses import dataclass, field, replace
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.core import records
from bot.core.interchange import InvalidImport, export_catalog
from bot.core.names import name_key
from bot.core.records import (
    MeetingDraft,
    ParticipantRecord,
    PersonCandidate,
    RecordError,
    ValidationError,
)
from bot.core.views import MeetingView, ParticipantView, load_meeting_views
from bot.tg.auth import admin_only
from bot.tg.commands import BotCommandInfo, visible_commands
from bot.tg.context import BotContext, HandlerList
from bot.tg.render import MESSAGE_LIMIT, NO_PREVIEW, escape, escape_clipped, render_meeting_card

logger = logging.getLogger(__name__)

END = ConversationHandler.END
ADMIN_CONVERSATION_TIMEOUT = dt.timedelta(minutes=15)
# Telegram lets bots download files up to 20 MB; a catalog of 100k meetings is about 60 MB of
# YAML, so bigger imports go through `meetbot import` on the server instead.
MAX_IMPORT_FILE_BYTES = 10 * 1024 * 1024
MAX_ERRORS_SHOWN = 20
IMPORT_SUFFIXES = (".yaml", ".yml", ".json")

COMMANDS = [
    BotCommandInfo("add", "Add a meeting step by step (or /add with a YAML block)", "admin"),
    BotCommandInfo("edit", "Change a meeting: /edit ID FIELD VALUE, or /edit ID", "admin"),
    BotCommandInfo("delete", "Delete a meeting: /delete ID", "admin"),
    BotCommandInfo("undo", "Undo your last change", "admin"),
    BotCommandInfo("history", "Who changed a meeting and how: /history ID", "admin"),
    BotCommandInfo("import", "Import a YAML or JSON file of meetings", "admin"),
    BotCommandInfo("export", "Get the whole database as a file (/export json for JSON)", "admin"),
    BotCommandInfo("grant", "Make a user an admin: /grant USER_ID", "admin"),
    BotCommandInfo("revoke", "Take admin rights away: /revoke USER_ID", "admin"),
    BotCommandInfo("admins", "List the bot admins", "admin"),
    BotCommandInfo(
        "alias", "Another name for a person, organization or issue: /alias A = B", "admin"
    ),
    BotCommandInfo("merge", "Join two records of one person: /merge KEEP = DUPLICATE", "admin"),
    BotCommandInfo("cancel", "Stop the current admin conversation", "admin"),
]

# Conversation states.
(
    ADD_DATE,
    ADD_PEOPLE,
    ADD_PERSON,
    ADD_LOCATION,
    ADD_ISSUES,
    ADD_SOURCE,
    ADD_PREVIEW,
    ADD_EDIT_FIELD,
    ADD_EDIT_VALUE,
    EDIT_FIELD,
    EDIT_VALUE,
    IMPORT_FILE,
) = range(12)

ADD_KEY = "admin.add"
EDIT_KEY = "admin.edit"

FIELD_LABELS = {
    "date": "Date",
    "participants": "Participants",
    "location": "Location",
    "issues": "Issues",
    "sources": "Sources",
    "title": "Title",
    "summary": "Summary",
}
FIELD_PROMPTS = {
    "date": "the date, like 2023-11-14, 14.11.2023 or 14 Nov 2023",
    "participants": "all participants, one a line as Name, role, organization, country",
    "location": "the place",
    "issues": "the issues, separated by commas",
    "sources": "the source links, separated by spaces",
    "title": "the title",
    "summary": "the summary",
    "external_id": "the external id",
}

DATE_QUESTION = "When did it take place? For example 2023-11-14, 14.11.2023, 14 Nov 2023 or today."
PEOPLE_QUESTION = (
    "Who took part? Send one participant a message as "
    "<i>Name, role, organization, country</i>; send /done after the last one."
)
NEXT_PERSON = "Send the next participant, or /done."
SOURCE_QUESTION = "Source link? Send the URL, or /skip."


@dataclass(slots=True)
class AddState:
    """The /add conversation of one admin: the draft and the open question, if any."""

    draft: MeetingDraft = field(default_factory=MeetingDraft)
    pending: ParticipantRecord | None = None
    candidates: tuple[PersonCandidate, ...] = ()
    notes: list[str] = field(default_factory=list)
    edit_field: str | None = None


# --------------------------------------------------------------------------- small helpers


def _body(message: Message | None) -> str:
    """The text after the command word, new lines kept (for YAML and multi-line values)."""
    text = (message.text or message.caption or "") if message else ""
    parts = text.split(None, 1)
    return parts[1] if len(parts) > 1 else ""


def _user_id(update: Update) -> int:
    user = update.effective_user
    assert user is not None, "admin_only lets only identified users through"
    return user.id


async def _reply(
    update: Update, html: str, keyboard: InlineKeyboardMarkup | None = None
) -> Message | None:
    message = update.effective_message
    if message is None:
        return None
    return await message.reply_text(
        html, parse_mode=ParseMode.HTML, reply_markup=keyboard, link_preview_options=NO_PREVIEW
    )


def _problems(exc: RecordError | InvalidImport) -> list[str]:
    if isinstance(exc, ValidationError):
        return list(exc.errors)
    if isinstance(exc, InvalidImport):
        return list(exc.errors)
    return [str(exc)]


def _error_html(exc: RecordError) -> str:
    return "\n".join(escape(p) for p in _problems(exc))


def _chunks(blocks: list[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join blocks into messages of at most limit characters, never splitting a block."""
    pages: list[str] = []
    current = ""
    for block in blocks:
        if len(block) > limit:
            # Blocks are built to fit (cards are capped, lines clipped); never cut HTML blindly.
            block = escape_clipped(re.sub(r"<[^>]+>", "", block), limit - 10)
        if current and len(current) + 1 + len(block) > limit:
            pages.append(current)
            current = block
        else:
            current = f"{current}\n{block}" if current else block
    if current:
        pages.append(current)
    return pages


async def _send_blocks(
    update: Update, blocks: list[str], keyboard: InlineKeyboardMarkup | None = None
) -> None:
    """Send blocks (each well under the limit) in as few messages as fit; keyboard on the last."""
    pages = _chunks(blocks)
    for page in pages[:-1]:
        await _reply(update, page)
    if pages:
        await _reply(update, pages[-1], keyboard)


def _add_state(context: BotContext) -> AddState | None:
    state = context.user_data.get(ADD_KEY) if context.user_data is not None else None
    return state if isinstance(state, AddState) else None


def _draft_view(draft: MeetingDraft) -> MeetingView:
    assert draft.date is not None
    return MeetingView(
        id=0,
        external_id=None,
        date=draft.date,
        location=draft.location,
        title=draft.title,
        summary=draft.summary,
        participants=tuple(
            ParticipantView(p.name, p.title, p.organization, p.country) for p in draft.participants
        ),
        issues=tuple(draft.issues),
        sources=tuple(draft.sources),
    )


def _meeting_label(view: MeetingView) -> str:
    suffix = f" ({escape(view.external_id)})" if view.external_id else ""
    return f"Meeting {view.id}{suffix}"


def _meeting_keyboard(meeting_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Edit", callback_data=f"adm:edit:{meeting_id}"),
                InlineKeyboardButton("Delete", callback_data=f"adm:del:{meeting_id}"),
            ]
        ]
    )


def _field_keyboard(prefix: str, fields: list[str], back: str | None) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(FIELD_LABELS[name], callback_data=f"{prefix}{name}")
        for name in fields
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    if back:
        rows.append([InlineKeyboardButton("« Back", callback_data=back)])
    return InlineKeyboardMarkup(rows)


def _describe_changes(changes: tuple[records.FieldChange, ...]) -> list[str]:
    lines = []
    for change in changes:
        before = escape_clipped(change.before, 300) if change.before else "—"
        after = escape_clipped(change.after, 300) if change.after else "—"
        lines.append(f"• {escape(change.field)}: {before} → {after}")
    return lines


async def _load_view(context: BotContext, meeting_id: int) -> MeetingView | None:
    views = await context.in_session(lambda s: load_meeting_views([meeting_id], session=s))
    return views[0] if views else None


# --------------------------------------------------------------------------- /add


@admin_only("add")
async def cmd_add(update: Update, context: BotContext) -> int:
    """/add: start the guided form in a private chat, or add the meetings of a YAML block."""
    body = _body(update.effective_message)
    if body.strip():
        await _add_from_yaml(update, context, body)
        return END
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        await _reply(update, "Send /add to me in a private chat; the form asks a few questions.")
        return END
    context.user_data[ADD_KEY] = AddState()  # type: ignore[index]
    await _reply(
        update,
        "Let's add a meeting. /cancel stops at any step and saves nothing.\n\n" + DATE_QUESTION,
    )
    return ADD_DATE


def _yaml_block(body: str) -> bytes:
    """The YAML of `/add <block>`: code fences dropped; one meeting may stand alone."""
    lines = body.strip().splitlines()
    if lines and lines[0].lstrip().startswith("```"):
        lines = lines[1:]
    if lines and lines[-1].strip().startswith("```"):
        lines = lines[:-1]
    text = "\n".join(lines)
    top_keys = {line.split(":", 1)[0].strip() for line in lines if line and not line[0].isspace()}
    if "meetings" not in top_keys and top_keys & {"date", "participants"}:
        # A bare meeting (date:, participants:, ...) becomes the one item of meetings:.
        indented = "\n".join(("  - " if i == 0 else "    ") + line for i, line in enumerate(lines))
        text = "meetings:\n" + indented
    return text.encode("utf-8")


async def _add_from_yaml(update: Update, context: BotContext, body: str) -> None:
    deps = context.deps
    actor = _user_id(update)
    data = _yaml_block(body)
    try:
        result = await context.in_session(
            lambda s: records.import_document(
                data,
                filename="add.yaml",
                session=s,
                clock=deps.clock,
                actor_id=actor,
                today=deps.today(),
            )
        )
    except InvalidImport as exc:
        await _reply(update, _import_errors_html(exc, "Nothing was added"))
        return
    lines = [escape(result.describe())]
    views = await context.in_session(lambda s: load_meeting_views(result.meeting_ids, session=s))
    keyboard = _meeting_keyboard(views[0].id) if len(views) == 1 else None
    for view in views[:3]:
        lines.append(f"\n<b>{_meeting_label(view)}</b>\n{render_meeting_card(view)}")
    await _send_blocks(update, lines, keyboard)


@admin_only("add")
async def add_date(update: Update, context: BotContext) -> int | None:
    """The date step: any form parse_admin_date reads, not more than a day ahead."""
    state = _add_state(context)
    if state is None:
        return END
    text = update.effective_message.text or ""  # type: ignore[union-attr]
    today = context.deps.today()
    try:
        day = records.check_field("date", records.parse_admin_date(text, today=today), today=today)
    except RecordError as exc:
        await _reply(update, _error_html(exc))
        return ADD_DATE
    state.draft.date = day
    await _reply(update, f"Date: <b>{day.strftime('%d %B %Y')}</b>.\n\n{PEOPLE_QUESTION}")
    return ADD_PEOPLE


@admin_only("add")
async def add_participant(update: Update, context: BotContext) -> int | None:
    """One participant a message; a sure match is reused, a likely one is asked about."""
    state = _add_state(context)
    if state is None:
        return END
    text = update.effective_message.text or ""  # type: ignore[union-attr]
    try:
        records.check_participant_count(len(state.draft.participants) + 1)
        person = records.check_participant(records.parse_participant_line(text))
    except RecordError as exc:
        await _reply(update, _error_html(exc))
        return ADD_PEOPLE
    match = await context.in_session(
        lambda s: records.match_person(person.name, session=s, country=person.country)
    )
    if match.exact is not None:
        return await _take_participant(update, state, person, match.exact)
    if match.candidates:
        state.pending, state.candidates = person, match.candidates
        first = match.candidates[0]
        if len(match.candidates) == 1:
            question = f"Is this {escape(first.label)}?"
            buttons = [
                InlineKeyboardButton("Yes", callback_data=f"adm:p:{first.person_id}"),
                InlineKeyboardButton("New person", callback_data="adm:p:new"),
            ]
            rows = [buttons]
        else:
            question = f"Which {escape(person.name)} is this?"
            rows = [
                [InlineKeyboardButton(c.label[:60], callback_data=f"adm:p:{c.person_id}")]
                for c in match.candidates
            ]
            rows.append([InlineKeyboardButton("New person", callback_data="adm:p:new")])
        await _reply(update, question, InlineKeyboardMarkup(rows))
        return ADD_PERSON
    return await _take_participant(update, state, person, None)


async def _take_participant(
    update: Update,
    state: AddState,
    person: ParticipantRecord,
    known: PersonCandidate | None,
    *,
    new_person: bool = False,
) -> int:
    """Add person to the draft (as the known person, or new) and ask for the next one."""
    if known is not None:
        person = replace(person, person_id=known.person_id, name=known.name)
    elif new_person:
        person = replace(person, new_person=True)
    taken = {p.person_id for p in state.draft.participants if p.person_id is not None}
    names = {name_key(p.name) for p in state.draft.participants}
    if (person.person_id is not None and person.person_id in taken) or (
        name_key(person.name) in names
    ):
        text = f"{escape(person.name)} is already a participant. {NEXT_PERSON}"
    else:
        state.draft.participants.append(person)
        how = f"on record as {escape(known.label)}" if known else "new person"
        text = f"Added {escape(person.describe())} ({how}). {NEXT_PERSON}"
    state.pending, state.candidates = None, ()
    message = update.effective_message
    if update.callback_query is not None and message is not None:
        await update.callback_query.edit_message_text(text, parse_mode=ParseMode.HTML)
    else:
        await _reply(update, text)
    return ADD_PEOPLE


@admin_only("add")
async def add_person_choice(update: Update, context: BotContext) -> int | None:
    """The answer to "Is this …?": one of the people offered, or a new person."""
    query = update.callback_query
    assert query is not None
    state = _add_state(context)
    if state is None or state.pending is None:
        await query.answer("This question is no longer open.")
        return None
    await query.answer()
    choice = (query.data or "").rsplit(":", 1)[-1]
    if choice == "new":
        return await _take_participant(update, state, state.pending, None, new_person=True)
    known = next((c for c in state.candidates if str(c.person_id) == choice), None)
    if known is None:
        return ADD_PERSON
    return await _take_participant(update, state, state.pending, known)


async def add_person_waiting(update: Update, context: BotContext) -> int:
    """Text while the "Is this …?" question is open."""
    await _reply(update, "Please answer with the buttons above, or /cancel.")
    return ADD_PERSON


@admin_only("add")
async def add_done(update: Update, context: BotContext) -> int | None:
    """/done after the participants: at least two are needed."""
    state = _add_state(context)
    if state is None:
        return END
    count = len(state.draft.participants)
    if count < 2:
        await _reply(
            update,
            f"A meeting needs at least two participants; you have sent {count}. Send another one.",
        )
        return ADD_PEOPLE
    await _reply(update, "Where did it take place? Send the place, or /skip.")
    return ADD_LOCATION


@admin_only("add")
async def add_location(update: Update, context: BotContext) -> int | None:
    """The place, or /skip."""
    state = _add_state(context)
    if state is None:
        return END
    message = update.effective_message
    text = (message.text or "") if message else ""
    try:
        location = None if text.startswith("/") else records.check_field("location", text)
    except RecordError as exc:
        await _reply(update, _error_html(exc))
        return ADD_LOCATION
    state.draft.location = location
    known = await context.in_session(lambda s: records.known_issues(session=s, limit=15))
    hint = "".join(
        f"\n• {escape(name)}"
        + (f" ({escape_clipped(', '.join(aliases[:4]), 120)})" if aliases else "")
        for name, aliases in known
    )
    hint = f"\nKnown issues, with synonyms that map to them:{hint}" if hint else ""
    await _reply(
        update, f"Which issues did they discuss? Separate them with commas, or /skip.{hint}"
    )
    return ADD_ISSUES


@admin_only("add")
async def add_issues(update: Update, context: BotContext) -> int | None:
    """Issues, comma-separated; synonyms of existing issues are mapped to them."""
    state = _add_state(context)
    if state is None:
        return END
    message = update.effective_message
    text = (message.text or "") if message else ""
    try:
        names = (
            [] if text.startswith("/") else records.check_field("issues", records.split_list(text))
        )
    except RecordError as exc:
        await _reply(update, _error_html(exc))
        return ADD_ISSUES
    choices = await context.in_session(lambda s: records.resolve_issues(names, session=s))
    state.draft.issues = list(dict.fromkeys(c.name for c in choices))
    state.notes = _issue_notes(choices)
    await _reply(update, SOURCE_QUESTION)
    return ADD_SOURCE


def _issue_notes(choices: list[records.IssueChoice]) -> list[str]:
    notes = []
    for c in choices:
        if c.existing and name_key(c.typed) != name_key(c.name):
            notes.append(f"“{escape(c.typed)}” is recorded as the issue {escape(c.name)}.")
        elif not c.existing and c.suggestion:
            notes.append(
                f"“{escape(c.typed)}” is a new issue; did you mean {escape(c.suggestion)}? "
                "Press Edit to change it."
            )
    return notes


@admin_only("add")
async def add_source(update: Update, context: BotContext) -> int | None:
    """Source links, or /skip; then the preview card."""
    state = _add_state(context)
    if state is None:
        return END
    message = update.effective_message
    text = (message.text or "") if message else ""
    try:
        urls = (
            []
            if text.startswith("/")
            else records.check_field("sources", records.split_sources(text))
        )
    except RecordError as exc:
        await _reply(update, _error_html(exc) + "\n" + SOURCE_QUESTION)
        return ADD_SOURCE
    state.draft.sources = urls
    return await _show_preview(update, context, state)


def _preview_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Save", callback_data="adm:add:save"),
                InlineKeyboardButton("Edit", callback_data="adm:add:edit"),
                InlineKeyboardButton("Cancel", callback_data="adm:add:cancel"),
            ]
        ]
    )


async def _show_preview(update: Update, context: BotContext, state: AddState) -> int:
    draft = state.draft
    card = render_meeting_card(_draft_view(draft))
    extra = [
        f"{label}: {escape_clipped(value, limit)}"
        for label, value, limit in (("Title", draft.title, 500), ("Summary", draft.summary, 600))
        if value
    ]
    blocks = ["<b>Preview</b> · nothing is saved until you press Save.\n", card, *extra]
    blocks += ["", *state.notes] if state.notes else []
    try:
        records.validate_record(state.draft.as_record(), today=context.deps.today())
    except ValidationError as exc:
        blocks += ["", "To fix before saving (press Edit):", *map(escape, exc.errors)]
    await _send_blocks(update, blocks, _preview_keyboard())
    return ADD_PREVIEW


@admin_only("add")
async def add_save(update: Update, context: BotContext) -> int | None:
    """Save: create the meeting (with its audit entry) and show its card."""
    query = update.callback_query
    assert query is not None
    state = _add_state(context)
    if state is None:
        await query.answer("This form has ended; send /add to start again.")
        return END
    deps, actor = context.deps, _user_id(update)
    try:
        record = state.draft.as_record()  # create_meeting validates it, once

        def save(session: Any) -> tuple[int, list[MeetingView]]:
            result = records.create_meeting(
                record, session=session, clock=deps.clock, actor_id=actor, today=deps.today()
            )
            return result.meeting_id, load_meeting_views([result.meeting_id], session=session)

        meeting_id, views = await context.in_session(save)
    except RecordError as exc:
        await query.answer()
        await _reply(update, _error_html(exc) + "\nPress Edit to fix it, or Cancel.")
        return ADD_PREVIEW
    await query.answer("Saved.")
    context.user_data.pop(ADD_KEY, None)  # type: ignore[union-attr]
    card = render_meeting_card(views[0]) if views else ""
    await query.edit_message_text(
        f"Saved as <b>meeting {meeting_id}</b>. /undo takes it back.\n\n{card}",
        parse_mode=ParseMode.HTML,
        reply_markup=_meeting_keyboard(meeting_id),
        link_preview_options=NO_PREVIEW,
    )
    return END


@admin_only("add")
async def add_edit(update: Update, context: BotContext) -> int | None:
    """Edit on the preview: choose the field to change."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_reply_markup(
        _field_keyboard("adm:add:f:", list(FIELD_LABELS), back="adm:add:back")
    )
    return ADD_EDIT_FIELD


@admin_only("add")
async def add_back(update: Update, context: BotContext) -> int | None:
    """« Back from the field buttons to Save / Edit / Cancel."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_reply_markup(_preview_keyboard())
    return ADD_PREVIEW


@admin_only("add")
async def add_edit_field(update: Update, context: BotContext) -> int | None:
    """A field button on the preview: ask for its new value."""
    query = update.callback_query
    assert query is not None
    state = _add_state(context)
    if state is None:
        await query.answer("This form has ended; send /add to start again.")
        return END
    await query.answer()
    name = (query.data or "").rsplit(":", 1)[-1]
    if name not in FIELD_LABELS:
        return ADD_EDIT_FIELD
    state.edit_field = name
    clears = "" if name in ("date", "participants") else " “-” clears it."
    await _reply(update, f"Send {escape(FIELD_PROMPTS[name])}.{clears}")
    return ADD_EDIT_VALUE


@admin_only("add")
async def add_edit_value(update: Update, context: BotContext) -> int | None:
    """The new value of the field chosen on the preview; then the preview again."""
    state = _add_state(context)
    if state is None or state.edit_field is None or state.draft.date is None:
        return END
    text = update.effective_message.text or ""  # type: ignore[union-attr]
    today = context.deps.today()
    draft = state.draft
    name = state.edit_field
    try:
        changed = records.apply_field(draft.as_record(), name, text, today=today)
        record = records.validate_record(changed, today=today)
    except RecordError as exc:
        await _reply(update, _error_html(exc))
        return ADD_EDIT_VALUE
    if name == "participants":
        settled = await context.in_session(
            lambda s: records.settle_participants(record.participants, session=s)
        )
        record = replace(record, participants=settled)
    if name == "issues":
        choices = await context.in_session(
            lambda s: records.resolve_issues(record.issues, session=s)
        )
        record = replace(record, issues=tuple(dict.fromkeys(c.name for c in choices)))
        state.notes = _issue_notes(choices)
    draft.update_from(record)
    state.edit_field = None
    return await _show_preview(update, context, state)


@admin_only("add")
async def add_cancel_button(update: Update, context: BotContext) -> int:
    """Cancel on the preview."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    context.user_data.pop(ADD_KEY, None)  # type: ignore[union-attr]
    await query.edit_message_text("Cancelled; nothing was saved.")
    return END


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel inside an admin conversation: leave it, saving nothing."""
    if context.user_data is not None:
        context.user_data.pop(ADD_KEY, None)
        context.user_data.pop(EDIT_KEY, None)
    await _reply(update, "Cancelled; nothing was saved.")
    return END


async def cancel_outside(update: Update, context: BotContext) -> None:
    """/cancel with no conversation open."""
    await _reply(update, "There is nothing to cancel.")


async def answer_the_question(update: Update, context: BotContext) -> None:
    """Anything but the expected answer inside a conversation: say what is expected."""
    await _reply(update, "Please answer the question above, or send /cancel to stop.")


def _timed_out(what: str) -> Any:
    async def on_timeout(update: Update, context: BotContext) -> None:
        if context.user_data is not None:
            context.user_data.pop(ADD_KEY, None)
            context.user_data.pop(EDIT_KEY, None)
        chat = update.effective_chat
        if chat is None:
            return
        minutes = int(ADMIN_CONVERSATION_TIMEOUT.total_seconds() // 60)
        await context.bot.send_message(
            chat.id,
            f"The {what} timed out after {minutes} minutes without an answer; nothing was saved.",
        )

    return on_timeout


# --------------------------------------------------------------------------- /edit


@admin_only("edit")
async def cmd_edit(update: Update, context: BotContext) -> int:
    """/edit ID FIELD VALUE changes at once; /edit ID asks which field; /edit ID FIELD asks."""
    parts = _body(update.effective_message).split(None, 2)
    if not parts:
        await _reply(
            update,
            "Write /edit ID FIELD VALUE, for example /edit 12 location Baku, "
            "or /edit 12 to choose the field.",
        )
        return END
    reference = parts[0]
    try:
        meeting_id = await context.in_session(
            lambda s: int(records.find_meeting(reference, session=s).id or 0)
        )
        name = records.canonical_field(parts[1]) if len(parts) > 1 else None
    except RecordError as exc:
        await _reply(update, _error_html(exc))
        return END
    if len(parts) == 3:
        assert name is not None
        await _apply_edit(update, context, meeting_id, name, parts[2])
        return END
    if name is not None:
        context.user_data[EDIT_KEY] = (meeting_id, name)  # type: ignore[index]
        await _ask_value(update, context, meeting_id, name)
        return EDIT_VALUE
    return await _offer_fields(update, context, meeting_id)


async def _offer_fields(update: Update, context: BotContext, meeting_id: int) -> int:
    view = await _load_view(context, meeting_id)
    if view is None:
        await _reply(update, f"Meeting {meeting_id} is deleted.")
        return END
    keyboard = _field_keyboard(f"adm:ef:{meeting_id}:", list(FIELD_LABELS), back=None)
    await _reply(
        update,
        f"<b>{_meeting_label(view)}</b>\n{render_meeting_card(view)}\n\n"
        "Which field do you want to change? /cancel stops.",
        keyboard,
    )
    return EDIT_FIELD


@admin_only("edit")
async def edit_button(update: Update, context: BotContext) -> int:
    """The Edit button under a saved meeting's card."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    meeting_id = int((query.data or "0").rsplit(":", 1)[-1])
    return await _offer_fields(update, context, meeting_id)


@admin_only("edit")
async def edit_field_button(update: Update, context: BotContext) -> int | None:
    """A field button of the guided edit: ask for the new value."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    _, _, meeting, name = (query.data or "").split(":", 3)
    if name not in FIELD_LABELS:
        return None
    context.user_data[EDIT_KEY] = (int(meeting), name)  # type: ignore[index]
    await _ask_value(update, context, int(meeting), name)
    return EDIT_VALUE


async def _ask_value(update: Update, context: BotContext, meeting_id: int, name: str) -> None:
    clears = "" if name in ("date", "participants") else " “-” clears it."
    await _reply(
        update,
        f"Send {escape(FIELD_PROMPTS[name])} for meeting {meeting_id}.{clears} /cancel stops.",
    )


@admin_only("edit")
async def edit_value(update: Update, context: BotContext) -> int | None:
    """The new value in a guided edit."""
    pending = context.user_data.get(EDIT_KEY) if context.user_data is not None else None
    if not pending:
        return END
    meeting_id, name = pending
    text = update.effective_message.text or ""  # type: ignore[union-attr]
    if await _apply_edit(update, context, meeting_id, name, text):
        context.user_data.pop(EDIT_KEY, None)  # type: ignore[union-attr]
        return END
    return EDIT_VALUE


async def _apply_edit(
    update: Update, context: BotContext, meeting_id: int, name: str, value: str
) -> bool:
    deps, actor = context.deps, _user_id(update)

    def work(session: Any) -> tuple[records.ChangeResult, list[MeetingView]]:
        result = records.edit_meeting(
            meeting_id,
            name,
            value,
            session=session,
            clock=deps.clock,
            actor_id=actor,
            today=deps.today(),
        )
        return result, load_meeting_views([meeting_id], session=session)

    try:
        result, views = await context.in_session(work)
    except RecordError as exc:
        await _reply(update, _error_html(exc))
        return False
    lines = [
        f"Changed meeting {meeting_id}; /undo takes it back.",
        *_describe_changes(result.changes),
    ]
    if views:
        lines += ["", render_meeting_card(views[0])]
    await _send_blocks(update, lines, _meeting_keyboard(meeting_id))
    return True


# ------------------------------------------------------------------ /delete, /undo, /history


@admin_only("delete")
async def cmd_delete(update: Update, context: BotContext) -> None:
    """/delete ID: show the meeting and ask for confirmation."""
    reference = _body(update.effective_message).strip()
    if not reference:
        await _reply(update, "Write /delete ID, for example /delete 12.")
        return
    await _confirm_delete(update, context, reference)


@admin_only("delete")
async def delete_button(update: Update, context: BotContext) -> None:
    """The Delete button under a card: ask for confirmation."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await _confirm_delete(update, context, (query.data or "").rsplit(":", 1)[-1])


async def _confirm_delete(update: Update, context: BotContext, reference: str) -> None:
    def find(session: Any) -> list[MeetingView]:
        meeting = records.find_meeting(reference, session=session)
        return load_meeting_views([int(meeting.id or 0)], session=session)

    try:
        views = await context.in_session(find)
    except RecordError as exc:
        await _reply(update, _error_html(exc))
        return
    view = views[0]
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Delete", callback_data=f"adm:delok:{view.id}"),
                InlineKeyboardButton("Keep", callback_data=f"adm:delno:{view.id}"),
            ]
        ]
    )
    await _reply(
        update,
        f"Delete <b>{_meeting_label(view)}</b>? /undo can bring it back.\n\n"
        f"{render_meeting_card(view)}",
        keyboard,
    )


@admin_only("delete")
async def delete_confirmed(update: Update, context: BotContext) -> None:
    """The confirmation button: soft-delete the meeting."""
    query = update.callback_query
    assert query is not None
    meeting_id = int((query.data or "0").rsplit(":", 1)[-1])
    deps, actor = context.deps, _user_id(update)
    try:
        await context.in_session(
            lambda s: records.delete_meeting(
                meeting_id, session=s, clock=deps.clock, actor_id=actor
            )
        )
    except RecordError as exc:
        await query.answer(str(exc)[:200], show_alert=True)
        return
    await query.answer("Deleted.")
    await query.edit_message_text(f"Deleted meeting {meeting_id}. /undo brings it back.")


@admin_only("delete")
async def delete_declined(update: Update, context: BotContext) -> None:
    """Keep: nothing happens."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    meeting_id = (query.data or "").rsplit(":", 1)[-1]
    await query.edit_message_text(f"Kept meeting {escape(meeting_id)}.")


@admin_only("undo")
async def cmd_undo(update: Update, context: BotContext) -> None:
    """/undo: revert the caller's last change."""
    deps, actor = context.deps, _user_id(update)
    try:
        result = await context.in_session(
            lambda s: records.undo_last_change(session=s, clock=deps.clock, actor_id=actor)
        )
    except RecordError as exc:
        await _reply(update, _error_html(exc))
        return
    await _send_blocks(update, [escape(result.description), *_describe_changes(result.changes)])


@admin_only("history")
async def cmd_history(update: Update, context: BotContext) -> None:
    """/history ID: every change of a meeting, oldest first, with before → after."""
    reference = _body(update.effective_message).strip()
    if not reference:
        await _reply(update, "Write /history ID, for example /history 12.")
        return
    try:
        entries = await context.in_session(lambda s: records.meeting_history(reference, session=s))
    except RecordError as exc:
        await _reply(update, _error_html(exc))
        return
    zone = context.deps.settings.default_zone
    blocks = [f"<b>History of meeting {escape(reference.lstrip('#'))}</b>"]
    for entry in entries:
        at = entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        who = f"user {entry.actor_id}" if entry.actor_id is not None else "the system"
        undone = " (undone)" if entry.undone else ""
        blocks += ["", f"<b>{at}</b> {escape(entry.action)} by {who}{undone}"]
        blocks += _describe_changes(entry.changes)
    await _send_blocks(update, blocks)


# --------------------------------------------------------------------------- /import, /export


def _import_errors_html(exc: InvalidImport, lead: str) -> str:
    problems = _problems(exc)
    shown = [f"• {escape_clipped(p, 300)}" for p in problems[:MAX_ERRORS_SHOWN]]
    if len(problems) > MAX_ERRORS_SHOWN:
        shown.append(f"… and {len(problems) - MAX_ERRORS_SHOWN} more.")
    noun = "problem" if len(problems) == 1 else "problems"
    return f"{lead}; the file has {len(problems)} {noun}:\n" + "\n".join(shown)


@admin_only("import")
async def cmd_import(update: Update, context: BotContext) -> int:
    """/import: take the document sent with it, or ask for one."""
    message = update.effective_message
    if message is not None and message.document is not None:
        await _import_document(update, context)
        return END
    await _reply(
        update,
        "Send the YAML or JSON file as a document now (at most "
        f"{MAX_IMPORT_FILE_BYTES // (1024 * 1024)} MB). /cancel stops.",
    )
    return IMPORT_FILE


@admin_only("import")
async def import_file(update: Update, context: BotContext) -> int:
    """The document after /import."""
    await _import_document(update, context)
    return END


async def import_waiting(update: Update, context: BotContext) -> int:
    """Text while a file is expected."""
    await _reply(update, "Please send the file as a document, or /cancel.")
    return IMPORT_FILE


async def _import_document(update: Update, context: BotContext) -> None:
    message = update.effective_message
    document = message.document if message else None
    if document is None:
        return
    name = document.file_name or "import.yaml"
    size = document.file_size or 0
    if size > MAX_IMPORT_FILE_BYTES:
        await _reply(
            update,
            f"The file is {size / 1_048_576:.1f} MB; the limit is "
            f"{MAX_IMPORT_FILE_BYTES // 1_048_576} MB (use meetbot import on the server).",
        )
        return
    if not name.lower().endswith(IMPORT_SUFFIXES):
        await _reply(update, "Send a .yaml, .yml or .json file in the import format.")
        return
    telegram_file = await document.get_file()
    data = bytes(await telegram_file.download_as_bytearray())
    if len(data) > MAX_IMPORT_FILE_BYTES:
        await _reply(update, f"The file is over {MAX_IMPORT_FILE_BYTES // 1_048_576} MB.")
        return
    deps, actor = context.deps, _user_id(update)
    try:
        result = await context.in_session(
            lambda s: records.import_document(
                data,
                filename=name,
                session=s,
                clock=deps.clock,
                actor_id=actor,
                today=deps.today(),
            )
        )
    except InvalidImport as exc:
        await _reply(update, _import_errors_html(exc, "Nothing was imported"))
        return
    undo = " /undo takes it back." if result.meeting_ids else ""
    await _reply(update, f"Imported: {escape(result.describe())}{undo}")


@admin_only("export")
async def cmd_export(update: Update, context: BotContext) -> None:
    """/export [yaml|json]: the whole database as a file in the import format."""
    argument = _body(update.effective_message).strip().casefold() or "yaml"
    if argument not in ("yaml", "json"):
        await _reply(update, "Write /export for YAML or /export json for JSON.")
        return
    fmt: Any = argument
    text = await context.in_session(lambda s: export_catalog(session=s, fmt=fmt))
    message = update.effective_message
    assert message is not None
    filename = f"meetbot-{context.deps.today().isoformat()}.{argument}"
    await message.reply_document(
        document=text.encode("utf-8"),
        filename=filename,
        caption="Every meeting in the import format; /import takes the file back.",
    )


# ------------------------------------------------------------------ admins, aliases, merges


def _target_user(update: Update) -> int | None:
    message = update.effective_message
    argument = _body(message).strip()
    if argument.lstrip("-").isdigit():
        return int(argument)
    if not argument and message is not None and message.reply_to_message is not None:
        replied = message.reply_to_message.from_user
        return replied.id if replied else None
    return None


@admin_only("grant")
async def cmd_grant(update: Update, context: BotContext) -> None:
    """/grant USER_ID (or as a reply to the user): make them a bot admin."""
    user_id = _target_user(update)
    if user_id is None:
        await _reply(update, "Write /grant USER_ID, for example /grant 123456789.")
        return
    deps, actor = context.deps, _user_id(update)
    try:
        await context.in_session(
            lambda s: records.grant_admin(
                user_id,
                session=s,
                clock=deps.clock,
                actor_id=actor,
                bootstrap_ids=deps.settings.admin_ids,
            )
        )
    except RecordError as exc:
        await _reply(update, _error_html(exc))
        return
    await _reply(update, f"User {user_id} is now a bot admin. /revoke {user_id} takes it back.")
    await _publish_admin_menu(context, user_id, admin=True)


@admin_only("revoke")
async def cmd_revoke(update: Update, context: BotContext) -> None:
    """/revoke USER_ID: take admin rights from a granted admin."""
    user_id = _target_user(update)
    if user_id is None:
        await _reply(update, "Write /revoke USER_ID, for example /revoke 123456789.")
        return
    deps, actor = context.deps, _user_id(update)
    try:
        await context.in_session(
            lambda s: records.revoke_admin(
                user_id,
                session=s,
                clock=deps.clock,
                actor_id=actor,
                bootstrap_ids=deps.settings.admin_ids,
            )
        )
    except RecordError as exc:
        await _reply(update, _error_html(exc))
        return
    await _reply(update, f"User {user_id} is no longer a bot admin.")
    await _publish_admin_menu(context, user_id, admin=False)


async def _publish_admin_menu(context: BotContext, user_id: int, *, admin: bool) -> None:
    """Show (or hide) the admin commands in the user's private-chat menu; best effort."""
    scope = BotCommandScopeChat(user_id)
    try:
        if admin:
            shown = visible_commands(context.deps.commands, admin=True)
            await context.bot.set_my_commands(
                [BotCommand(c.command, c.description) for c in shown], scope=scope
            )
        else:
            await context.bot.delete_my_commands(scope=scope)
    except TelegramError as exc:
        # A user who never opened a chat with the bot has no chat to scope the menu to.
        logger.info("Cannot update the command menu of %s: %s", user_id, exc)


@admin_only("admins")
async def cmd_admins(update: Update, context: BotContext) -> None:
    """/admins: the ADMIN_IDS admins and the granted ones."""
    deps = context.deps
    admins = await context.in_session(
        lambda s: records.list_admins(session=s, bootstrap_ids=deps.settings.admin_ids)
    )
    lines = ["<b>Bot admins</b>"]
    for admin in admins:
        if admin.source == "settings":
            lines.append(f"• {admin.user_id} (ADMIN_IDS setting)")
        else:
            when = admin.granted_at.date().isoformat() if admin.granted_at else "?"
            lines.append(f"• {admin.user_id}, granted by {admin.granted_by} on {when}")
    if len(lines) == 1:
        lines.append("None yet: set ADMIN_IDS.")
    await _send_blocks(update, lines)


def _pair(update: Update) -> tuple[str, str] | None:
    left, sep, right = _body(update.effective_message).partition("=")
    if not sep or not left.strip() or not right.strip():
        return None
    return left.strip(), right.strip()


@admin_only("alias")
async def cmd_alias(update: Update, context: BotContext) -> None:
    """/alias NAME = OTHER: another name for a person, organization or issue."""
    pair = _pair(update)
    if pair is None:
        await _reply(
            update, "Write /alias NAME = OTHER NAME, for example /alias OSCE PA = PA OSCE."
        )
        return
    deps, actor = context.deps, _user_id(update)
    try:
        done = await context.in_session(
            lambda s: records.add_alias(
                pair[0], pair[1], session=s, clock=deps.clock, actor_id=actor
            )
        )
    except RecordError as exc:
        await _reply(update, _error_html(exc))
        return
    await _reply(
        update,
        f"“{escape(done.alias)}” is now another name of the {done.entity} "
        f"{escape(done.name)}. /undo takes it back.",
    )


@admin_only("merge")
async def cmd_merge(update: Update, context: BotContext) -> None:
    """/merge KEEP = DUPLICATE: one person recorded twice becomes one."""
    pair = _pair(update)
    if pair is None:
        await _reply(
            update,
            "Write /merge NAME TO KEEP = DUPLICATE NAME, for example "
            "/merge Ali Naghiyev = Ali Nagiev (or #ids).",
        )
        return
    deps, actor = context.deps, _user_id(update)
    try:
        done = await context.in_session(
            lambda s: records.merge_people(
                pair[0], pair[1], session=s, clock=deps.clock, actor_id=actor
            )
        )
    except RecordError as exc:
        await _reply(update, _error_html(exc))
        return
    noun = "meeting" if done.meetings_moved == 1 else "meetings"
    await _reply(
        update,
        f"Merged {escape(done.removed_name)} (#{done.removed_id}) into "
        f"{escape(done.kept_name)} (#{done.kept_id}): {done.meetings_moved} {noun} moved. "
        "/undo splits them again.",
    )


# --------------------------------------------------------------------------- registration


def handlers(
    timeout: dt.timedelta | float | None = ADMIN_CONVERSATION_TIMEOUT,
) -> HandlerList:
    """The admin handlers, conversations first, for bot/tg/app.py to register.

    Register them before the handler that treats private text as questions, so that answers
    inside a conversation reach it.
    """
    text = filters.TEXT & ~filters.COMMAND
    not_command = ~filters.COMMAND
    import_caption = filters.Document.ALL & filters.CaptionRegex(r"^/import(@\w+)?(\s|$)")
    fallbacks: list[Any] = [
        CommandHandler("cancel", cancel),
        MessageHandler(not_command, answer_the_question),
    ]
    with warnings.catch_warnings():
        # Buttons here belong to the conversation of the user who pressed them; tracking them
        # per message (per_message=True) would break the text steps.
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        add = ConversationHandler(
            entry_points=[CommandHandler("add", cmd_add)],
            states={
                ADD_DATE: [MessageHandler(text, add_date)],
                ADD_PEOPLE: [
                    CommandHandler("done", add_done),
                    MessageHandler(text, add_participant),
                ],
                ADD_PERSON: [
                    CallbackQueryHandler(add_person_choice, pattern=r"^adm:p:(\d{1,9}|new)$"),
                    MessageHandler(text, add_person_waiting),
                ],
                ADD_LOCATION: [
                    CommandHandler("skip", add_location),
                    MessageHandler(text, add_location),
                ],
                ADD_ISSUES: [CommandHandler("skip", add_issues), MessageHandler(text, add_issues)],
                ADD_SOURCE: [CommandHandler("skip", add_source), MessageHandler(text, add_source)],
                ADD_PREVIEW: [
                    CallbackQueryHandler(add_save, pattern=r"^adm:add:save$"),
                    CallbackQueryHandler(add_edit, pattern=r"^adm:add:edit$"),
                    CallbackQueryHandler(add_cancel_button, pattern=r"^adm:add:cancel$"),
                ],
                ADD_EDIT_FIELD: [
                    CallbackQueryHandler(add_edit_field, pattern=r"^adm:add:f:\w+$"),
                    CallbackQueryHandler(add_back, pattern=r"^adm:add:back$"),
                    CallbackQueryHandler(add_cancel_button, pattern=r"^adm:add:cancel$"),
                ],
                ADD_EDIT_VALUE: [MessageHandler(text, add_edit_value)],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, _timed_out("/add form"))],
            },
            fallbacks=fallbacks,
            conversation_timeout=timeout,
            allow_reentry=True,
            name="admin_add",
        )
        edit = ConversationHandler(
            entry_points=[
                CommandHandler("edit", cmd_edit),
                CallbackQueryHandler(edit_button, pattern=r"^adm:edit:\d{1,9}$"),
            ],
            states={
                EDIT_FIELD: [
                    CallbackQueryHandler(edit_field_button, pattern=r"^adm:ef:\d{1,9}:\w+$")
                ],
                EDIT_VALUE: [MessageHandler(text, edit_value)],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, _timed_out("edit"))],
            },
            fallbacks=fallbacks,
            conversation_timeout=timeout,
            allow_reentry=True,
            name="admin_edit",
        )
        import_ = ConversationHandler(
            entry_points=[
                CommandHandler("import", cmd_import),
                MessageHandler(import_caption, cmd_import),
            ],
            states={
                IMPORT_FILE: [
                    MessageHandler(filters.Document.ALL, import_file),
                    MessageHandler(text, import_waiting),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, _timed_out("/import"))],
            },
            fallbacks=fallbacks,
            conversation_timeout=timeout,
            allow_reentry=True,
            name="admin_import",
        )
    return [
        add,
        edit,
        import_,
        CallbackQueryHandler(delete_button, pattern=r"^adm:del:\d{1,9}$"),
        CallbackQueryHandler(delete_confirmed, pattern=r"^adm:delok:\d{1,9}$"),
        CallbackQueryHandler(delete_declined, pattern=r"^adm:delno:\d{1,9}$"),
        CommandHandler("delete", cmd_delete),
        CommandHandler("undo", cmd_undo),
        CommandHandler("history", cmd_history),
        CommandHandler("export", cmd_export),
        CommandHandler("grant", cmd_grant),
        CommandHandler("revoke", cmd_revoke),
        CommandHandler("admins", cmd_admins),
        CommandHandler("alias", cmd_alias),
        CommandHandler("merge", cmd_merge),
        CommandHandler("cancel", cancel_outside),
    ]
