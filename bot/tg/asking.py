"""Asking: questions from private chats, groups and inline mode, answered from the core.

Each handler extracts the question, calls bot.core.answering.answer_question in one short
session (off the event loop), renders with bot/tg/render.py and replies. Where questions come
from:

* a private chat: any text message, and /ask QUESTION;
* groups: /ask QUESTION (also /ask@botname), a message mentioning @botname, a reply to one of
  the bot's messages; other group messages are ignored (privacy mode delivers little else);
* inline mode: "@botname QUESTION" in any chat, one result per meeting;
* buttons: "More" pages, "did you mean" suggestions, the example questions of /start, and
  "Network" and "Timeline", which send the picture of the question (bot/tg/pictures.py);
* a question asking for a picture ("show who Kauma met in 2024") gets the picture;
* follow-ups: a reply to one of the bot's answers ("what did they talk about?", "and when?")
  is completed from what that answer was about (bot.core.followups).

Each answer sent is remembered in the database by (chat, message) (bot.core.answer_memory):
its question and what it was about. Buttons carry a question token, not the question (callback
data is limited to 64 bytes); the question is found again in that row (or, for an answer sent
before the row existed, in the user's message the answer replied to), so buttons and follow-ups
work after a restart and on another replica. The answer is deterministic, so asking again
gives the same pages.
"""

from __future__ import annotations

import asyncio
import logging
import re

from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    InlineQueryResultsButton,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

import bot
from bot.core.answer_memory import RecalledAnswer, recall_answer, remember_answer
from bot.core.answering import Answer, QuestionError, answer_question
from bot.core.followups import AnswerContext
from bot.core.pictures import PictureKind, picture_request
from bot.core.views import count_live_meetings
from bot.tg.auth import user_is_bot_admin
from bot.tg.commands import BotCommandInfo, visible_commands
from bot.tg.context import BotContext, HandlerList, MembershipChange
from bot.tg.pictures import send_picture
from bot.tg.render import (
    EXAMPLE_QUESTIONS,
    NO_PREVIEW,
    Page,
    clip_plain,
    escape,
    parse_callback,
    question_token,
    render_about,
    render_answer_page,
    render_help,
    render_inline_results,
    render_welcome,
    suggestion_at,
)

logger = logging.getLogger(__name__)

COMMANDS = [
    BotCommandInfo("ask", "Ask a question, e.g. /ask who met the OSCE PA president?"),
    BotCommandInfo("help", "How to ask, and the commands"),
    BotCommandInfo("about", "Version and how many meetings I know"),
    BotCommandInfo("start", "Welcome and example questions"),
]

ASK_USAGE = "Ask a question after the command, e.g. /ask who met the OSCE PA president?"
MENTION_USAGE = "Ask me a question, e.g. “@{username} who met the OSCE PA president?”"
EXPIRED = "This button has expired; please ask the question again."
UNKNOWN_COMMAND = "I do not know that command; /help lists what I can do."
STALE_BUTTON = "This button no longer works; send the command again for fresh buttons."
GROUP_HELLO = (
    "Hello! I answer questions about meetings between officials. Ask with /ask, e.g. "
    "/ask who met the OSCE PA president?, mention me, or reply to one of my messages."
)
INLINE_PROMPT = "Type a question, e.g. who met the OSCE PA president?"
# "typing…" is shown only for an answer that takes longer than this many seconds.
TYPING_DELAY = 1.0

_MESSAGES = filters.UpdateType.MESSAGE  # new messages only: an edited question is not re-asked


# --- the handler list --------------------------------------------------------------------------


def handlers() -> HandlerList:
    """The commands, buttons, inline queries and membership updates of asking."""
    return [
        CommandHandler("start", cmd_start, filters=_MESSAGES),
        CommandHandler("help", cmd_help, filters=_MESSAGES),
        CommandHandler("about", cmd_about, filters=_MESSAGES),
        CommandHandler("ask", cmd_ask, filters=_MESSAGES),
        CallbackQueryHandler(on_button, pattern=r"^(more|sugg|ex|pic):"),
        InlineQueryHandler(on_inline_query),
        ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
    ]


def catch_all_handlers() -> HandlerList:
    """Handlers that take whatever no other feature took; registered after every feature."""
    private = filters.ChatType.PRIVATE & _MESSAGES
    return [
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, on_private_text),
        MessageHandler(
            filters.ChatType.GROUPS
            & _MESSAGES
            & filters.TEXT
            & ~filters.COMMAND
            & (MentionsBot() | RepliesToBot()),
            on_group_question,
        ),
        MessageHandler(private & filters.COMMAND, on_unknown_command),
        # Any button no other handler took (an old card's, a form's that is gone): answered,
        # so the user never watches a spinner.
        CallbackQueryHandler(on_stale_button),
    ]


class MentionsBot(filters.MessageFilter):
    """Messages that mention this bot by @username (or by a text mention of its user)."""

    def filter(self, message: Message) -> bool:
        """True when an entity of message names the bot."""
        username = (message.get_bot().username or "").casefold()
        bot_id = message.get_bot().id
        for entity, text in message.parse_entities(
            [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
        ).items():
            if entity.type == MessageEntity.MENTION and text[1:].casefold() == username:
                return True
            if entity.user is not None and entity.user.id == bot_id:
                return True
        return False


class RepliesToBot(filters.MessageFilter):
    """Messages that reply to one of this bot's messages."""

    def filter(self, message: Message) -> bool:
        """True when message answers a message the bot sent."""
        original = message.reply_to_message
        # In forum topics every message "replies" to the topic's opening service message.
        if original is None or original.forum_topic_created is not None:
            return False
        return original.from_user is not None and original.from_user.id == message.get_bot().id


# --- commands ----------------------------------------------------------------------------------


async def cmd_start(update: Update, context: BotContext) -> None:
    """/start: a welcome with three example questions as buttons."""
    message = update.effective_message
    if message is None:
        return
    user = update.effective_user
    page = render_welcome(user.first_name if user else None, context.bot.username)
    await _send_page(message, page, quote=False)


async def cmd_help(update: Update, context: BotContext) -> None:
    """/help: how to ask, and the commands this user may use."""
    message = update.effective_message
    if message is None:
        return
    user = update.effective_user
    # Admin commands are listed for admins only, in private chats only: not for a whole group.
    admin = message.chat.type == ChatType.PRIVATE and await user_is_bot_admin(
        context, user.id if user else None
    )
    commands = visible_commands(context.deps.commands, admin=admin)
    text = render_help(commands, context.bot.username)
    await message.reply_html(text, do_quote=False, link_preview_options=NO_PREVIEW)


async def cmd_about(update: Update, context: BotContext) -> None:
    """/about: the version and how many meetings the database holds."""
    message = update.effective_message
    if message is None:
        return
    meetings = await context.in_session(lambda session: count_live_meetings(session=session))
    text = render_about(bot.__version__, meetings)
    await message.reply_html(text, do_quote=False)


async def cmd_ask(update: Update, context: BotContext) -> None:
    """/ask QUESTION, in any chat."""
    message = update.effective_message
    if message is None:
        return
    question = question_from_message(message, context.bot.username)
    if not question:
        await message.reply_text(ASK_USAGE, do_quote=_in_group(message))
        return
    await answer_and_reply(context, message, question)


async def on_unknown_command(update: Update, context: BotContext) -> None:
    """A /command nobody handles, in a private chat: point to /help."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(UNKNOWN_COMMAND, do_quote=False)


async def on_stale_button(update: Update, context: BotContext) -> None:
    """A button nothing else handles: say it no longer works, instead of a spinner."""
    query = update.callback_query
    if query is not None:
        await query.answer(STALE_BUTTON)


# --- questions -----------------------------------------------------------------------------


async def on_private_text(update: Update, context: BotContext) -> None:
    """Any text in a private chat is a question."""
    message = update.effective_message
    if message is None or not message.text:
        return
    await answer_and_reply(context, message, message.text)


async def on_group_question(update: Update, context: BotContext) -> None:
    """A group message that mentions the bot or replies to it is a question."""
    message = update.effective_message
    if message is None:
        return
    question = question_from_message(message, context.bot.username)
    if not question:
        usage = MENTION_USAGE.format(username=context.bot.username)
        await message.reply_text(usage, do_quote=True)
        return
    await answer_and_reply(context, message, question)


def question_from_message(message: Message, bot_username: str) -> str:
    """The question a message asks: without a leading /ask command and without @botname.

    Returns "" for a message that asks nothing (a bare /ask or mention) or for another command.
    """
    text = message.text or message.caption or ""
    commands = message.parse_entities([MessageEntity.BOT_COMMAND])
    for entity, command in commands.items():
        if entity.offset != 0:
            continue
        if command[1:].split("@", 1)[0].casefold() != "ask":
            return ""
        text = text[len(command) :]
        break
    mention = re.compile(rf"(?<![\w@])@{re.escape(bot_username)}\b", re.IGNORECASE)
    return " ".join(mention.sub(" ", text).split())


async def answer_and_reply(
    context: BotContext, message: Message, question: str, *, reply_to: Message | None = None
) -> Message | None:
    """Answer question and send the first page in message's chat, replying to reply_to.

    Groups always see the answer as a reply. In a private chat it quotes the question only
    when it has buttons, because the buttons find the question again in the quoted message.
    """
    quote_target = reply_to or message
    # A reply to one of the bot's answers may follow it up: "and when?".
    previous = await _replied_answer(context, message) if reply_to is None else None
    asked_with = previous.context if previous is not None else None
    request = picture_request(question)
    if request is not None:
        quote = _in_group(message) or reply_to is not None
        return await send_picture(
            context, quote_target, *request, quote=quote, previous=asked_with
        )
    result = await ask_showing_typing(context, message, question, previous=asked_with)
    if isinstance(result, str):
        return await message.reply_text(result, do_quote=_in_group(message))
    page = render_answer_page(result, token=question_token(question))
    quote = _in_group(message) or page.keyboard is not None or reply_to is not None
    sent = await _send_page(quote_target, page, quote=quote)
    _remember(context, sent, page, result, question, asked_with)
    return sent


async def ask_core(
    context: BotContext, question: str, *, previous: AnswerContext | None = None
) -> Answer | str:
    """The core's Answer (a follow-up of previous, if given), or the one-sentence reason the
    question cannot be asked."""
    deps = context.deps
    today = deps.today()
    try:
        return await context.reading(
            lambda session: answer_question(
                question, session=session, today=today, context=previous
            )
        )
    except QuestionError as exc:
        return str(exc)


async def _replied_answer(context: BotContext, message: Message) -> RecalledAnswer | None:
    """The bot's answer that message replies to, as remembered, or None."""
    original = message.reply_to_message
    if original is None or not RepliesToBot().filter(message):
        return None
    return await _recall(context, original)


async def _recall(context: BotContext, answer_message: Message) -> RecalledAnswer | None:
    """The remembered row of the bot's answer answer_message, or None."""
    now = context.deps.clock.now()
    chat, number = answer_message.chat_id, answer_message.message_id
    await context.deps.write_behind.settle((chat, number))  # its row may still be on its way
    return await context.in_session(lambda s: recall_answer(chat, number, session=s, now=now))


def _remember(
    context: BotContext,
    sent: Message,
    page: Page,
    answer: Answer,
    question: str,
    asked_with: AnswerContext | None,
) -> None:
    """Remember the answer sent, for its buttons and for replies that follow it up.

    Only answers with buttons or meetings are kept. The row is written behind the reply
    (deps.write_behind): the chat's next update does not wait for it, and _recall waits for
    the row it reads. A database that cannot take the row costs those extras, never the answer.
    """
    if page.keyboard is None and not answer.meetings:
        return
    now = context.deps.clock.now()
    context.deps.write_behind.put(
        (sent.chat_id, sent.message_id),
        lambda session: remember_answer(
            sent.chat_id,
            sent.message_id,
            answer,
            session=session,
            now=now,
            question=question,
            asked_with=asked_with,
        ),
    )


async def _send_page(target: Message, page: Page, *, quote: bool) -> Message:
    """Send page in target's chat (and topic), as a reply to target when quote is set."""
    return await target.reply_html(
        page.text,
        reply_markup=page.keyboard,
        link_preview_options=NO_PREVIEW,
        do_quote=target.build_reply_arguments(allow_sending_without_reply=True)
        if quote
        else False,
    )


async def ask_showing_typing(
    context: BotContext,
    message: Message,
    question: str,
    *,
    previous: AnswerContext | None = None,
) -> Answer | str:
    """ask_core, showing "typing…" in the chat only if the answer takes over TYPING_DELAY.

    Most answers are ready in milliseconds; a chat action for each would spend a request of
    the bot's 30 a second on nothing the user sees.
    """
    typing = asyncio.create_task(_show_typing(context, message, after=TYPING_DELAY))
    try:
        return await ask_core(context, question, previous=previous)
    finally:
        typing.cancel()


async def _show_typing(context: BotContext, message: Message, *, after: float) -> None:
    """Show "typing…" after a while; a failure here is only cosmetic."""
    await asyncio.sleep(after)
    try:
        await context.bot.send_chat_action(
            message.chat_id,
            ChatAction.TYPING,
            message_thread_id=message.message_thread_id if message.is_topic_message else None,
        )
    except TelegramError as exc:
        logger.info("Cannot show the typing indicator in %s: %s", message.chat_id, exc)


def _in_group(message: Message) -> bool:
    return message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


# --- finding the question of a button ----------------------------------------------------------


async def recall_question(
    context: BotContext, token: str, answer_message: Message
) -> RecalledAnswer | None:
    """The question behind token: from the answer's row, else in the message it replied to."""
    remembered = await _recall(context, answer_message)
    if remembered is not None and question_token(remembered.question) == token:
        return remembered
    original = answer_message.reply_to_message
    if original is None:
        return None
    candidate = question_from_message(original, context.bot.username)
    if candidate and question_token(candidate) == token:
        return RecalledAnswer(candidate, None)
    return None


# --- buttons -------------------------------------------------------------------------------


async def on_button(update: Update, context: BotContext) -> None:
    """A tap on More, on a suggestion, or on an example question."""
    query = update.callback_query
    if query is None:
        return
    action = parse_callback(query.data)
    message = query.message
    if action is None or not isinstance(message, Message):
        await _acknowledge(query, EXPIRED)
        return
    if action.kind == "ex":
        if not 0 <= action.number < len(EXAMPLE_QUESTIONS):
            await _acknowledge(query, EXPIRED)
            return
        await _acknowledge(query)
        await answer_and_reply(
            context, message, EXAMPLE_QUESTIONS[action.number], reply_to=message
        )
        return
    asked = await recall_question(context, action.token, message)
    if asked is None:
        await _acknowledge(query, EXPIRED)
        return
    # Answer the tap first: the client shows a spinner until then.
    await _acknowledge(query)
    if action.kind == "more":
        await _next_page(context, query.data or "", message, asked, action.number)
    elif action.kind in (PictureKind.GRAPH, PictureKind.TIMELINE):
        await _show_typing(context, message, after=0)  # a picture takes a while to draw
        # The picture replies to the question, as a page does, so it is seen whose it is.
        target, kind = _question_message(message), PictureKind(action.kind)
        await send_picture(
            context, target, kind, asked.question, quote=True, previous=asked.asked_with
        )
    else:
        await _ask_suggestion(context, message, asked, action.number)


async def _acknowledge(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a button tap (stops the client's spinner), even when the tap is old.

    Telegram refuses to answer a query after about 15 minutes; the tap still deserves its
    page, so that refusal is logged and the handler goes on.
    """
    try:
        await query.answer(text)
    except BadRequest as exc:
        reason = str(exc).lower()
        if "query is too old" not in reason and "query id is invalid" not in reason:
            raise
        logger.info("Late answer to a button tap: %s", exc)


async def _next_page(
    context: BotContext, data: str, message: Message, asked: RecalledAnswer, offset: int
) -> None:
    result = await ask_showing_typing(context, message, asked.question, previous=asked.asked_with)
    if isinstance(result, str):
        await message.reply_text(result, do_quote=False)
        return
    page = render_answer_page(result, token=question_token(asked.question), offset=offset)
    # The tapped button goes away, so the older page cannot send the same page twice.
    await _drop_button(message, data)
    # The new page replies to the question too, as the first page did.
    sent = await _send_page(_question_message(message), page, quote=True)
    _remember(context, sent, page, result, asked.question, asked.asked_with)


def _question_message(message: Message) -> Message:
    """The question an answer replied to, when it is in the same chat; else the answer."""
    target = message.reply_to_message or message
    return target if target.chat_id == message.chat_id else message


async def _drop_button(message: Message, data: str) -> None:
    markup = message.reply_markup
    if markup is None:
        return
    rows = [
        [button for button in row if button.callback_data != data]
        for row in markup.inline_keyboard
    ]
    kept = [row for row in rows if row]
    try:
        await message.edit_reply_markup(InlineKeyboardMarkup(kept) if kept else None)
    except BadRequest as exc:
        # Two quick taps: the first already removed it.
        if "not modified" not in str(exc).lower():
            raise


async def _ask_suggestion(
    context: BotContext, message: Message, asked: RecalledAnswer, index: int
) -> None:
    result = await ask_core(context, asked.question, previous=asked.asked_with)
    suggestion = suggestion_at(result, index) if not isinstance(result, str) else None
    if suggestion is None:
        await message.reply_text(EXPIRED, do_quote=False)
        return
    # A suggestion is a person's or a topic's name; asking it alone lists its meetings.
    await answer_and_reply(context, message, suggestion, reply_to=message)


# --- inline mode ---------------------------------------------------------------------------


async def on_inline_query(update: Update, context: BotContext) -> None:
    """@botname QUESTION in any chat: one result per meeting, or a button explaining why none."""
    query = update.inline_query
    if query is None:
        return
    text = query.query.strip()
    if not text:
        await query.answer([], button=_inline_button(INLINE_PROMPT), cache_time=300)
        return
    result = await ask_core(context, text)
    if isinstance(result, str):
        await query.answer([], button=_inline_button(result), cache_time=30)
        return
    results = render_inline_results(result)
    button = None if results else _inline_button(result.headline)
    # Answers change when admins edit records: keep Telegram's cache short.
    await query.answer(results, button=button, cache_time=30, is_personal=False)


def _inline_button(text: str) -> InlineQueryResultsButton:
    """A button above inline results that opens the private chat (/start help)."""
    return InlineQueryResultsButton(text=clip_plain(text, 64), start_parameter="help")


# --- membership ------------------------------------------------------------------------------


async def on_my_chat_member(update: Update, context: BotContext) -> None:
    """The bot was added to or removed from a chat: log it, greet a group, run the hooks."""
    member_update = update.my_chat_member
    if member_update is None:
        return
    chat = member_update.chat
    change = MembershipChange(
        chat_id=chat.id,
        chat_type=chat.type,
        chat_title=chat.title,
        old_status=member_update.old_chat_member.status,
        new_status=member_update.new_chat_member.status,
        by_user_id=member_update.from_user.id if member_update.from_user else None,
        at=context.deps.clock.now(),
    )
    if change.added:
        logger.info("Added to %s %s (%s) by %s", chat.type, chat.id, chat.title, change.by_user_id)
        if chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
            try:
                await context.bot.send_message(
                    chat.id, escape(GROUP_HELLO), parse_mode=ParseMode.HTML
                )
            except TelegramError as exc:
                logger.warning("Cannot greet %s: %s", chat.id, exc)
    elif change.removed:
        logger.info(
            "Removed from %s %s (%s): %s", chat.type, chat.id, chat.title, change.new_status
        )
    for hook in context.deps.membership_hooks:
        await hook(change, context)
