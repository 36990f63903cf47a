"""Run an admin's change and report its error: where a domain error becomes the reply.

A handler that changes data calls run_change with the core call; the change and its audit entry
commit together in one session. When the core refuses (RecordError, InvalidImport for a file,
CatalogBusy when another change held the catalog lock too long), nothing is written, the admin
reads why, and the handler gets REPORTED back and stops:

    done = await run_change(update, context, lambda s: records.add_alias(..., session=s))
    if done is REPORTED:
        return

reported does the same for a change already running elsewhere (a big import in the child
process, bot/tg/admin/import_export.py). read_answer does the same for an answer of the /add
form that the core checks without the database. Also here: who is acting and what they typed
after the command.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

from sqlmodel import Session
from telegram import Update

from bot.core.interchange import InvalidImport
from bot.core.records import CatalogBusy, RecordError
from bot.tg.admin.render import DomainError, error_html, reply
from bot.tg.context import BotContext

T = TypeVar("T")


class Reported(enum.Enum):
    """What run_change returns when the change failed and the admin has been told why."""

    REPORTED = "reported"


REPORTED: Final = Reported.REPORTED


async def run_change(
    update: Update,
    context: BotContext,
    change: Callable[[Session], T],
    *,
    explain: Callable[[DomainError], str] = error_html,
    alert: bool = False,
) -> T | Reported:
    """Run change(session) in one committed session and return its value.

    On the change's domain error nothing is written, the admin is told why and REPORTED comes
    back: a reply with explain(error), after answering the pressed button if the update is one;
    with alert=True the plain error is the pressed button's popup instead of a reply. (A lookup
    that can fail like a change, such as finding a meeting by id, runs here as well.)
    """
    return await reported(update, context.in_session(change), explain=explain, alert=alert)


async def reported(
    update: Update,
    work: Awaitable[T],
    *,
    explain: Callable[[DomainError], str] = error_html,
    alert: bool = False,
) -> T | Reported:
    """Await a change running elsewhere (a thread, the child process) like run_change does."""
    try:
        return await work
    except (RecordError, InvalidImport, CatalogBusy) as exc:
        query = update.callback_query
        if query is not None and alert:
            await query.answer(str(exc)[:200], show_alert=True)
            return REPORTED
        if query is not None:
            await query.answer()
        await reply(update, explain(exc))
        return REPORTED


async def read_answer(
    update: Update,
    parse: Callable[[str], T],
    *,
    explain: Callable[[DomainError], str] = error_html,
) -> T | Reported:
    """Return parse(text of the message) for a form answer; on RecordError reply explain(error)."""
    try:
        return parse(answer_text(update))
    except RecordError as exc:
        await reply(update, explain(exc))
        return REPORTED


def actor_id(update: Update) -> int:
    """The Telegram user id of the admin who sent the update (audited as the change's actor)."""
    user = update.effective_user
    assert user is not None, "admin_only lets only identified users through"
    return user.id


def answer_text(update: Update) -> str:
    """The text of the message, as an answer to the form's question."""
    message = update.effective_message
    return (message.text or "") if message else ""


def command_argument(update: Update) -> str:
    """The text after the command word, new lines kept (for YAML and multi-line values)."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    parts = text.split(None, 1)
    return parts[1] if len(parts) > 1 else ""


def user_data(context: BotContext) -> dict[Any, Any]:
    """The sending admin's data in this process (only /import's "replace" waits there)."""
    data = context.user_data
    assert data is not None, "admin_only lets only identified users through"
    return data
