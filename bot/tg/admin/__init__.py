"""Admin commands: /add, /draft, /edit, /delete, /undo, /history, /import, /export, /grant,
/revoke, /admins, /alias, /merge and /cancel.

One module a job:

* add.py: the /add form (steps, preview, Save / Edit / Cancel, and the question when the
  meeting is already on record), also filled in from an article; add_state.py: its state and
  JSON; add_router.py: which step a text, command or button answers;
* draft.py: /draft, and an admin's news link or forwarded article: fetched, extracted, and
  opened as a filled-in /add form;
* forms.py: the sender's open form in the database (start, keep, end; expiry sentences);
* edit.py: /edit (at once or guided), /delete with confirmation, /undo and /history;
* import_export.py: /import of a YAML or JSON document, /add with YAML, and /export;
* rights.py: /grant, /revoke and /admins;
* aliases.py: /alias, and /merge with confirmation;
* render.py: the HTML text and buttons of admin messages, and sending them;
* change.py: run_change, the one helper that runs a core change in a session and turns its
  domain error into the reply (and who acts, what they typed);
* registration.py: the router of open forms, the handler list (/import conversation and its
  time-out, /cancel) and COMMANDS.

Handlers are thin: they check the sender (bot/tg/auth.py), read the message, call one function
of bot/core/records/ inside one session (so a change and its audit entry commit together),
and reply with escaped HTML. The /add form and a guided /edit live in the database (one row per
chat and user, read on every update), so a restart or another replica continues them; they
expire after ADMIN_CONVERSATION_TIMEOUT of silence and the next message says what was lost.

Callback data (at most 64 bytes), all under "adm:":
  adm:p:<person id>|new     the /add question "Is this …?"
  adm:add:save|edit|cancel|back, adm:add:f:<field>   the /add preview card
  adm:add:new:<id>          Save as new, when meeting <id> has the draft's date and people
  adm:edit:<id>, adm:ef:<id>:<field>                 a saved meeting's Edit button
  adm:del:<id>, adm:delok:<id>, adm:delno:<id>       delete with confirmation
  adm:mrgok:<keep>:<remove>, adm:mrgno:<keep>:<remove>   /merge's Merge and Cancel
"""

from bot.tg.admin.registration import (
    ADMIN_CONVERSATION_TIMEOUT,
    COMMANDS,
    FORMS_GROUP,
    form_handlers,
    handlers,
)

__all__ = ["ADMIN_CONVERSATION_TIMEOUT", "COMMANDS", "FORMS_GROUP", "form_handlers", "handlers"]
