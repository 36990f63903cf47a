"""Admin operations on the records: validate, create, edit, delete, import, undo, history,
admins, aliases and merges.

One module a job: values.py (what admins type and what changes return), parsing.py (reading
admin input), rules.py (the meeting schema's checks as sentences), lookup.py (finding people,
issues and meetings), meetings.py (the changes), audit.py (audit entries and history),
undo.py, admins.py and aliases.py. Nothing here formats Telegram text: functions return plain
values and raise RecordError (or a subclass) whose message is one sentence for the admin.
"""

from bot.core.records.admins import grant_admin, is_admin, list_admins, revoke_admin
from bot.core.records.aliases import add_alias, merge_people, plan_merge
from bot.core.records.audit import meeting_history
from bot.core.records.lookup import (
    find_meeting,
    find_person,
    find_same_meeting,
    known_issues,
    match_person,
    resolve_issues,
    settle_participants,
)
from bot.core.records.meetings import (
    create_meeting,
    delete_meeting,
    edit_meeting,
    import_document,
    import_document_at,
)
from bot.core.records.parsing import (
    apply_field,
    canonical_field,
    local_today,
    parse_admin_date,
    parse_participant_line,
    split_list,
    split_sources,
)
from bot.core.records.rules import (
    check_field,
    check_participant,
    check_participant_count,
    validate_record,
)
from bot.core.records.undo import undo_last_change
from bot.core.records.values import (
    COMMAND_LINE_ACTOR,
    ChangeResult,
    ConflictError,
    FieldChange,
    IssueChoice,
    MeetingDraft,
    MeetingRecord,
    MergePlan,
    NotFoundError,
    ParticipantRecord,
    PersonCandidate,
    PersonMatch,
    RecordError,
    ValidationError,
)
from bot.core.snapshots import snapshot_meeting
from storage.db import CatalogBusy

__all__ = [
    "COMMAND_LINE_ACTOR",
    "CatalogBusy",
    "ChangeResult",
    "ConflictError",
    "FieldChange",
    "IssueChoice",
    "MeetingDraft",
    "MeetingRecord",
    "MergePlan",
    "NotFoundError",
    "ParticipantRecord",
    "PersonCandidate",
    "PersonMatch",
    "RecordError",
    "ValidationError",
    "add_alias",
    "apply_field",
    "canonical_field",
    "check_field",
    "check_participant",
    "check_participant_count",
    "create_meeting",
    "delete_meeting",
    "edit_meeting",
    "find_meeting",
    "find_person",
    "find_same_meeting",
    "grant_admin",
    "import_document",
    "import_document_at",
    "is_admin",
    "known_issues",
    "list_admins",
    "local_today",
    "match_person",
    "meeting_history",
    "merge_people",
    "parse_admin_date",
    "parse_participant_line",
    "plan_merge",
    "resolve_issues",
    "revoke_admin",
    "settle_participants",
    "snapshot_meeting",
    "split_list",
    "split_sources",
    "undo_last_change",
    "validate_record",
]
