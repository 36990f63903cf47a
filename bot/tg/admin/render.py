"""The admin commands' messages: HTML text and buttons built from core values, and sending them.

Everything here escapes what admins typed. Builders are pure (text or keyboards in, no I/O);
reply and send_blocks are the only functions that talk to Telegram.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode

from bot.core.drafts.prefill import participant_path
from bot.core.interchange import InvalidImport
from bot.core.names import name_key
from bot.core.records import (
    CatalogBusy,
    FieldChange,
    IssueChoice,
    MeetingDraft,
    MergePlan,
    ParticipantRecord,
    PersonCandidate,
    RecordError,
    ValidationError,
)
from bot.core.records.values import COMMAND_LINE_ACTOR, AdminInfo, HistoryEntry, PersonMeetings
from bot.core.text import format_day
from bot.core.views import MeetingView, ParticipantView
from bot.tg.render import (
    NO_PREVIEW,
    escape,
    escape_clipped,
    join_blocks,
    render_meeting_card,
)

# The one error a change can end in: a records rule (RecordError) or an unusable import file.
DomainError = RecordError | InvalidImport | CatalogBusy

MAX_ERRORS_SHOWN = 20

FIELD_LABELS = {
    "date": "Date",
    "participants": "Participants",
    "location": "Location",
    "issues": "Issues",
    "sources": "Sources",
    "title": "Title",
    "summary": "Summary",
}
FIELD_PROMPTS = {
    "date": "the date, like 2023-11-14, 14.11.2023 or 14 Nov 2023",
    "participants": "all participants, one a line as Name, role, organization, country",
    "location": "the place",
    "issues": "the issues, separated by commas",
    "sources": "the source links, separated by spaces",
    "title": "the title",
    "summary": "the summary",
    "external_id": "the external id",
}


# The Merge and Cancel buttons under a /merge confirmation carry both person ids.
MERGE_BUTTON = "adm:mrgok"
MERGE_CANCEL_BUTTON = "adm:mrgno"
MERGE_ALIASES_SHOWN = 5


# --------------------------------------------------------------------------- sending


async def reply(
    update: Update, html: str, keyboard: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Reply to the update's message with HTML (no link previews), or do nothing without one."""
    message = update.effective_message
    if message is None:
        return None
    return await message.reply_text(
        html, parse_mode=ParseMode.HTML, reply_markup=keyboard, link_preview_options=NO_PREVIEW
    )


async def send_blocks(
    update: Update, blocks: list[str], keyboard: InlineKeyboardMarkup | None = None
) -> None:
    """Send blocks (each well under the limit) in as few messages as fit; keyboard on the last."""
    pages = join_blocks(blocks)  # UTF-16 units, as Telegram counts
    for page in pages[:-1]:
        await reply(update, page)
    if pages:
        await reply(update, pages[-1], keyboard)


# --------------------------------------------------------------------------- errors


def problems(exc: DomainError) -> list[str]:
    """The error's sentences: one per problem of a validation or an import file."""
    if isinstance(exc, ValidationError | InvalidImport):
        return list(exc.errors)
    return [str(exc)]


def error_html(exc: DomainError) -> str:
    """The error as the admin reads it: one escaped line per problem."""
    return "\n".join(escape(p) for p in problems(exc))


def import_errors_html(exc: DomainError, lead: str) -> str:
    """An unusable import: lead, the number of problems and the first MAX_ERRORS_SHOWN."""
    found = problems(exc)
    shown = [f"• {escape_clipped(p, 300)}" for p in found[:MAX_ERRORS_SHOWN]]
    if len(found) > MAX_ERRORS_SHOWN:
        shown.append(f"… and {len(found) - MAX_ERRORS_SHOWN} more.")
    noun = "problem" if len(found) == 1 else "problems"
    return f"{lead}; the file has {len(found)} {noun}:\n" + "\n".join(shown)


# --------------------------------------------------------------------------- meetings


def meeting_label(view: MeetingView) -> str:
    """'Meeting 12 (EXT-1)': the id and, when there is one, the external id."""
    suffix = f" ({escape(view.external_id)})" if view.external_id else ""
    return f"Meeting {view.id}{suffix}"


def meeting_keyboard(meeting_id: int) -> InlineKeyboardMarkup:
    """Edit and Delete under a saved meeting's card."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Edit", callback_data=f"adm:edit:{meeting_id}"),
                InlineKeyboardButton("Delete", callback_data=f"adm:del:{meeting_id}"),
            ]
        ]
    )


def delete_keyboard(meeting_id: int) -> InlineKeyboardMarkup:
    """Delete or Keep, under the card /delete asks about."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Delete", callback_data=f"adm:delok:{meeting_id}"),
                InlineKeyboardButton("Keep", callback_data=f"adm:delno:{meeting_id}"),
            ]
        ]
    )


def merge_keyboard(keep_id: int, remove_id: int) -> InlineKeyboardMarkup:
    """Merge or Cancel, under the two people /merge asks about."""
    ids = f"{keep_id}:{remove_id}"
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Merge", callback_data=f"{MERGE_BUTTON}:{ids}"),
                InlineKeyboardButton("Cancel", callback_data=f"{MERGE_CANCEL_BUTTON}:{ids}"),
            ]
        ]
    )


def merge_question(plan: MergePlan) -> str:
    """The /merge confirmation: both people, their meeting counts and latest meetings."""
    keep, remove = plan.keep, plan.remove
    return "\n\n".join(
        [
            f"Merge <b>{escape(remove.name)}</b> (#{remove.person_id}) into "
            f"<b>{escape(keep.name)}</b> (#{keep.person_id})? Their meetings and names move to "
            f"{escape(keep.name)}, and #{remove.person_id} is removed; /undo splits them again.",
            _merge_side("Keep", keep),
            _merge_side("Remove", remove),
        ]
    )


def _merge_side(role: str, person: PersonMeetings) -> str:
    country = f", {escape(person.country)}" if person.country else ""
    noun = "meeting" if person.meeting_count == 1 else "meetings"
    lines = [
        f"{role}: <b>{escape(person.name)}</b> (#{person.person_id}{country}), "
        f"{person.meeting_count} {noun}" + (":" if person.latest else ".")
    ]
    if person.aliases:
        shown = [escape_clipped(a, 60) for a in person.aliases[:MERGE_ALIASES_SHOWN]]
        more = len(person.aliases) - len(shown)
        lines.append("Also called " + ", ".join(shown) + (f" and {more} more." if more else "."))
    for meeting_id, day, label in person.latest:
        about = f": {escape_clipped(label, 80)}" if label else ""
        lines.append(f"• {format_day(day)}, meeting {meeting_id}{about}")
    if person.meeting_count > len(person.latest):
        lines.append(f"• and {person.meeting_count - len(person.latest)} earlier")
    return "\n".join(lines)


def field_keyboard(prefix: str, fields: Sequence[str], back: str | None) -> InlineKeyboardMarkup:
    """One button per field (callback data prefix + field), three a row, and « Back if given."""
    buttons = [
        InlineKeyboardButton(FIELD_LABELS[name], callback_data=f"{prefix}{name}")
        for name in fields
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    if back:
        rows.append([InlineKeyboardButton("« Back", callback_data=back)])
    return InlineKeyboardMarkup(rows)


def value_prompt(name: str, meeting_id: int | None = None) -> str:
    """Ask for a field's new value ("-" clears the optional ones)."""
    clears = "" if name in ("date", "participants") else " “-” clears it."
    if meeting_id is None:
        return f"Send {escape(FIELD_PROMPTS[name])}.{clears}"
    return f"Send {escape(FIELD_PROMPTS[name])} for meeting {meeting_id}.{clears} /cancel stops."


def describe_changes(changes: Sequence[FieldChange]) -> list[str]:
    """One line per changed field: before → after, long values clipped.

    The participants are told as a difference: + who joined, − who left, and whose role
    changed (before → after), not the whole list twice.
    """
    lines = []
    for change in changes:
        if change.field == "participants" and change.before and change.after:
            lines.extend(_participant_lines(change))
            continue
        before, after = (
            escape_clipped(_shown(change.field, value), 300) if value else "—"
            for value in (change.before, change.after)
        )
        lines.append(f"• {escape(change.field)}: {before} → {after}")
    return lines


def _shown(field: str, value: str) -> str:
    """A field's value as people read it: a date as "14 November 2023", not ISO."""
    if field == "date":
        try:
            return format_day(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return value


def _participant_lines(change: FieldChange) -> list[str]:
    lines = [f"• {escape(change.field)}:"]
    lines += [f"   + {escape_clipped(person, 300)}" for person in change.added]
    lines += [f"   − {escape_clipped(person, 300)}" for person in change.removed]
    lines += [
        f"   {escape(who)}: {escape_clipped(old, 300)} → {escape_clipped(new, 300)}"
        for who, old, new in change.changed
    ]
    if len(lines) == 1:
        lines[0] += " the same people, in a new order"
    return lines


def history_blocks(reference: str, entries: Sequence[HistoryEntry], zone: dt.tzinfo) -> list[str]:
    """A meeting's history: each change with its time in zone, its author and what changed."""
    blocks = [f"<b>History of meeting {escape(reference.lstrip('#'))}</b>"]
    for entry in entries:
        local = entry.at.astimezone(zone)
        at = f"{format_day(local.date())}, {local:%H:%M}"
        who = (
            "the system"
            if entry.actor_id is None
            else "the command line"
            if entry.actor_id == COMMAND_LINE_ACTOR
            else f"user {entry.actor_id}"
        )
        undone = " (undone)" if entry.undone else ""
        blocks += ["", f"<b>{at}</b> {escape(entry.action)} by {who}{undone}"]
        blocks += describe_changes(entry.changes)
    return blocks


# --------------------------------------------------------------------------- the /add form


def draft_view(draft: MeetingDraft) -> MeetingView:
    """The draft as a meeting card shows it (id 0: not saved yet); the draft has its date."""
    assert draft.date is not None
    return MeetingView(
        id=0,
        external_id=None,
        date=draft.date,
        location=draft.location,
        title=draft.title,
        summary=draft.summary,
        participants=tuple(
            ParticipantView(p.name, p.title, p.organization, p.country) for p in draft.participants
        ),
        issues=tuple(draft.issues),
        sources=tuple(draft.sources),
    )


def preview_keyboard() -> InlineKeyboardMarkup:
    """Save, Edit and Cancel under the /add preview."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Save", callback_data="adm:add:save"),
                InlineKeyboardButton("Edit", callback_data="adm:add:edit"),
                InlineKeyboardButton("Cancel", callback_data="adm:add:cancel"),
            ]
        ]
    )


def same_meeting_question(view: MeetingView) -> str:
    """One sentence naming the meeting on record that a Save would repeat, then its card."""
    names = [p.name for p in view.participants]
    shown = names if len(names) <= 4 else [*names[:3], f"{len(names) - 3} others"]
    people = ", ".join(shown[:-1]) + f" and {shown[-1]}" if len(shown) > 1 else "".join(shown)
    title = f", “{escape_clipped(view.title, 200)}”" if view.title else ""
    return (
        f"<b>{meeting_label(view)}</b>{title}, the meeting of {escape(people)} on "
        f"{format_day(view.date)}, is already on record; save yours as a new meeting anyway?"
        f"\n\n{render_meeting_card(view)}"
    )


def same_meeting_keyboard(meeting_id: int) -> InlineKeyboardMarkup:
    """Save as new, Edit and Cancel under the question; Save carries the meeting it was asked
    about, so the question of an earlier draft cannot save a later one."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Save as new", callback_data=f"adm:add:new:{meeting_id}"),
                InlineKeyboardButton("Edit", callback_data="adm:add:edit"),
                InlineKeyboardButton("Cancel", callback_data="adm:add:cancel"),
            ]
        ]
    )


def preview_blocks(
    draft: MeetingDraft,
    notes: Sequence[str],
    to_fix: Sequence[str],
    marks: Mapping[str, str] | None = None,
) -> list[str]:
    """The /add preview: the card, title and summary, the fields marked as unsure (a draft
    from an article), notes on issues, and what to fix."""
    extra = [
        f"{label}: {escape_clipped(value, limit)}"
        for label, value, limit in (("Title", draft.title, 500), ("Summary", draft.summary, 600))
        if value
    ]
    blocks = [
        "<b>Preview</b> · nothing is saved until you press Save.\n",
        render_meeting_card(draft_view(draft)),
        *extra,
    ]
    if marks:
        blocks += ["", "Check these (press Edit to change them):"]
        blocks += [
            f"⚠ {escape(_mark_label(draft, path))}: {escape(why)}" for path, why in marks.items()
        ]
    blocks += ["", *notes] if notes else []
    if to_fix:
        blocks += ["", "To fix before saving (press Edit):", *map(escape, to_fix)]
    return blocks


def _mark_label(draft: MeetingDraft, path: str) -> str:
    """A marked field as the admin reads it: "Location", or "Pia Kauma: country"."""
    found = participant_path(path)
    if found is None:
        return FIELD_LABELS.get(path, path)
    index, part = found[0], found[1].lstrip(".") or "participant"
    people = draft.participants
    who = people[index].name if index < len(people) else f"participant {index + 1}"
    return f"{who}: {part}"


def person_question(
    person: ParticipantRecord, candidates: Sequence[PersonCandidate]
) -> tuple[str, InlineKeyboardMarkup]:
    """Ask whether a participant is someone on record: "Is this …?" or "Which … is this?"."""
    first = candidates[0]
    if len(candidates) == 1:
        buttons = [
            InlineKeyboardButton("Yes", callback_data=f"adm:p:{first.person_id}"),
            InlineKeyboardButton("New person", callback_data="adm:p:new"),
        ]
        return f"Is this {escape(first.label)}?", InlineKeyboardMarkup([buttons])
    rows = [
        [InlineKeyboardButton(c.label[:60], callback_data=f"adm:p:{c.person_id}")]
        for c in candidates
    ]
    rows.append([InlineKeyboardButton("New person", callback_data="adm:p:new")])
    return f"Which {escape(person.name)} is this?", InlineKeyboardMarkup(rows)


def issues_question(known: Sequence[tuple[str, Sequence[str]]]) -> str:
    """Ask for the issues, listing the most used ones with synonyms that map to them."""
    hint = "".join(
        f"\n• {escape(name)}"
        + (f" ({escape_clipped(', '.join(aliases[:4]), 120)})" if aliases else "")
        for name, aliases in known
    )
    hint = f"\nKnown issues, with synonyms that map to them:{hint}" if hint else ""
    return f"Which issues did they discuss? Separate them with commas, or /skip.{hint}"


def issue_notes(choices: Sequence[IssueChoice]) -> list[str]:
    """Say which typed issues became a recorded one, and suggest a name for new ones."""
    notes = []
    for c in choices:
        if c.existing and name_key(c.typed) != name_key(c.name):
            notes.append(f"“{escape(c.typed)}” is recorded as the issue {escape(c.name)}.")
        elif not c.existing and c.suggestion:
            notes.append(
                f"“{escape(c.typed)}” is a new issue; did you mean {escape(c.suggestion)}? "
                "Press Edit to change it."
            )
    return notes


# --------------------------------------------------------------------------- admins


def admins_lines(admins: Sequence[AdminInfo]) -> list[str]:
    """/admins: the ADMIN_IDS admins and the granted ones, with who granted them and when."""
    lines = ["<b>Bot admins</b>"]
    for admin in admins:
        if admin.source == "settings":
            lines.append(f"• {admin.user_id} (ADMIN_IDS setting)")
        else:
            when = format_day(admin.granted_at.date()) if admin.granted_at else "?"
            lines.append(f"• {admin.user_id}, granted by {admin.granted_by} on {when}")
    if len(lines) == 1:
        lines.append("None yet: set ADMIN_IDS.")
    return lines
