"""The /add conversation: a guided form in a private chat, or one message with a YAML block.

The form asks for the date, the participants (one a message; a name close to someone on record
asks "Is this …?"), the place, the issues and the source, then shows a preview with Save, Edit
and Cancel. Edit changes one field of the draft and shows the preview again; Save creates the
meeting with its audit entry. Nothing is written before Save. When a meeting on record has the
draft's date and people (records.find_same_meeting), Save names it instead and waits at the
step "same" for Save as new, Edit or Cancel. The draft is a form in the database
(bot.core.forms, kind "add"): registration.route_form reads it on every update,
add_router.continue_add calls the step's function here with the AddState and stores the step
it returns (None ends it).
"""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session
from telegram import Update
from telegram.constants import ChatType, ParseMode

from bot.core import forms, records
from bot.core.drafts.prefill import drop_marks
from bot.core.records import (
    MeetingRecord,
    ParticipantRecord,
    PersonCandidate,
    ValidationError,
)
from bot.core.text import format_day
from bot.core.views import MeetingView, load_meeting_views
from bot.tg.admin.add_state import AddState
from bot.tg.admin.change import (
    REPORTED,
    actor_id,
    command_argument,
    read_answer,
    run_change,
)
from bot.tg.admin.forms import FORM_ENDED, STALE_BUTTON, form_key, keep_form, start_form
from bot.tg.admin.import_export import add_from_yaml
from bot.tg.admin.render import (
    FIELD_LABELS,
    error_html,
    field_keyboard,
    issue_notes,
    issues_question,
    meeting_keyboard,
    person_question,
    preview_blocks,
    preview_keyboard,
    reply,
    same_meeting_keyboard,
    same_meeting_question,
    send_blocks,
    value_prompt,
)
from bot.tg.auth import admin_only
from bot.tg.context import BotContext
from bot.tg.render import NO_PREVIEW, escape, render_meeting_card

# What a step returns to end the form.
END = None

# The steps of the form, as stored in its row.
ADD_DATE = "date"
ADD_PEOPLE = "people"
ADD_PERSON = "person"
ADD_LOCATION = "location"
ADD_ISSUES = "issues"
ADD_SOURCE = "source"
ADD_PREVIEW = "preview"
ADD_EDIT_FIELD = "edit_field"
ADD_EDIT_VALUE = "edit_value"
ADD_SAME = "same"  # Save found the meeting on record: save anyway, edit, or cancel

Step = str | None

DATE_QUESTION = "When did it take place? For example 2023-11-14, 14.11.2023, 14 Nov 2023 or today."
PEOPLE_QUESTION = (
    "Who took part? Send one participant a message as "
    "<i>Name, role, organization, country</i>; send /done after the last one."
)
NEXT_PERSON = "Send the next participant, or /done."
SOURCE_QUESTION = "Source link? Send the URL, or /skip."


def _skipped(text: str) -> bool:
    """/skip (or any command) answers an optional question with nothing."""
    return text.startswith("/")


# --------------------------------------------------------------------------- start


@admin_only("add")
async def cmd_add(update: Update, context: BotContext) -> None:
    """/add: start the guided form in a private chat, or add the meetings of a YAML block."""
    body = command_argument(update)
    if body.strip():
        await add_from_yaml(update, context, body)
        return
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE or form_key(update) is None:
        await reply(update, "Send /add to me in a private chat; the form asks a few questions.")
        return
    note = await start_form(update, context, kind="add", step=ADD_DATE, data=AddState().to_data())
    await reply(
        update,
        note
        + "Let's add a meeting. /cancel stops at any step and saves nothing.\n\n"
        + DATE_QUESTION,
    )


# --------------------------------------------------------------------------- form steps


async def add_date(update: Update, context: BotContext, state: AddState) -> Step:
    """The date step: any form parse_admin_date reads, not more than a day ahead."""
    today = context.deps.today()
    day = await read_answer(
        update,
        lambda text: records.check_field(
            "date", records.parse_admin_date(text, today=today), today=today
        ),
    )
    if day is REPORTED:
        return ADD_DATE
    state.draft.date = day
    if state.prefilled:
        state.marks = drop_marks(state.marks, "date")
        return await _advance(update, context, state)
    await _write(context, state, ADD_PEOPLE)
    await reply(update, f"Date: <b>{format_day(day)}</b>.\n\n{PEOPLE_QUESTION}")
    return ADD_PEOPLE


async def add_participant(update: Update, context: BotContext, state: AddState) -> Step:
    """One participant a message; a sure match is reused, a likely one is asked about."""
    count = len(state.draft.participants)

    def parse(text: str) -> ParticipantRecord:
        records.check_participant_count(count + 1)
        return records.check_participant(records.parse_participant_line(text))

    person = await read_answer(update, parse)
    if person is REPORTED:
        return ADD_PEOPLE
    match = await context.in_session(
        lambda s: records.match_person(person.name, session=s, country=person.country)
    )
    if match.exact is not None:
        return await _take_participant(update, context, state, person, match.exact)
    if match.candidates:
        state.pending, state.candidates = person, match.candidates
        question, keyboard = person_question(person, match.candidates)
        await _write(context, state, ADD_PERSON)
        await reply(update, question, keyboard)
        return ADD_PERSON
    return await _take_participant(update, context, state, person, None)


async def _take_participant(
    update: Update,
    context: BotContext,
    state: AddState,
    person: ParticipantRecord,
    known: PersonCandidate | None,
    *,
    new_person: bool = False,
) -> Step:
    """Add person to the draft (as the known person, or new) and ask for the next one."""
    if known is not None:
        person = replace(person, person_id=known.person_id, name=known.name)
    elif new_person:
        person = replace(person, new_person=True)
    then = "" if state.prefilled else f" {NEXT_PERSON}"
    if state.draft.has_participant(person):
        text = f"{escape(person.name)} is already a participant.{then}"
    else:
        state.draft.participants.append(person)
        how = f"on record as {escape(known.label)}" if known else "new person"
        text = f"Added {escape(person.describe())} ({how}).{then}"
    state.pending, state.candidates = None, ()
    await _write(context, state, ADD_PEOPLE)
    message = update.effective_message
    if update.callback_query is not None and message is not None:
        await update.callback_query.edit_message_text(text, parse_mode=ParseMode.HTML)
    else:
        await reply(update, text)
    if state.prefilled:
        return await _advance(update, context, state)
    return ADD_PEOPLE


async def add_person_choice(update: Update, context: BotContext, state: AddState) -> Step:
    """The answer to "Is this …?": one of the people offered, or a new person."""
    query = update.callback_query
    assert query is not None
    if state.pending is None:
        await query.answer("This question is no longer open.")
        return None
    await query.answer()
    choice = (query.data or "").rsplit(":", 1)[-1]
    if choice == "new":
        return await _take_participant(
            update, context, state, state.pending, None, new_person=True
        )
    known = next((c for c in state.candidates if str(c.person_id) == choice), None)
    if known is None:
        return ADD_PERSON
    return await _take_participant(update, context, state, state.pending, known)


async def add_person_waiting(update: Update, context: BotContext, state: AddState) -> Step:
    """Text while the "Is this …?" question is open."""
    await reply(update, "Please answer with the buttons above, or /cancel.")
    return ADD_PERSON


async def add_done(update: Update, context: BotContext, state: AddState) -> Step:
    """/done after the participants: at least two are needed."""
    count = len(state.draft.participants)
    if count < 2:
        await reply(
            update,
            f"A meeting needs at least two participants; you have sent {count}. Send another one.",
        )
        return ADD_PEOPLE
    await _write(context, state, ADD_LOCATION)
    await reply(update, "Where did it take place? Send the place, or /skip.")
    return ADD_LOCATION


async def add_location(update: Update, context: BotContext, state: AddState) -> Step:
    """The place, or /skip."""
    location = await read_answer(
        update, lambda text: None if _skipped(text) else records.check_field("location", text)
    )
    if location is REPORTED:
        return ADD_LOCATION
    state.draft.location = location
    known = await context.in_session(lambda s: records.known_issues(session=s, limit=15))
    await _write(context, state, ADD_ISSUES)
    await reply(update, issues_question(known))
    return ADD_ISSUES


async def add_issues(update: Update, context: BotContext, state: AddState) -> Step:
    """Issues, comma-separated; synonyms of existing issues are mapped to them."""
    names = await read_answer(
        update,
        lambda text: (
            [] if _skipped(text) else records.check_field("issues", records.split_list(text))
        ),
    )
    if names is REPORTED:
        return ADD_ISSUES
    choices = await context.in_session(lambda s: records.resolve_issues(names, session=s))
    state.draft.issues = list(dict.fromkeys(c.name for c in choices))
    state.notes = issue_notes(choices)
    await _write(context, state, ADD_SOURCE)
    await reply(update, SOURCE_QUESTION)
    return ADD_SOURCE


async def add_source(update: Update, context: BotContext, state: AddState) -> Step:
    """Source links, or /skip; then the preview card."""
    urls = await read_answer(
        update,
        lambda text: (
            [] if _skipped(text) else records.check_field("sources", records.split_sources(text))
        ),
        explain=lambda exc: error_html(exc) + "\n" + SOURCE_QUESTION,
    )
    if urls is REPORTED:
        return ADD_SOURCE
    state.draft.sources = urls
    return await _show_preview(update, context, state)


# --------------------------------------------------------------------------- preview


async def _show_preview(update: Update, context: BotContext, state: AddState) -> Step:
    try:
        records.validate_record(state.draft.as_record(), today=context.deps.today())
        to_fix: list[str] = []
    except ValidationError as exc:
        # Not a refusal: the preview lists what to fix, and Edit is one press away.
        to_fix = list(exc.errors)
    await _write(context, state, ADD_PREVIEW)
    blocks = preview_blocks(state.draft, state.notes, to_fix, state.marks)
    await send_blocks(update, blocks, preview_keyboard())
    return ADD_PREVIEW


async def add_save(update: Update, context: BotContext, state: AddState) -> Step:
    """Save: create the meeting, unless one on record has its date and people; then ask."""
    return await _save(update, context, state, check=True)


async def add_save_anyway(update: Update, context: BotContext, state: AddState) -> Step:
    """Save as new, under the question naming the meeting already on record."""
    query = update.callback_query
    assert query is not None
    if (query.data or "").rsplit(":", 1)[-1] != str(state.same_as):
        await query.answer(STALE_BUTTON)  # the question of an earlier draft of the queue
        return ADD_SAME
    return await _save(update, context, state, check=False)


class _OnRecord(Exception):
    """Save found the meeting on record (its view): the save's transaction rolls back."""

    def __init__(self, view: MeetingView) -> None:
        super().__init__(f"meeting {view.id} is on record")
        self.view = view


async def _save(update: Update, context: BotContext, state: AddState, *, check: bool) -> Step:
    """Create the meeting (with its audit entry) and show its card in the pressed message;
    with check, a meeting on record with the draft's date and people is named instead."""
    query = update.callback_query
    assert query is not None
    deps, actor, draft, key = context.deps, actor_id(update), state.draft, form_key(update)
    assert key is not None

    def save(session: Session) -> tuple[int, list[MeetingView]]:
        # The form ends first, in the meeting's transaction: of two Saves at once (a double
        # tap reaching two replicas) the second finds no form and writes nothing.
        forms.end_form(*key, session=session, must_exist=True)
        record = draft.as_record()
        same = records.find_same_meeting(record, session=session) if check else None
        if same is not None:
            raise _OnRecord(load_meeting_views([same], session=session)[0])
        # create_meeting validates the record, once.
        result = records.create_meeting(
            record, session=session, clock=deps.clock, actor_id=actor, today=deps.today()
        )
        return result.meeting_id, load_meeting_views([result.meeting_id], session=session)

    try:
        saved = await run_change(
            update,
            context,
            save,
            explain=lambda exc: error_html(exc) + "\nPress Edit to fix it, or Cancel.",
        )
    except forms.FormEnded:
        await query.answer(FORM_ENDED)
        return END
    except _OnRecord as found:  # rolled back: the form is as it was
        return await _ask_save_anyway(update, context, state, found.view)
    if saved is REPORTED:
        return ADD_PREVIEW
    meeting_id, views = saved
    state.written = True  # the form ended in the meeting's transaction
    await query.answer("Saved.")
    card = render_meeting_card(views[0]) if views else ""
    await query.edit_message_text(
        f"Saved as <b>meeting {meeting_id}</b>. /undo takes it back.\n\n{card}",
        parse_mode=ParseMode.HTML,
        reply_markup=meeting_keyboard(meeting_id),
        link_preview_options=NO_PREVIEW,
    )
    return await _next_draft(update, context, state)


async def _ask_save_anyway(
    update: Update, context: BotContext, state: AddState, view: MeetingView
) -> Step:
    """Name the meeting on record and offer Save as new, Edit and Cancel (step "same")."""
    query = update.callback_query
    assert query is not None
    state.same_as = view.id
    await _write(context, state, ADD_SAME)
    await query.answer()
    # The preview stays above, without its buttons: the question below takes the choice.
    await query.edit_message_reply_markup(None)
    await reply(update, same_meeting_question(view), same_meeting_keyboard(view.id))
    return ADD_SAME


async def add_edit(update: Update, context: BotContext, state: AddState) -> Step:
    """Edit on the preview: choose the field to change."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await _write(context, state, ADD_EDIT_FIELD)
    await query.edit_message_reply_markup(
        field_keyboard("adm:add:f:", list(FIELD_LABELS), back="adm:add:back")
    )
    return ADD_EDIT_FIELD


async def add_back(update: Update, context: BotContext, state: AddState) -> Step:
    """« Back from the field buttons to Save / Edit / Cancel."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await _write(context, state, ADD_PREVIEW)
    await query.edit_message_reply_markup(preview_keyboard())
    return ADD_PREVIEW


async def add_edit_field(update: Update, context: BotContext, state: AddState) -> Step:
    """A field button on the preview: ask for its new value."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    name = (query.data or "").rsplit(":", 1)[-1]
    if name not in FIELD_LABELS:
        return ADD_EDIT_FIELD
    state.edit_field = name
    await _write(context, state, ADD_EDIT_VALUE)
    await reply(update, value_prompt(name))
    return ADD_EDIT_VALUE


async def add_edit_value(update: Update, context: BotContext, state: AddState) -> Step:
    """The new value of the field chosen on the preview; then the preview again."""
    if state.edit_field is None or state.draft.date is None:
        return END
    today = context.deps.today()
    draft, name = state.draft, state.edit_field

    def parse(text: str) -> MeetingRecord:
        changed = records.apply_field(draft.as_record(), name, text, today=today)
        return records.validate_record(changed, today=today)

    checked = await read_answer(update, parse)
    if checked is REPORTED:
        return ADD_EDIT_VALUE
    record = checked
    if name == "participants":
        people = record.participants
        settled = await context.in_session(
            lambda s: records.settle_participants(people, session=s)
        )
        record = replace(record, participants=settled)
    if name == "issues":
        typed = record.issues
        choices = await context.in_session(lambda s: records.resolve_issues(typed, session=s))
        record = replace(record, issues=tuple(dict.fromkeys(c.name for c in choices)))
        state.notes = issue_notes(choices)
    draft.update_from(record)
    state.edit_field = None
    state.marks = drop_marks(state.marks, name)
    return await _show_preview(update, context, state)


async def add_cancel_button(update: Update, context: BotContext, state: AddState) -> Step:
    """Cancel on the preview."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await _write(context, state, END)
    await query.edit_message_text("Cancelled; nothing was saved.")
    return await _next_draft(update, context, state)


# --------------------------------------------------------------------------- prefilled forms


async def start_prefilled(update: Update, context: BotContext, states: list[AddState]) -> Step:
    """Open the form filled in (from an article): confirm its people, then the preview.

    Each state holds one draft with its marks and its participants in `unsettled`; the ones
    after the first wait in its queue and are offered in turn after Save or Cancel.
    """
    first = replace(states[0], prefilled=True, queue=[s.to_data() for s in states[1:]])
    note = await start_form(update, context, kind="add", step=ADD_PREVIEW, data=first.to_data())
    if note:
        await reply(update, note.strip())
    key = form_key(update)
    assert key is not None
    first.form = await context.in_session(lambda s: forms.find_form(*key, session=s))
    return await _advance(update, context, first)


async def _advance(update: Update, context: BotContext, state: AddState) -> Step:
    """A prefilled form's next question: the next participant on record, the date, else the
    preview. A participant nobody on record resembles joins as a new person."""
    while state.unsettled:
        person, state.unsettled = state.unsettled[0], state.unsettled[1:]
        match = await context.in_session(
            lambda s, p=person: records.match_person(p.name, session=s, country=p.country)  # type: ignore[misc]
        )
        offered = (match.exact,) if match.exact is not None else match.candidates
        if offered:
            state.pending, state.candidates = person, offered
            question, keyboard = person_question(person, offered)
            await _write(context, state, ADD_PERSON)
            await reply(update, question, keyboard)
            return ADD_PERSON
        if not state.draft.has_participant(person):  # an article's person has no id yet
            state.draft.participants.append(person)
    if state.draft.date is None:
        await _write(context, state, ADD_DATE)
        why = escape(state.marks.get("date") or "the article does not say")
        await reply(update, f"When did the meeting take place? ({why})\n{DATE_QUESTION}")
        return ADD_DATE
    return await _show_preview(update, context, state)


async def _next_draft(update: Update, context: BotContext, state: AddState) -> Step:
    """After Save or Cancel: the next draft of the same article, if one waits; else the end."""
    if not state.queue:
        return END
    state.written = True  # the next form replaces this one
    left = len(state.queue)
    await reply(update, f"The article reports another meeting ({left} more to check).")
    return await start_prefilled(update, context, [AddState.from_data(d) for d in state.queue])


async def _write(context: BotContext, state: AddState, step: Step) -> None:
    """Store the form at step (None ends it) before the reply that tells the admin so.

    A process that dies after the reply has then kept what the reply said; one that dies
    before it leaves the admin without an answer, and the same message again finds the step
    already taken ("already a participant"), never a step silently lost.
    """
    if state.form is not None:
        state.form = await keep_form(context, state.form, step, state.to_data()) or state.form
        state.written = True
