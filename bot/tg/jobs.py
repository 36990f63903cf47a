"""Digest scheduling on PTB's JobQueue: one repeating tick that reads the Subscription table.

Every TICK_SECONDS, on the quarter minutes of the injected clock, the tick asks the core which
digests are due (bot/core/deliveries.py: due and not yet sent for the chat's local date) and
hands them to the DigestSender (bot/tg/fanout.py), which claims and sends them in the
background. The Subscription table is the only schedule: nothing has to be rebuilt at start-up
or updated when a subscription changes (a change counts from the next tick, on every replica),
and the same rule gives the catch-up after downtime: at start-up the first tick finds today's
digests that were missed and sends them, once, while their local day lasts. Send times are
whole minutes, so the tick on the minute sends them on time.

The sender has a Bot of its own, on the application's HTTP connection pool but without the
application's BotRateLimiter: the sender claims chats by its own SendLimiter, keeps one message
a second per chat and paces itself (bot/tg/fanout.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from telegram import Bot
from telegram.ext import Application, ContextTypes

from bot.tg.context import deps_of
from bot.tg.fanout import DigestSender

logger = logging.getLogger(__name__)

TICK_SECONDS = 15.0
TICK_JOB = "digest-tick"
SENDER_KEY = "meetbot.digest_sender"

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def digest_sender(application: AnyApplication) -> DigestSender:
    """Return the application's DigestSender, creating it on first use."""
    sender = application.bot_data.get(SENDER_KEY)
    if isinstance(sender, DigestSender):
        return sender
    deps = deps_of(application)
    own_bot = Bot(
        deps.settings.bot_token(),
        base_url=deps.settings.telegram_api_base_url,
        request=application.bot.request,
        get_updates_request=application.bot.request,
    )
    seen_running = {"yes": False}

    def spawn(coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        # Tasks made by the running application are awaited when it stops, so an interrupted
        # digest is handed back (marked for retry) before the process ends. Before it runs (a
        # tick by hand) the application would not await them; the sender's drain() does.
        if application.running:
            return application.create_task(coroutine, name="digest-fanout")
        return asyncio.create_task(coroutine, name="digest-fanout")

    def stopping() -> bool:
        # The application is "not running" both before start and after stop; only the latter
        # means "hand the remaining digests to the next start".
        if application.running:
            seen_running["yes"] = True
            return False
        return seen_running["yes"]

    sender = DigestSender(
        own_bot,
        engine=deps.engine,
        clock=deps.clock,
        should_stop=stopping,
        spawn=spawn,
    )
    application.bot_data[SENDER_KEY] = sender
    return sender


async def start_digest_jobs(application: AnyApplication) -> DigestSender:
    """Create the sender and schedule the tick: at once (catch-up), then every TICK_SECONDS."""
    sender = digest_sender(application)
    await sender.bot.initialize()
    # APScheduler logs two INFO lines for every run of a job; at four ticks a minute that
    # would bury the bot's own log.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("the digest needs python-telegram-bot[job-queue]")
    for job in job_queue.get_jobs_by_name(TICK_JOB):
        job.schedule_removal()
    now = deps_of(application).clock.now().timestamp()
    # A little past the boundary, so a digest due at hh:mm:00 is due when the tick reads the time.
    first = TICK_SECONDS - now % TICK_SECONDS + 0.05
    job_queue.run_once(digest_tick, when=0.5, name=TICK_JOB)
    job_queue.run_repeating(
        digest_tick,
        interval=TICK_SECONDS,
        first=first,
        name=TICK_JOB,
        job_kwargs={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
    )
    logger.info("Digest scheduler started by %s", sender.worker_id)
    return sender


async def digest_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue the digests due now; the sender delivers them in the background."""
    sender = digest_sender(context.application)
    added = await sender.tick()
    if added:
        logger.info("Digest tick: %d digest(s) due", added)
