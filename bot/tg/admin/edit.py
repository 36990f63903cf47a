"""Changing saved meetings: /edit (at once, or guided from a card's Edit button), /delete with
confirmation, /undo of the admin's last change and /history of a meeting.

Every change is audited with its before and after, so /undo restores exactly and /history
lists who changed what. A guided edit keeps (meeting id, field) in user_data under EDIT_KEY.
"""

from __future__ import annotations

from sqlmodel import Session
from telegram import Update
from telegram.ext import ConversationHandler

from bot.core import records
from bot.core.views import MeetingView, load_meeting_views
from bot.tg.admin.change import (
    REPORTED,
    actor_id,
    answer_text,
    command_argument,
    run_change,
    user_data,
)
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

END = ConversationHandler.END

# Conversation states (the /add states are 0-8).
EDIT_FIELD, EDIT_VALUE = 9, 10

EDIT_KEY = "admin.edit"


# --------------------------------------------------------------------------- /edit


@admin_only("edit")
async def cmd_edit(update: Update, context: BotContext) -> int:
    """/edit ID FIELD VALUE changes at once; /edit ID asks which field; /edit ID FIELD asks."""
    parts = command_argument(update).split(None, 2)
    if not parts:
        await reply(
            update,
            "Write /edit ID FIELD VALUE, for example /edit 12 location Baku, "
            "or /edit 12 to choose the field.",
        )
        return END
    reference = parts[0]

    def find(session: Session) -> tuple[int, str | None]:
        meeting_id = int(records.find_meeting(reference, session=session).id or 0)
        return meeting_id, records.canonical_field(parts[1]) if len(parts) > 1 else None

    found = await run_change(update, context, find)
    if found is REPORTED:
        return END
    meeting_id, name = found
    if len(parts) == 3:
        assert name is not None
        await _apply_edit(update, context, meeting_id, name, parts[2])
        return END
    if name is not None:
        user_data(context)[EDIT_KEY] = (meeting_id, name)
        await reply(update, value_prompt(name, meeting_id))
        return EDIT_VALUE
    return await _offer_fields(update, context, meeting_id)


async def _offer_fields(update: Update, context: BotContext, meeting_id: int) -> int:
    views = await context.in_session(lambda s: load_meeting_views([meeting_id], session=s))
    if not views:
        await reply(update, f"Meeting {meeting_id} is deleted.")
        return END
    view = views[0]
    keyboard = field_keyboard(f"adm:ef:{meeting_id}:", list(FIELD_LABELS), back=None)
    await reply(
        update,
        f"<b>{meeting_label(view)}</b>\n{render_meeting_card(view)}\n\n"
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
    user_data(context)[EDIT_KEY] = (int(meeting), name)
    await reply(update, value_prompt(name, int(meeting)))
    return EDIT_VALUE


@admin_only("edit")
async def edit_value(update: Update, context: BotContext) -> int:
    """The new value in a guided edit."""
    pending = user_data(context).get(EDIT_KEY)
    if not pending:
        return END
    meeting_id, name = pending
    if await _apply_edit(update, context, meeting_id, name, answer_text(update)):
        user_data(context).pop(EDIT_KEY, None)
        return END
    return EDIT_VALUE


async def _apply_edit(
    update: Update, context: BotContext, meeting_id: int, name: str, value: str
) -> bool:
    """Change one field, show what changed and the card; False when the core refused."""
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
