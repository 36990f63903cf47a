"""The import format: whole-file validation with paths, idempotent apply, byte-identical export."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from typing import Any

import pytest
from sqlalchemy import Engine, event, func
from sqlmodel import Session, col, select

from bot.core import interchange
from bot.core.clock import FakeClock
from bot.core.interchange import (
    ImportDoc,
    ImportResult,
    InvalidImport,
    apply_import,
    export_catalog,
    parse_import,
)
from storage.db import read_catalog_version, session_scope
from storage.models import (
    AuditEntry,
    Issue,
    Meeting,
    MeetingIssue,
    Organization,
    Participation,
    Person,
)

# Four meetings that exercise the format: two on one day, one without an id, a list of
# sources, a missing place, non-Latin aliases, a multi-line summary, alias sections.
CATALOG = textwrap.dedent(
    """\
    meetings:
      - id: t1
        date: 2024-04-02
        location: Dili, Timor-Leste
        title: President Ramos-Horta receives the ASEAN Secretary-General
        summary: |-
          Talks on Timor-Leste's path to ASEAN membership.

          Both sides named 2025 as the target.
        source:
          - https://example.org/a
          - https://example.org/b
        participants:
          - name: José Ramos-Horta
            title: President of Timor-Leste
            organization: Presidency of Timor-Leste
            country: Timor-Leste
            aliases: [Jose Ramos-Horta, Ramos Horta]
          - name: Kao Kim Hourn
            title: Secretary-General of ASEAN
            organization: ASEAN Secretariat
            country: Cambodia
        issues: [Timor-Leste ASEAN membership]
      - id: t2
        date: 2024-04-02
        participants:
          - name: Xanana Gusmão
            title: Prime Minister of Timor-Leste
            country: Timor-Leste
            aliases: [Xanana Gusmao, Шанана Гужмау]
          - name: Kao Kim Hourn
            title: Secretary-General of ASEAN
            organization: ASEAN Secretariat
        issues: [ASEAN membership of Timor-Leste, infrastructure]
        source: https://example.org/c
      - date: 2021-05-25
        location: Brussels, Belgium
        participants:
          - name: Kaja Kallas
            title: Prime Minister of Estonia
            country: "NO"
          - name: Jens Stoltenberg
            title: NATO Secretary General
            organization: NATO
        issues: [deterrence]
      - id: t4
        date: 2023-02-23
        location: Tallinn, Estonia
        participants:
          - name: Alar Karis
            title: President of Estonia
          - name: J. Stoltenberg
            aliases: [Jens Stoltenberg]
            title: NATO Secretary General
            organization: North Atlantic Treaty Organization
    organizations:
      - name: North Atlantic Treaty Organization
        aliases: [NATO, НАТО]
      - name: ASEAN Secretariat
        country: Indonesia
    issues:
      - name: Timor-Leste ASEAN membership
        aliases: [ASEAN membership of Timor-Leste]
      - name: deterrence
        aliases: [deterrence and defence]
    """
)


def _parse(text: str, filename: str = "catalog.yaml") -> ImportDoc:
    return parse_import(text.encode("utf-8"), filename=filename)


def _errors(text: str | bytes, filename: str = "bad.yaml") -> list[str]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(InvalidImport) as caught:
        parse_import(data, filename=filename)
    return caught.value.errors


def _import(engine: Engine, text: str, clock: FakeClock, name: str = "x.yaml") -> ImportResult:
    with session_scope(engine) as session:
        return apply_import(_parse(text, name), session=session, clock=clock)


def _export(engine: Engine, fmt: str = "yaml") -> str:
    with session_scope(engine) as session:
        return export_catalog(session=session, fmt=fmt)  # type: ignore[arg-type]


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def _meeting(*, date: str = "2024-01-01", **fields: object) -> dict[str, object]:
    return {
        "date": date,
        "participants": [{"name": "Ann Example"}, {"name": "Bob Example"}],
        **fields,
    }


def _doc(*meetings: dict[str, object], **sections: object) -> str:
    return json.dumps({"meetings": list(meetings), **sections})


# --- parsing and validation ----------------------------------------------------------------------


def test_parse_reads_every_field_of_the_catalog() -> None:
    doc = _parse(CATALOG)
    first = doc.meetings[0]
    assert first.id == "t1"
    assert first.date == dt.date(2024, 4, 2)
    assert first.source == ["https://example.org/a", "https://example.org/b"]
    assert first.summary == (
        "Talks on Timor-Leste's path to ASEAN membership.\n\nBoth sides named 2025 as the target."
    )
    assert first.participants[0].aliases == ["Jose Ramos-Horta", "Ramos Horta"]
    assert doc.meetings[1].source == ["https://example.org/c"]
    assert doc.meetings[2].id is None and doc.meetings[1].location is None
    assert [o.name for o in doc.organizations] == [
        "North Atlantic Treaty Organization",
        "ASEAN Secretariat",
    ]
    assert doc.issues[1].aliases == ["deterrence and defence"]


def test_yaml_words_like_no_and_dates_stay_text() -> None:
    # YAML 1.1 would read NO as False (Norway) and give an unquoted date a type of its own.
    doc = _parse(CATALOG)
    assert doc.meetings[2].participants[0].country == "NO"
    plain = _parse("meetings:\n- {date: 2024-01-01, participants: [{name: yes}, {name: 'off'}]}")
    assert [p.name for p in plain.meetings[0].participants] == ["yes", "off"]


def test_json_and_yaml_give_the_same_document() -> None:
    as_yaml = _parse(CATALOG)
    data = {"meetings": [m.model_dump(mode="json") for m in as_yaml.meetings]}
    as_json = parse_import(json.dumps(data).encode(), filename="catalog.json")
    assert as_json.meetings == as_yaml.meetings


def test_every_error_is_reported_with_its_path() -> None:
    errors = _errors(
        textwrap.dedent(
            """\
            meetings:
              - date: 2023-13-45
                participants: [{name: A}, {title: nobody}]
              - date: 2024-01-01
                place: Baku
                participants: [{name: A}]
              - date: 2024-01-01
                source: ftp://example.org/x
                participants: [{name: A, rank: 3}, {name: B}]
            colour: blue
            """
        )
    )
    assert sorted(errors) == [
        "colour: unknown key (allowed: meetings, organizations, issues)",
        "meetings[0].date: not a date (2023-13-45)",
        "meetings[0].participants[1].name: required",
        "meetings[1].participants: at least two participants are needed",
        "meetings[1].place: unknown key (allowed: id, date, location, title, summary, source,"
        " participants, issues)",
        "meetings[2].participants[0].rank: unknown key (allowed: name, title, organization,"
        " country, aliases)",
        "meetings[2].source[0]: not an http(s) URL (ftp://example.org/x)",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2023-02-30", "not a date (2023-02-30)"),
        ("1066-10-14", "not a plausible date (1066-10-14)"),
        ("2023-11-14T10:00", "not a date (2023-11-14T10:00); write it as YYYY-MM-DD"),
        ("14.11.2023", "not a date (14.11.2023); write it as YYYY-MM-DD"),
        (None, "required"),
    ],
)
def test_impossible_dates_are_refused(value: str | None, message: str) -> None:
    assert _errors(_doc(_meeting(date=value)), "bad.json") == [f"meetings[0].date: {message}"]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"title": "x" * 501}, "meetings[0].title: too long (501 characters, at most 500)"),
        ({"summary": "x" * 5001}, "meetings[0].summary: too long (5001 characters, at most 5000)"),
        ({"location": 12}, "meetings[0].location: must be text"),
        ({"issues": "mines"}, "meetings[0].issues: must be a list"),
        ({"source": "javascript:alert(1)"}, "meetings[0].source[0]: not an http(s) URL"),
        ({"id": "has space"}, "meetings[0].id: must not contain spaces (has space)"),
        ({"participants": []}, "meetings[0].participants: at least two participants are needed"),
        ({"participants": "Ann, Bob"}, "meetings[0].participants: must be a list"),
        ({"title": "bell\x07"}, "meetings[0].title: contains control characters"),
        ({"issues": ["  "]}, "meetings[0].issues[0]: must not be empty"),
    ],
)
def test_fields_are_checked(fields: dict[str, object], error: str) -> None:
    errors = _errors(_doc(_meeting(**fields)), "bad.json")
    assert len(errors) == 1 and errors[0].startswith(error)


def test_repeats_within_the_file_are_errors() -> None:
    errors = _errors(
        _doc(
            _meeting(id="a", issues=["mines", "Mines"]),
            _meeting(id="a", date="2024-02-02"),
            _meeting(date="2024-03-03"),
            _meeting(date="2024-03-03"),
            {"date": "2024-04-04", "participants": [{"name": "Ann"}, {"name": "ann"}]},
            organizations=[{"name": "NATO"}, {"name": "OTAN", "aliases": ["nato"]}],
        ),
        "bad.json",
    )
    assert errors == [
        "meetings[0].issues[1]: Mines is already issues[0]",
        "meetings[1].id: a is already meetings[0]",
        "meetings[3]: same date and participants as meetings[2]; give them ids if they are"
        " different meetings",
        "meetings[4].participants[1].name: ann is already participants[0]",
        "organizations[1].aliases[0]: nato already names organizations[0]",
    ]


@pytest.mark.parametrize(
    ("data", "filename", "error"),
    [
        (b"\xff\xfemeetings: []", "x.yaml", "the file is not UTF-8 text (byte 0xff at offset 0)"),
        (b"   \n", "x.yaml", "the file is empty"),
        (b"meetings: [\n  {date: 2024", "x.yaml", "line {n}, column {n}: not valid YAML"),
        (b'{"meetings": [}', "x.json", "line 1, column 15: not valid JSON"),
        (b"meetings: []\nmeetings: []\n", "x.yaml", "line 2, column 1: not valid YAML"),
        (b'{"meetings": [], "meetings": []}', "x.json", "not valid JSON (duplicate key"),
        (b"- date: 2024-01-01\n", "x.yaml", "the file must be a mapping with a meetings: list"),
        (b"meetings: {date: 2024-01-01}\n", "x.yaml", "meetings: must be a list"),
    ],
)
def test_unreadable_files_get_one_clear_error(data: bytes, filename: str, error: str) -> None:
    errors = _errors(data, filename)
    # libyaml and pure-Python PyYAML place the end of a cut-off file apart: {n} is any number.
    pattern = re.escape(error).replace(re.escape("{n}"), r"\d+")
    assert len(errors) == 1 and re.match(pattern, errors[0]), errors


def test_an_oversized_file_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interchange.parse, "MAX_IMPORT_BYTES", 100)
    errors = _errors(CATALOG)
    assert errors == [f"the file is too large ({len(CATALOG.encode()):,} bytes, at most 100)"]


def _alias_bomb(meetings: int) -> str:
    """One valid meeting of 50 people with 50 aliases each, then `meetings` aliases of it."""
    aliases = "&names [" + ", ".join(f"Name {n}" for n in range(50)) + "]"
    people = "\n".join(
        f"      - {{name: Person {n}, aliases: {aliases if n == 0 else '*names'}}}"
        for n in range(50)
    )
    first = f"  - &m\n    date: 2024-01-01\n    participants:\n{people}\n"
    return "meetings:\n" + first + "  - *m\n" * meetings


def test_an_alias_bomb_is_refused_before_anything_is_validated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 400 x 50 x 50 = a million values from 13 KB: validating them took seconds (2,000 copies
    # took two minutes and 1.2 GB); the refusal walks each written node once.
    validated: list[object] = []
    real = interchange.parse._validate

    def counting(*args: Any) -> Any:
        validated.append(args[0])
        return real(*args)

    monkeypatch.setattr(interchange.parse, "_validate", counting)
    bomb = _alias_bomb(400)
    assert len(bomb) < 15_000

    assert _errors(bomb) == [
        "the file's aliases (*name) repeat more than 100,000 values; write the records out instead"
    ]
    assert validated == []


def test_a_few_aliases_are_fine_and_a_self_containing_one_is_refused() -> None:
    doc = _parse(
        "meetings:\n"
        "  - date: 2024-01-01\n"
        "    participants: [&ann {name: Ann Example, title: Envoy}, {name: Bob Example}]\n"
        "  - date: 2024-01-02\n"
        "    participants: [*ann, {name: Cy Example}]\n"
    )
    assert doc.meetings[1].participants[0].title == "Envoy"
    assert _errors("meetings: &a [*a]") == ["line 1, column 11: an alias contains itself"]
    # Thirty levels of ten: 10**30 values, far past what any count needs to tell.
    levels = ["l0: &l0 [" + ", ".join(["lol"] * 10) + "]"] + [
        f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]" for n in range(1, 30)
    ]
    assert _errors("\n".join(levels) + "\nmeetings: [*l29]\n") == [
        "the file's aliases (*name) repeat more than 100,000 values; write the records out instead"
    ]


def test_json_nested_too_deeply_is_one_error() -> None:
    deep = '{"meetings": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert _errors(deep, "deep.json") == ["not valid JSON (nested too deeply)"]


def test_a_file_with_thousands_of_errors_is_cut_short() -> None:
    broken = {"meetings": [{"date": "x", "participants": []}] * 800}
    errors = _errors(json.dumps(broken), "many.json")
    assert len(errors) == interchange.MAX_ERRORS + 1
    assert errors[-1] == "... and 600 more errors"


def test_text_is_tidied_so_spellings_compare_equal() -> None:
    doc = _parse(
        "meetings:\n- date: 2024-01-01\n  participants:\n"
        "  - {name: '  Ann   Example ', aliases: [Ann Example, A. Example, a. example]}\n"
        "  - {name: Bob, title: ''}\n"
    )
    ann, bob = doc.meetings[0].participants
    assert ann.name == "Ann Example"
    assert ann.aliases == ["A. Example"]  # the name itself and a repeat are dropped
    assert bob.title is None


# --- applying ------------------------------------------------------------------------------------


def test_import_adds_everything_once(engine: Engine, clock: FakeClock) -> None:
    result = _import(engine, CATALOG, clock)
    assert (result.added, result.updated, result.unchanged) == (4, 0, 0)
    # Stoltenberg once although t4 spells him "J. Stoltenberg"; Kao Kim Hourn once.
    assert result.people_added == 6
    assert _count(engine, Meeting) == 4
    with Session(engine) as session:
        stoltenberg = session.exec(select(Person).where(Person.name == "Jens Stoltenberg")).one()
        assert stoltenberg.aliases == ["J. Stoltenberg"]
        nato = session.exec(
            select(Organization).where(Organization.name == "North Atlantic Treaty Organization")
        ).one()
        # The meeting that says "NATO" points at the organisation whose alias it is.
        orgs = session.exec(
            select(Participation.organization_id).where(Participation.person_id == stoltenberg.id)
        ).all()
        assert set(orgs) == {nato.id}
        names = set(session.exec(select(Issue.name)).all())
        assert names == {"Timor-Leste ASEAN membership", "deterrence", "infrastructure"}
        t2 = session.exec(select(Meeting).where(Meeting.external_id == "t2")).one()
        assert t2.created_at == clock.now() and t2.updated_at == clock.now()


def test_reimporting_the_same_file_changes_nothing(engine: Engine, clock: FakeClock) -> None:
    _import(engine, CATALOG, clock)
    with Session(engine) as session:
        version = read_catalog_version(session)
        stamps = session.exec(select(Meeting.id, Meeting.updated_at)).all()
    audits = _count(engine, AuditEntry)
    clock.advance(dt.timedelta(days=3))

    result = _import(engine, CATALOG, clock)

    assert (result.added, result.updated, result.unchanged) == (0, 0, 4)
    assert not result.changed
    with Session(engine) as session:
        assert read_catalog_version(session) == version
        assert session.exec(select(Meeting.id, Meeting.updated_at)).all() == stamps
    assert _count(engine, AuditEntry) == audits


def test_a_changed_meeting_is_updated_in_place(engine: Engine, clock: FakeClock) -> None:
    _import(engine, CATALOG, clock)
    with Session(engine) as session:
        version = read_catalog_version(session)
    clock.advance(dt.timedelta(hours=1))
    changed = CATALOG.replace("location: Dili, Timor-Leste", "location: Dili").replace(
        "issues: [ASEAN membership of Timor-Leste, infrastructure]", "issues: [infrastructure]"
    )

    result = _import(engine, changed, clock)

    assert (result.added, result.updated, result.unchanged) == (0, 2, 2)
    with Session(engine) as session:
        t1 = session.exec(select(Meeting).where(Meeting.external_id == "t1")).one()
        assert t1.location == "Dili"
        assert t1.updated_at == clock.now() and t1.created_at < t1.updated_at
        assert read_catalog_version(session) > version
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.entity_id == t1.id).order_by(col(AuditEntry.id))
        ).all()
    assert [e.action for e in entries] == ["import", "import"]
    assert entries[0].before is None and entries[0].after is not None
    assert entries[1].before is not None and entries[1].before["location"] == "Dili, Timor-Leste"
    assert entries[1].after is not None and entries[1].after["location"] == "Dili"
    assert entries[1].entity == "meeting"


def test_a_meeting_without_id_is_found_by_date_and_people(
    engine: Engine, clock: FakeClock
) -> None:
    _import(engine, CATALOG, clock)
    edited = CATALOG.replace("location: Brussels, Belgium", "location: Brussels")
    result = _import(engine, edited, clock)
    assert (result.added, result.updated, result.unchanged) == (0, 1, 3)
    assert _count(engine, Meeting) == 4


def test_a_new_id_adopts_the_same_meeting_stored_without_one(
    engine: Engine, clock: FakeClock
) -> None:
    _import(engine, _doc(_meeting(title="First")), clock, "a.json")
    result = _import(engine, _doc(_meeting(id="ext-1", title="First")), clock, "a.json")
    assert (result.added, result.updated) == (0, 1)
    with Session(engine) as session:
        assert session.exec(select(Meeting.external_id)).all() == ["ext-1"]


def test_people_are_found_by_alias_and_gain_new_ones(engine: Engine, clock: FakeClock) -> None:
    _import(engine, CATALOG, clock)
    later = _doc(
        {
            "id": "t9",
            "date": "2025-01-01",
            "participants": [
                {"name": "Jose Ramos-Horta", "aliases": ["Ramos-Horta"]},
                {"name": "Шанана Гужмау"},
            ],
        }
    )
    result = _import(engine, later, clock, "later.json")
    assert (result.added, result.people_added, result.people_updated) == (1, 0, 1)
    with Session(engine) as session:
        horta = session.exec(select(Person).where(Person.name == "José Ramos-Horta")).one()
        assert horta.aliases == ["Jose Ramos-Horta", "Ramos Horta", "Ramos-Horta"]


def test_alias_sections_merge_into_existing_records(engine: Engine, clock: FakeClock) -> None:
    _import(engine, CATALOG, clock)
    more = _doc(
        organizations=[{"name": "NATO", "aliases": ["OTAN"]}],
        issues=[{"name": "deterrence and defence", "aliases": ["deterrence posture"]}],
    )
    result = _import(engine, more, clock, "aliases.json")
    assert (result.organizations_updated, result.issues_updated) == (1, 1)
    assert (result.organizations_added, result.issues_added) == (0, 0)
    with Session(engine) as session:
        nato = session.exec(
            select(Organization).where(Organization.name.startswith("North"))
        ).one()  # type: ignore[attr-defined]
        assert nato.aliases == ["NATO", "НАТО", "OTAN"]
        issue = session.exec(select(Issue).where(Issue.name == "deterrence")).one()
        assert issue.aliases == ["deterrence and defence", "deterrence posture"]


def test_an_alias_of_another_record_writes_nothing(engine: Engine, clock: FakeClock) -> None:
    _import(engine, CATALOG, clock)
    with Session(engine) as session:
        version = read_catalog_version(session)
    clash = _doc(
        _meeting(id="new-one"),
        organizations=[{"name": "ASEAN Secretariat", "aliases": ["NATO"]}],
    )
    with pytest.raises(InvalidImport) as caught:
        _import(engine, clash, clock, "clash.json")
    assert caught.value.errors == [
        "organizations[0].aliases[0]: NATO already names another organisation"
        " (North Atlantic Treaty Organization)"
    ]
    assert _count(engine, Meeting) == 4
    with Session(engine) as session:
        assert read_catalog_version(session) == version


def test_records_that_resolve_to_the_same_people_stay_two_meetings(
    engine: Engine, clock: FakeClock
) -> None:
    _import(engine, _doc(_meeting()), clock, "a.json")
    # Both name the same two people (Ann by an alias), on the same day: two meetings.
    twice = _doc(
        _meeting(),
        {
            "date": "2024-01-01",
            "participants": [
                {"name": "Ann E.", "aliases": ["Ann Example"]},
                {"name": "Bob Example"},
            ],
        },
    )
    first = _import(engine, twice, clock, "b.json")
    again = _import(engine, twice, clock, "b.json")
    assert (first.added, first.unchanged) == (1, 1)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)


def test_an_alias_section_renames_a_record_it_calls_by_an_alias(
    engine: Engine, clock: FakeClock
) -> None:
    meeting = _meeting(
        participants=[
            {"name": "Ann Example", "organization": "NATO"},
            {"name": "Bob Example"},
        ],
        issues=["landmines"],
    )
    _import(engine, _doc(meeting), clock, "a.json")
    sections = _doc(
        organizations=[{"name": "North Atlantic Treaty Organization", "aliases": ["NATO"]}],
        issues=[{"name": "mine contamination", "aliases": ["landmines", "demining"]}],
    )

    result = _import(engine, sections, clock, "b.json")

    assert (result.organizations_added, result.organizations_updated) == (0, 1)
    assert (result.issues_added, result.issues_updated) == (0, 1)
    with Session(engine) as session:
        (org,) = session.exec(select(Organization)).all()
        assert (org.name, org.aliases) == ("North Atlantic Treaty Organization", ["NATO"])
        (issue,) = session.exec(select(Issue)).all()
        assert (issue.name, issue.aliases) == ("mine contamination", ["landmines", "demining"])
    assert not _import(engine, sections, clock, "b.json").changed


def test_importing_a_soft_deleted_meeting_brings_it_back(engine: Engine, clock: FakeClock) -> None:
    _import(engine, CATALOG, clock)
    with session_scope(engine) as session:
        t2 = session.exec(select(Meeting).where(Meeting.external_id == "t2")).one()
        t2.deleted_at = clock.now()
    assert "id: t2" not in _export(engine)

    result = _import(engine, CATALOG, clock)

    assert (result.updated, result.unchanged) == (1, 3)
    assert "id: t2" in _export(engine)
    with Session(engine) as session:
        entry = session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc())).first()
    assert entry is not None and entry.before is not None and entry.after is not None
    assert entry.before["deleted_at"] == clock.now().isoformat()
    assert entry.after["deleted_at"] is None


# --- merging into stored meetings (issue 12) -----------------------------------------------------

FULL = {
    "date": "2024-03-05",
    "location": "Vienna, Austria",
    "title": "Naghiyev meets Kauma",
    "summary": "Talks on mine clearance.",
    "source": ["https://example.org/vienna"],
    "participants": [
        {"name": "Ali Naghiyev", "title": "Chief of the SSS", "country": "Azerbaijan"},
        {"name": "Pia Kauma", "title": "OSCE PA President", "organization": "OSCE PA"},
    ],
    "issues": ["mine contamination", "missing persons"],
}
SHORT = {"date": "2024-03-05", "participants": [{"name": "Ali Naghiyev"}, {"name": "Pia Kauma"}]}


def _stored(engine: Engine) -> list[dict[str, object]]:
    meetings: list[dict[str, object]] = json.loads(_export(engine, "json"))["meetings"]
    return meetings


def _apply(engine: Engine, text: str, clock: FakeClock, *, replace: bool) -> ImportResult:
    with session_scope(engine) as session:
        doc = parse_import(text.encode(), filename="x.json")
        return apply_import(doc, session=session, clock=clock, replace=replace)


@pytest.mark.parametrize("key", [{}, {"id": "v1"}], ids=["by date and people", "by id"])
def test_a_short_record_imported_over_a_full_one_clears_nothing(
    engine: Engine, clock: FakeClock, key: dict[str, str]
) -> None:
    _import(engine, _doc({**FULL, **key}), clock, "full.json")
    before = _stored(engine)
    audits = _count(engine, AuditEntry)
    clock.advance(dt.timedelta(hours=1))

    result = _import(engine, _doc({**SHORT, **key}), clock, "short.json")

    assert (result.added, result.updated, result.unchanged) == (0, 0, 1)
    assert [o.status for o in result.meetings] == ["unchanged"]
    assert _stored(engine) == before
    assert _count(engine, AuditEntry) == audits


def test_a_record_naming_one_more_field_changes_only_that_field(
    engine: Engine, clock: FakeClock
) -> None:
    _import(engine, _doc(FULL), clock, "full.json")
    clock.advance(dt.timedelta(hours=1))

    result = _import(engine, _doc({**SHORT, "title": "Vienna talks"}), clock, "short.json")

    assert [(o.status, o.fields) for o in result.meetings] == [("updated", ("title",))]
    assert _stored(engine) == [{**_stored_shape(FULL), "title": "Vienna talks"}]


def _stored_shape(record: dict[str, object]) -> dict[str, object]:
    """A record as the export writes it: keys in its order, one source as a string."""
    sources = record["source"]
    assert isinstance(sources, list)
    shaped = {k: record[k] for k in ("date", "location", "title", "summary")}
    return {**shaped, "source": sources[0], **{k: record[k] for k in ("participants", "issues")}}


def test_fields_given_empty_are_cleared_and_the_rest_kept(
    engine: Engine, clock: FakeClock
) -> None:
    _import(engine, _doc(FULL), clock, "full.json")
    clock.advance(dt.timedelta(hours=1))
    emptied = {
        **SHORT,
        "location": "",
        "summary": None,
        "issues": [],
        "participants": [{"name": "Ali Naghiyev", "title": ""}, {"name": "Pia Kauma"}],
    }

    result = _import(engine, _doc(emptied), clock, "empty.json")

    assert [(o.status, o.fields) for o in result.meetings] == [
        ("updated", ("location", "summary", "participants", "issues"))
    ]
    [stored] = _stored(engine)
    assert "location" not in stored and "summary" not in stored and "issues" not in stored
    assert stored["title"] == FULL["title"] and stored["source"] == "https://example.org/vienna"
    assert stored["participants"] == [
        {"name": "Ali Naghiyev", "country": "Azerbaijan"},  # the title given empty is gone
        {"name": "Pia Kauma", "title": "OSCE PA President", "organization": "OSCE PA"},
    ]


def test_replace_makes_the_file_the_whole_truth(engine: Engine, clock: FakeClock) -> None:
    _import(engine, _doc({**FULL, "id": "v1"}), clock, "full.json")
    clock.advance(dt.timedelta(hours=1))

    result = _apply(engine, _doc(SHORT), clock, replace=True)

    assert [(o.status, o.fields) for o in result.meetings] == [
        ("updated", ("location", "title", "summary", "source", "participants", "issues"))
    ]
    assert _stored(engine) == [{"id": "v1", **SHORT}]  # the external key is not content


# --- export --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_imported_into_an_empty_database_exports_the_same(
    engine: Engine, sqlite_url: str, clock: FakeClock, fmt: str
) -> None:
    from storage.db import create_db_engine

    _import(engine, CATALOG, clock)
    first = _export(engine, fmt)
    fresh = create_db_engine(sqlite_url.replace("meetbot.db", "again.db"))
    try:
        result = _import(fresh, first, clock, f"export.{fmt}")
        assert (result.added, result.updated) == (4, 0)
        assert _export(fresh, fmt) == first
    finally:
        fresh.dispose()


def test_export_writes_the_import_format(engine: Engine, clock: FakeClock) -> None:
    _import(engine, CATALOG, clock)
    doc = json.loads(_export(engine, "json"))
    assert [m.get("id") for m in doc["meetings"]] == [None, "t4", "t1", "t2"]
    t1 = doc["meetings"][2]
    assert t1["source"] == ["https://example.org/a", "https://example.org/b"]
    assert doc["meetings"][3]["source"] == "https://example.org/c"
    assert t1["participants"][0] == {
        "name": "José Ramos-Horta",
        "title": "President of Timor-Leste",
        "organization": "Presidency of Timor-Leste",
        "country": "Timor-Leste",
        "aliases": ["Jose Ramos-Horta", "Ramos Horta"],
    }
    # An issue named by its synonym is exported under its own name.
    assert doc["meetings"][3]["issues"] == ["Timor-Leste ASEAN membership", "infrastructure"]
    assert doc["organizations"] == [
        {"name": "ASEAN Secretariat", "country": "Indonesia"},
        {"name": "North Atlantic Treaty Organization", "aliases": ["NATO", "НАТО"]},
    ]
    assert doc["issues"] == [
        {"name": "deterrence", "aliases": ["deterrence and defence"]},
        {"name": "Timor-Leste ASEAN membership", "aliases": ["ASEAN membership of Timor-Leste"]},
    ]
    assert _export(engine).startswith("meetings:\n- date: 2021-05-25\n")


def test_export_of_an_empty_database_imports_as_nothing(engine: Engine, clock: FakeClock) -> None:
    assert _export(engine) == "meetings: []\n"
    assert json.loads(_export(engine, "json")) == {"meetings": []}
    assert parse_import(_export(engine).encode(), filename="empty.yaml") == ImportDoc()


def test_an_import_reads_and_resolves_everything_before_its_first_write(engine: Engine) -> None:
    """On SQLite the first write takes the database's one write lock (the digest's bookkeeping
    writes wait for it): an import holds it only for writing, never for its lookups."""
    clock = FakeClock(dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC))
    _import(engine, CATALOG, clock)
    newcomer = """\
  - id: t9
    date: 2024-04-02
    participants:
      - name: Kao Kim Hourn
      - name: Xanana Gusmão
      - name: A Newcomer
        organization: A New Body
    issues: [a new issue, infrastructure]
organizations:
"""
    again = CATALOG.replace("Dili, Timor-Leste", "Dili").replace("organizations:\n", newcomer)
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(engine, "before_cursor_execute", record)
    try:
        result = _import(engine, again, clock)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert (result.added, result.updated, result.people_added) == (1, 1, 1)
    first_write = next(i for i, s in enumerate(statements) if s in ("INSERT", "UPDATE", "DELETE"))
    assert "SELECT" not in statements[first_write:], statements


def test_an_import_that_fails_at_its_last_write_leaves_nothing(engine: Engine) -> None:
    """New rows go in as bulk inserts after the lookups; they are one transaction with the
    rest, so a failure at the last insert leaves no person, meeting, link or version behind."""
    clock = FakeClock(dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC))
    _import(engine, CATALOG, clock)
    tables = (Person, Organization, Issue, Meeting, Participation, MeetingIssue, AuditEntry)
    counts = {model: _count(engine, model) for model in tables}
    with Session(engine) as session:
        version = read_catalog_version(session)
    changed = CATALOG.replace("Dili, Timor-Leste", "Dili")  # t1 is updated in place
    newcomers = "".join(
        f"""\
  - id: n{day}
    date: 2024-05-{day:02d}
    participants:
      - name: Newcomer {day}
        organization: New Body {day}
      - name: Kao Kim Hourn
    issues: [new issue {day}]
"""
        for day in range(1, 6)
    )
    doc = changed.replace("organizations:\n", newcomers + "organizations:\n")

    def fail_the_audit(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO AUDITENTRY"):
            raise RuntimeError("the disk is full")

    event.listen(engine, "before_cursor_execute", fail_the_audit)
    try:
        with pytest.raises(RuntimeError, match="disk is full"):
            _import(engine, doc, clock)
    finally:
        event.remove(engine, "before_cursor_execute", fail_the_audit)
    assert {model: _count(engine, model) for model in tables} == counts
    with Session(engine) as session:
        assert read_catalog_version(session) == version
        t1 = session.exec(select(Meeting).where(Meeting.external_id == "t1")).one()
        assert t1.location == "Dili, Timor-Leste"
    # The same file, without the failure, adds them all.
    result = _import(engine, doc, clock)
    assert (result.added, result.updated, result.people_added) == (5, 1, 5)
