"""Names: /alias gives a person, organization or issue another name; /merge joins two records
of one person. Both are audited, and /undo takes them back (a merge splits again).

/merge first shows both people with their meetings and the buttons Merge and Cancel; only Merge
changes anything. The buttons carry both person ids, so they need no state: a second tap (the
person to remove is gone) is answered with a sentence.
"""

from __future__ import annotations

from sqlmodel import Session
from telegram import Update

from bot.core import records
from bot.core.records.values import MergeResult
from bot.tg.admin.change import REPORTED, actor_id, command_argument, run_change
from bot.tg.admin.render import merge_keyboard, merge_question, reply
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
    """/merge KEEP = DUPLICATE: show both people and their meetings, with Merge and Cancel."""
    pair = _pair(update)
    if pair is None:
        await reply(
            update,
            "Write /merge NAME TO KEEP = DUPLICATE NAME, for example "
            "/merge Ali Naghiyev = Ali Nagiev (or #ids).",
        )
        return
    plan = await run_change(update, context, lambda s: records.plan_merge(*pair, session=s))
    if plan is REPORTED:
        return
    await reply(
        update,
        merge_question(plan),
        merge_keyboard(plan.keep.person_id, plan.remove.person_id),
    )


def _button_ids(update: Update) -> tuple[int, int]:
    """The (keep, remove) person ids of a Merge or Cancel button."""
    query = update.callback_query
    assert query is not None
    _, _, keep, remove = (query.data or "").split(":", 3)
    return int(keep), int(remove)


@admin_only("merge")
async def merge_confirmed(update: Update, context: BotContext) -> None:
    """The Merge button: join the two people (audited; /undo splits them)."""
    query = update.callback_query
    assert query is not None
    keep, remove = _button_ids(update)
    deps, actor = context.deps, actor_id(update)

    def merge(session: Session) -> MergeResult:
        try:
            return records.merge_people(
                f"#{keep}", f"#{remove}", session=session, clock=deps.clock, actor_id=actor
            )
        except records.NotFoundError as exc:
            raise records.NotFoundError(f"{exc} {MERGE_GONE}") from exc

    done = await run_change(update, context, merge, alert=True)
    if done is REPORTED:
        return
    await query.answer("Merged.")
    await query.edit_message_text(_merged_text(done))


@admin_only("merge")
async def merge_declined(update: Update, context: BotContext) -> None:
    """Cancel: nothing is merged (and a Cancel after the merge says that it was done)."""
    query = update.callback_query
    assert query is not None
    keep, remove = _button_ids(update)

    def still_two(session: Session) -> bool:
        try:
            records.find_person(f"#{remove}", session=session)
        except records.NotFoundError:
            return False
        return True

    if not await context.in_session(still_two):
        await query.answer(f"Person #{remove} no longer exists. {MERGE_GONE}", show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(
        f"Cancelled; #{keep} and #{remove} stay two people, nothing was merged."
    )


# What a Merge or Cancel button says when the person to remove is gone: merged by this button
# before, or changed meanwhile.
MERGE_GONE = "This merge was done already, or the records changed; send /merge again if needed."


def _merged_text(done: MergeResult) -> str:
    noun = "meeting" if done.meetings_moved == 1 else "meetings"
    return (
        f"Merged {escape(done.removed_name)} (#{done.removed_id}) into "
        f"{escape(done.kept_name)} (#{done.kept_id}): {done.meetings_moved} {noun} moved. "
        "/undo splits them again."
    )
