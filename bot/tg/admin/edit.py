"""Changing saved meetings: /edit (at once, or guided from a card's Edit button), /delete with
confirmation, /undo of the admin's last change and /history of a meeting.

Every change is audited with its before and after, so /undo restores exactly and /history
lists who changed what. A guided edit waiting for its value is a form in the database
(bot.core.forms, kind "edit", data meeting_id and field), so another process takes the value.
The field buttons carry the meeting and the field, so they need no state at all.
"""

from __future__ import annotations

import contextlib

from sqlmodel import Session
from telegram import Update

from bot.core import forms, records
from bot.core.forms import Form
from bot.core.views import MeetingView, load_meeting_views
from bot.tg.admin.change import (
    REPORTED,
    actor_id,
    answer_text,
    command_argument,
    run_change,
)
from bot.tg.admin.forms import keep_form, start_form
from bot.tg.admin.render import (
    FIELD_LABELS,
    delete_keyboard,
    describe_changes,
    field_keyboard,
    history_blocks,
    meeting_keyboard,
    meeting_label,
    reply,
    send_blocks,
    value_prompt,
)
from bot.tg.auth import admin_only
from bot.tg.context import BotContext
from bot.tg.render import escape, render_meeting_card

# The one step of a guided edit's form.
EDIT_VALUE = "value"


# --------------------------------------------------------------------------- /edit


@admin_only("edit")
async def cmd_edit(update: Update, context: BotContext) -> None:
    """/edit ID FIELD VALUE changes at once; /edit ID asks which field; /edit ID FIELD asks."""
    parts = command_argument(update).split(None, 2)
    if not parts:
        await reply(
            update,
            "Write /edit ID FIELD VALUE, for example /edit 12 location Baku, "
            "or /edit 12 to choose the field.",
        )
        return
    reference = parts[0]

    def find(session: Session) -> tuple[int, str | None]:
        meeting_id = int(records.find_meeting(reference, session=session).id or 0)
        return meeting_id, records.canonical_field(parts[1]) if len(parts) > 1 else None

    found = await run_change(update, context, find)
    if found is REPORTED:
        return
    meeting_id, name = found
    if len(parts) == 3:
        assert name is not None
        await _apply_edit(update, context, meeting_id, name, parts[2])
        return
    if name is not None:
        await _ask_value(update, context, meeting_id, name)
        return
    await _offer_fields(update, context, meeting_id)


async def _ask_value(update: Update, context: BotContext, meeting_id: int, name: str) -> None:
    """Open the edit's form and ask for the field's new value."""
    data = {"meeting_id": meeting_id, "field": name}
    note = await start_form(update, context, kind="edit", step=EDIT_VALUE, data=data)
    await reply(update, note + value_prompt(name, meeting_id))


async def _offer_fields(update: Update, context: BotContext, meeting_id: int) -> None:
    views = await context.in_session(lambda s: load_meeting_views([meeting_id], session=s))
    if not views:
        await reply(update, f"Meeting {meeting_id} is deleted.")
        return
    view = views[0]
    keyboard = field_keyboard(f"adm:ef:{meeting_id}:", list(FIELD_LABELS), back=None)
    await reply(
        update,
        f"<b>{meeting_label(view)}</b>\n{render_meeting_card(view)}\n\n"
        "Which field do you want to change?",
        keyboard,
    )


@admin_only("edit")
async def edit_button(update: Update, context: BotContext) -> None:
    """The Edit button under a saved meeting's card."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    meeting_id = int((query.data or "0").rsplit(":", 1)[-1])
    await _offer_fields(update, context, meeting_id)


@admin_only("edit")
async def edit_field_button(update: Update, context: BotContext) -> None:
    """A field button of the guided edit: ask for the new value."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    _, _, meeting, name = (query.data or "").split(":", 3)
    if name not in FIELD_LABELS:
        return
    await _ask_value(update, context, int(meeting), name)


async def continue_edit(update: Update, context: BotContext, form: Form) -> None:
    """The new value in a guided edit (its form is open); the form ends once it is taken."""
    meeting_id, name = int(form.data["meeting_id"]), str(form.data["field"])
    key = (form.chat_id, form.user_id)
    try:
        done = await _apply_edit(update, context, meeting_id, name, answer_text(update), end=key)
    except forms.FormEnded:
        # Another update (another replica) took this edit's value meanwhile.
        await reply(update, f"This edit has ended; send /edit {meeting_id} to start again.")
        return
    if not done:
        # The value was refused: the form waits on (unless another update moved it meanwhile).
        with contextlib.suppress(forms.FormChanged):
            await keep_form(context, form, EDIT_VALUE, form.data)


async def _apply_edit(
    update: Update,
    context: BotContext,
    meeting_id: int,
    name: str,
    value: str,
    *,
    end: tuple[int, int] | None = None,
) -> bool:
    """Change one field, show what changed and the card; False when the core refused.

    end is the (chat, user) of a guided edit's form, ended in the change's own transaction
    (FormEnded, and nothing written, when it has ended meanwhile).
    """
    deps, actor = context.deps, actor_id(update)

    def edit(session: Session) -> tuple[records.ChangeResult, list[MeetingView]]:
        result = records.edit_meeting(
            meeting_id,
            name,
            value,
            session=session,
            clock=deps.clock,
            actor_id=actor,
            today=deps.today(),
        )
        if end is not None:
            forms.end_form(*end, session=session, must_exist=True)
        return result, load_meeting_views([meeting_id], session=session)

    edited = await run_change(update, context, edit)
    if edited is REPORTED:
        return False
    result, views = edited
    lines = [
        f"Changed meeting {meeting_id}; /undo takes it back.",
        *describe_changes(result.changes),
    ]
    if views:
        lines += ["", render_meeting_card(views[0])]
    await send_blocks(update, lines, meeting_keyboard(meeting_id))
    return True


# --------------------------------------------------------------------------- /delete


@admin_only("delete")
async def cmd_delete(update: Update, context: BotContext) -> None:
    """/delete ID: show the meeting and ask for confirmation."""
    reference = command_argument(update).strip()
    if not reference:
        await reply(update, "Write /delete ID, for example /delete 12.")
        return
    await _confirm_delete(update, context, reference)


@admin_only("delete")
async def delete_button(update: Update, context: BotContext) -> None:
    """The Delete button under a card: ask for confirmation."""
    query = update.callback_query
    assert query is not None
    await _confirm_delete(update, context, (query.data or "").rsplit(":", 1)[-1])


async def _confirm_delete(update: Update, context: BotContext, reference: str) -> None:
    """Show the meeting with Delete and Keep (a pressed button is answered first)."""

    def find(session: Session) -> list[MeetingView]:
        meeting = records.find_meeting(reference, session=session)
        return load_meeting_views([int(meeting.id or 0)], session=session)

    views = await run_change(update, context, find)
    if views is REPORTED:
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    view = views[0]
    await reply(
        update,
        f"Delete <b>{meeting_label(view)}</b>? /undo can bring it back.\n\n"
        f"{render_meeting_card(view)}",
        delete_keyboard(view.id),
    )


@admin_only("delete")
async def delete_confirmed(update: Update, context: BotContext) -> None:
    """The confirmation button: soft-delete the meeting."""
    query = update.callback_query
    assert query is not None
    meeting_id = int((query.data or "0").rsplit(":", 1)[-1])
    deps, actor = context.deps, actor_id(update)
    deleted = await run_change(
        update,
        context,
        lambda s: records.delete_meeting(meeting_id, session=s, clock=deps.clock, actor_id=actor),
        alert=True,
    )
    if deleted is REPORTED:
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


# ------------------------------------------------------------------ /undo, /history


@admin_only("undo")
async def cmd_undo(update: Update, context: BotContext) -> None:
    """/undo: revert the caller's last change."""
    deps, actor = context.deps, actor_id(update)
    result = await run_change(
        update,
        context,
        lambda s: records.undo_last_change(session=s, clock=deps.clock, actor_id=actor),
    )
    if result is REPORTED:
        return
    await send_blocks(update, [escape(result.description), *describe_changes(result.changes)])


@admin_only("history")
async def cmd_history(update: Update, context: BotContext) -> None:
    """/history ID: every change of a meeting, oldest first, with before → after."""
    reference = command_argument(update).strip()
    if not reference:
        await reply(update, "Write /history ID, for example /history 12.")
        return
    entries = await run_change(
        update, context, lambda s: records.meeting_history(reference, session=s)
    )
    if entries is REPORTED:
        return
    await send_blocks(
        update, history_blocks(reference, entries, context.deps.settings.default_zone)
    )
