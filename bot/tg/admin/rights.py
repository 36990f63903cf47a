"""Who is a bot admin: /grant, /revoke and /admins.

Admins from the ADMIN_IDS setting cannot be granted or revoked here; granted admins are audited
like any change (so /undo takes a grant back). A grant also shows the admin commands in the
user's command menu, a revoke hides them again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError

from bot.core import records
from bot.tg.admin.change import REPORTED, actor_id, command_argument, run_change
from bot.tg.admin.render import admins_lines, reply, send_blocks
from bot.tg.auth import admin_only
from bot.tg.commands import visible_commands
from bot.tg.context import BotContext
from bot.tg.render import escape

logger = logging.getLogger(__name__)


# Telegram user ids have at most 16 digits; longer numbers are not read (Python refuses to
# read more than 4,300 digits, and no id is that long).
MAX_ID_DIGITS = 16
# The senders Telegram shows on messages nobody wrote as themselves: an anonymous group admin
# (GroupAnonymousBot), a channel's post (Channel_Bot) and a linked channel's forward.
STAND_IN_USERS = frozenset({1087968824, 136817688, 777000})


def _target_user(update: Update, context: BotContext, command: str) -> int | str | None:
    """The user id after the command, or the author of the message it replies to.

    None when there is neither (the handler shows the usage); a sentence when the target
    cannot be an admin: a number too long to be a user id, a message sent anonymously or on
    behalf of a chat, or a message of a bot (this one included).
    """
    message = update.effective_message
    argument = command_argument(update).strip()
    digits = argument.removeprefix("-")
    if digits.isdigit():
        if len(digits) > MAX_ID_DIGITS:
            return (
                f"That number has {len(digits):,} digits; a Telegram user id has at most "
                f"{MAX_ID_DIGITS}. Write /{command} USER_ID, for example /{command} 123456789."
            )
        user_id = int(argument)
        if user_id in STAND_IN_USERS or user_id == context.bot.id:
            return _not_a_person(command)
        return user_id
    if argument or message is None or message.reply_to_message is None:
        return None
    replied = message.reply_to_message
    if replied.forum_topic_created is not None:
        # In a forum topic every message "replies" to the topic's first message: not a choice.
        return None
    if replied.sender_chat is not None:
        return (
            f"That message was sent on behalf of {_chat_name(replied.sender_chat.title)}, "
            f"not by a person, so /{command} cannot tell who wrote it. Ask them to write as "
            f"themselves, or send /{command} USER_ID."
        )
    author = replied.from_user
    if author is None:
        return None
    if author.is_bot or author.id in STAND_IN_USERS:
        return _not_a_person(command)
    return author.id


def _chat_name(title: str | None) -> str:
    return f"“{escape(title)}”" if title else "a group or channel"


def _not_a_person(command: str) -> str:
    return (
        f"That is a bot or an anonymous sender, not a person; /{command} works for people only. "
        f"Reply to a message the person wrote, or send /{command} USER_ID."
    )


@admin_only("grant")
async def cmd_grant(update: Update, context: BotContext) -> None:
    """/grant USER_ID (or as a reply to the user): make them a bot admin."""
    await _change_rights(update, context, "grant", records.grant_admin, admin=True)


@admin_only("revoke")
async def cmd_revoke(update: Update, context: BotContext) -> None:
    """/revoke USER_ID: take admin rights from a granted admin."""
    await _change_rights(update, context, "revoke", records.revoke_admin, admin=False)


async def _change_rights(
    update: Update,
    context: BotContext,
    command: str,
    change: Callable[..., object],
    *,
    admin: bool,
) -> None:
    """Grant or revoke through the core, then say so and update the user's command menu."""
    user_id = _target_user(update, context, command)
    if user_id is None:
        await reply(update, f"Write /{command} USER_ID, for example /{command} 123456789.")
        return
    if isinstance(user_id, str):
        await reply(update, user_id)
        return
    deps, actor = context.deps, actor_id(update)
    done = await run_change(
        update,
        context,
        lambda s: change(
            user_id,
            session=s,
            clock=deps.clock,
            actor_id=actor,
            bootstrap_ids=deps.settings.admin_ids,
        ),
    )
    if done is REPORTED:
        return
    if admin:
        text = f"User {user_id} is now a bot admin. /revoke {user_id} takes it back."
    else:
        text = f"User {user_id} is no longer a bot admin."
    await reply(update, text)
    await _publish_admin_menu(context, user_id, admin=admin)


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
    bootstrap = context.deps.settings.admin_ids
    admins = await context.in_session(
        lambda s: records.list_admins(session=s, bootstrap_ids=bootstrap)
    )
    await send_blocks(update, admins_lines(admins))
