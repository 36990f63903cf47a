"""Names: /alias gives a person, organization or issue another name; /merge joins two records
of one person. Both are audited, and /undo takes them back (a merge splits again).
"""

from __future__ import annotations

from telegram import Update

from bot.core import records
from bot.tg.admin.change import REPORTED, actor_id, command_argument, run_change
from bot.tg.admin.render import reply
from bot.tg.auth import admin_only
from bot.tg.context import BotContext
from bot.tg.render import escape


def _pair(update: Update) -> tuple[str, str] | None:
    """The two names of `/command A = B`, or None when either is missing."""
    left, sep, right = command_argument(update).partition("=")
    if not sep or not left.strip() or not right.strip():
        return None
    return left.strip(), right.strip()


@admin_only("alias")
async def cmd_alias(update: Update, context: BotContext) -> None:
    """/alias NAME = OTHER: another name for a person, organization or issue."""
    pair = _pair(update)
    if pair is None:
        await reply(
            update, "Write /alias NAME = OTHER NAME, for example /alias OSCE PA = PA OSCE."
        )
        return
    deps, actor = context.deps, actor_id(update)
    done = await run_change(
        update,
        context,
        lambda s: records.add_alias(*pair, session=s, clock=deps.clock, actor_id=actor),
    )
    if done is REPORTED:
        return
    await reply(
        update,
        f"“{escape(done.alias)}” is now another name of the {done.entity} "
        f"{escape(done.name)}. /undo takes it back.",
    )


@admin_only("merge")
async def cmd_merge(update: Update, context: BotContext) -> None:
    """/merge KEEP = DUPLICATE: one person recorded twice becomes one."""
    pair = _pair(update)
    if pair is None:
        await reply(
            update,
            "Write /merge NAME TO KEEP = DUPLICATE NAME, for example "
            "/merge Ali Naghiyev = Ali Nagiev (or #ids).",
        )
        return
    deps, actor = context.deps, actor_id(update)
    done = await run_change(
        update,
        context,
        lambda s: records.merge_people(*pair, session=s, clock=deps.clock, actor_id=actor),
    )
    if done is REPORTED:
        return
    noun = "meeting" if done.meetings_moved == 1 else "meetings"
    await reply(
        update,
        f"Merged {escape(done.removed_name)} (#{done.removed_id}) into "
        f"{escape(done.kept_name)} (#{done.kept_id}): {done.meetings_moved} {noun} moved. "
        "/undo splits them again.",
    )
