"""The audit trail of the records: writing an entry, and reading a meeting's history as diffs.

Meeting entries hold snapshots (bot/core/snapshots.py) before and after the change, one shape
for edits and imports; entries written by imports before that shape was shared hold the import
format, which _flatten still reads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.names import name_key
from bot.core.records.lookup import find_meeting
from bot.core.records.parsing import EDITABLE_FIELDS
from bot.core.records.values import FieldChange, HistoryEntry, MeetingRecord, ParticipantRecord
from bot.core.snapshots import is_legacy_snapshot, is_snapshot
from storage.models import AuditEntry
from storage.repository import add_audit_entry


def write_audit(
    *,
    session: Session,
    clock: Clock,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry:
    """Write the audit entry of a change now, so the caller can report its id."""
    entry = add_audit_entry(
        session=session,
        at=clock.now(),
        actor_id=actor_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
    )
    session.flush()
    return entry


def record_from_snapshot(snap: dict[str, Any]) -> MeetingRecord:
    """Return the record a snapshot describes, its people tied to their ids."""
    return MeetingRecord(
        date=dt.date.fromisoformat(snap["date"]),
        participants=tuple(
            ParticipantRecord(
                name=p["name"],
                title=p["title"],
                organization=p["organization"],
                country=p["country"],
                person_id=p["person_id"],
            )
            for p in snap["participants"]
        ),
        location=snap["location"],
        title=snap["title"],
        summary=snap["summary"],
        sources=tuple(snap["sources"]),
        issues=tuple(i["name"] for i in snap["issues"]),
        external_id=snap["external_id"],
    )


def flatten_snapshot(snap: dict[str, Any] | None) -> dict[str, str | None]:
    """Return a meeting's fields as display text, from either audit shape."""
    if snap is None:
        return {}

    own = not is_legacy_snapshot(snap)
    sources = snap.get("sources") if own else snap.get("source")
    if isinstance(sources, str):
        sources = [sources]
    issues = [i["name"] if isinstance(i, dict) else str(i) for i in snap.get("issues") or ()]
    return {
        "date": str(snap["date"]),
        "location": snap.get("location"),
        "title": snap.get("title"),
        "summary": snap.get("summary"),
        "sources": ", ".join(sources or ()) or None,
        "participants": "; ".join(_person(p) for p in snap.get("participants") or ()) or None,
        "issues": ", ".join(issues) or None,
        "external_id": snap.get("external_id") if own else snap.get("id"),
        "deleted": "yes" if snap.get("deleted_at") else None,
    }


def diff_snapshots(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> tuple[FieldChange, ...]:
    """Return the fields whose display text differs between two meeting snapshots."""
    old, new = flatten_snapshot(before), flatten_snapshot(after)
    return tuple(
        _participants_change(before, after, old.get(name), new.get(name))
        if name == "participants"
        else FieldChange(name, old.get(name), new.get(name))
        for name in (*EDITABLE_FIELDS, "deleted")
        if old.get(name) != new.get(name)
    )


def _role(p: dict[str, Any]) -> str:
    return ", ".join(x for x in (p.get("title"), p.get("organization"), p.get("country")) if x)


def _person(p: dict[str, Any]) -> str:
    rest = _role(p)
    return f"{p['name']} ({rest})" if rest else str(p["name"])


def _role_change(was: dict[str, Any], now: dict[str, Any]) -> tuple[str, str, str]:
    """(who, before, after): the role alone when the name stayed, else the whole entries."""
    if was["name"] != now["name"]:
        return str(now["name"]), _person(was), _person(now)
    return str(now["name"]), _role(was) or "no role", _role(now) or "no role"


def _participants_change(
    before: dict[str, Any] | None, after: dict[str, Any] | None, old: str | None, new: str | None
) -> FieldChange:
    """The participants' change as who joined, who left and whose role changed."""

    def people(snap: dict[str, Any] | None) -> dict[object, dict[str, Any]]:
        # A person is one person across a rename; legacy import entries have no person ids.
        rows = (snap or {}).get("participants") or ()
        return {p.get("person_id") or name_key(str(p["name"])): p for p in rows}

    was, now = people(before), people(after)
    return FieldChange(
        "participants",
        old,
        new,
        added=tuple(_person(p) for key, p in now.items() if key not in was),
        removed=tuple(_person(p) for key, p in was.items() if key not in now),
        changed=tuple(
            _role_change(was[key], p)
            for key, p in now.items()
            if key in was and _person(was[key]) != _person(p)
        ),
    )


def meeting_history(reference: str | int, *, session: Session) -> list[HistoryEntry]:
    """Return the audit entries of a meeting (deleted ones too), oldest first, with diffs."""
    meeting = find_meeting(reference, session=session, include_deleted=True)
    entries = session.exec(
        select(AuditEntry)
        .where(AuditEntry.entity == "meeting", AuditEntry.entity_id == meeting.id)
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    ).all()
    result = []
    for entry in entries:
        assert entry.id is not None
        before = entry.before if is_snapshot(entry.before) else None
        after = entry.after if is_snapshot(entry.after) else None
        result.append(
            HistoryEntry(
                audit_id=entry.id,
                at=entry.at,
                actor_id=entry.actor_id,
                action=entry.action,
                undone=entry.undone,
                changes=diff_snapshots(before, after),
            )
        )
    return result
