"""The command list: what setMyCommands publishes and what /help shows.

Feature modules declare `COMMANDS: list[BotCommandInfo]`; bot/tg/app.py collects them in
registration order. Commands with scope "admin" are published only in the private chats of the
admins (BotCommandScopeChat per admin id), so other users never see them in the menu.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

logger = logging.getLogger(__name__)

Scope = Literal["all", "admin"]


@dataclass(frozen=True, slots=True)
class BotCommandInfo:
    """A command for setMyCommands and /help; scope "admin" shows it to admins only."""

    command: str
    description: str
    scope: Scope = "all"

    def __post_init__(self) -> None:
        # Telegram's own limits: 1-32 lowercase letters, digits, underscores; 1-256 characters.
        if not (1 <= len(self.command) <= 32) or not all(
            c.islower() or c.isdigit() or c == "_" for c in self.command
        ):
            raise ValueError(f"invalid command name {self.command!r}")
        if not (1 <= len(self.description) <= 256):
            raise ValueError(f"description of /{self.command} must be 1-256 characters")


def visible_commands(commands: Iterable[BotCommandInfo], *, admin: bool) -> list[BotCommandInfo]:
    """The commands a user sees: everyone's, plus the admin ones for an admin; first wins."""
    seen: set[str] = set()
    shown = []
    for info in commands:
        if info.command in seen or (info.scope == "admin" and not admin):
            continue
        seen.add(info.command)
        shown.append(info)
    return shown


async def publish_commands(
    bot: Bot, commands: Sequence[BotCommandInfo], admin_ids: Iterable[int]
) -> None:
    """Register the menu: everyone's commands by default, admin commands in admins' chats.

    A failure for one admin (who never opened a chat with the bot: "chat not found") is logged
    and does not stop the others; a failure of the default list is raised.
    """
    everyone = [
        BotCommand(c.command, c.description) for c in visible_commands(commands, admin=False)
    ]
    admins = [BotCommand(c.command, c.description) for c in visible_commands(commands, admin=True)]
    await bot.set_my_commands(everyone, scope=BotCommandScopeDefault())
    for admin_id in dict.fromkeys(admin_ids):
        try:
            await bot.set_my_commands(admins, scope=BotCommandScopeChat(admin_id))
        except TelegramError as exc:
            logger.warning("Cannot set the admin command list for %s: %s", admin_id, exc)
