"""The open form of the user who sent an update, read from and written to the database.

/add and a guided /edit keep their state in bot.core.forms (one row per chat and user), not in
PTB's memory: every step reads it and writes it back, so a restarted process or another replica
continues the same form. Here: the key of an update, starting a form, keeping or ending it after
a step, and the sentences for a form that expired or no longer exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlmodel import Session
from telegram import Update

from bot.core import forms
from bot.core.forms import Form
from bot.tg.context import BotContext

FORM_ENDED = "This form has ended; send /add to start again."
STEP_RACED = (
    "Another answer to this step came in at the same moment and was taken, so this one was "
    "not; please answer the last question again."
)
STALE_BUTTON = "This button belongs to an earlier step; answer the last question, or /cancel."


def form_key(update: Update) -> tuple[int, int] | None:
    """(chat id, user id) of the update, the key of the sender's form; None without either."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return None
    return chat.id, user.id


async def start_form(
    update: Update, context: BotContext, *, kind: str, step: str, data: Mapping[str, Any]
) -> str:
    """Open a new form for the sender (replacing theirs); return a note on the one replaced."""
    key = form_key(update)
    assert key is not None, "forms start from a user's message or button"
    clock, zone = context.deps.clock, context.deps.settings.default_zone

    def start(session: Session) -> Form | None:
        before = forms.find_form(*key, session=session)
        forms.save_form(*key, kind=kind, step=step, data=data, session=session, clock=clock)
        return before if before is not None and not before.is_expired(clock.now()) else None

    replaced = await context.in_session(start)
    if replaced is None:
        return ""
    when = _clock_time(replaced.updated_at, zone)
    return f"(Your {form_name(replaced)} from {when} is closed; nothing of it was saved.)\n\n"


async def keep_form(
    context: BotContext, form: Form, step: str | None, data: Mapping[str, Any]
) -> Form | None:
    """After a step: store the form at step with data (expiry moved on), or end it (None).

    Returns the form as written (None when ended): a second write in the same update goes over
    that one. Raises forms.FormChanged, writing nothing, when another update took a step of the
    form (or ended it) since form was read.
    """
    clock = context.deps.clock

    def write(session: Session) -> Form | None:
        if step is None:
            forms.end_form(form.chat_id, form.user_id, session=session)
            return None
        return forms.save_form(
            form.chat_id,
            form.user_id,
            kind=form.kind,
            step=step,
            data=data,
            session=session,
            clock=clock,
            started_at=form.started_at,
            over=form,
        )

    return await context.in_session(write)


def form_name(form: Form) -> str:
    """The form as a reply names it: "/add form", or "edit of meeting 12"."""
    if form.kind == "edit":
        return f"edit of meeting {form.data.get('meeting_id')}"
    return "/add form"


def expiry_notice(form: Form, zone: dt.tzinfo) -> str:
    """What an expired form lost, and how to start again."""
    minutes = int(form.ttl.total_seconds() // 60)
    when = _clock_time(form.updated_at, zone)
    if form.kind == "edit":
        meeting = form.data.get("meeting_id")
        return (
            f"Your edit of meeting {meeting} from {when} expired after {minutes} minutes; "
            f"nothing was changed. Send /edit {meeting} to start again."
        )
    return (
        f"Your /add form from {when} expired after {minutes} minutes; nothing was saved. "
        "Send /add to start again."
    )


def _clock_time(moment: dt.datetime, zone: dt.tzinfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")
