"""The daily digest's commands: /subscribe, /unsubscribe, /subscription and /digest.

Who may change a chat's digest:

* a private chat: its user;
* a group or supergroup: its administrators (getChatMember), including an anonymous admin (a
  message whose sender_chat is the group itself: only admins can write as the group), and bot
  admins;
* a channel: from a private chat, `/subscribe @channel 08:30 Europe/Berlin` by an administrator
  of the channel (or a bot admin), once the bot is an administrator there that may post
  messages; or the command posted in the channel itself (only its admins can post there).

Handlers parse and check here, then call one core function (bot/core/subscriptions.py) in a
short session, render (bot/tg/digest.py) and reply. Every refusal is one sentence and changes
nothing. Sending the digests is bot/tg/jobs.py's work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session
from telegram import Chat, ChatMemberAdministrator, Message, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.core.deliveries import move_chat_subscription, stop_chat_subscription
from bot.core.digest import Digest
from bot.core.subscriptions import (
    SubscribeRequest,
    SubscriptionError,
    SubscriptionInfo,
    describe_subscription,
    parse_subscribe_args,
    preview_digest,
    subscribe,
    unsubscribe,
)
from bot.tg import jobs
from bot.tg.auth import user_is_bot_admin
from bot.tg.commands import BotCommandInfo
from bot.tg.context import BotContext, MembershipChange
from bot.tg.digest import render_digest, render_subscription
from bot.tg.render import NO_PREVIEW, escape

logger = logging.getLogger(__name__)

COMMANDS = [
    BotCommandInfo(
        "subscribe", "Daily digest of new meetings, e.g. /subscribe 08:30 Europe/Berlin"
    ),
    BotCommandInfo("unsubscribe", "Stop the daily digest"),
    BotCommandInfo("subscription", "The digest's time, zone and next send"),
    BotCommandInfo("digest", "Preview what the next digest would contain now"),
]

# New messages and channel posts; an edited command is not run again.
_UPDATES = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST

ADMINS_ONLY = "Only the group's administrators can change its digest."
CHANNEL_FROM_PRIVATE = (
    "Subscribe a channel from a private chat with me, for example "
    "/subscribe @mychannel 08:30 Europe/Berlin."
)
NOT_A_CHANNEL = "{name} is not a channel; send /subscribe in that group itself."
NO_SUCH_CHANNEL = (
    "I cannot find the channel {name}; add me to it as an administrator who may post "
    "messages, then try again."
)
CANNOT_POST = (
    "I cannot post in {name}: make me an administrator of the channel with the right to post "
    "messages, then try again."
)
NOT_CHANNEL_ADMIN = "Only administrators of {name} can change its digest."
LINKED_CHANNEL = "Send this command as yourself, not on behalf of a channel."
UNSUBSCRIBED = "Unsubscribed: {target} gets no more daily digests."
NOT_SUBSCRIBED = "{target} has no daily digest to stop."
TELEGRAM_TROUBLE = "I could not check that with Telegram just now; please try again in a minute."


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """The digest commands (in chats and channel posts) and the group-migration update."""
    return [
        CommandHandler("subscribe", cmd_subscribe, filters=_UPDATES),
        CommandHandler("unsubscribe", cmd_unsubscribe, filters=_UPDATES),
        CommandHandler("subscription", cmd_subscription, filters=_UPDATES),
        CommandHandler("digest", cmd_digest, filters=_UPDATES),
        MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate),
    ]


async def on_startup(application: Any) -> None:
    """Start the digest scheduler (bot/tg/jobs.py) once the application is set up."""
    await jobs.start_digest_jobs(application)


async def on_bot_membership(change: MembershipChange, context: BotContext) -> None:
    """The bot was removed from a chat (or blocked): stop that chat's digest, saying why."""
    if not change.removed:
        return
    reason = (
        "The user blocked the bot."
        if change.chat_type == ChatType.PRIVATE
        else f"The bot was removed from the chat ({change.new_status})."
    )

    def work(session: Session) -> bool:
        return stop_chat_subscription(
            session=session, chat_id=change.chat_id, reason=reason, now=change.at
        )

    if await context.in_session(work):
        logger.info("Digest of chat %s stopped: %s", change.chat_id, reason)


async def on_migrate(update: Update, context: BotContext) -> None:
    """A group became a supergroup: its subscription follows it to the new chat id."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    old, new = message.chat.id, message.migrate_to_chat_id
    now = context.deps.clock.now()

    def work(session: Session) -> bool:
        return move_chat_subscription(session=session, old_chat_id=old, new_chat_id=new, now=now)

    if await context.in_session(work):
        logger.info("Digest subscription moved from chat %s to %s", old, new)


# --- whose digest, and may this sender change it ------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Target:
    """The chat whose digest a command is about, and how to name it in replies."""

    chat_id: int
    chat_type: str
    title: str | None
    label: str


class _Refused(Exception):
    """The command may not go ahead; the message is the one sentence to reply."""


def _chat_title(chat: Chat) -> str | None:
    return chat.title or chat.full_name or chat.username


async def _target(
    update: Update, context: BotContext, channel: str | None, *, change: bool
) -> _Target:
    """Find the chat a command is about and, when change is set, check the sender may change it.

    Raises _Refused with the sentence to reply.
    """
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    if chat.type == ChatType.CHANNEL:
        # Only a channel's administrators can post in it, so a post is its admins speaking.
        if change:
            await _ensure_bot_can_post(context, chat.id, "this channel")
        return _Target(chat.id, chat.type, _chat_title(chat), "This channel")
    if channel is not None:
        if chat.type != ChatType.PRIVATE:
            raise _Refused(CHANNEL_FROM_PRIVATE)
        return await _channel_target(update, context, channel, change=change)
    if chat.type == ChatType.PRIVATE:
        return _Target(chat.id, chat.type, _chat_title(chat), "This chat")
    if change:
        await _ensure_group_admin(update, context, message, chat)
    return _Target(chat.id, chat.type, _chat_title(chat), "This group")


async def _ensure_group_admin(
    update: Update, context: BotContext, message: Message, chat: Chat
) -> None:
    if message.sender_chat is not None:
        if message.sender_chat.id == chat.id:
            return  # an anonymous administrator, writing as the group
        raise _Refused(LINKED_CHANNEL)
    user = update.effective_user
    if user is None:
        raise _Refused(ADMINS_ONLY)
    if await user_is_bot_admin(context, user.id):
        return
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        logger.warning("getChatMember(%s, %s) failed: %s", chat.id, user.id, exc)
        raise _Refused(TELEGRAM_TROUBLE) from exc
    if member.status not in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER):
        raise _Refused(ADMINS_ONLY)


async def _channel_target(
    update: Update, context: BotContext, channel: str, *, change: bool
) -> _Target:
    name = escape(channel)
    try:
        found = await context.bot.get_chat(channel if channel.startswith("@") else int(channel))
    except (BadRequest, Forbidden) as exc:
        raise _Refused(NO_SUCH_CHANNEL.format(name=name)) from exc
    except TelegramError as exc:
        raise _Refused(TELEGRAM_TROUBLE) from exc
    if found.type != ChatType.CHANNEL:
        raise _Refused(NOT_A_CHANNEL.format(name=name))
    label = f"@{found.username}" if found.username else (found.title or channel)
    target = _Target(found.id, found.type, found.title, label)
    if not change:
        return target
    await _ensure_bot_can_post(context, found.id, name)
    user = update.effective_user
    if user is not None and await user_is_bot_admin(context, user.id):
        return target
    try:
        member = await context.bot.get_chat_member(found.id, user.id) if user else None
    except BadRequest:
        member = None  # "user not found": not in the channel at all
    except TelegramError as exc:
        raise _Refused(TELEGRAM_TROUBLE) from exc
    if member is None or member.status not in (
        ChatMemberStatus.ADMINISTRATOR,
        ChatMemberStatus.OWNER,
    ):
        raise _Refused(NOT_CHANNEL_ADMIN.format(name=name))
    return target


async def _ensure_bot_can_post(context: BotContext, chat_id: int, name: str) -> None:
    try:
        me = await context.bot.get_chat_member(chat_id, context.bot.id)
    except (BadRequest, Forbidden) as exc:
        raise _Refused(CANNOT_POST.format(name=name)) from exc
    except TelegramError as exc:
        raise _Refused(TELEGRAM_TROUBLE) from exc
    if not (isinstance(me, ChatMemberAdministrator) and me.can_post_messages):
        raise _Refused(CANNOT_POST.format(name=name))


# --- commands ------------------------------------------------------------------------------------


async def cmd_subscribe(update: Update, context: BotContext) -> None:
    """/subscribe [@channel] [HH:MM] [Area/City] [note|nonote] [silent|loud]."""
    message = update.effective_message
    if message is None:
        return
    try:
        request = parse_subscribe_args(context.args or [])
        target = await _target(update, context, request.channel, change=True)
    except (SubscriptionError, _Refused) as exc:
        await _reply(message, escape(str(exc)) if isinstance(exc, SubscriptionError) else str(exc))
        return
    user = update.effective_user
    deps = context.deps
    now = deps.clock.now()

    def work(session: Session) -> tuple[bool, SubscriptionInfo | None]:
        _, new = subscribe(
            request,
            session=session,
            chat_id=target.chat_id,
            chat_type=target.chat_type,
            title=target.title,
            user_id=user.id if user else None,
            now=now,
            default_timezone=deps.settings.default_timezone,
        )
        return new, describe_subscription(session=session, chat_id=target.chat_id, now=now)

    new, info = await context.in_session(work)
    lead = "Subscribed." if new else "Updated."
    await _reply(message, f"{lead} {render_subscription(info, chat_label=target.label)}")


async def cmd_unsubscribe(update: Update, context: BotContext) -> None:
    """/unsubscribe [@channel]: stop the chat's (or the channel's) digest."""
    message = update.effective_message
    if message is None:
        return
    try:
        channel = _channel_arg(context.args)
        target = await _target(update, context, channel, change=True)
    except (SubscriptionError, _Refused) as exc:
        await _reply(message, escape(str(exc)) if isinstance(exc, SubscriptionError) else str(exc))
        return
    now = context.deps.clock.now()
    stopped = await context.in_session(
        lambda session: unsubscribe(session=session, chat_id=target.chat_id, now=now)
    )
    text = UNSUBSCRIBED if stopped else NOT_SUBSCRIBED
    await _reply(message, escape(text.format(target=target.label)))


async def cmd_subscription(update: Update, context: BotContext) -> None:
    """/subscription [@channel]: the time, zone, next send in local time and last delivery."""
    message = update.effective_message
    if message is None:
        return
    try:
        channel = _channel_arg(context.args)
        target = await _target(update, context, channel, change=False)
    except (SubscriptionError, _Refused) as exc:
        await _reply(message, escape(str(exc)) if isinstance(exc, SubscriptionError) else str(exc))
        return
    now = context.deps.clock.now()
    info = await context.in_session(
        lambda session: describe_subscription(session=session, chat_id=target.chat_id, now=now)
    )
    await _reply(message, render_subscription(info, chat_label=target.label))


async def cmd_digest(update: Update, context: BotContext) -> None:
    """/digest [@channel]: what the next digest would contain if it were sent now."""
    message = update.effective_message
    if message is None:
        return
    try:
        channel = _channel_arg(context.args)
        target = await _target(update, context, channel, change=False)
    except (SubscriptionError, _Refused) as exc:
        await _reply(message, escape(str(exc)) if isinstance(exc, SubscriptionError) else str(exc))
        return
    now = context.deps.clock.now()
    preview: Callable[[Session], Digest] = lambda session: preview_digest(  # noqa: E731
        session=session, chat_id=target.chat_id, now=now
    )
    digest = await context.in_session(preview)
    for part in render_digest(digest, preview=True):
        await _reply(message, part)


def _channel_arg(args: list[str] | None) -> str | None:
    """The optional @channel of /unsubscribe, /subscription and /digest; nothing else."""
    request = parse_subscribe_args(args or [])
    if request != SubscribeRequest(channel=request.channel):
        raise SubscriptionError(
            "This command takes only a channel, for example /subscription @mychannel."
        )
    return request.channel


async def _reply(message: Message, html: str) -> None:
    # Channel posts have no sender to quote; in groups the reply shows whom it answers.
    await message.reply_text(
        html,
        parse_mode=ParseMode.HTML,
        link_preview_options=NO_PREVIEW,
        do_quote=message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP),
    )
