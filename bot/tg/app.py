"""The composition root: build the Application from its parts, and run it (polling or webhook).

Feature modules (bot/tg/asking.py, the bot/tg/admin/ package, bot/tg/subscriptions.py,
bot/tg/pictures.py) each expose

* `handlers() -> list[BaseHandler]`: their handlers, registered in FEATURES order;
* `COMMANDS: list[BotCommandInfo]`: their commands, for setMyCommands and /help;
* optionally `async def on_startup(application) -> None`: run in post_init, after the command
  list is published (the digest schedules its jobs here);
* optionally `async def on_bot_membership(change: MembershipChange, context) -> None`: run when
  the bot is added to or removed from a chat (a removed bot deactivates a subscription).

Adding a feature is one import and one entry in FEATURES. Everything a handler needs comes from
`context.deps` (bot/tg/context.py).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

from sqlalchemy import Engine
from telegram import Update
from telegram.error import (
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
)
from telegram.ext import Application, ApplicationBuilder, BaseHandler
from telegram.request import BaseRequest

import bot
from bot.config import Settings, SettingsError, load_settings
from bot.core.clock import Clock, SystemClock
from bot.core.records import list_admins
from bot.tg import admin, asking, pictures, subscriptions
from bot.tg.commands import BotCommandInfo, publish_commands
from bot.tg.context import CONTEXT_TYPES, DEPS_KEY, BotContext, Deps, deps_of, run_in_session
from bot.tg.limiter import BotRateLimiter
from bot.tg.updates import PerChatUpdateProcessor
from storage.db import DatabaseError, create_db_engine, default_database_url, session_scope

# Feature modules, in the order their handlers are tried. asking comes last: its catch-all
# handlers (any private text is a question) must not shadow another feature's conversation.
# The admin helper adds `from bot.tg import admin` and puts admin first; the digest helper adds
# `from bot.tg import subscriptions` before asking.
FEATURES: tuple[ModuleType, ...] = (admin, subscriptions, pictures, asking)

logger = logging.getLogger(__name__)

EXIT_SETTINGS = 2
EXIT_FAILURE = 1
SORRY = "Sorry, something went wrong while handling that; please try again in a moment."
# Updates the bot reacts to; chat_member stays off (it needs admin rights and is noisy).
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.CHANNEL_POST,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
    Update.MY_CHAT_MEMBER,
]
# Start-up (getMe, deleteWebhook/setWebhook) survives a short network outage, then gives up.
BOOTSTRAP_RETRIES = 3


def collect_commands(features: Sequence[ModuleType]) -> tuple[BotCommandInfo, ...]:
    """Every feature's COMMANDS in menu order: asking's first, everyone's, then the admin ones.

    Not FEATURES order, which is the order handlers are tried in (admin first, asking last):
    the menu and /help start with what most users came for, /ask.
    """
    ordered = sorted(features, key=lambda feature: feature is not asking)
    infos = [info for feature in ordered for info in getattr(feature, "COMMANDS", ())]
    return tuple(sorted(infos, key=lambda info: info.scope == "admin"))


def build_application(
    settings: Settings,
    *,
    engine: Engine,
    clock: Clock,
    request: BaseRequest | None = None,
) -> Application[Any, BotContext, Any, Any, Any, Any]:
    """Build the bot: handlers, error handler, rate limiter, timeouts and shared deps.

    Updates run concurrently, one chat's in order (bot/tg/updates.py).

    request replaces the HTTP client for every Bot API call (tests pass a recording one).
    Raises SettingsError when the token is missing or a placeholder.
    """
    builder = (
        ApplicationBuilder()
        .token(settings.bot_token())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(_file_url(settings.telegram_api_base_url))
        .context_types(CONTEXT_TYPES)
        .rate_limiter(BotRateLimiter())
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        timeout = settings.telegram_timeout
        builder = (
            builder.connect_timeout(timeout)
            .read_timeout(timeout)
            .write_timeout(timeout)
            .pool_timeout(timeout)
            .get_updates_connect_timeout(timeout)
            .get_updates_read_timeout(timeout)
            .get_updates_write_timeout(timeout)
            .get_updates_pool_timeout(timeout)
        )
    application: Application[Any, BotContext, Any, Any, Any, Any] = builder.build()

    deps = Deps(settings=settings, engine=engine, clock=clock, commands=collect_commands(FEATURES))
    for feature in FEATURES:
        if hasattr(feature, "on_startup"):
            deps.startup_hooks.append(feature.on_startup)
        if hasattr(feature, "on_bot_membership"):
            deps.membership_hooks.append(feature.on_bot_membership)
    application.bot_data[DEPS_KEY] = deps

    handlers: list[BaseHandler[Any, BotContext, Any]] = []
    for feature in FEATURES:
        handlers.extend(feature.handlers())
    # The catch-alls (private text, group mentions and replies, unknown commands) go last.
    handlers.extend(asking.catch_all_handlers())
    application.add_handlers(handlers)
    # Open forms (state in the database) are tried before every other handler; a form that
    # takes an update stops it there.
    for feature in FEATURES:
        if hasattr(feature, "form_handlers"):
            application.add_handlers(feature.form_handlers(), group=feature.FORMS_GROUP)
    application.add_error_handler(on_error)
    return application


def _file_url(base_url: str) -> str:
    """The file download URL that belongs to a Bot API base URL (…/bot -> …/file/bot)."""
    if base_url.endswith("/bot"):
        return base_url[: -len("bot")] + "file/bot"
    return base_url.rstrip("/") + "/file/bot"


async def _post_init(application: Application[Any, BotContext, Any, Any, Any, Any]) -> None:
    """Publish the command menu (admins' own in their chats), then run the start-up hooks."""
    deps = deps_of(application)
    bootstrap = deps.settings.admin_ids
    # Granted admins too: their menus must follow a command list that changed since the grant.
    admin_ids = await run_in_session(
        deps.engine,
        lambda session: [a.user_id for a in list_admins(session=session, bootstrap_ids=bootstrap)],
    )
    try:
        await publish_commands(application.bot, deps.commands, admin_ids)
    except TelegramError as exc:
        # A menu that failed to update is cosmetic; the bot still answers.
        logger.warning("Cannot publish the command list: %s", exc)
    for hook in deps.startup_hooks:
        await hook(application)


async def on_error(update: object, context: BotContext) -> None:
    """Log the error with its traceback and tell the user in one sentence; never raise."""
    error = context.error
    if isinstance(error, Forbidden):
        # Blocked or kicked: there is nobody to tell.
        logger.warning("Telegram refused a request (%s) for update %s", error, _update_id(update))
        return
    logger.error("Error while handling update %s", _update_id(update), exc_info=error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            try:
                await update.callback_query.answer(SORRY, show_alert=True)
                return
            except TelegramError:
                pass  # already answered, or too old: say it in the chat instead
        if update.effective_chat is not None and update.effective_message is not None:
            await context.bot.send_message(update.effective_chat.id, SORRY)
    except TelegramError as exc:
        logger.warning("Cannot tell the user about the error: %s", exc)


async def _post_shutdown(application: Application[Any, BotContext, Any, Any, Any, Any]) -> None:
    """Write what is queued behind the replies; stop the child process of big imports, after
    the import it is running, if any."""
    deps = deps_of(application)
    await deps.write_behind.close()
    await deps.worker.shutdown()


def _update_id(update: object) -> object:
    return update.update_id if isinstance(update, Update) else update


def run_bot(*, webhook: bool | None = None) -> None:
    """Run the bot until SIGINT or SIGTERM: long polling, or a webhook server.

    webhook=None takes the mode from BOT_MODE. Start-up problems (settings, database, a token
    Telegram refuses, an unreachable Bot API) are printed as one sentence and end the process
    with a non-zero exit status.
    """
    try:
        settings = load_settings()
        _configure_logging(settings)
        use_webhook = webhook if webhook is not None else settings.bot_mode == "webhook"
        if use_webhook:
            settings.webhook_path()  # a missing WEBHOOK_URL is a settings error, said now
        engine = create_db_engine(
            settings.database_url or default_database_url(settings.meetbot_data_dir)
        )
        _load_seeds(engine, settings.meetbot_seeds_dir)
        application = build_application(settings, engine=engine, clock=SystemClock())
    except SettingsError as exc:
        _fail(str(exc), EXIT_SETTINGS)
    except DatabaseError as exc:
        _fail(str(exc), EXIT_FAILURE)
    logger.info(
        "meetbot %s starting (%s)", bot.__version__, "webhook" if use_webhook else "polling"
    )
    try:
        if use_webhook:
            secret = settings.webhook_secret_token
            application.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=settings.webhook_path(),
                webhook_url=settings.webhook_url,
                secret_token=secret.get_secret_value() if secret else None,
                allowed_updates=ALLOWED_UPDATES,
                bootstrap_retries=BOOTSTRAP_RETRIES,
            )
        else:
            application.run_polling(
                allowed_updates=ALLOWED_UPDATES, bootstrap_retries=BOOTSTRAP_RETRIES
            )
    except InvalidToken:
        _fail(
            "Telegram refused TELEGRAM_BOT_TOKEN (unauthorized); copy the token from @BotFather "
            "again.",
            EXIT_FAILURE,
        )
    except NetworkError as exc:
        _fail(
            f"Cannot reach the Telegram Bot API at {settings.telegram_api_base_url} ({exc}).",
            EXIT_FAILURE,
        )
    finally:
        engine.dispose()
    logger.info("meetbot stopped")


def _load_seeds(engine: Engine, folder: Path | None) -> None:
    # Imported here: the seed loader brings the import format, needed only on an empty database.
    from bot.core.seeds import load_seeds_if_empty

    with session_scope(engine) as session:
        load_seeds_if_empty(session=session, clock=SystemClock(), folder=folder)


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        level=settings.log_level,
        force=True,  # the CLI set up terse logging for one-shot commands; a server wants more
    )
    # httpx logs every request URL at INFO, and the URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("telegram.ext").addFilter(_short_bootstrap_failure)


def _short_bootstrap_failure(record: logging.LogRecord) -> bool:
    """Log a failed start-up without PTB's traceback: run_bot says what went wrong."""
    prefix = str(record.args[0]) if isinstance(record.args, tuple) and record.args else ""
    if record.exc_info and prefix.startswith("Network Retry Loop (Bootstrap"):
        record.exc_info = None
        record.exc_text = None
    return True


def _fail(message: str, code: int) -> NoReturn:
    print(f"meetbot: {message}", file=sys.stderr)
    raise SystemExit(code)
