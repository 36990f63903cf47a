"""Digest deliveries: the one rule for what may be claimed, and every write the sender makes.

A digest of one local date goes to one chat once. Its DigestDelivery row (storage/deliveries.py
explains the unique key, the atomic claim and the lease) may be claimed when:

- there is no row yet;
- the row is 'failed', has been tried fewer than MAX_ATTEMPTS times, and its last failure is
  older than retry_delay(attempts): RETRY_DELAY doubled for each attempt, at most
  RETRY_DELAY_CAP, so an outage delays a digest instead of losing it, and a chat that always
  fails stops costing sends after MAX_ATTEMPTS;
- the row is 'claimed' and its claimed_at is older than the lease (a minute): the sender
  crashed mid-send, since a live one renews its claim well within the lease.

A 'sent' row is final. That rule is written once, as the table of retry waits below, and read in
two forms: is_claimable() in Python, for find_due_digests() (which rows are worth queueing), and
reclaim_condition() as SQL, for the UPDATE that claims a row (which only one of several racing
replicas can win). Both come from _RETRY_WAITS and the lease, so they cannot drift apart.

The Telegram sender (bot/tg/fanout.py) claims, records progress, finishes, fails, stops and
moves subscriptions only through the functions here.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_
from sqlmodel import Session, col

from bot.core.subscriptions import due_date, send_instant
from storage import deliveries as store
from storage.deliveries import CLAIMED, FAILED
from storage.models import DigestDelivery

# A crashed replica's claims free up after this long. A live sender never lets its claim age
# that far: it renews claimed_at after each part and with a heartbeat every quarter lease while
# a part is on its way or a RetryAfter is waited out (bot/tg/fanout.py), and it claims a chat
# only when the rate limiter is about to let its first part go.
DEFAULT_LEASE = dt.timedelta(seconds=60)

# A failed delivery is retried after this delay, doubled for each attempt, at most the cap;
# after MAX_ATTEMPTS attempts it stays failed (the chat's /subscription shows the error).
RETRY_DELAY = dt.timedelta(minutes=1)
RETRY_DELAY_CAP = dt.timedelta(minutes=30)
MAX_ATTEMPTS = 8

STOPPED_BEFORE_SEND = "The subscription was stopped before its digest went out."

# Recorded in message_ids for a part whose send has an unknown outcome (Telegram may have
# delivered it and the answer was lost). The part counts as sent and is never sent again: for
# such a part the digest is at most once, since Telegram has no idempotency key to ask with.
# Telegram's message ids start at 1.
UNKNOWN_MESSAGE_ID = 0


def retry_delay(attempts: int) -> dt.timedelta:
    """Return how long a delivery that failed attempts times waits before the next try."""
    return min(RETRY_DELAY * (1 << max(attempts - 1, 0)), RETRY_DELAY_CAP)


# attempts -> the wait before the next try; a failed row whose attempts are not here is final.
_RETRY_WAITS: dict[int, dt.timedelta] = {n: retry_delay(n) for n in range(1, MAX_ATTEMPTS)}


def is_claimable(
    row: DigestDelivery | None, *, now: dt.datetime, lease: dt.timedelta = DEFAULT_LEASE
) -> bool:
    """Tell whether a delivery row (or its absence) leaves the digest free to claim."""
    if row is None:
        return True
    if row.status == FAILED:
        wait = _RETRY_WAITS.get(row.attempts)
        return wait is not None and row.claimed_at <= now - wait
    if row.status == CLAIMED:
        return row.claimed_at <= now - lease
    return False


def reclaim_condition(
    *, now: dt.datetime, lease: dt.timedelta = DEFAULT_LEASE
) -> ColumnElement[bool]:
    """Return is_claimable() for an existing row as a SQL condition on DigestDelivery."""
    status, attempts, claimed_at = (
        col(DigestDelivery.status),
        col(DigestDelivery.attempts),
        col(DigestDelivery.claimed_at),
    )
    # One branch per attempt count: portable SQL (no power() in SQLite) and the same table.
    retry = [and_(attempts == n, claimed_at <= now - wait) for n, wait in _RETRY_WAITS.items()]
    return or_(
        and_(status == FAILED, or_(false(), *retry)),
        and_(status == CLAIMED, claimed_at <= now - lease),
    )


@dataclass(frozen=True, slots=True)
class DueDigest:
    """One digest to send: which subscription, for which local date, up to which instant."""

    subscription_id: int
    chat_id: int
    digest_date: dt.date
    cutoff: dt.datetime


def find_due_digests(
    *, session: Session, now: dt.datetime, lease: dt.timedelta = DEFAULT_LEASE
) -> list[DueDigest]:
    """Return the digests due at now that nobody has sent or is sending, earliest cutoff first.

    Reading this list claims nothing: each entry must still be claimed before sending.
    """
    candidates: list[DueDigest] = []
    for sub in store.list_active_subscriptions(session=session):
        day = due_date(
            send_time=sub.send_time, timezone=sub.timezone, created_at=sub.created_at, now=now
        )
        if day is None or sub.id is None:
            continue
        cutoff = send_instant(day, sub.send_time, sub.timezone)
        candidates.append(DueDigest(sub.id, sub.chat_id, day, cutoff))
    rows = store.list_deliveries(
        session=session, keys=((d.subscription_id, d.digest_date) for d in candidates)
    )
    due = [
        d
        for d in candidates
        if is_claimable(rows.get((d.subscription_id, d.digest_date)), now=now, lease=lease)
    ]
    due.sort(key=lambda d: (d.cutoff, d.subscription_id))
    return due


@dataclass(frozen=True, slots=True)
class Claim:
    """A claimed digest: the delivery row's id and the subscription it goes to, as plain data."""

    delivery_id: int
    subscription_id: int
    digest_date: dt.date
    attempts: int
    # The parts an earlier owner already sent (never sent again).
    message_ids: tuple[int, ...]
    chat_id: int
    chat_type: str
    silent: bool
    empty_day_note: bool
    covered_until: dt.datetime


class Refusal(enum.Enum):
    """Why a due digest was not claimed."""

    ELSEWHERE = "another sender has it, or it may not be claimed (yet)"
    STOPPED = "the subscription stopped before its digest went out"


def claim_digest(
    due: DueDigest,
    *,
    session: Session,
    worker: str,
    now: dt.datetime,
    lease: dt.timedelta = DEFAULT_LEASE,
) -> Claim | Refusal:
    """Claim a due digest for worker, under the one claim rule; return the claim or why not.

    Commits the claim at once (every replica must see it before a message goes out), so call
    it in a session of its own. A subscription stopped since the digest was found gets its row
    marked failed, with the reason, and is refused.
    """
    row = store.claim_delivery(
        session=session,
        subscription_id=due.subscription_id,
        digest_date=due.digest_date,
        worker=worker,
        now=now,
        reclaimable=reclaim_condition(now=now, lease=lease),
    )
    if row is None or row.id is None:
        return Refusal.ELSEWHERE
    sub = store.get_subscription_by_id(session=session, subscription_id=due.subscription_id)
    if sub is None or not sub.active:
        store.mark_delivery_failed(
            session=session, delivery_id=row.id, worker=worker, error=STOPPED_BEFORE_SEND, now=now
        )
        return Refusal.STOPPED
    return Claim(
        delivery_id=row.id,
        subscription_id=due.subscription_id,
        digest_date=due.digest_date,
        attempts=row.attempts,
        message_ids=tuple(row.message_ids or ()),
        chat_id=sub.chat_id,
        chat_type=sub.chat_type,
        silent=sub.silent,
        empty_day_note=sub.empty_day_note,
        covered_until=sub.covered_until,
    )


def record_progress(
    *,
    session: Session,
    delivery_id: int,
    worker: str,
    message_ids: Sequence[int],
    now: dt.datetime,
) -> bool:
    """Record the parts sent so far and renew the lease; False if the claim was lost."""
    return store.record_progress(
        session=session, delivery_id=delivery_id, worker=worker, message_ids=message_ids, now=now
    )


def renew_claim(*, session: Session, delivery_id: int, worker: str, now: dt.datetime) -> bool:
    """Renew the lease of worker's claim without touching its parts; False if it was lost."""
    return store.renew_claim(session=session, delivery_id=delivery_id, worker=worker, now=now)


def finish_delivery(
    *,
    session: Session,
    delivery_id: int,
    worker: str,
    message_ids: Sequence[int],
    now: dt.datetime,
    covered_until: dt.datetime,
) -> bool:
    """Mark the digest sent, its meetings up to covered_until done; False if the claim was lost.

    Safe to repeat: a retry after a commit whose answer was lost finds the row already sent by
    worker, and that is success, not a lost claim.
    """
    return store.mark_delivery_sent(
        session=session,
        delivery_id=delivery_id,
        worker=worker,
        message_ids=message_ids,
        now=now,
        covered_until=covered_until,
    ) or store.is_sent_by(session=session, delivery_id=delivery_id, worker=worker)


def fail_delivery(
    *,
    session: Session,
    delivery_id: int,
    worker: str,
    error: str,
    now: dt.datetime,
    message_ids: Sequence[int] | None = None,
) -> bool:
    """Mark the delivery failed with the error; the claim rule says when it is tried again.

    Returns False if the claim was lost.
    """
    return store.mark_delivery_failed(
        session=session,
        delivery_id=delivery_id,
        worker=worker,
        error=error,
        now=now,
        message_ids=message_ids,
    )


def stop_subscription(
    *, session: Session, subscription_id: int, reason: str, now: dt.datetime
) -> bool:
    """Stop a subscription's digest and record why; False if it was not active."""
    return store.deactivate_subscription(
        session=session, subscription_id=subscription_id, reason=reason, now=now
    )


def stop_chat_subscription(
    *, session: Session, chat_id: int, reason: str, now: dt.datetime
) -> bool:
    """Stop the chat's digest (the bot was removed or blocked); False if it had none active."""
    sub = store.get_subscription(session=session, chat_id=chat_id)
    if sub is None or sub.id is None:
        return False
    return stop_subscription(session=session, subscription_id=sub.id, reason=reason, now=now)


def move_subscription(
    *, session: Session, subscription_id: int, new_chat_id: int, now: dt.datetime
) -> bool:
    """Point a subscription at its chat's new id (a group became a supergroup).

    Returns False, and stops the subscription with the reason, when the new chat already has a
    subscription of its own.
    """
    return store.move_subscription_chat(
        session=session, subscription_id=subscription_id, new_chat_id=new_chat_id, now=now
    )


def move_chat_subscription(
    *, session: Session, old_chat_id: int, new_chat_id: int, now: dt.datetime
) -> bool:
    """Move the subscription of old_chat_id, if any, to new_chat_id; False if none moved."""
    sub = store.get_subscription(session=session, chat_id=old_chat_id)
    if sub is None or sub.id is None:
        return False
    return move_subscription(
        session=session, subscription_id=sub.id, new_chat_id=new_chat_id, now=now
    )
