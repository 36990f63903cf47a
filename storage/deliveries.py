"""Subscriptions and digest deliveries: the rows that make each digest go out once.

A replica claims a DigestDelivery row before sending a chat's digest and marks it sent after.
The claim is an INSERT that relies on the unique (subscription_id, digest_date) key: of two
replicas racing for the same digest, the database lets exactly one insert win and the other gets
an IntegrityError, which means "someone else has it". Claims commit at once, in their own
transaction, so every other replica sees them before a single message goes out.

A row that exists can be claimed again by one atomic UPDATE whose WHERE clause only the first
of several racing replicas can satisfy. Which rows qualify is the core's claim rule
(bot/core/deliveries.py): a 'failed' row after its retry delay, so a network outage delays a
digest instead of losing it, and a 'claimed' row whose claimed_at is older than the lease, because
its replica crashed mid-send. The rule arrives here as a SQL condition; storage holds no rule.

The lease is the trade-off between duplicates and delays. Telegram has no idempotency key, so a
replica that dies after Telegram accepted a message and before the row recorded it cannot tell
whether that message went out; taking over an expired lease may resend that one message (the
parts recorded in message_ids are never resent), while never taking over would lose the
digest. The lease is short (a minute, bot/core/deliveries.py), so a crashed replica's claims
free up quickly: a live sender refreshes claimed_at after every part it sends and, while a part
is on its way or a RetryAfter is waited out, with a heartbeat (renew_claim), so only a replica
that stopped running for a whole lease loses its claim; each write checks claimed_by, so a
sender that lost its claim stops instead of racing the new owner.

The writes after a send (record_progress, mark_delivery_sent, mark_delivery_failed) are
idempotent, so the sender retries them after a transient database error: the same values are
written again, and a row this worker already marked sent stays sent (is_sent_by).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import DigestDelivery, Subscription

CLAIMED = "claimed"
SENT = "sent"
FAILED = "failed"

_ERROR_LENGTH = 1000
_REASON_LENGTH = 500


@dataclass(frozen=True, slots=True)
class SubscriptionSettings:
    """The values a subscriber chooses: local send time, time zone and the two options."""

    send_time: dt.time
    timezone: str
    empty_day_note: bool = False
    silent: bool = False


def get_subscription(*, session: Session, chat_id: int) -> Subscription | None:
    """Return the subscription of a chat (active or not), or None."""
    return session.exec(select(Subscription).where(Subscription.chat_id == chat_id)).first()


def get_subscription_by_id(*, session: Session, subscription_id: int) -> Subscription | None:
    """Return the subscription with this id, or None."""
    return session.get(Subscription, subscription_id)


def list_active_subscriptions(*, session: Session) -> list[Subscription]:
    """Return every active subscription, oldest first."""
    return list(
        session.exec(
            select(Subscription)
            .where(col(Subscription.active).is_(True))
            .order_by(col(Subscription.id))
        ).all()
    )


def save_subscription(
    *,
    session: Session,
    chat_id: int,
    chat_type: str,
    title: str | None,
    settings: SubscriptionSettings,
    created_by: int | None,
    now: dt.datetime,
    new_window: dt.timedelta = dt.timedelta(hours=24),
) -> tuple[Subscription, bool]:
    """Create or update the chat's subscription; return it and whether it is newly active.

    A new subscription, or one reactivated after /unsubscribe or a deactivation, starts afresh:
    created_at is now (it decides the first digest's date) and its first digest covers the last
    new_window, but never again what an earlier digest already sent.
    """
    sub = get_subscription(session=session, chat_id=chat_id)
    fresh_cover = now - new_window
    if sub is None:
        sub = Subscription(
            chat_id=chat_id,
            chat_type=chat_type,
            title=title,
            send_time=settings.send_time,
            timezone=settings.timezone,
            empty_day_note=settings.empty_day_note,
            silent=settings.silent,
            created_by=created_by,
            created_at=now,
            updated_at=now,
            covered_until=fresh_cover,
        )
        session.add(sub)
        session.flush()
        return sub, True
    started = not sub.active
    if started:
        sub.active = True
        sub.deactivated_reason = None
        sub.created_at = now
        sub.created_by = created_by
        sub.covered_until = max(sub.covered_until, fresh_cover)
    sub.chat_type = chat_type
    sub.title = title
    sub.send_time = settings.send_time
    sub.timezone = settings.timezone
    sub.empty_day_note = settings.empty_day_note
    sub.silent = settings.silent
    sub.updated_at = now
    session.add(sub)
    session.flush()
    return sub, started


def deactivate_subscription(
    *, session: Session, subscription_id: int, reason: str, now: dt.datetime
) -> bool:
    """Stop the subscription and record why; return False if it was not active."""
    result = session.exec(
        update(Subscription)
        .where(col(Subscription.id) == subscription_id, col(Subscription.active).is_(True))
        .values(active=False, deactivated_reason=reason[:_REASON_LENGTH], updated_at=now)
    )
    return bool(result.rowcount)


def move_subscription_chat(
    *, session: Session, subscription_id: int, new_chat_id: int, now: dt.datetime
) -> bool:
    """Point the subscription at the chat's new id (a group became a supergroup).

    Returns False, and deactivates the old subscription with the reason, when the new chat
    already has a subscription of its own: the new chat keeps its own settings.
    """
    taken = get_subscription(session=session, chat_id=new_chat_id)
    sub = session.get(Subscription, subscription_id)
    if sub is None:
        return False
    if taken is not None and taken.id != subscription_id:
        deactivate_subscription(
            session=session,
            subscription_id=subscription_id,
            reason=f"The chat moved to {new_chat_id}, which has its own subscription.",
            now=now,
        )
        return False
    sub.chat_id = new_chat_id
    if sub.chat_type == "group":
        sub.chat_type = "supergroup"
    sub.updated_at = now
    session.add(sub)
    session.flush()
    return True


def list_deliveries(
    *, session: Session, keys: Iterable[tuple[int, dt.date]]
) -> dict[tuple[int, dt.date], DigestDelivery]:
    """Return the delivery rows for these (subscription_id, digest_date) keys."""
    wanted = set(keys)
    found: dict[tuple[int, dt.date], DigestDelivery] = {}
    by_date: dict[dt.date, list[int]] = {}
    for sub_id, day in wanted:
        by_date.setdefault(day, []).append(sub_id)
    for day, ids in by_date.items():
        # SQLite limits bound parameters; 500 at a time stays far below every limit.
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = session.exec(
                select(DigestDelivery).where(
                    DigestDelivery.digest_date == day,
                    col(DigestDelivery.subscription_id).in_(chunk),
                )
            ).all()
            for row in rows:
                found[(row.subscription_id, row.digest_date)] = row
    return found


def latest_delivery(*, session: Session, subscription_id: int) -> DigestDelivery | None:
    """Return the subscription's most recent delivery row, or None."""
    return session.exec(
        select(DigestDelivery)
        .where(DigestDelivery.subscription_id == subscription_id)
        .order_by(col(DigestDelivery.digest_date).desc())
    ).first()


def is_sent_by(*, session: Session, delivery_id: int, worker: str) -> bool:
    """Tell whether worker already marked the delivery sent (a sent row is final)."""
    row = session.get(DigestDelivery, delivery_id)
    return row is not None and row.status == SENT and row.claimed_by == worker


def claim_delivery(
    *,
    session: Session,
    subscription_id: int,
    digest_date: dt.date,
    worker: str,
    now: dt.datetime,
    reclaimable: ColumnElement[bool],
) -> DigestDelivery | None:
    """Claim one day's digest for one subscription; return the row, or None if someone has it.

    Commits (or rolls back) the session: a claim must be visible to every replica before the
    first message is sent, so call it in a session of its own. An existing row is claimed again
    only when it meets reclaimable, the claim rule's SQL form (bot/core/deliveries.py), which
    must be false for a row claimed at now.
    """
    row = DigestDelivery(
        subscription_id=subscription_id,
        digest_date=digest_date,
        status=CLAIMED,
        claimed_at=now,
        claimed_by=worker,
        attempts=1,
        message_ids=[],
    )
    session.add(row)
    try:
        session.commit()
        return row
    except IntegrityError:
        # The unique key says another claim exists; maybe one we may take over.
        session.rollback()
    result = session.exec(
        update(DigestDelivery)
        .where(
            col(DigestDelivery.subscription_id) == subscription_id,
            col(DigestDelivery.digest_date) == digest_date,
            reclaimable,
        )
        .values(
            status=CLAIMED,
            claimed_at=now,
            claimed_by=worker,
            attempts=DigestDelivery.attempts + 1,
        )
    )
    session.commit()
    if not result.rowcount:
        return None
    return session.exec(
        select(DigestDelivery).where(
            DigestDelivery.subscription_id == subscription_id,
            DigestDelivery.digest_date == digest_date,
        )
    ).one()


def _owned(delivery_id: int, worker: str) -> list[ColumnElement[bool]]:
    return [
        col(DigestDelivery.id) == delivery_id,
        col(DigestDelivery.status) == CLAIMED,
        col(DigestDelivery.claimed_by) == worker,
    ]


def record_progress(
    *,
    session: Session,
    delivery_id: int,
    worker: str,
    message_ids: Sequence[int],
    now: dt.datetime,
) -> bool:
    """Record the parts sent so far and renew the lease; False if the claim was lost."""
    result = session.exec(
        update(DigestDelivery)
        .where(*_owned(delivery_id, worker))
        .values(message_ids=list(message_ids), claimed_at=now)
    )
    return bool(result.rowcount)


def renew_claim(*, session: Session, delivery_id: int, worker: str, now: dt.datetime) -> bool:
    """Renew the lease of a claim this worker holds (only claimed_at); False if it was lost.

    The sender's heartbeat while a part goes out or a RetryAfter is waited out; it never
    writes message_ids, so it cannot race record_progress into an older list.
    """
    result = session.exec(
        update(DigestDelivery).where(*_owned(delivery_id, worker)).values(claimed_at=now)
    )
    return bool(result.rowcount)


def mark_delivery_sent(
    *,
    session: Session,
    delivery_id: int,
    worker: str,
    message_ids: Sequence[int],
    now: dt.datetime,
    covered_until: dt.datetime,
) -> bool:
    """Mark the delivery sent and move the subscription's covered_until forward, together.

    Returns False when the claim was lost (its lease expired and another replica took it).
    """
    result = session.exec(
        update(DigestDelivery)
        .where(*_owned(delivery_id, worker))
        .values(status=SENT, sent_at=now, message_ids=list(message_ids), error=None)
    )
    if not result.rowcount:
        return False
    delivery = session.get(DigestDelivery, delivery_id)
    assert delivery is not None
    session.execute(
        update(Subscription)
        .where(
            col(Subscription.id) == delivery.subscription_id,
            col(Subscription.covered_until) < covered_until,
        )
        .values(covered_until=covered_until)
    )
    return True


def mark_delivery_failed(
    *,
    session: Session,
    delivery_id: int,
    worker: str,
    error: str,
    now: dt.datetime,
    message_ids: Sequence[int] | None = None,
) -> bool:
    """Mark the delivery failed with the error, so a later tick may retry it; False if lost.

    claimed_at becomes now: the retry delay counts from the failure.
    """
    values: dict[str, object] = {
        "status": FAILED,
        "error": error[:_ERROR_LENGTH],
        "claimed_at": now,
    }
    if message_ids is not None:
        values["message_ids"] = list(message_ids)
    result = session.exec(
        update(DigestDelivery).where(*_owned(delivery_id, worker)).values(**values)
    )
    return bool(result.rowcount)
