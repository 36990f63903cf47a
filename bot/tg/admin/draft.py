"""/draft: a meeting record drafted from a news article, checked in the /add preview, then saved.

An admin, in a private chat, sends `/draft URL` (or `/draft` with the article's text), or just
a message that is a news link, a forwarded post, or a text too long to be a question. The link
is fetched off the event loop by the application's Fetcher (public addresses only, time and
size limits; bot.core.drafts.fetch), the text read into an Article, and bot.core.drafts
extracts one draft per meeting. Each opens the /add form filled in (add.start_prefilled): the
people on record are asked about ("Is this …?"), a missing date is asked for, and the preview
marks what the article did not say for sure; Save, Edit, Cancel, expiry and /undo are the /add
form's own. Nothing is written before Save. A non-admin's link or long text is left to asking,
as a question, and never fetched.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace

from telegram import Message, Update
from telegram.constants import ChatType

from bot.core.drafts import Article, extract_drafts
from bot.core.drafts.article import NotAnArticle, article_from_text
from bot.core.drafts.fetch import FetchError
from bot.core.drafts.messages import is_article_message, link_alone
from bot.core.drafts.prefill import prefill
from bot.core.drafts.sources import article_from_link
from bot.tg.admin import add
from bot.tg.admin.add_state import AddState
from bot.tg.admin.change import command_argument
from bot.tg.admin.render import reply
from bot.tg.auth import admin_only, sender_hint, user_is_bot_admin
from bot.tg.context import BotContext
from bot.tg.render import escape

USAGE = (
    "Send /draft with a link to a news article (/draft https://…), or paste the article's "
    "text after /draft; a link or a forwarded post on its own works too."
)
NO_MEETING = "I found no meeting in that article; send /add to enter it by hand."


@admin_only("draft")
async def cmd_draft(update: Update, context: BotContext) -> None:
    """/draft URL, or /draft followed by the article's text."""
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        await reply(update, "Send /draft to me in a private chat; the draft is yours to check.")
        return
    body = command_argument(update).strip()
    if not body:
        await reply(update, USAGE)
        return
    url = link_alone(body)
    if url is not None:
        await draft_from_link(update, context, url)
    else:
        await draft_from_text(update, context, body, published=None)


async def take_article_message(update: Update, context: BotContext) -> bool:
    """Draft from an admin's private message that is an article; True when it was one.

    What is an article is bot.core.drafts.messages.is_article_message's rule. The sender is
    checked only then, and silently: a non-admin's message goes on to be answered as a question
    (never fetched).
    """
    message = update.message
    if message is None or not message.text or message.chat.type != ChatType.PRIVATE:
        return False
    text = message.text
    if not is_article_message(text, forwarded=message.forward_origin is not None):
        return False
    user = update.effective_user
    if sender_hint(message) or not await user_is_bot_admin(context, user.id if user else None):
        return False
    url = link_alone(text)
    if url is not None:
        await draft_from_link(update, context, url)
    else:
        await draft_from_text(update, context, text, published=_forwarded_day(message, context))
    return True


async def draft_from_link(update: Update, context: BotContext, url: str) -> None:
    """Fetch the link (in a worker thread, within the Fetcher's limits) and offer its drafts."""
    deps = context.deps
    try:
        article = await asyncio.to_thread(
            article_from_link, url, fetcher=deps.fetcher, today=deps.today()
        )
    except (FetchError, NotAnArticle) as exc:
        await reply(update, escape(str(exc)))
        return
    await _offer(update, context, article)


async def draft_from_text(
    update: Update, context: BotContext, text: str, *, published: dt.date | None
) -> None:
    """Read pasted or forwarded text (published: the post's date, if known) and offer drafts."""
    try:
        article = article_from_text(text, published=published)
    except NotAnArticle as exc:
        await reply(update, escape(str(exc)))
        return
    await _offer(update, context, article)


async def _offer(update: Update, context: BotContext, article: Article) -> None:
    """Extract the drafts (off the event loop) and open the /add form with the first."""
    drafts = await context.in_session(lambda s: extract_drafts(article, session=s))
    if not drafts:
        await reply(update, NO_MEETING)
        return
    if len(drafts) > 1:
        await reply(
            update, f"The article reports {len(drafts)} meetings; here is the first to check."
        )
    states = []
    for draft in drafts:
        filled = prefill(draft)
        # The participants are confirmed one by one ("Is this …?"), then join the draft.
        people = filled.meeting.participants
        states.append(
            AddState(
                draft=replace(filled.meeting, participants=[]),
                unsettled=people,
                marks=filled.marks,
            )
        )
    await add.start_prefilled(update, context, states)


def _forwarded_day(message: Message, context: BotContext) -> dt.date | None:
    """The original post's date of a forwarded message, in the bot's time zone; else None."""
    origin = message.forward_origin
    if origin is None:
        return None
    return origin.date.astimezone(context.deps.settings.default_zone).date()
