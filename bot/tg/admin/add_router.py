"""Which step of the /add form an update answers: a text, a command (/done, /skip) or a button.

registration.route_form calls continue_add with the sender's open form (kind "add"); the tables
here pick the step's function in add.py, which gets the AddState read from the form's row, and
the step it returns is stored (None ends the form). A button of another step is answered with
a sentence and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from telegram import Update

from bot.core import forms
from bot.tg.admin.add import (
    ADD_DATE,
    ADD_EDIT_FIELD,
    ADD_EDIT_VALUE,
    ADD_ISSUES,
    ADD_LOCATION,
    ADD_PEOPLE,
    ADD_PERSON,
    ADD_PREVIEW,
    ADD_SAME,
    ADD_SOURCE,
    Step,
    add_back,
    add_cancel_button,
    add_date,
    add_done,
    add_edit,
    add_edit_field,
    add_edit_value,
    add_issues,
    add_location,
    add_participant,
    add_person_choice,
    add_person_waiting,
    add_save,
    add_save_anyway,
    add_source,
)
from bot.tg.admin.add_state import AddState
from bot.tg.admin.forms import FORM_ENDED, STALE_BUTTON, keep_form
from bot.tg.admin.render import reply
from bot.tg.context import BotContext

StepFunction = Callable[[Update, BotContext, AddState], Awaitable[Step]]

# What a text message answers at each step.
_TEXT_STEPS: dict[str, StepFunction] = {
    ADD_DATE: add_date,
    ADD_PEOPLE: add_participant,
    ADD_PERSON: add_person_waiting,
    ADD_LOCATION: add_location,
    ADD_ISSUES: add_issues,
    ADD_SOURCE: add_source,
    ADD_EDIT_VALUE: add_edit_value,
}
# The commands a step takes (/cancel is the router's, at every step).
_COMMAND_STEPS: dict[tuple[str, str], StepFunction] = {
    (ADD_PEOPLE, "done"): add_done,
    (ADD_LOCATION, "skip"): add_location,
    (ADD_ISSUES, "skip"): add_issues,
    (ADD_SOURCE, "skip"): add_source,
}
_PREVIEW_STEPS = frozenset({ADD_PREVIEW, ADD_EDIT_FIELD, ADD_EDIT_VALUE})
# The question "already on record" (ADD_SAME) takes Save anyway, Edit and Cancel.
_SAME_STEPS = frozenset({ADD_SAME})
_BUTTONS: list[tuple[re.Pattern[str], frozenset[str], StepFunction]] = [
    (re.compile(r"^adm:p:(\d{1,9}|new)$"), frozenset({ADD_PERSON}), add_person_choice),
    (re.compile(r"^adm:add:save$"), _PREVIEW_STEPS, add_save),
    (re.compile(r"^adm:add:new:\d{1,10}$"), _SAME_STEPS, add_save_anyway),
    (re.compile(r"^adm:add:edit$"), _PREVIEW_STEPS | _SAME_STEPS, add_edit),
    (re.compile(r"^adm:add:cancel$"), _PREVIEW_STEPS | _SAME_STEPS, add_cancel_button),
    (re.compile(r"^adm:add:f:\w+$"), _PREVIEW_STEPS, add_edit_field),
    (re.compile(r"^adm:add:back$"), _PREVIEW_STEPS, add_back),
]
ANSWER_THE_QUESTION = "Please answer the question above, or send /cancel to stop."


async def continue_add(
    update: Update, context: BotContext, form: forms.Form, command: str | None
) -> Step:
    """Take one update of an open /add form at its step, store the step it leads to (None ends
    the form) and return that step.

    command is the command word of a message (/done, /skip), None for text and buttons.
    """
    state = AddState.from_data(form.data)
    state.form = form
    query = update.callback_query
    step_function: StepFunction | None
    if query is not None:
        data = query.data or ""
        found = [(steps, fn) for pattern, steps, fn in _BUTTONS if pattern.match(data)]
        if not found:
            await query.answer(FORM_ENDED)
            return form.step
        steps, step_function = found[0]
        if form.step not in steps:
            if step_function is add_person_choice:
                await query.answer("This question is no longer open.")
            else:
                await query.answer(STALE_BUTTON)
            return form.step
    elif command is not None:
        step_function = _COMMAND_STEPS.get((form.step, command))
    else:
        step_function = _TEXT_STEPS.get(form.step)
    if step_function is None:
        await reply(update, ANSWER_THE_QUESTION)
        return form.step
    step = await step_function(update, context, state)
    if not state.written:
        try:
            await keep_form(context, form, step, state.to_data())
        except forms.FormChanged:
            # This update changed nothing (a question asked again); the other one stands.
            return form.step
    return step
