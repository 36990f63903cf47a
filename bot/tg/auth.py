"""Who may do what: bot admins are the ADMIN_IDS users plus those granted with /grant.

Admin rights belong to a Telegram user, whatever chat the command comes from. A message an
anonymous group admin sends carries the group as its sender (sender_chat), not the person, so
such commands are refused with a hint to use a private chat. Refusals are one sentence and
change nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, TypeVar

from sqlmodel import Session
from telegram import Message, Update
from telegram.ext import ConversationHandler

from bot.core.records import is_admin
from bot.tg.context import BotContext

ANONYMOUS_HINT = (
    "You are writing as the group, so I cannot tell which admin you are; "
    "send admin commands to me in a private chat."
)
CHANNEL_HINT = (
    "You are writing as a channel, so I cannot tell who you are; "
    "send admin commands to me in a private chat."
)


def refusal(command: str) -> str:
    """The one sentence a non-admin gets for an admin command."""
    return f"Sorry, /{command} is for bot admins only."


def is_bot_admin(user_id: int | None, *, session: Session, admin_ids: Iterable[int]) -> bool:
    """Tell whether user_id is a bot admin: in ADMIN_IDS (admin_ids) or granted with /grant.

    Usable by any feature inside its own session (context.in_session).
    """
    return is_admin(user_id, session=session, bootstrap_ids=admin_ids)


def sender_hint(message: Message | None) -> str | None:
    """Return why a message's sender cannot be identified as a person, or None when it can.

    An anonymous group admin's message has the group itself as sender_chat; a message posted
    on behalf of a channel has that channel.
    """
    if message is None or message.sender_chat is None:
        return None
    if message.sender_chat.id == message.chat.id:
        return ANONYMOUS_HINT
    return CHANNEL_HINT


async def user_is_bot_admin(context: BotContext, user_id: int | None) -> bool:
    """Tell whether user_id is a bot admin, reading the Admin table off the event loop."""
    if user_id is None:
        return False
    if context.deps.is_bootstrap_admin(user_id):
        return True
    admin_ids = context.deps.settings.admin_ids
    return await context.in_session(
        lambda session: is_bot_admin(user_id, session=session, admin_ids=admin_ids)
    )


async def ensure_admin(update: Update, context: BotContext, command: str) -> bool:
    """Return True for a bot admin; otherwise answer with one sentence and return False.

    Works for commands and messages (a reply) and for button presses (a popup).
    """
    message = update.effective_message
    hint = None if update.callback_query else sender_hint(message)
    user = update.effective_user
    if hint is None and await user_is_bot_admin(context, user.id if user else None):
        return True
    text = hint or refusal(command)
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif message is not None:
        await message.reply_text(text)
    return False


R = TypeVar("R")

# A PTB callback: PTB accepts coroutine functions (not any awaitable) as handler callbacks.
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, R]]


def admin_only(command: str) -> Callable[[Handler[R]], Handler[R | int]]:
    """Run the wrapped handler for bot admins only; refuse everyone else (ending a conversation).

    Returning ConversationHandler.END from a refused entry point means no conversation starts;
    plain handlers ignore the value.
    """

    def wrap(func: Handler[R]) -> Handler[R | int]:
        @functools.wraps(func)
        async def guarded(update: Update, context: BotContext) -> R | int:
            if not await ensure_admin(update, context, command):
                return ConversationHandler.END
            return await func(update, context)

        return guarded

    return wrap
