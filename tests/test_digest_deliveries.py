"""Delivery claims and digest content on SQLite and PostgreSQL: once per chat and local date."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from digest_support import add_meeting, add_subscription, utc
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.core.deliveries import (
    MAX_ATTEMPTS,
    Claim,
    DueDigest,
    Refusal,
    claim_digest,
    fail_delivery,
    find_due_digests,
    finish_delivery,
    is_claimable,
    move_subscription,
    record_progress,
    retry_delay,
    stop_chat_subscription,
    stop_subscription,
)
from bot.core.digest import (
    Digest,
    build_digest,
    format_digest_text,
    group_by_issue,
    omitted_question,
)
from bot.core.subscriptions import (
    SubscribeRequest,
    describe_subscription,
    preview_digest,
    subscribe,
    unsubscribe,
)
from bot.core.views import MeetingView
from storage.db import session_scope
from storage.deliveries import CLAIMED, FAILED, SENT
from storage.models import DigestDelivery, Subscription

DAY = dt.date(2024, 1, 15)
SEND = utc(2024, 1, 15, 8, 0)  # 09:00 in Berlin
LEASE = dt.timedelta(minutes=10)
SUBSCRIBED = utc(2024, 1, 1)

# Subscription logic that needs the database only to keep rows runs on SQLite.
sqlite_only = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def _subscribe(engine: Engine, chat_id: int = 100, now: dt.datetime = SUBSCRIBED) -> int:
    with session_scope(engine) as session:
        sub = add_subscription(session, chat_id=chat_id, now=now)
        assert sub.id is not None
        return sub.id


def _claim(engine: Engine, sub_id: int, worker: str, now: dt.datetime) -> Claim | None:
    with session_scope(engine) as session:
        claim = claim_digest(
            DueDigest(sub_id, 0, DAY, SEND), session=session, worker=worker, now=now, lease=LEASE
        )
    return claim if isinstance(claim, Claim) else None


def _row(engine: Engine, sub_id: int) -> DigestDelivery:
    with Session(engine) as session:
        return session.exec(
            select(DigestDelivery).where(DigestDelivery.subscription_id == sub_id)
        ).one()


# -- claims -------------------------------------------------------------------------------------


def test_second_claim_of_the_same_digest_is_refused(engine: Engine) -> None:
    sub_id = _subscribe(engine)
    first = _claim(engine, sub_id, "a", SEND)
    assert first is not None and first.attempts == 1
    assert _row(engine, sub_id).status == CLAIMED
    assert _claim(engine, sub_id, "b", SEND + dt.timedelta(seconds=1)) is None
    with session_scope(engine) as session:
        assert finish_delivery(
            session=session,
            delivery_id=first.delivery_id,
            worker="a",
            message_ids=[7, 8],
            now=SEND,
            covered_until=SEND,
        )
    # Sent is final: not even an expired lease brings it back.
    assert _claim(engine, sub_id, "b", SEND + dt.timedelta(days=1)) is None
    with Session(engine) as session:
        row = session.exec(select(DigestDelivery)).one()
        sub = session.get(Subscription, sub_id)
        assert sub is not None
        assert (row.status, row.message_ids, row.claimed_by) == (SENT, [7, 8], "a")
        assert sub.covered_until == SEND


def test_failed_delivery_is_claimed_again_by_one_replica(engine: Engine) -> None:
    sub_id = _subscribe(engine)
    first = _claim(engine, sub_id, "a", SEND)
    assert first is not None
    with session_scope(engine) as session:
        assert fail_delivery(
            session=session, delivery_id=first.delivery_id, worker="a", error="timed out", now=SEND
        )
    # Too early for a retry: the first one waits a minute.
    assert _claim(engine, sub_id, "b", SEND + dt.timedelta(seconds=30)) is None
    later = SEND + dt.timedelta(minutes=2)
    again = _claim(engine, sub_id, "b", later)
    assert again is not None and again.attempts == 2
    row = _row(engine, sub_id)
    assert (row.status, row.claimed_by, row.attempts) == (CLAIMED, "b", 2)
    assert _claim(engine, sub_id, "c", later) is None
    # The replica that failed lost the row: its late writes are refused.
    with session_scope(engine) as session:
        assert not record_progress(
            session=session, delivery_id=first.delivery_id, worker="a", message_ids=[1], now=later
        )


def test_stale_claim_is_taken_over_after_the_lease_only(engine: Engine) -> None:
    sub_id = _subscribe(engine)
    first = _claim(engine, sub_id, "crashed", SEND)
    assert first is not None
    with session_scope(engine) as session:
        assert record_progress(
            session=session,
            delivery_id=first.delivery_id,
            worker="crashed",
            message_ids=[11],
            now=SEND + dt.timedelta(minutes=5),
        )
    # The lease counts from the last progress, not from the first claim.
    assert _claim(engine, sub_id, "b", SEND + dt.timedelta(minutes=14)) is None
    taken = _claim(engine, sub_id, "b", SEND + dt.timedelta(minutes=15))
    assert taken is not None
    # The parts already sent are known to the new owner, so it does not resend them.
    assert taken.message_ids == (11,)
    with session_scope(engine) as session:
        assert not finish_delivery(
            session=session,
            delivery_id=first.delivery_id,
            worker="crashed",
            message_ids=[11, 12],
            now=SEND,
            covered_until=SEND,
        )


def test_racing_threads_claim_each_digest_once(engine: Engine) -> None:
    subs = [_subscribe(engine, chat_id=1000 + i) for i in range(40)]
    wins: dict[str, list[int]] = {}
    barrier = threading.Barrier(4)

    def work(worker: str) -> None:
        barrier.wait()
        mine = wins.setdefault(worker, [])
        for sub_id in subs:
            if _claim(engine, sub_id, worker, SEND) is not None:
                mine.append(sub_id)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = sorted(s for won in wins.values() for s in won)
    assert claimed == sorted(subs)


# -- due digests --------------------------------------------------------------------------------


def test_due_digests_leave_out_sent_claimed_and_inactive(engine: Engine) -> None:
    a = _subscribe(engine, chat_id=1)
    b = _subscribe(engine, chat_id=2)
    c = _subscribe(engine, chat_id=3)
    d = _subscribe(engine, chat_id=4)
    with session_scope(engine) as session:
        add_subscription(session, chat_id=5, now=utc(2024, 1, 1), send_time=dt.time(18, 0))
        stop_subscription(session=session, subscription_id=d, reason="Kicked.", now=SEND)
    first = _claim(engine, a, "x", SEND)
    assert first is not None
    with session_scope(engine) as session:
        finish_delivery(
            session=session,
            delivery_id=first.delivery_id,
            worker="x",
            message_ids=[],
            now=SEND,
            covered_until=SEND,
        )
    assert _claim(engine, b, "x", SEND) is not None
    with Session(engine) as session:
        due = find_due_digests(session=session, now=SEND + dt.timedelta(minutes=1), lease=LEASE)
        assert [(x.subscription_id, x.digest_date, x.cutoff) for x in due] == [(c, DAY, SEND)]
        # Once b's lease runs out, b is due again; d stays off, 18:00 is not yet.
        later = SEND + dt.timedelta(minutes=30)
        assert {x.subscription_id for x in find_due_digests(session=session, now=later)} == {b, c}


def test_failed_delivery_waits_longer_after_each_attempt_and_gives_up(engine: Engine) -> None:
    sub_id = _subscribe(engine)
    at = SEND
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with Session(engine) as session:
            due = find_due_digests(session=session, now=at)
        assert [x.subscription_id for x in due] == [sub_id], attempt
        claim = _claim(engine, sub_id, "w", at)
        assert claim is not None and claim.attempts == attempt
        with session_scope(engine) as session:
            fail_delivery(
                session=session, delivery_id=claim.delivery_id, worker="w", error="x", now=at
            )
        with Session(engine) as session:
            soon = at + dt.timedelta(seconds=59)
            assert find_due_digests(session=session, now=soon) == []
        at += dt.timedelta(minutes=2**attempt)
    with Session(engine) as session:
        assert find_due_digests(session=session, now=at + dt.timedelta(hours=3)) == []
        row = session.exec(select(DigestDelivery)).one()
        assert (row.status, row.error) == (FAILED, "x")


def _put_row(
    session: Session, sub_id: int, *, status: str, attempts: int, claimed_at: dt.datetime
) -> None:
    session.add(
        DigestDelivery(
            subscription_id=sub_id,
            digest_date=DAY,
            status=status,
            claimed_at=claimed_at,
            claimed_by="old",
            attempts=attempts,
            message_ids=[],
        )
    )


def test_due_list_and_claim_follow_one_rule(engine: Engine) -> None:
    # Regression: the due list backed off and gave up after MAX_ATTEMPTS, while the claim's SQL
    # retried any failed row after one fixed minute.
    now = SEND + dt.timedelta(hours=4)
    # Each age just before or after a retry wait (1, 4, 30 minutes) or the lease (10 minutes).
    ages = [dt.timedelta(seconds=s) for s in (0, 59, 61, 239, 241, 599, 601, 1799, 1801)]
    kinds = [(FAILED, n) for n in (1, 3, MAX_ATTEMPTS - 1, MAX_ATTEMPTS, MAX_ATTEMPTS + 3)]
    kinds += [(CLAIMED, 1), (CLAIMED, MAX_ATTEMPTS + 1), (SENT, 1)]
    cases: list[tuple[int, str, int, dt.timedelta]] = []
    with session_scope(engine) as session:
        for status, attempts in kinds:
            for age in ages:
                sub = add_subscription(session, chat_id=len(cases) + 1, now=SUBSCRIBED)
                assert sub.id is not None
                _put_row(session, sub.id, status=status, attempts=attempts, claimed_at=now - age)
                cases.append((sub.id, status, attempts, age))
    with Session(engine) as session:
        due = {d.subscription_id for d in find_due_digests(session=session, now=now, lease=LEASE)}
    claimed = {case[0] for case in cases if _claim(engine, case[0], "new", now) is not None}
    disagree = [case[1:] for case in cases if (case[0] in due) != (case[0] in claimed)]
    assert disagree == []
    assert 0 < len(claimed) < len(cases)


def test_a_delivery_that_failed_max_attempts_times_is_not_claimed(engine: Engine) -> None:
    sub_id = _subscribe(engine)
    with session_scope(engine) as session:
        _put_row(session, sub_id, status=FAILED, attempts=MAX_ATTEMPTS, claimed_at=SEND)
    later = SEND + dt.timedelta(hours=6)
    assert not is_claimable(_row(engine, sub_id), now=later)
    assert _claim(engine, sub_id, "w", later) is None
    row = _row(engine, sub_id)
    assert (row.status, row.attempts, row.claimed_by) == (FAILED, MAX_ATTEMPTS, "old")


def test_a_failed_delivery_is_claimed_only_after_its_back_off(engine: Engine) -> None:
    sub_id = _subscribe(engine)
    with session_scope(engine) as session:
        _put_row(session, sub_id, status=FAILED, attempts=3, claimed_at=SEND)
    wait = retry_delay(3)
    assert _claim(engine, sub_id, "w", SEND + wait - dt.timedelta(seconds=1)) is None
    claim = _claim(engine, sub_id, "w", SEND + wait)
    assert claim is not None and claim.attempts == 4


def test_a_digest_whose_subscription_stopped_is_refused_and_its_row_failed(
    engine: Engine,
) -> None:
    sub_id = _subscribe(engine, chat_id=77)
    with session_scope(engine) as session:
        assert stop_chat_subscription(session=session, chat_id=77, reason="Kicked.", now=SEND)
        assert not stop_chat_subscription(session=session, chat_id=78, reason="x", now=SEND)
    with session_scope(engine) as session:
        refusal = claim_digest(
            DueDigest(sub_id, 77, DAY, SEND), session=session, worker="w", now=SEND
        )
    assert refusal is Refusal.STOPPED
    assert _row(engine, sub_id).status == FAILED


# -- subscriptions ------------------------------------------------------------------------------


@sqlite_only
def test_subscribe_change_unsubscribe_and_resubscribe(engine: Engine) -> None:
    start = utc(2024, 1, 15, 10, 0)
    with session_scope(engine) as session:
        sub, new = subscribe(
            SubscribeRequest(send_time=dt.time(8, 30), timezone="Asia/Baku"),
            session=session,
            chat_id=5,
            chat_type="private",
            title="Ann",
            user_id=5,
            now=start,
            default_timezone="UTC",
        )
        assert new and sub.covered_until == start - dt.timedelta(hours=24)
    with session_scope(engine) as session:
        sub, new = subscribe(
            SubscribeRequest(silent=True),
            session=session,
            chat_id=5,
            chat_type="private",
            title="Ann",
            user_id=5,
            now=start + dt.timedelta(hours=1),
            default_timezone="UTC",
        )
        # Not given, so kept: time and zone.
        assert not new
        assert (sub.send_time, sub.timezone, sub.silent) == (dt.time(8, 30), "Asia/Baku", True)
        info = describe_subscription(session=session, chat_id=5, now=start)
        assert info is not None and info.next_send_local is not None
        assert info.next_send_local.isoformat() == "2024-01-16T08:30:00+04:00"
    with session_scope(engine) as session:
        assert unsubscribe(session=session, chat_id=5, now=start)
        assert not unsubscribe(session=session, chat_id=5, now=start)
        info = describe_subscription(session=session, chat_id=5, now=start)
        assert info is not None and not info.active and info.next_send_local is None
    with session_scope(engine) as session:
        sub, new = subscribe(
            SubscribeRequest(),
            session=session,
            chat_id=5,
            chat_type="private",
            title="Ann",
            user_id=5,
            now=start + dt.timedelta(days=3),
            default_timezone="UTC",
        )
        # A re-subscription starts afresh with the defaults.
        assert new and (sub.send_time, sub.timezone, sub.silent) == (dt.time(9), "UTC", False)


@sqlite_only
def test_chat_migration_moves_the_subscription(engine: Engine) -> None:
    sub_id = _subscribe(engine, chat_id=-42)
    other = _subscribe(engine, chat_id=-100777)
    with session_scope(engine) as session:
        assert move_subscription(
            session=session, subscription_id=sub_id, new_chat_id=-100555, now=SEND
        )
    with session_scope(engine) as session:
        sub = session.get(Subscription, sub_id)
        assert sub is not None and sub.chat_id == -100555
        # The new chat already has its own subscription: the old one stops, with the reason.
        assert not move_subscription(
            session=session, subscription_id=sub_id, new_chat_id=-100777, now=SEND
        )
    with Session(engine) as session:
        sub = session.get(Subscription, sub_id)
        kept = session.get(Subscription, other)
        assert sub is not None and kept is not None
        assert not sub.active and "-100777" in (sub.deactivated_reason or "")
        assert kept.active


# -- content ------------------------------------------------------------------------------------


def test_digest_holds_the_meetings_created_in_the_window_newest_first(engine: Engine) -> None:
    since, until = utc(2024, 1, 14, 8, 0), utc(2024, 1, 15, 8, 0)
    with session_scope(engine) as session:
        add_meeting(session, created_at=since, title="at since: last digest had it")
        old = add_meeting(
            session, created_at=since + dt.timedelta(hours=1), date=dt.date(2023, 5, 1)
        )
        new = add_meeting(
            session, created_at=since + dt.timedelta(hours=2), date=dt.date(2024, 1, 12)
        )
        edge = add_meeting(session, created_at=until, date=dt.date(2023, 9, 1))
        add_meeting(session, created_at=until + dt.timedelta(seconds=1), title="next digest")
        add_meeting(session, created_at=since + dt.timedelta(hours=3), deleted=True)
    with Session(engine) as session:
        digest = build_digest(session=session, since=since, until=until, digest_date=DAY)
    assert [m.id for m in digest.meetings] == [new, edge, old]
    assert (digest.total, digest.omitted, digest.grouped) == (3, 0, False)
    with Session(engine) as session:
        capped = build_digest(session=session, since=since, until=until, limit=2)
    assert [m.id for m in capped.meetings] == [new, edge] and capped.omitted == 1
    assert capped.omitted_dates == (dt.date(2023, 5, 1), dt.date(2023, 5, 1))
    assert (
        '…and 1 more, dated 1 May 2023: meetbot ask "meetings on 1 May 2023" lists them.'
        in format_digest_text(capped)
    )
    # Each meeting is dated as people write it: "1 September 2023", not "2023-09-01".
    assert "\n1 September 2023" in format_digest_text(capped)
    assert "2023-09-01" not in format_digest_text(capped)


@sqlite_only
def test_the_question_a_capped_digest_suggests_finds_the_meetings_it_left_out(
    engine: Engine,
) -> None:
    from bot.core.answering import answer_question

    since = utc(2024, 1, 14, 8, 0)
    dates = [dt.date(2024, 1, 12), dt.date(2023, 11, 2), dt.date(2023, 3, 5), dt.date(2021, 6, 1)]
    with session_scope(engine) as session:
        ids = [
            add_meeting(session, created_at=since + dt.timedelta(minutes=i + 1), date=day)
            for i, day in enumerate(dates)
        ]
    expected = {3: "meetings on 1 June 2021", 2: "meetings between 2021 and 2023"}
    for limit, question in expected.items():
        with Session(engine) as session:
            digest = build_digest(session=session, since=since, until=SEND, limit=limit)
            assert omitted_question(digest) == question
            answer = answer_question(question, session=session, today=DAY)
        left_out = set(ids) - {m.id for m in digest.meetings}
        assert left_out <= {m.id for m in answer.meetings}, answer.text


def test_the_suggested_question_names_the_smallest_period_holding_the_left_out_dates() -> None:
    moment = utc(2024, 1, 15)

    def question(first: dt.date, last: dt.date) -> str | None:
        digest = Digest(moment, moment, None, (), total=3, omitted_dates=(first, last))
        return omitted_question(digest)

    day = dt.date(2026, 12, 1)
    assert question(day, day) == "meetings on 1 December 2026"
    assert question(day, dt.date(2026, 12, 31)) == "meetings in December 2026"
    assert question(dt.date(2026, 1, 9), day) == "meetings in 2026"
    assert question(dt.date(2019, 1, 9), day) == "meetings between 2019 and 2026"
    assert omitted_question(Digest(moment, moment, None, (), total=0)) is None


@sqlite_only
def test_preview_uses_covered_until_or_the_last_day(engine: Engine) -> None:
    now = utc(2024, 1, 15, 12, 0)
    with session_scope(engine) as session:
        add_meeting(session, created_at=now - dt.timedelta(hours=30), title="two days")
        add_meeting(session, created_at=now - dt.timedelta(hours=2), title="today")
        add_subscription(session, chat_id=9, now=now - dt.timedelta(days=5))
    with Session(engine) as session:
        fresh = preview_digest(session=session, chat_id=None, now=now)
        assert [m.title for m in fresh.meetings] == ["today"]
        # Chat 9 subscribed five days ago and never got a digest: both are due for it.
        assert preview_digest(session=session, chat_id=9, now=now).total == 2
        assert format_digest_text(build_digest(session=session, since=now, until=now)) == (
            "No new meetings."
        )


def _view(i: int, *issues: str) -> MeetingView:
    return MeetingView(i, None, dt.date(2024, 1, 1), None, f"m{i}", None, (), issues, ())


def test_grouping_by_issue_only_where_it_helps() -> None:
    few = [_view(1, "mines"), _view(2, "mines")]
    assert [s.issue for s in group_by_issue(few)] == [None]
    unrelated = [_view(i, f"issue {i}") for i in range(5)]
    assert [s.issue for s in group_by_issue(unrelated)] == [None]
    mixed = [
        _view(1, "trade"),
        _view(2, "mines", "missing persons"),
        _view(3, "mines"),
        _view(4, "missing persons", "trade"),
        _view(5),
        _view(6, "trade"),
    ]
    sections = group_by_issue(mixed)
    assert [(s.issue, [m.id for m in s.meetings]) for s in sections] == [
        ("trade", [1, 4, 6]),
        ("mines", [2, 3]),
        (None, [5]),
    ]
