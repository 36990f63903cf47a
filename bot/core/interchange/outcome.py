"""What an import did: to each meeting of the file, and in counts to the records around them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class MeetingOutcome:
    """What an import did to one meeting of the file: added, updated (which fields), unchanged."""

    at: int  # the meeting's index in the file (meetings[at])
    meeting_id: int
    date: dt.date
    external_id: str | None
    status: Literal["added", "updated", "unchanged"]
    fields: tuple[str, ...] = ()  # for "updated": the fields that changed, in the file's words

    def describe(self) -> str:
        """Return one line, e.g. "meetings[2]: updated meeting 7 (2024-04-02, id t1): title"."""
        key = f", id {self.external_id}" if self.external_id else ""
        line = f"meetings[{self.at}]: {self.status} meeting {self.meeting_id} ({self.date}{key})"
        return line + (f": {', '.join(self.fields)}" if self.fields else "")


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import changed: meetings added, updated, unchanged, and the records around them."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    people_added: int = 0
    people_updated: int = 0
    organizations_added: int = 0
    organizations_updated: int = 0
    issues_added: int = 0
    issues_updated: int = 0
    # The meetings added, then those updated, each in file order.
    meeting_ids: tuple[int, ...] = ()
    # Every meeting of the file, in file order (empty for results added together, as seeds do).
    meetings: tuple[MeetingOutcome, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether anything at all was written."""
        return any(
            (
                self.added,
                self.updated,
                self.people_added,
                self.people_updated,
                self.organizations_added,
                self.organizations_updated,
                self.issues_added,
                self.issues_updated,
            )
        )

    def describe(self) -> str:
        """Return one line for people: meetings first, then the other records that changed."""
        line = f"{self.added} meeting(s) added, {self.updated} updated, {self.unchanged} unchanged"
        others = [
            (self.people_added, "person added", "people added"),
            (self.people_updated, "person updated", "people updated"),
            (self.organizations_added, "organisation added", "organisations added"),
            (self.organizations_updated, "organisation updated", "organisations updated"),
            (self.issues_added, "issue added", "issues added"),
            (self.issues_updated, "issue updated", "issues updated"),
        ]
        extra = [f"{n} {one if n == 1 else many}" for n, one, many in others if n]
        return line + (f"; {', '.join(extra)}" if extra else "") + "."


# The snapshot keys an import can change, as the import format names them.
_FIELD_NAMES = {
    "external_id": "id",
    "date": "date",
    "location": "location",
    "title": "title",
    "summary": "summary",
    "sources": "source",
    "participants": "participants",
    "issues": "issues",
    "deleted_at": "deleted (restored)",
}


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, ...]:
    """Return the fields of the import format whose values differ between two snapshots."""
    return tuple(name for key, name in _FIELD_NAMES.items() if before.get(key) != after.get(key))
