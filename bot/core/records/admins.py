"""Bot admins: who is one (ADMIN_IDS or /grant), granting, revoking, and undoing either."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.records.audit import write_audit
from bot.core.records.values import (
    AdminInfo,
    ConflictError,
    NotFoundError,
    RecordError,
    UndoResult,
)
from bot.core.snapshots import from_iso, iso
from storage.models import Admin, AuditEntry

# Telegram user ids are positive and fit in 52 bits.
MAX_USER_ID = 2**53


def _check_user_id(user_id: int) -> None:
    if not 0 < user_id < MAX_USER_ID:
        raise RecordError(f"{user_id} is not a Telegram user id.")


def is_admin(user_id: int | None, *, session: Session, bootstrap_ids: Iterable[int]) -> bool:
    """Tell whether user_id is a bot admin: in ADMIN_IDS or granted with /grant."""
    if user_id is None:
        return False
    if user_id in set(bootstrap_ids):
        return True
    return session.get(Admin, user_id) is not None


def list_admins(*, session: Session, bootstrap_ids: Iterable[int]) -> list[AdminInfo]:
    """Return the bootstrap admins, then the granted ones in the order they were granted."""
    bootstrap = list(dict.fromkeys(bootstrap_ids))
    result = [AdminInfo(user_id, "settings") for user_id in bootstrap]
    for admin in session.exec(select(Admin).order_by(col(Admin.granted_at))).all():
        if admin.user_id not in bootstrap:
            result.append(AdminInfo(admin.user_id, "granted", admin.granted_by, admin.granted_at))
    return result


def _admin_snapshot(admin: Admin | None) -> dict[str, Any] | None:
    if admin is None:
        return None
    return {
        "user_id": admin.user_id,
        "granted_by": admin.granted_by,
        "granted_at": iso(admin.granted_at),
    }


def grant_admin(
    user_id: int,
    *,
    session: Session,
    clock: Clock,
    actor_id: int | None,
    bootstrap_ids: Iterable[int],
) -> AdminInfo:
    """Make user_id a bot admin and audit it; RecordError if they already are one."""
    _check_user_id(user_id)
    if user_id in set(bootstrap_ids):
        raise RecordError(f"User {user_id} is already an admin (from the ADMIN_IDS setting).")
    if session.get(Admin, user_id) is not None:
        raise RecordError(f"User {user_id} is already an admin.")
    admin = Admin(user_id=user_id, granted_by=actor_id, granted_at=clock.now())
    session.add(admin)
    session.flush()
    write_audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action="grant",
        entity="admin",
        entity_id=None,  # the audit column is 32-bit; Telegram ids live in before/after
        before={"user_id": user_id, "admin": None},
        after={"user_id": user_id, "admin": _admin_snapshot(admin)},
    )
    return AdminInfo(user_id, "granted", actor_id, admin.granted_at)


def revoke_admin(
    user_id: int,
    *,
    session: Session,
    clock: Clock,
    actor_id: int | None,
    bootstrap_ids: Iterable[int],
) -> None:
    """Take admin rights from a granted admin and audit it; bootstrap admins stay."""
    _check_user_id(user_id)
    if user_id in set(bootstrap_ids):
        raise RecordError(
            f"User {user_id} is an admin from the ADMIN_IDS setting; remove them there."
        )
    admin = session.get(Admin, user_id)
    if admin is None:
        raise NotFoundError(f"User {user_id} is not an admin.")
    before = _admin_snapshot(admin)
    session.delete(admin)
    session.flush()
    write_audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action="revoke",
        entity="admin",
        entity_id=None,
        before={"user_id": user_id, "admin": before},
        after={"user_id": user_id, "admin": None},
    )


def undo_admin(entry: AuditEntry, *, session: Session, clock: Clock, actor_id: int) -> UndoResult:
    """Revert a /grant or /revoke (called by /undo)."""
    assert entry.before is not None and entry.after is not None
    user_id = int(entry.before["user_id"])
    current = _admin_snapshot(session.get(Admin, user_id))
    if current != entry.after["admin"]:
        raise ConflictError(f"The rights of user {user_id} changed since; undo refused.")
    wanted = entry.before["admin"]
    existing = session.get(Admin, user_id)
    if existing is not None:
        session.delete(existing)
        session.flush()
    if wanted is not None:
        session.add(
            Admin(
                user_id=user_id,
                granted_by=wanted["granted_by"],
                granted_at=from_iso(wanted["granted_at"]) or clock.now(),
            )
        )
    session.flush()
    write_audit(
        session=session,
        clock=clock,
        actor_id=actor_id,
        action="undo",
        entity="admin",
        entity_id=None,
        before={"user_id": user_id, "admin": current},
        after={"user_id": user_id, "admin": wanted},
    )
    verb = "granting admin rights to" if entry.action == "grant" else "revoking admin rights of"
    return UndoResult(entry.action, "admin", None, f"Undid {verb} user {user_id}.")
