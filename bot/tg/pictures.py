"""Pictures in Telegram: /graph and /timeline, and the sender that asking's buttons and
"show who … met" questions use too.

The core draws (bot.core.pictures.make_picture, in a worker thread through context.in_session,
so the event loop keeps serving while matplotlib works); this module only sends the PNG bytes
with their caption, clipped to Telegram's 1024 UTF-16 units, or the core's one sentence when
there is nothing to draw.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler, filters

from bot.core.followups import AnswerContext
from bot.core.pictures import PictureError, PictureKind, make_picture
from bot.tg.commands import BotCommandInfo
from bot.tg.context import BotContext, HandlerList
from bot.tg.render import clip_plain, tg_len

CAPTION_LIMIT = 1024  # Telegram's limit for a photo's caption, in UTF-16 units

COMMANDS = [
    BotCommandInfo("graph", "Who met whom, as a picture, e.g. /graph Pia Kauma 2024"),
    BotCommandInfo("timeline", "Meetings over time, as a picture, e.g. /timeline Kauma"),
]

USAGE = {
    PictureKind.GRAPH: "Name a person, an organisation or a topic, e.g. /graph Pia Kauma 2024",
    PictureKind.TIMELINE: "Name a person, an organisation or a topic, e.g. /timeline Kauma",
}


def handlers() -> HandlerList:
    """/graph and /timeline."""
    new_messages = filters.UpdateType.MESSAGE
    return [
        CommandHandler("graph", cmd_graph, filters=new_messages),
        CommandHandler("timeline", cmd_timeline, filters=new_messages),
    ]


async def cmd_graph(update: Update, context: BotContext) -> None:
    """/graph NAME|ORGANIZATION|TOPIC [time window]: the network around it."""
    await _command(update, context, PictureKind.GRAPH)


async def cmd_timeline(update: Update, context: BotContext) -> None:
    """/timeline NAME|ORGANIZATION|TOPIC [time window]: its meetings over time."""
    await _command(update, context, PictureKind.TIMELINE)


async def _command(update: Update, context: BotContext, kind: PictureKind) -> None:
    message = update.effective_message
    if message is None:
        return
    query = " ".join(context.args or ())
    group = message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    if not query:
        await message.reply_text(USAGE[kind], do_quote=group)
        return
    await send_picture(context, message, kind, query, quote=group)


async def send_picture(
    context: BotContext,
    target: Message,
    kind: PictureKind,
    query: str,
    *,
    quote: bool,
    previous: AnswerContext | None = None,
) -> Message:
    """Draw kind for query (a follow-up of previous, if given) and send it in target's chat
    (replying to target when quote)."""
    today = context.deps.today()
    reply_to = target.build_reply_arguments(allow_sending_without_reply=True) if quote else False
    try:
        picture = await context.in_session(
            lambda session: make_picture(
                kind, query, session=session, today=today, context=previous
            )
        )
    except PictureError as exc:
        return await target.reply_text(str(exc), do_quote=reply_to)
    caption = picture.caption  # its line breaks are kept unless it must be cut
    if tg_len(caption) > CAPTION_LIMIT:
        caption = clip_plain(caption, CAPTION_LIMIT)
    return await target.reply_photo(
        photo=picture.png,
        caption=caption,
        filename=f"{kind.value}.png",
        do_quote=reply_to,
    )
