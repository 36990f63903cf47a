"""The admin handler list: the /add, /edit and /import conversations (with /cancel and their
time-outs), the delete buttons and the plain commands, plus the admin command menu.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.tg.admin import add, aliases, edit, import_export, rights
from bot.tg.admin.add import ADD_KEY
from bot.tg.admin.edit import EDIT_KEY
from bot.tg.admin.render import reply
from bot.tg.commands import BotCommandInfo
from bot.tg.context import BotContext, HandlerList

END = ConversationHandler.END
ADMIN_CONVERSATION_TIMEOUT = dt.timedelta(minutes=15)

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

Callback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


def _forget_forms(context: BotContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(ADD_KEY, None)
        context.user_data.pop(EDIT_KEY, None)


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel inside an admin conversation: leave it, saving nothing."""
    _forget_forms(context)
    await reply(update, "Cancelled; nothing was saved.")
    return END


async def cancel_outside(update: Update, context: BotContext) -> None:
    """/cancel with no conversation open."""
    await reply(update, "There is nothing to cancel.")


async def answer_the_question(update: Update, context: BotContext) -> None:
    """Anything but the expected answer inside a conversation: say what is expected."""
    await reply(update, "Please answer the question above, or send /cancel to stop.")


def _timed_out(what: str) -> Callback:
    """The handler of a conversation's time-out: forget the form and say that nothing was saved."""

    async def on_timeout(update: Update, context: BotContext) -> None:
        _forget_forms(context)
        chat = update.effective_chat
        if chat is None:
            return
        minutes = int(ADMIN_CONVERSATION_TIMEOUT.total_seconds() // 60)
        await context.bot.send_message(
            chat.id,
            f"The {what} timed out after {minutes} minutes without an answer; nothing was saved.",
        )

    return on_timeout


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
    fallbacks: list[BaseHandler[Update, BotContext, object]] = [
        CommandHandler("cancel", cancel),
        MessageHandler(not_command, answer_the_question),
    ]
    with warnings.catch_warnings():
        # Buttons here belong to the conversation of the user who pressed them; tracking them
        # per message (per_message=True) would break the text steps.
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        add_conversation = ConversationHandler(
            entry_points=[CommandHandler("add", add.cmd_add)],
            states={
                add.ADD_DATE: [MessageHandler(text, add.add_date)],
                add.ADD_PEOPLE: [
                    CommandHandler("done", add.add_done),
                    MessageHandler(text, add.add_participant),
                ],
                add.ADD_PERSON: [
                    CallbackQueryHandler(add.add_person_choice, pattern=r"^adm:p:(\d{1,9}|new)$"),
                    MessageHandler(text, add.add_person_waiting),
                ],
                add.ADD_LOCATION: [
                    CommandHandler("skip", add.add_location),
                    MessageHandler(text, add.add_location),
                ],
                add.ADD_ISSUES: [
                    CommandHandler("skip", add.add_issues),
                    MessageHandler(text, add.add_issues),
                ],
                add.ADD_SOURCE: [
                    CommandHandler("skip", add.add_source),
                    MessageHandler(text, add.add_source),
                ],
                add.ADD_PREVIEW: [
                    CallbackQueryHandler(add.add_save, pattern=r"^adm:add:save$"),
                    CallbackQueryHandler(add.add_edit, pattern=r"^adm:add:edit$"),
                    CallbackQueryHandler(add.add_cancel_button, pattern=r"^adm:add:cancel$"),
                ],
                add.ADD_EDIT_FIELD: [
                    CallbackQueryHandler(add.add_edit_field, pattern=r"^adm:add:f:\w+$"),
                    CallbackQueryHandler(add.add_back, pattern=r"^adm:add:back$"),
                    CallbackQueryHandler(add.add_cancel_button, pattern=r"^adm:add:cancel$"),
                ],
                add.ADD_EDIT_VALUE: [MessageHandler(text, add.add_edit_value)],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, _timed_out("/add form"))],
            },
            fallbacks=fallbacks,
            conversation_timeout=timeout,
            allow_reentry=True,
            name="admin_add",
        )
        edit_conversation = ConversationHandler(
            entry_points=[
                CommandHandler("edit", edit.cmd_edit),
                CallbackQueryHandler(edit.edit_button, pattern=r"^adm:edit:\d{1,9}$"),
            ],
            states={
                edit.EDIT_FIELD: [
                    CallbackQueryHandler(edit.edit_field_button, pattern=r"^adm:ef:\d{1,9}:\w+$")
                ],
                edit.EDIT_VALUE: [MessageHandler(text, edit.edit_value)],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, _timed_out("edit"))],
            },
            fallbacks=fallbacks,
            conversation_timeout=timeout,
            allow_reentry=True,
            name="admin_edit",
        )
        import_conversation = ConversationHandler(
            entry_points=[
                CommandHandler("import", import_export.cmd_import),
                MessageHandler(import_caption, import_export.cmd_import),
            ],
            states={
                import_export.IMPORT_FILE: [
                    MessageHandler(filters.Document.ALL, import_export.import_file),
                    MessageHandler(text, import_export.import_waiting),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, _timed_out("/import"))],
            },
            fallbacks=fallbacks,
            conversation_timeout=timeout,
            allow_reentry=True,
            name="admin_import",
        )
    return [
        add_conversation,
        edit_conversation,
        import_conversation,
        CallbackQueryHandler(edit.delete_button, pattern=r"^adm:del:\d{1,9}$"),
        CallbackQueryHandler(edit.delete_confirmed, pattern=r"^adm:delok:\d{1,9}$"),
        CallbackQueryHandler(edit.delete_declined, pattern=r"^adm:delno:\d{1,9}$"),
        CommandHandler("delete", edit.cmd_delete),
        CommandHandler("undo", edit.cmd_undo),
        CommandHandler("history", edit.cmd_history),
        CommandHandler("export", import_export.cmd_export),
        CommandHandler("grant", rights.cmd_grant),
        CommandHandler("revoke", rights.cmd_revoke),
        CommandHandler("admins", rights.cmd_admins),
        CommandHandler("alias", aliases.cmd_alias),
        CommandHandler("merge", aliases.cmd_merge),
        CommandHandler("cancel", cancel_outside),
    ]
