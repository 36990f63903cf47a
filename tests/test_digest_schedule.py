"""Subscription rules: /subscribe parsing, DST-correct send times, which digest is due when."""

from __future__ import annotations

import datetime as dt

import pytest
from digest_support import utc

from bot.core.subscriptions import (
    EXAMPLE,
    SubscribeRequest,
    SubscriptionError,
    due_date,
    first_digest_date,
    next_send_at,
    parse_subscribe_args,
    send_instant,
)

NINE = dt.time(9, 0)
BERLIN = "Europe/Berlin"


# -- parsing ------------------------------------------------------------------------------------


def test_parse_time_zone_and_options_in_any_order() -> None:
    assert parse_subscribe_args(["08:30", "Asia/Baku"]) == SubscribeRequest(
        send_time=dt.time(8, 30), timezone="Asia/Baku"
    )
    assert parse_subscribe_args(["silent", "europe/berlin", "7:05", "note"]) == SubscribeRequest(
        send_time=dt.time(7, 5), timezone="Europe/Berlin", empty_day_note=True, silent=True
    )
    assert parse_subscribe_args([]) == SubscribeRequest()
    assert parse_subscribe_args(["@meet_news", "08:30", "UTC", "loud", "nonote"]) == (
        SubscribeRequest(
            channel="@meet_news",
            send_time=dt.time(8, 30),
            timezone="UTC",
            empty_day_note=False,
            silent=False,
        )
    )


@pytest.mark.parametrize("token", ["25:00", "12:60", "8", "0830", "8am", "12:3", "9:00:00"])
def test_bad_time_is_a_sentence_with_an_example(token: str) -> None:
    with pytest.raises(SubscriptionError) as info:
        parse_subscribe_args([token, "Europe/Berlin"])
    message = str(info.value)
    assert f"“{token}”" in message
    assert "HH:MM" in message
    assert EXAMPLE in message
    assert message.endswith(".")


def test_unknown_zone_names_it_and_suggests_the_spelling() -> None:
    with pytest.raises(SubscriptionError) as info:
        parse_subscribe_args(["08:30", "Europe/Berln"])
    assert "time zone “Europe/Berln”" in str(info.value)
    assert "Did you mean Europe/Berlin?" in str(info.value)
    assert EXAMPLE in str(info.value)


def test_bare_city_is_refused_with_its_zone_as_a_hint() -> None:
    with pytest.raises(SubscriptionError) as info:
        parse_subscribe_args(["08:30", "Berlin"])
    assert "Did you mean Europe/Berlin?" in str(info.value)


def test_contradicting_and_malformed_arguments() -> None:
    with pytest.raises(SubscriptionError, match="contradicts"):
        parse_subscribe_args(["08:30", "09:30"])
    with pytest.raises(SubscriptionError, match="channel username"):
        parse_subscribe_args(["@x!"])
    # Repeating the same value is harmless.
    assert parse_subscribe_args(["silent", "quiet"]).silent is True


def test_path_like_zone_names_are_refused() -> None:
    with pytest.raises(SubscriptionError, match="time zone"):
        parse_subscribe_args(["../../etc/passwd"])


# -- DST-correct send instants -----------------------------------------------------------------


def test_nine_in_berlin_is_nine_local_in_winter_and_summer() -> None:
    assert send_instant(dt.date(2024, 1, 15), NINE, BERLIN) == utc(2024, 1, 15, 8, 0)
    assert send_instant(dt.date(2024, 7, 15), NINE, BERLIN) == utc(2024, 7, 15, 7, 0)
    # Spring forward (31 March 2024, 02:00 -> 03:00) and fall back (27 October, 03:00 -> 02:00).
    assert send_instant(dt.date(2024, 3, 31), NINE, BERLIN) == utc(2024, 3, 31, 7, 0)
    assert send_instant(dt.date(2024, 3, 30), NINE, BERLIN) == utc(2024, 3, 30, 8, 0)
    assert send_instant(dt.date(2024, 10, 27), NINE, BERLIN) == utc(2024, 10, 27, 8, 0)
    assert send_instant(dt.date(2024, 10, 26), NINE, BERLIN) == utc(2024, 10, 26, 7, 0)


def test_skipped_and_repeated_local_times() -> None:
    # 02:30 does not exist on the spring-forward night: it goes out right after the gap, 03:30.
    assert send_instant(dt.date(2024, 3, 31), dt.time(2, 30), BERLIN) == utc(2024, 3, 31, 1, 30)
    # 02:30 happens twice on the fall-back night: the first one counts.
    assert send_instant(dt.date(2024, 10, 27), dt.time(2, 30), BERLIN) == utc(2024, 10, 27, 0, 30)


def test_due_across_the_spring_forward_day_at_nine_local() -> None:
    created = utc(2024, 3, 1, 12, 0)
    kwargs = {"send_time": NINE, "timezone": BERLIN, "created_at": created}
    # Saturday: 09:00 CET is 08:00 UTC.
    assert due_date(now=utc(2024, 3, 30, 7, 59), **kwargs) is None
    assert due_date(now=utc(2024, 3, 30, 8, 0), **kwargs) == dt.date(2024, 3, 30)
    # Sunday (the switch): 09:00 CEST is 07:00 UTC, an hour earlier in UTC.
    assert due_date(now=utc(2024, 3, 31, 6, 59), **kwargs) is None
    assert due_date(now=utc(2024, 3, 31, 7, 0), **kwargs) == dt.date(2024, 3, 31)


def test_due_across_the_fall_back_day_at_nine_local() -> None:
    created = utc(2024, 10, 1, 12, 0)
    kwargs = {"send_time": NINE, "timezone": BERLIN, "created_at": created}
    assert due_date(now=utc(2024, 10, 26, 7, 0), **kwargs) == dt.date(2024, 10, 26)
    # Sunday: 07:00 UTC is only 08:00 CET now; the digest waits for 08:00 UTC.
    assert due_date(now=utc(2024, 10, 27, 7, 30), **kwargs) is None
    assert due_date(now=utc(2024, 10, 27, 8, 0), **kwargs) == dt.date(2024, 10, 27)


def test_repeated_hour_gives_one_digest_date() -> None:
    created = utc(2024, 10, 1, 12, 0)
    kwargs = {"send_time": dt.time(2, 30), "timezone": BERLIN, "created_at": created}
    first = due_date(now=utc(2024, 10, 27, 0, 30), **kwargs)
    second = due_date(now=utc(2024, 10, 27, 1, 30), **kwargs)  # 02:30 CET, the repeat
    assert first == second == dt.date(2024, 10, 27)


# -- first digest, catch-up, never early -------------------------------------------------------


def test_subscription_made_after_todays_send_time_starts_tomorrow() -> None:
    created = utc(2024, 1, 15, 10, 0)  # 11:00 Berlin, after 09:00
    assert first_digest_date(created, NINE, BERLIN) == dt.date(2024, 1, 16)
    kwargs = {"send_time": NINE, "timezone": BERLIN, "created_at": created}
    assert due_date(now=utc(2024, 1, 15, 10, 1), **kwargs) is None
    assert due_date(now=utc(2024, 1, 15, 22, 59), **kwargs) is None
    assert due_date(now=utc(2024, 1, 16, 8, 0), **kwargs) == dt.date(2024, 1, 16)
    assert next_send_at(now=utc(2024, 1, 15, 10, 1), **kwargs) == utc(2024, 1, 16, 8, 0)


def test_subscription_a_minute_ahead_is_due_that_minute() -> None:
    created = utc(2024, 1, 15, 7, 59)
    kwargs = {"send_time": NINE, "timezone": BERLIN, "created_at": created}
    assert due_date(now=utc(2024, 1, 15, 7, 59, 30), **kwargs) is None
    assert due_date(now=utc(2024, 1, 15, 8, 0), **kwargs) == dt.date(2024, 1, 15)


def test_downtime_over_send_time_catches_up_the_same_day_only() -> None:
    kwargs = {"send_time": NINE, "timezone": BERLIN, "created_at": utc(2024, 1, 1)}
    # Back at 16:00 local: today's digest is still due.
    assert due_date(now=utc(2024, 1, 15, 15, 0), **kwargs) == dt.date(2024, 1, 15)
    # 23:59 local is still the same day.
    assert due_date(now=utc(2024, 1, 15, 22, 59), **kwargs) == dt.date(2024, 1, 15)
    # Back the next morning before 09:00: nothing, neither yesterday's late nor today's early.
    assert due_date(now=utc(2024, 1, 16, 7, 0), **kwargs) is None


def test_local_day_decides_not_the_utc_day() -> None:
    # 08:30 in Baku (UTC+4) is 04:30 UTC; at 23:00 UTC it is already tomorrow in Baku.
    kwargs = {"send_time": dt.time(8, 30), "timezone": "Asia/Baku", "created_at": utc(2024, 1, 1)}
    assert due_date(now=utc(2024, 1, 15, 23, 0), **kwargs) is None
    assert due_date(now=utc(2024, 1, 16, 4, 30), **kwargs) == dt.date(2024, 1, 16)
    # New York (UTC-5): 18:00 local on the 15th is 23:00 UTC.
    ny = {
        "send_time": dt.time(18, 0),
        "timezone": "America/New_York",
        "created_at": utc(2024, 1, 1),
    }
    assert due_date(now=utc(2024, 1, 16, 1, 0), **ny) == dt.date(2024, 1, 15)


def test_next_send_after_todays_was_sent_is_tomorrow() -> None:
    kwargs = {"send_time": NINE, "timezone": BERLIN, "created_at": utc(2024, 1, 1)}
    now = utc(2024, 1, 15, 9, 0)
    assert next_send_at(now=now, **kwargs) == now
    assert next_send_at(now=now, sent_today=True, **kwargs) == utc(2024, 1, 16, 8, 0)
    # Across the spring switch the next 09:00 is an hour earlier in UTC.
    later = next_send_at(now=utc(2024, 3, 30, 12, 0), sent_today=True, **kwargs)
    assert later == utc(2024, 3, 31, 7, 0)
