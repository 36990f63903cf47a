"""Subscription rules: parse /subscribe, local send times across DST, which digests are due.

Every instant here is an aware UTC datetime from the injected clock; local dates and times are
computed with zoneinfo, so a chat at 09:00 Europe/Berlin gets its digest at 09:00 local time in
winter and in summer. The digest of local date D is due from D's send instant until the end of
D (local): a bot that was down at send time catches up once the same day, and never sends a
missed day's digest the next day (its meetings go into that day's digest instead, because
covered_until only moves when a digest is sent). Which due digests may still be claimed, and
the retries after a failure, are bot/core/deliveries.py's one claim rule.

Send times that a DST switch skips or repeats (02:30 on the spring-forward or fall-back night)
follow zoneinfo's fold=0: a skipped time is sent at the same wall time shifted past the gap
(03:30), a repeated time at its first occurrence; the per-date claim keeps it to one digest.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from sqlmodel import Session

from bot.core.digest import Digest, build_digest
from storage.deliveries import (
    SENT,
    SubscriptionSettings,
    deactivate_subscription,
    get_subscription,
    latest_delivery,
    save_subscription,
)
from storage.models import Subscription

_T = TypeVar("_T")

DEFAULT_SEND_TIME = dt.time(9, 0)
# A new subscription's first digest covers this much of the past.
NEW_WINDOW = dt.timedelta(hours=24)
EXAMPLE = "/subscribe 08:30 Europe/Berlin"

# Options typed after the time and zone; the value says what each sets.
_OPTIONS: dict[str, tuple[str, bool]] = {
    "note": ("empty_day_note", True),
    "nonote": ("empty_day_note", False),
    "no-note": ("empty_day_note", False),
    "silent": ("silent", True),
    "quiet": ("silent", True),
    "loud": ("silent", False),
    "sound": ("silent", False),
}
OPTION_HELP = (
    "note (a one-line note on days without new meetings), nonote (nothing on such days, the "
    "default), silent (no notification sound), loud (with sound, the default)"
)

_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_TIMEISH = re.compile(r"^[\d:.]+(am|pm|h)?$", re.IGNORECASE)
_CHANNEL = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$")
_CHAT_ID = re.compile(r"^-100\d{5,15}$")


class SubscriptionError(ValueError):
    """The /subscribe arguments cannot be used; the message is one sentence for the user."""


@dataclass(frozen=True, slots=True)
class SubscribeRequest:
    """What /subscribe asked for; None means "not given" (keep the current value or default)."""

    channel: str | None = None
    send_time: dt.time | None = None
    timezone: str | None = None
    empty_day_note: bool | None = None
    silent: bool | None = None

    def resolve(
        self, current: Subscription | None, *, default_timezone: str
    ) -> SubscriptionSettings:
        """Fill the values not given from the current subscription, else from the defaults."""
        keep = current if current is not None and current.active else None
        return SubscriptionSettings(
            send_time=_first(self.send_time, keep.send_time if keep else None, DEFAULT_SEND_TIME),
            timezone=_first(self.timezone, keep.timezone if keep else None, default_timezone),
            empty_day_note=_first(
                self.empty_day_note, keep.empty_day_note if keep else None, False
            ),
            silent=_first(self.silent, keep.silent if keep else None, False),
        )


def _first(*values: _T | None) -> _T:
    for value in values:
        if value is not None:
            return value
    raise ValueError("no value")


@cache
def _zone_names() -> dict[str, str]:
    """Map lower-cased IANA names to their spelling, from the installed tz database."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def canonical_timezone(name: str) -> str | None:
    """Return the IANA spelling of a zone name typed in any case, or None if unknown."""
    return _zone_names().get(name.strip().lower())


def _zone_hint(token: str) -> str:
    names = _zone_names()
    lowered = token.lower()
    city = [v for k, v in names.items() if k.rsplit("/", 1)[-1] == lowered.rsplit("/", 1)[-1]]
    close = city or [names[k] for k in difflib.get_close_matches(lowered, names, n=1, cutoff=0.75)]
    return f" Did you mean {close[0]}?" if close else ""


def parse_subscribe_args(args: Sequence[str]) -> SubscribeRequest:
    """Parse "/subscribe [@channel] [HH:MM] [Area/City] [options]" arguments, in any order.

    Raises SubscriptionError with one sentence and an example for a bad time, an unknown time
    zone, an unknown word or a value given twice.
    """
    found: dict[str, Any] = {}  # SubscribeRequest's keyword arguments, each of its field's type

    def put(key: str, value: object, token: str) -> None:
        if key in found and found[key] != value:
            raise SubscriptionError(
                f"“{token}” contradicts an earlier argument; give each setting once, "
                f"for example {EXAMPLE}."
            )
        found[key] = value

    for raw in args:
        token = raw.strip()
        if not token:
            continue
        lowered = token.lower()
        if token.startswith("@") or _CHAT_ID.match(token):
            if not (_CHANNEL.match(token) or _CHAT_ID.match(token)):
                raise SubscriptionError(
                    f"“{token}” is not a channel username; write it like @mychannel, "
                    "for example /subscribe @mychannel 08:30 Europe/Berlin."
                )
            put("channel", token, token)
        elif match := _TIME.match(token):
            hour, minute = int(match.group(1)), int(match.group(2))
            if hour > 23 or minute > 59:
                raise _bad_time(token)
            put("send_time", dt.time(hour, minute), token)
        elif _TIMEISH.match(token):
            raise _bad_time(token)
        elif lowered in _OPTIONS:
            key, value = _OPTIONS[lowered]
            put(key, value, token)
        elif zone := canonical_timezone(token):
            put("timezone", zone, token)
        elif "/" in token:
            raise SubscriptionError(
                f"I do not know the time zone “{token}”.{_zone_hint(token)} Use an IANA "
                f"Area/City name, for example {EXAMPLE}."
            )
        else:
            raise SubscriptionError(
                f"I do not understand “{token}”.{_zone_hint(token)} Write the time as HH:MM, "
                f"the time zone as Area/City and options as note, nonote, silent or loud, "
                f"for example {EXAMPLE} silent."
            )
    return SubscribeRequest(**found)


def _bad_time(token: str) -> SubscriptionError:
    return SubscriptionError(
        f"“{token}” is not a time of day; write it as HH:MM between 00:00 and 23:59, "
        f"for example {EXAMPLE}."
    )


def send_instant(day: dt.date, send_time: dt.time, timezone: str) -> dt.datetime:
    """Return the UTC instant of send_time on local date day in the zone (DST-aware)."""
    local = dt.datetime.combine(day, send_time, tzinfo=zoneinfo.ZoneInfo(timezone))
    # fold=0: a time skipped by spring-forward lands after the gap, a repeated one on its first
    # occurrence.
    return local.replace(fold=0).astimezone(dt.UTC)


def local_date(moment: dt.datetime, timezone: str) -> dt.date:
    """Return the calendar date in the zone at an aware instant."""
    return moment.astimezone(zoneinfo.ZoneInfo(timezone)).date()


def first_digest_date(created_at: dt.datetime, send_time: dt.time, timezone: str) -> dt.date:
    """Return the local date of a subscription's first digest.

    The day it was made, if its send time had not passed yet; otherwise the next day.
    """
    day = local_date(created_at, timezone)
    if send_instant(day, send_time, timezone) < created_at:
        day += dt.timedelta(days=1)
    return day


def due_date(
    *, send_time: dt.time, timezone: str, created_at: dt.datetime, now: dt.datetime
) -> dt.date | None:
    """Return the local date whose digest is due at now, or None.

    Today's digest is due from today's send instant until local midnight, once the
    subscription's first digest date has come.
    """
    today = local_date(now, timezone)
    if today < first_digest_date(created_at, send_time, timezone):
        return None
    if now < send_instant(today, send_time, timezone):
        return None
    return today


def next_send_at(
    *,
    send_time: dt.time,
    timezone: str,
    created_at: dt.datetime,
    now: dt.datetime,
    sent_today: bool = False,
) -> dt.datetime:
    """Return the instant of the next digest: now if today's is due and not sent yet."""
    today = local_date(now, timezone)
    day = max(today, first_digest_date(created_at, send_time, timezone))
    at = send_instant(day, send_time, timezone)
    if at <= now:
        if day == today and not sent_today:
            return now
        day += dt.timedelta(days=1)
        at = send_instant(day, send_time, timezone)
    return at


@dataclass(frozen=True, slots=True)
class SubscriptionInfo:
    """A chat's subscription as /subscription shows it, with local times worked out."""

    chat_id: int
    active: bool
    send_time: dt.time
    timezone: str
    empty_day_note: bool
    silent: bool
    next_send_local: dt.datetime | None
    deactivated_reason: str | None
    last_date: dt.date | None
    last_status: str | None
    last_error: str | None


def subscribe(
    request: SubscribeRequest,
    *,
    session: Session,
    chat_id: int,
    chat_type: str,
    title: str | None,
    user_id: int | None,
    now: dt.datetime,
    default_timezone: str,
) -> tuple[Subscription, bool]:
    """Create, reactivate or change the chat's subscription; return it and whether it is new.

    Values not given in the request keep the active subscription's, else the defaults.
    """
    current = get_subscription(session=session, chat_id=chat_id)
    settings = request.resolve(current, default_timezone=default_timezone)
    return save_subscription(
        session=session,
        chat_id=chat_id,
        chat_type=chat_type,
        title=title,
        settings=settings,
        created_by=user_id,
        now=now,
    )


def unsubscribe(*, session: Session, chat_id: int, now: dt.datetime) -> bool:
    """Stop the chat's digest; return False if it had no active subscription."""
    sub = get_subscription(session=session, chat_id=chat_id)
    if sub is None or sub.id is None:
        return False
    return deactivate_subscription(
        session=session, subscription_id=sub.id, reason="Unsubscribed.", now=now
    )


def describe_subscription(
    *, session: Session, chat_id: int, now: dt.datetime
) -> SubscriptionInfo | None:
    """Return the chat's subscription with its next send in local time, or None."""
    sub = get_subscription(session=session, chat_id=chat_id)
    if sub is None or sub.id is None:
        return None
    last = latest_delivery(session=session, subscription_id=sub.id)
    today = local_date(now, sub.timezone)
    sent_today = last is not None and last.digest_date == today and last.status == SENT
    next_local = None
    if sub.active:
        at = next_send_at(
            send_time=sub.send_time,
            timezone=sub.timezone,
            created_at=sub.created_at,
            now=now,
            sent_today=sent_today,
        )
        next_local = at.astimezone(zoneinfo.ZoneInfo(sub.timezone))
    return SubscriptionInfo(
        chat_id=sub.chat_id,
        active=sub.active,
        send_time=sub.send_time,
        timezone=sub.timezone,
        empty_day_note=sub.empty_day_note,
        silent=sub.silent,
        next_send_local=next_local,
        deactivated_reason=sub.deactivated_reason,
        last_date=last.digest_date if last else None,
        last_status=last.status if last else None,
        last_error=last.error if last else None,
    )


def preview_digest(*, session: Session, chat_id: int | None, now: dt.datetime) -> Digest:
    """Return what the chat's next digest would contain if it were sent now.

    Without an active subscription (or chat), the last 24 hours.
    """
    sub = get_subscription(session=session, chat_id=chat_id) if chat_id is not None else None
    since = sub.covered_until if sub is not None and sub.active else now - NEW_WINDOW
    return build_digest(session=session, since=since, until=now)
