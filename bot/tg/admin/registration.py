"""The admin handler list: the router of open forms (/add, a guided /edit; state in the
database), the /import conversation (with /cancel and its time-out), the buttons and the plain
commands, plus the admin command menu.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.core import forms
from bot.core.forms import FORM_TTL
from bot.tg.admin import add, add_router, aliases, draft, edit, import_export, rights
from bot.tg.admin.forms import FORM_ENDED, STEP_RACED, expiry_notice, form_key
from bot.tg.admin.render import reply
from bot.tg.auth import ensure_admin
from bot.tg.commands import BotCommandInfo
from bot.tg.context import BotContext, HandlerList

END = ConversationHandler.END
# The /import conversation's time-out; the forms expire after the same silence.
ADMIN_CONVERSATION_TIMEOUT: dt.timedelta = FORM_TTL

COMMANDS = [
    BotCommandInfo("add", "Add a meeting step by step (or /add with a YAML block)", "admin"),
    BotCommandInfo("draft", "Draft a meeting from a news article: /draft LINK", "admin"),
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

# The commands an open form takes; any other command passes by (so /help or /add work mid-form).
FORM_COMMANDS = frozenset({"done", "skip", "cancel"})
FORM_BUTTONS = re.compile(r"^adm:(add|p):")
# Form handlers run in this handler group, before every other handler (group 0).
FORMS_GROUP = -1


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel inside the /import conversation: leave it, saving nothing."""
    await reply(update, "Cancelled; nothing was saved.")
    return END


async def cancel_outside(update: Update, context: BotContext) -> None:
    """/cancel with no conversation open."""
    await reply(update, "There is nothing to cancel.")


async def answer_the_question(update: Update, context: BotContext) -> None:
    """Anything but the expected answer inside a conversation: say what is expected."""
    await reply(update, add_router.ANSWER_THE_QUESTION)


def _timed_out(what: str) -> Callback:
    """The handler of a conversation's time-out: say that nothing was saved."""

    async def on_timeout(update: Update, context: BotContext) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        minutes = int(ADMIN_CONVERSATION_TIMEOUT.total_seconds() // 60)
        await context.bot.send_message(
            chat.id,
            f"The {what} timed out after {minutes} minutes without an answer; nothing was saved.",
        )

    return on_timeout


def _form_command(update: Update) -> str | None:
    """The command word of a message ("done" for /done@meetbot), or None for plain text."""
    message = update.message
    text = message.text if message is not None else None
    if not text or not text.startswith("/"):
        return None
    return text[1:].split(None, 1)[0].split("@", 1)[0].casefold() if len(text) > 1 else ""


async def route_form(update: Update, context: BotContext) -> None:
    """Continue the sender's open form (/add, a guided /edit), read from the database.

    Runs before every other handler. A text message, a form command or a form button of a user
    with an open form goes to the form's step and stops there (ApplicationHandlerStop); an
    admin's message that is an article (a news link alone, a long forwarded post) opens a
    draft (draft.take_article_message); other updates, and users without a form, go on to the
    other handlers. A form that has expired
    is reported once, with what was lost, and removed; a form button without a form is answered.
    """
    key = form_key(update)
    query = update.callback_query
    is_button = query is not None and bool(FORM_BUTTONS.match(query.data or ""))
    message = update.message
    if key is None or not (is_button or (message is not None and message.text)):
        return
    command = None if is_button else _form_command(update)
    if command is not None and command not in FORM_COMMANDS:
        return
    form = await context.in_session(lambda s: forms.find_form(*key, session=s))
    if form is None:
        if query is not None and is_button:
            await query.answer(FORM_ENDED)
            raise ApplicationHandlerStop
        if command is None and await draft.take_article_message(update, context):
            raise ApplicationHandlerStop  # an admin's news link, forwarded post or article
        return
    if form.is_expired(context.deps.clock.now()):
        await context.in_session(lambda s: forms.end_form(*key, session=s))
        notice = expiry_notice(form, context.deps.settings.default_zone)
        if query is not None:
            await query.answer(notice[:200], show_alert=True)
        else:
            await reply(update, notice)
        raise ApplicationHandlerStop
    if not await ensure_admin(update, context, form.kind):
        raise ApplicationHandlerStop
    if command == "cancel":
        await context.in_session(lambda s: forms.end_form(*key, session=s))
        await reply(update, "Cancelled; nothing was saved.")
    elif form.kind == "add":
        try:
            await add_router.continue_add(update, context, form, command)
        except forms.FormChanged:
            # Two answers to one step at once (two replicas): the first was taken.
            if query is not None:
                with contextlib.suppress(TelegramError):
                    await query.answer()  # the step may have answered the tap already
            await reply(update, STEP_RACED)
    elif query is not None:
        await query.answer(FORM_ENDED)
    elif command is not None:
        await answer_the_question(update, context)
    else:
        await edit.continue_edit(update, context, form)
    raise ApplicationHandlerStop


def form_handlers() -> HandlerList:
    """The handler of open forms, for bot/tg/app.py to register in FORMS_GROUP."""
    return [TypeHandler(Update, route_form)]


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
        CommandHandler("add", add.cmd_add),
        CommandHandler("draft", draft.cmd_draft),
        CommandHandler("edit", edit.cmd_edit),
        CallbackQueryHandler(edit.edit_button, pattern=r"^adm:edit:\d{1,9}$"),
        CallbackQueryHandler(edit.edit_field_button, pattern=r"^adm:ef:\d{1,9}:\w+$"),
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
        CallbackQueryHandler(aliases.merge_confirmed, pattern=r"^adm:mrgok:\d{1,10}:\d{1,10}$"),
        CallbackQueryHandler(aliases.merge_declined, pattern=r"^adm:mrgno:\d{1,10}:\d{1,10}$"),
        CommandHandler("cancel", cancel_outside),
    ]
