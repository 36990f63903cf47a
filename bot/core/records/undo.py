"""/undo: revert the caller's newest change that is not undone yet, and audit the undo.

An undo never overwrites a later change: when the record differs from what the change left,
it is refused (ConflictError).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.names import name_key
from bot.core.records.admins import undo_admin
from bot.core.records.aliases import undo_alias, undo_merge
from bot.core.records.audit import diff_snapshots, flatten_snapshot, write_audit
from bot.core.records.meetings import restore_snapshot, write_links
from bot.core.records.values import (
    ConflictError,
    MeetingRecord,
    NotFoundError,
    ParticipantRecord,
    RecordError,
    UndoResult,
)
from bot.core.snapshots import from_iso, is_legacy_snapshot, is_snapshot, iso, snapshot_meeting
from storage.models import AuditEntry, Meeting


def undo_last_change(*, session: Session, clock: Clock, actor_id: int) -> UndoResult:
    """Revert the caller's newest change that is not undone yet, and audit the undo.

    Refuses (ConflictError) when the record changed since, so an undo never overwrites
    someone else's later edit.
    """
    entry = session.exec(
        select(AuditEntry)
        .where(
            AuditEntry.actor_id == actor_id,
            col(AuditEntry.undone).is_(False),
            AuditEntry.action != "undo",
        )
        .order_by(col(AuditEntry.id).desc())
        .limit(1)
    ).first()
    if entry is None:
        raise NotFoundError("You have no change left to undo.")
    if entry.entity == "meeting" and entry.action == "import":
        return _undo_import(entry, session=session, clock=clock, actor_id=actor_id)
    if entry.entity == "meeting":
        result = _undo_meeting(entry, session=session, clock=clock, actor_id=actor_id)
    elif entry.entity == "admin":
        result = undo_admin(entry, session=session, clock=clock, actor_id=actor_id)
    elif entry.entity in ("person", "organization", "issue") and entry.action == "alias":
        result = undo_alias(entry, session=session, clock=clock, actor_id=actor_id)
    elif entry.entity == "person" and entry.action == "merge":
        result = undo_merge(entry, session=session, clock=clock, actor_id=actor_id)
    else:
        raise RecordError(
            f"Your last change ({entry.action} of a {entry.entity}) cannot be undone."
        )
    entry.undone = True
    session.add(entry)
    session.flush()
    return result


def _undo_meeting(
    entry: AuditEntry, *, session: Session, clock: Clock, actor_id: int
) -> UndoResult:
    meeting_id = entry.entity_id
    if meeting_id is None or not is_snapshot(entry.after):
        raise RecordError(f"Your last change ({entry.action} of a meeting) cannot be undone.")
    current = snapshot_meeting(meeting_id, session=session)
    if current != entry.after:
        raise ConflictError(
            f"Meeting {meeting_id} changed after your {entry.action}; "
            "undo refused so the later change is kept (see /history)."
        )
    assert current is not None
    if entry.before is None:
        # Undoing a create hides the meeting: ids stay unique and its history stays readable.
        target = dict(current, deleted_at=iso(clock.now()))
    elif is_snapshot(entry.before):
        target = entry.before
    else:
        raise RecordError(f"Your last change ({entry.action} of a meeting) cannot be undone.")
    restore_snapshot(target, session=session)
    restored = snapshot_meeting(meeting_id, session=session)
    write_audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action="undo",
        entity="meeting",
        entity_id=meeting_id,
        before=current,
        after=restored,
    )
    words = {"create": "adding", "edit": "the edit of", "delete": "deleting"}
    return UndoResult(
        action=entry.action,
        entity="meeting",
        entity_id=meeting_id,
        description=f"Undid {words.get(entry.action, entry.action)} meeting {meeting_id}.",
        changes=diff_snapshots(current, restored),
    )


def _undo_import(
    entry: AuditEntry, *, session: Session, clock: Clock, actor_id: int
) -> UndoResult:
    """Take back one whole import (all its meeting entries share the actor and the instant).

    Added meetings are hidden (soft delete); updated ones get back the fields, people and
    issues they had. Aliases the import gave to people, organizations and issues stay.
    """
    batch = session.exec(
        select(AuditEntry)
        .where(
            AuditEntry.actor_id == actor_id,
            AuditEntry.action == "import",
            AuditEntry.at == entry.at,
            col(AuditEntry.undone).is_(False),
        )
        .order_by(col(AuditEntry.id).desc())
    ).all()
    for item in batch:
        assert item.entity_id is not None
        current = snapshot_meeting(item.entity_id, session=session)
        if current is None or not _same_state(current, item.after):
            raise ConflictError(
                f"Meeting {item.entity_id} changed after your import; "
                "undo refused so the later change is kept (see /history)."
            )
    removed = restored = 0
    now = clock.now()
    for item in batch:
        assert item.entity_id is not None
        current = snapshot_meeting(item.entity_id, session=session)
        assert current is not None
        if item.before is None:
            restore_snapshot(dict(current, deleted_at=iso(now)), session=session)
            removed += 1
        elif not is_legacy_snapshot(item.before):
            restore_snapshot(item.before, session=session)
            restored += 1
        else:
            _restore_legacy_shape(item.entity_id, item.before, current, session=session)
            meeting = session.get(Meeting, item.entity_id)
            assert meeting is not None
            meeting.updated_at, meeting.updated_by = now, actor_id
            session.add(meeting)
            restored += 1
        session.flush()
        write_audit(
            session=session,
            clock=clock,
            actor_id=actor_id,
            action="undo",
            entity="meeting",
            entity_id=item.entity_id,
            before=current,
            after=snapshot_meeting(item.entity_id, session=session),
        )
        item.undone = True
        session.add(item)
    session.flush()
    return UndoResult(
        action="import",
        entity="meeting",
        entity_id=batch[0].entity_id if len(batch) == 1 else None,
        description=(f"Undid your import: {removed} meeting(s) removed, {restored} restored."),
    )


def _same_state(current: dict[str, Any], after: dict[str, Any] | None) -> bool:
    """Tell whether a meeting still is what a change left (legacy entries: by display text)."""
    if after is not None and is_legacy_snapshot(after):
        return flatten_snapshot(current) == flatten_snapshot(after)
    return current == after


def _restore_legacy_shape(
    meeting_id: int, shape: dict[str, Any], current: dict[str, Any], *, session: Session
) -> None:
    """Make a meeting what an import-format dict says, keeping the people it has by name.

    Only imports audited before they wrote the shared snapshot shape hold such dicts.
    """
    people = {name_key(p["name"]): p["person_id"] for p in current["participants"]}
    sources = shape.get("source") or []
    record = MeetingRecord(
        date=dt.date.fromisoformat(str(shape["date"])),
        participants=tuple(
            ParticipantRecord(
                name=p["name"],
                title=p.get("title"),
                organization=p.get("organization"),
                country=p.get("country"),
                person_id=people.get(name_key(p["name"])),
            )
            for p in shape.get("participants") or ()
        ),
        location=shape.get("location"),
        title=shape.get("title"),
        summary=shape.get("summary"),
        sources=tuple([sources] if isinstance(sources, str) else sources),
        issues=tuple(shape.get("issues") or ()),
        external_id=shape.get("id"),
    )
    meeting = session.get(Meeting, meeting_id)
    assert meeting is not None
    meeting.date = record.date
    meeting.location = record.location
    meeting.title = record.title
    meeting.summary = record.summary
    meeting.sources = list(record.sources)
    meeting.external_id = record.external_id
    # The interchange notes deleted_at when an import revived a deleted meeting.
    meeting.deleted_at = from_iso(shape.get("deleted_at"))
    session.add(meeting)
    session.flush()
    write_links(meeting_id, record, session=session)
