"""Admin record operations (bot/core/records/) on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from records_support import (
    TODAY,
    count_rows,
    make_clock,
    seed_record,
)
from sqlalchemy import Engine, func
from sqlmodel import col, select

from bot.core import interchange, records
from bot.core.clock import FakeClock
from bot.core.records import (
    ConflictError,
    MeetingDraft,
    MeetingRecord,
    NotFoundError,
    ParticipantRecord,
    RecordError,
    ValidationError,
)
from storage.db import read_catalog_version, session_scope
from storage.models import (
    Admin,
    AuditEntry,
    Issue,
    Meeting,
    MeetingIssue,
    Organization,
    Participation,
    Person,
)

ADMIN = 111
OTHER_ADMIN = 222


@pytest.fixture
def records_engine(engine: Engine) -> Engine:
    """conftest's fresh database: the test runs on SQLite and on PostgreSQL."""
    return engine


@pytest.fixture
def clock() -> FakeClock:
    return make_clock()


def create_seed(engine: Engine, clock: FakeClock, **changes: object) -> int:
    with session_scope(engine) as session:
        result = records.create_meeting(
            seed_record(**changes), session=session, clock=clock, actor_id=ADMIN
        )
    return result.meeting_id


def snapshot(engine: Engine, meeting_id: int) -> dict[str, object] | None:
    with session_scope(engine) as session:
        return records.snapshot_meeting(meeting_id, session=session)


# --------------------------------------------------------------------------- dates and text


@pytest.mark.parametrize(
    "text",
    [
        "2023-11-14",
        "14.11.2023",
        "14/11/2023",
        "14 Nov 2023",
        "14 November 2023",
        "14th November, 2023",
        "Nov 14, 2023",
        "november 14 2023",
        "  2023-11-14  ",
    ],
)
def test_parse_admin_date_reads_the_usual_forms(text: str) -> None:
    assert records.parse_admin_date(text, today=TODAY) == dt.date(2023, 11, 14)


def test_parse_admin_date_relative_words_use_today() -> None:
    assert records.parse_admin_date("today", today=TODAY) == TODAY
    assert records.parse_admin_date("Yesterday", today=TODAY) == TODAY - dt.timedelta(days=1)


def test_local_today_follows_the_clock_and_time_zone() -> None:
    clock = FakeClock(dt.datetime(2024, 3, 1, 23, 30, tzinfo=dt.UTC))
    assert records.local_today(clock) == dt.date(2024, 3, 1)
    assert records.local_today(clock, "Asia/Baku") == dt.date(2024, 3, 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31.02.2023", "There is no 31 February 2023."),
        ("2023-13-01", "There is no month 13"),
        ("next week", "I cannot read “next week” as a date"),
        ("", "I cannot read “” as a date"),
        ("14 Foo 2023", "I cannot read"),
    ],
)
def test_parse_admin_date_refuses_with_a_sentence(text: str, message: str) -> None:
    with pytest.raises(RecordError, match=message):
        records.parse_admin_date(text, today=TODAY)


def test_parse_participant_line_splits_name_role_organization_country() -> None:
    p = records.parse_participant_line(
        "Pia Kauma, President, OSCE Parliamentary Assembly, Finland"
    )
    assert (p.name, p.title, p.organization, p.country) == (
        "Pia Kauma",
        "President",
        "OSCE Parliamentary Assembly",
        "Finland",
    )
    assert records.parse_participant_line("  Pia Kauma ").title is None
    assert records.parse_participant_line("Pia Kauma, President").organization is None


def test_parse_participant_line_keeps_commas_of_a_long_role() -> None:
    p = records.parse_participant_line(
        "Ali Naghiyev, Chief of the SSS, Chairman of the State Commission, SSS, Azerbaijan"
    )
    assert p.title == "Chief of the SSS, Chairman of the State Commission"
    assert (p.organization, p.country) == ("SSS", "Azerbaijan")
    q = records.parse_participant_line("Ali Naghiyev; Chief, Chairman; SSS; Azerbaijan")
    assert (q.title, q.organization) == ("Chief, Chairman", "SSS")


# --------------------------------------------------------------------------- validation


def test_validate_record_accepts_the_seed_and_cleans_it() -> None:
    record = seed_record(location="  Baku  ", issues=("mines", "mines", " "))
    clean = records.validate_record(record, today=TODAY)
    assert clean.location == "Baku"
    assert clean.issues == ("mines",)


def test_validate_record_names_every_problem() -> None:
    record = MeetingRecord(
        date=TODAY + dt.timedelta(days=2),
        participants=(ParticipantRecord(name="  "),),
        location="x" * 201,
        sources=("ftp://example.com/a", "https://no host", "https://localhost:99x/"),
    )
    with pytest.raises(ValidationError) as caught:
        records.validate_record(record, today=TODAY)
    errors = caught.value.errors
    assert any("in the future" in e for e in errors)
    assert "Participant 1 has no name." in errors
    assert "A meeting needs at least two participants; it has 1." in errors
    assert "The location is 201 characters long; the limit is 200." in errors
    assert any("must start with http:// or https://" in e for e in errors)
    assert any("contains spaces" in e for e in errors)
    assert any("is not a valid URL" in e for e in errors)
    assert all(e.endswith(".") for e in errors)


def test_validate_record_allows_tomorrow_but_not_before_1900() -> None:
    records.validate_record(seed_record(date=TODAY + dt.timedelta(days=1)), today=TODAY)
    with pytest.raises(ValidationError, match="before 1900"):
        records.validate_record(seed_record(date=dt.date(1899, 12, 31)), today=TODAY)


def test_validate_record_refuses_the_same_person_twice() -> None:
    record = seed_record(
        participants=(ParticipantRecord(name="Pia Kauma"), ParticipantRecord(name="pia  KAUMA"))
    )
    with pytest.raises(ValidationError, match="Participants 1 and 2 are the same person"):
        records.validate_record(record, today=TODAY)


def test_draft_without_date_is_a_sentence() -> None:
    with pytest.raises(ValidationError, match=re.escape("The meeting needs a date.")):
        MeetingDraft().as_record()


# --------------------------------------------------------------------------- create


def test_create_meeting_writes_the_meeting_and_its_audit_entry(
    records_engine: Engine, clock: FakeClock
) -> None:
    with session_scope(records_engine) as session:
        version_before = read_catalog_version(session)
    meeting_id = create_seed(records_engine, clock)
    with session_scope(records_engine) as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        assert meeting.date == dt.date(2023, 11, 14)
        assert meeting.created_by == ADMIN
        entries = session.exec(select(AuditEntry)).all()
        assert [(e.action, e.entity, e.entity_id, e.actor_id) for e in entries] == [
            ("create", "meeting", meeting_id, ADMIN)
        ]
        assert entries[0].before is None
        assert entries[0].after == records.snapshot_meeting(meeting_id, session=session)
        assert read_catalog_version(session) > version_before
        names = [p["name"] for p in entries[0].after["participants"]]
        assert names == ["Ali Naghiyev", "Pia Kauma"]
        assert [i["name"] for i in entries[0].after["issues"]] == [
            "mine contamination",
            "missing persons",
        ]


def test_create_meeting_reuses_people_organizations_and_issues(
    records_engine: Engine, clock: FakeClock
) -> None:
    create_seed(records_engine, clock)
    with session_scope(records_engine) as session:
        session.get(Issue, 1).aliases = ["landmines"]  # type: ignore[union-attr]
        person = session.exec(select(Person).where(Person.name == "Ali Naghiyev")).one()
        person.aliases = ["Ali Nagiyev"]
        session.add(person)
    twin = seed_record(
        date=dt.date(2024, 5, 2),
        participants=(
            ParticipantRecord(
                name="Ali Nagiyev", organization="state security service of azerbaijan"
            ),
            ParticipantRecord(name="PIA KAUMA"),
        ),
        issues=("Landmines",),
    )
    with session_scope(records_engine) as session:
        records.create_meeting(twin, session=session, clock=clock, actor_id=ADMIN)
    with session_scope(records_engine) as session:
        assert count_rows(session, Person) == 2
        assert count_rows(session, Organization) == 2
        assert count_rows(session, Issue) == 2
        assert count_rows(session, Meeting) == 2


def test_a_failure_midway_leaves_nothing_written(records_engine: Engine, clock: FakeClock) -> None:
    # The meeting and a new person are flushed before the unknown person id is found.
    record = seed_record(
        participants=(
            ParticipantRecord(name="New Person"),
            ParticipantRecord(name="X", person_id=999),
        )
    )
    missing = re.escape("There is no person #999.")
    with pytest.raises(NotFoundError, match=missing), session_scope(records_engine) as session:
        records.create_meeting(record, session=session, clock=clock, actor_id=ADMIN)
    with session_scope(records_engine) as session:
        for model in (Meeting, Person, Participation, AuditEntry, Organization, Issue):
            assert count_rows(session, model) == 0, model


def test_create_meeting_refuses_a_used_external_id(
    records_engine: Engine, clock: FakeClock
) -> None:
    create_seed(records_engine, clock, external_id="seed-1")
    with pytest.raises(ValidationError, match="already used by meeting"):
        create_seed(records_engine, clock, external_id="seed-1", date=dt.date(2023, 1, 1))


# --------------------------------------------------------------------------- people


def test_match_person_exact_alias_fuzzy_and_new(records_engine: Engine, clock: FakeClock) -> None:
    create_seed(records_engine, clock)
    with session_scope(records_engine) as session:
        person = session.exec(select(Person).where(Person.name == "Ali Naghiyev")).one()
        person.aliases = ["Али Нагиев"]
        session.add(person)
    with session_scope(records_engine) as session:
        exact = records.match_person("ali naghiyev", session=session)
        assert exact.exact is not None and exact.exact.name == "Ali Naghiyev"
        assert records.match_person("Али Нагиев", session=session).exact is not None
        fuzzy = records.match_person("Ali Nagiyev", session=session)
        assert fuzzy.exact is None
        assert [c.label for c in fuzzy.candidates] == ["Ali Naghiyev (Azerbaijan)"]
        assert records.match_person("Ilham Aliyev", session=session) == records.PersonMatch()


def test_match_person_asks_between_namesakes_unless_the_country_decides(
    records_engine: Engine, clock: FakeClock
) -> None:
    create_seed(records_engine, clock)
    with session_scope(records_engine) as session:
        session.add(Person(name="Pia Kauma", aliases=[], country="Sweden"))
    with session_scope(records_engine) as session:
        both = records.match_person("Pia Kauma", session=session)
        assert both.exact is None and len(both.candidates) == 2
        finnish = records.match_person("Pia Kauma", session=session, country="Finland")
        assert finnish.exact is not None and finnish.exact.country == "Finland"


def test_new_person_choice_creates_a_second_person(
    records_engine: Engine, clock: FakeClock
) -> None:
    create_seed(records_engine, clock)
    twin = seed_record(
        date=dt.date(2023, 1, 5),
        participants=(
            ParticipantRecord(name="Pia Kauma", new_person=True),
            ParticipantRecord(name="Ali Naghiyev"),
        ),
    )
    with session_scope(records_engine) as session:
        records.create_meeting(twin, session=session, clock=clock, actor_id=ADMIN)
    with session_scope(records_engine) as session:
        assert count_rows(session, Person) == 3


def test_resolve_issues_maps_synonyms_and_suggests_close_spellings(
    records_engine: Engine, clock: FakeClock
) -> None:
    create_seed(records_engine, clock)
    with session_scope(records_engine) as session:
        issue = session.exec(select(Issue).where(Issue.name == "mine contamination")).one()
        issue.aliases = ["landmines"]
        session.add(issue)
    with session_scope(records_engine) as session:
        choices = records.resolve_issues(["Landmines", "missing person", "trade"], session=session)
        assert [(c.name, c.existing, c.suggestion) for c in choices] == [
            ("mine contamination", True, None),
            ("missing person", False, "missing persons"),
            ("trade", False, None),
        ]
        assert sorted(records.known_issues(session=session)) == [
            ("mine contamination", ("landmines",)),
            ("missing persons", ()),
        ]


# --------------------------------------------------------------------------- edit, history, undo


def test_edit_then_undo_restores_exactly(records_engine: Engine, clock: FakeClock) -> None:
    meeting_id = create_seed(records_engine, clock)
    original = snapshot(records_engine, meeting_id)
    clock.advance(dt.timedelta(hours=1))
    edits = [
        ("date", "15.11.2023"),
        ("location", "Ganja"),
        ("issues", "peace talks, mine contamination"),
        ("sources", "https://example.org/a https://example.org/b"),
        ("participants", "Ali Naghiyev, Chief; Ilham Aliyev, President, , Azerbaijan"),
        ("title", "-"),
    ]
    states = [original]
    for field_name, value in edits:
        with session_scope(records_engine) as session:
            records.edit_meeting(
                meeting_id, field_name, value, session=session, clock=clock, actor_id=ADMIN
            )
        states.append(snapshot(records_engine, meeting_id))
        clock.advance(dt.timedelta(minutes=5))
    final = states[-1]
    assert final is not None
    assert final["date"] == "2023-11-15"
    assert final["location"] == "Ganja"
    assert final["title"] is None
    assert [p["name"] for p in final["participants"]] == ["Ali Naghiyev", "Ilham Aliyev"]
    assert final["participants"][0]["person_id"] == original["participants"][0]["person_id"]  # type: ignore[index]
    for expected in reversed(states[:-1]):
        with session_scope(records_engine) as session:
            records.undo_last_change(session=session, clock=clock, actor_id=ADMIN)
        assert snapshot(records_engine, meeting_id) == expected
    with session_scope(records_engine) as session:
        # The last undo takes back the create itself: the meeting is hidden.
        result = records.undo_last_change(session=session, clock=clock, actor_id=ADMIN)
        assert result.description == f"Undid adding meeting {meeting_id}."
    with session_scope(records_engine) as session:
        with pytest.raises(NotFoundError, match="is deleted"):
            records.find_meeting(meeting_id, session=session)
        with pytest.raises(NotFoundError, match=re.escape("You have no change left to undo.")):
            records.undo_last_change(session=session, clock=clock, actor_id=ADMIN)


def test_history_shows_who_changed_what(records_engine: Engine, clock: FakeClock) -> None:
    meeting_id = create_seed(records_engine, clock)
    clock.advance(dt.timedelta(hours=1))
    with session_scope(records_engine) as session:
        records.edit_meeting(
            meeting_id, "location", "Ganja", session=session, clock=clock, actor_id=OTHER_ADMIN
        )
        records.delete_meeting(meeting_id, session=session, clock=clock, actor_id=ADMIN)
    with session_scope(records_engine) as session:
        history = records.meeting_history(str(meeting_id), session=session)
    assert [(h.action, h.actor_id) for h in history] == [
        ("create", ADMIN),
        ("edit", OTHER_ADMIN),
        ("delete", ADMIN),
    ]
    assert history[1].changes == (records.FieldChange("location", "Baku, Azerbaijan", "Ganja"),)
    assert history[2].changes == (records.FieldChange("deleted", None, "yes"),)
    created = {c.field: c.after for c in history[0].changes}
    assert created["date"] == "2023-11-14"
    assert created["participants"].startswith("Ali Naghiyev (Chief of the State Security")


def test_delete_and_undo_delete(records_engine: Engine, clock: FakeClock) -> None:
    meeting_id = create_seed(records_engine, clock)
    before = snapshot(records_engine, meeting_id)
    with session_scope(records_engine) as session:
        records.delete_meeting(meeting_id, session=session, clock=clock, actor_id=ADMIN)
    with session_scope(records_engine) as session:
        assert session.get(Meeting, meeting_id).deleted_at is not None  # type: ignore[union-attr]
        with pytest.raises(NotFoundError, match=f"Meeting {meeting_id} is deleted."):
            records.delete_meeting(meeting_id, session=session, clock=clock, actor_id=ADMIN)
    with session_scope(records_engine) as session:
        result = records.undo_last_change(session=session, clock=clock, actor_id=ADMIN)
    assert result.description == f"Undid deleting meeting {meeting_id}."
    assert snapshot(records_engine, meeting_id) == before


def test_undo_is_per_admin_and_refuses_over_a_later_edit(
    records_engine: Engine, clock: FakeClock
) -> None:
    meeting_id = create_seed(records_engine, clock)
    with session_scope(records_engine) as session:
        records.edit_meeting(
            meeting_id, "location", "Ganja", session=session, clock=clock, actor_id=ADMIN
        )
    with session_scope(records_engine) as session:
        records.edit_meeting(
            meeting_id, "title", "Talks", session=session, clock=clock, actor_id=OTHER_ADMIN
        )
    after_other = snapshot(records_engine, meeting_id)
    conflict = "changed after your edit"
    with pytest.raises(ConflictError, match=conflict), session_scope(records_engine) as session:
        records.undo_last_change(session=session, clock=clock, actor_id=ADMIN)
    assert snapshot(records_engine, meeting_id) == after_other
    with session_scope(records_engine) as session:
        records.undo_last_change(session=session, clock=clock, actor_id=OTHER_ADMIN)
    with session_scope(records_engine) as session:
        records.undo_last_change(session=session, clock=clock, actor_id=ADMIN)
    assert snapshot(records_engine, meeting_id)["location"] == "Baku, Azerbaijan"  # type: ignore[index]


def test_edit_refusals_change_nothing(records_engine: Engine, clock: FakeClock) -> None:
    meeting_id = create_seed(records_engine, clock)
    before = snapshot(records_engine, meeting_id)
    cases = [
        ("date", "2031-01-01", "in the future"),
        ("date", "30.02.2023", "There is no 30 February 2023."),
        ("participants", "Only One", "at least two participants"),
        ("sources", "not-a-url", "must start with http"),
        ("colour", "red", "There is no field “colour”"),
        ("location", "Baku, Azerbaijan", "nothing changed"),
        ("summary", "x" * 5001, "the limit is 5000"),
    ]
    for field_name, value, message in cases:
        with pytest.raises(RecordError, match=message), session_scope(records_engine) as session:
            records.edit_meeting(
                meeting_id, field_name, value, session=session, clock=clock, actor_id=ADMIN
            )
    missing = re.escape("There is no meeting 999.")
    with pytest.raises(NotFoundError, match=missing), session_scope(records_engine) as session:
        records.edit_meeting(999, "title", "x", session=session, clock=clock, actor_id=ADMIN)
    assert snapshot(records_engine, meeting_id) == before
    with session_scope(records_engine) as session:
        assert count_rows(session, AuditEntry) == 1


def test_find_meeting_by_external_id(records_engine: Engine, clock: FakeClock) -> None:
    meeting_id = create_seed(records_engine, clock, external_id="news-az-1")
    with session_scope(records_engine) as session:
        assert records.find_meeting("news-az-1", session=session).id == meeting_id
        assert records.find_meeting(f"#{meeting_id}", session=session).id == meeting_id
        # Numbers beyond the 32-bit key are just unknown, on PostgreSQL too.
        for reference in ("99999999999", "#" + "9" * 40):
            with pytest.raises(NotFoundError, match="There is no meeting"):
                records.find_meeting(reference, session=session)
        with pytest.raises(NotFoundError, match="There is no person"):
            records.find_person("#99999999999", session=session)


# --------------------------------------------------------------------------- admins


def test_grant_revoke_list_and_undo(records_engine: Engine, clock: FakeClock) -> None:
    bootstrap = [ADMIN]
    with session_scope(records_engine) as session:
        assert records.is_admin(ADMIN, session=session, bootstrap_ids=bootstrap)
        assert not records.is_admin(5_000_000_001, session=session, bootstrap_ids=bootstrap)
        records.grant_admin(
            5_000_000_001, session=session, clock=clock, actor_id=ADMIN, bootstrap_ids=bootstrap
        )
    with session_scope(records_engine) as session:
        assert records.is_admin(5_000_000_001, session=session, bootstrap_ids=bootstrap)
        listed = records.list_admins(session=session, bootstrap_ids=bootstrap)
        assert [(a.user_id, a.source, a.granted_by) for a in listed] == [
            (ADMIN, "settings", None),
            (5_000_000_001, "granted", ADMIN),
        ]
        with pytest.raises(RecordError, match="already an admin"):
            records.grant_admin(
                5_000_000_001,
                session=session,
                clock=clock,
                actor_id=ADMIN,
                bootstrap_ids=bootstrap,
            )
        with pytest.raises(RecordError, match="ADMIN_IDS setting; remove them there"):
            records.revoke_admin(
                ADMIN, session=session, clock=clock, actor_id=ADMIN, bootstrap_ids=bootstrap
            )
        with pytest.raises(RecordError, match="is not a Telegram user id"):
            records.grant_admin(
                -5, session=session, clock=clock, actor_id=ADMIN, bootstrap_ids=bootstrap
            )
    with session_scope(records_engine) as session:
        records.revoke_admin(
            5_000_000_001, session=session, clock=clock, actor_id=ADMIN, bootstrap_ids=bootstrap
        )
    with session_scope(records_engine) as session:
        assert count_rows(session, Admin) == 0
        result = records.undo_last_change(session=session, clock=clock, actor_id=ADMIN)
        assert result.description == "Undid revoking admin rights of user 5000000001."
    with session_scope(records_engine) as session:
        assert records.is_admin(5_000_000_001, session=session, bootstrap_ids=bootstrap)
        records.undo_last_change(session=session, clock=clock, actor_id=ADMIN)
    with session_scope(records_engine) as session:
        assert count_rows(session, Admin) == 0


# --------------------------------------------------------------------------- aliases and merges


def test_alias_person_organization_issue_and_undo(
    records_engine: Engine, clock: FakeClock
) -> None:
    create_seed(records_engine, clock)
    with session_scope(records_engine) as session:
        done = records.add_alias(
            "OSCE Parliamentary Assembly", "OSCE PA", session=session, clock=clock, actor_id=ADMIN
        )
        assert (done.entity, done.name, done.alias) == (
            "organization",
            "OSCE Parliamentary Assembly",
            "OSCE PA",
        )
        records.add_alias("OSCE PA", "PA OSCE", session=session, clock=clock, actor_id=ADMIN)
        records.add_alias(
            "mine contamination", "landmines", session=session, clock=clock, actor_id=ADMIN
        )
        records.add_alias(
            "Ali Naghiyev", "Ali Nagiyev", session=session, clock=clock, actor_id=ADMIN
        )
    with session_scope(records_engine) as session:
        org = session.exec(select(Organization).where(Organization.name.startswith("OSCE"))).one()
        assert org.aliases == ["OSCE PA", "PA OSCE"]
        assert records.match_person("Ali Nagiyev", session=session).exact is not None
        with pytest.raises(RecordError, match="already is a name of Ali Naghiyev"):
            records.add_alias(
                "Ali Naghiyev", "ali nagiyev", session=session, clock=clock, actor_id=ADMIN
            )
        with pytest.raises(RecordError, match="already names person Pia Kauma; use /merge"):
            records.add_alias(
                "Ali Naghiyev", "Pia Kauma", session=session, clock=clock, actor_id=ADMIN
            )
        with pytest.raises(NotFoundError, match="did you mean “Pia Kauma”"):
            records.add_alias("Pia Kaumaa", "P. K.", session=session, clock=clock, actor_id=ADMIN)
    with session_scope(records_engine) as session:
        undone = records.undo_last_change(session=session, clock=clock, actor_id=ADMIN)
        assert undone.description == "Removed the alias “Ali Nagiyev” of Ali Naghiyev."
    with session_scope(records_engine) as session:
        assert records.match_person("Ali Nagiyev", session=session).exact is None


def test_alias_asks_which_kind_when_a_name_is_shared(
    records_engine: Engine, clock: FakeClock
) -> None:
    create_seed(records_engine, clock)
    with session_scope(records_engine) as session:
        session.add(Issue(name="Pia Kauma", aliases=[]))
    with session_scope(records_engine) as session:
        with pytest.raises(RecordError, match="names more than one record"):
            records.add_alias("Pia Kauma", "PK", session=session, clock=clock, actor_id=ADMIN)
        done = records.add_alias(
            "person: Pia Kauma", "PK", session=session, clock=clock, actor_id=ADMIN
        )
        assert done.entity == "person"


@pytest.mark.postgres
def test_two_merges_racing_on_postgres_merge_once(pg_engine: Engine, clock: FakeClock) -> None:
    """Two replicas take the same Merge tap: the second waits for the first, then is refused."""
    create_seed(pg_engine, clock)
    with session_scope(pg_engine) as session:
        session.add(Person(name="A. Naghiyev", country="Azerbaijan"))
    with session_scope(pg_engine) as session:
        dropped = session.exec(select(Person).where(Person.name == "A. Naghiyev")).one().id
        kept = session.exec(select(Person).where(Person.name == "Ali Naghiyev")).one().id
    outcome: list[object] = []

    def second_replica() -> None:
        try:
            with session_scope(pg_engine) as session:
                outcome.append(
                    records.merge_people(
                        f"#{kept}", f"#{dropped}", session=session, clock=clock, actor_id=ADMIN
                    )
                )
        except RecordError as exc:
            outcome.append(exc)

    with session_scope(pg_engine) as session:
        records.merge_people(
            f"#{kept}", f"#{dropped}", session=session, clock=clock, actor_id=ADMIN
        )
        worker = threading.Thread(target=second_replica)
        worker.start()
        worker.join(timeout=1.0)  # it reads, then waits for this transaction's locks
        assert worker.is_alive()
    worker.join(timeout=10)
    assert not worker.is_alive()
    [refusal] = outcome
    assert isinstance(refusal, RecordError), refusal
    with session_scope(pg_engine) as session:
        merges = session.exec(select(AuditEntry).where(AuditEntry.action == "merge")).all()
        assert len(merges) == 1


def test_merge_people_and_undo(records_engine: Engine, clock: FakeClock) -> None:
    first = create_seed(records_engine, clock)
    second = create_seed(
        records_engine,
        clock,
        date=dt.date(2024, 2, 1),
        participants=(
            ParticipantRecord(name="A. Naghiyev", new_person=True, country="Azerbaijan"),
            ParticipantRecord(name="Ilham Aliyev"),
        ),
    )
    before_first, before_second = snapshot(records_engine, first), snapshot(records_engine, second)
    with session_scope(records_engine) as session:
        result = records.merge_people(
            "Ali Naghiyev", "A. Naghiyev", session=session, clock=clock, actor_id=ADMIN
        )
        assert (result.kept_name, result.removed_name, result.meetings_moved) == (
            "Ali Naghiyev",
            "A. Naghiyev",
            1,
        )
    with session_scope(records_engine) as session:
        assert count_rows(session, Person) == 3
        kept = session.exec(select(Person).where(Person.name == "Ali Naghiyev")).one()
        assert kept.aliases == ["A. Naghiyev"]
        merged = records.snapshot_meeting(second, session=session)
        assert merged["participants"][0]["name"] == "Ali Naghiyev"  # type: ignore[index]
        with pytest.raises(RecordError, match="both took part in meeting"):
            records.merge_people(
                "Ali Naghiyev", "Ilham Aliyev", session=session, clock=clock, actor_id=ADMIN
            )
    with session_scope(records_engine) as session:
        records.undo_last_change(session=session, clock=clock, actor_id=ADMIN)
    assert snapshot(records_engine, first) == before_first
    assert snapshot(records_engine, second) == before_second
    with session_scope(records_engine) as session:
        assert count_rows(session, Person) == 4


def test_find_person_refuses_ambiguity_with_ids(records_engine: Engine, clock: FakeClock) -> None:
    create_seed(records_engine, clock)
    with session_scope(records_engine) as session:
        session.add(Person(name="Pia Kauma", aliases=[], country="Sweden"))
    wanted = r"Several people are called “Pia Kauma” \(#2"
    with session_scope(records_engine) as session, pytest.raises(RecordError, match=wanted):
        records.find_person("Pia Kauma", session=session)


def test_links_are_ordered(records_engine: Engine, clock: FakeClock) -> None:
    meeting_id = create_seed(records_engine, clock)
    with session_scope(records_engine) as session:
        positions = session.exec(
            select(MeetingIssue.position).where(MeetingIssue.meeting_id == meeting_id)
        ).all()
        assert sorted(positions) == [0, 1]
        assert session.exec(select(func.count()).select_from(Participation)).one() == 2


# --------------------------------------------------------------------------- imports


SEED_FILE = Path(__file__).resolve().parent.parent / "seeds" / "000_naghiyev_kauma.yaml"


def import_file(engine: Engine, clock: FakeClock, data: bytes, actor_id: int = ADMIN) -> object:
    doc = interchange.parse_import(data, filename="x.yaml")
    with session_scope(engine) as session:
        return interchange.apply_import(doc, session=session, clock=clock, actor_id=actor_id)


def test_history_and_undo_of_an_import(records_engine: Engine, clock: FakeClock) -> None:
    seed = SEED_FILE.read_bytes()
    import_file(records_engine, clock, seed)
    with session_scope(records_engine) as session:
        meeting_id = records.find_meeting("m00", session=session).id
        exported = interchange.export_catalog(session=session)
    clock.advance(dt.timedelta(minutes=1))
    import_file(records_engine, clock, seed.replace(b"location: Baku", b"location: Ganja"))
    with session_scope(records_engine) as session:
        history = records.meeting_history("m00", session=session)
    assert [h.action for h in history] == ["import", "import"]
    assert history[1].changes == (
        records.FieldChange("location", "Baku, Azerbaijan", "Ganja, Azerbaijan"),
    )
    assert {c.field for c in history[0].changes} >= {"date", "participants", "issues"}
    with session_scope(records_engine) as session:
        result = records.undo_last_change(session=session, clock=clock, actor_id=ADMIN)
        assert result.description == "Undid your import: 0 meeting(s) removed, 1 restored."
    with session_scope(records_engine) as session:
        assert interchange.export_catalog(session=session) == exported
        records.undo_last_change(session=session, clock=clock, actor_id=ADMIN)
    with session_scope(records_engine) as session:
        assert session.get(Meeting, meeting_id).deleted_at is not None  # type: ignore[union-attr]
        assert "meetings: []" in interchange.export_catalog(session=session)


def test_undo_of_an_import_refuses_over_a_later_edit(
    records_engine: Engine, clock: FakeClock
) -> None:
    import_file(records_engine, clock, SEED_FILE.read_bytes())
    with session_scope(records_engine) as session:
        records.edit_meeting(
            "m00", "location", "Ganja", session=session, clock=clock, actor_id=OTHER_ADMIN
        )
    with (
        pytest.raises(ConflictError, match="changed after your import"),
        session_scope(records_engine) as session,
    ):
        records.undo_last_change(session=session, clock=clock, actor_id=ADMIN)


def test_an_import_refuses_meetings_over_a_day_ahead() -> None:
    dates = [TODAY, TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=2)]
    data = "meetings:\n" + "".join(
        f"- {{date: {day.isoformat()}, participants: [{{name: A}}, {{name: B{i}}}]}}\n"
        for i, day in enumerate(dates)
    )
    with pytest.raises(interchange.InvalidImport) as caught:
        interchange.parse_import(data.encode(), filename="x.yaml", today=TODAY)
    assert caught.value.errors == [
        "meetings[2].date: 2024-06-03 is in the future (at most a day ahead)"
    ]


def _legacy_shape(snap: dict[str, Any]) -> dict[str, Any]:
    """A snapshot as imports audited it before they shared the edits' shape (import format)."""
    out = {"id": snap["external_id"], "date": snap["date"]}
    out |= {k: snap[k] for k in ("location", "title", "summary") if snap[k] is not None}
    sources = snap["sources"]
    out["source"] = sources[0] if len(sources) == 1 else sources
    out["participants"] = [
        {k: p[k] for k in ("name", "title", "organization", "country") if p[k] is not None}
        for p in snap["participants"]
    ]
    out["issues"] = [i["name"] for i in snap["issues"]]
    return out


def test_an_import_audited_in_the_old_shape_still_shows_and_undoes(
    records_engine: Engine, clock: FakeClock
) -> None:
    seed = SEED_FILE.read_bytes()
    import_file(records_engine, clock, seed)
    clock.advance(dt.timedelta(minutes=1))
    import_file(records_engine, clock, seed.replace(b"location: Baku", b"location: Ganja"))
    with session_scope(records_engine) as session:
        entry = session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc())).first()
        assert entry is not None and entry.before is not None and entry.after is not None
        entry.before, entry.after = _legacy_shape(entry.before), _legacy_shape(entry.after)
    with session_scope(records_engine) as session:
        history = records.meeting_history("m00", session=session)
        assert history[-1].changes == (
            records.FieldChange("location", "Baku, Azerbaijan", "Ganja, Azerbaijan"),
        )
        result = records.undo_last_change(session=session, clock=clock, actor_id=ADMIN)
    assert result.description == "Undid your import: 0 meeting(s) removed, 1 restored."
    with session_scope(records_engine) as session:
        assert records.find_meeting("m00", session=session).location == "Baku, Azerbaijan"
