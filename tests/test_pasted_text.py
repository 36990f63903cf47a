"""Text pasted from the web or a terminal (issue 12): invisible characters never split a word.

Zero-width spaces, soft hyphens, byte order marks and other format characters (Unicode
category Cf) are dropped wherever text enters: questions, and every name and field of the
meeting schema. ANSI escapes are stripped from questions and stay errors in import files.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.core.answering import Status, answer_question, clean_question
from bot.core.clock import FakeClock
from bot.core.interchange import InvalidImport, apply_import, parse_import
from bot.core.schema import MeetingIn
from storage.db import session_scope
from storage.models import Issue, Person

INVISIBLE = ["\u200b", "\u00ad", "\ufeff", "\u200c", "\u2060", "\u200e"]


@pytest.mark.parametrize("mark", INVISIBLE)
def test_a_question_loses_invisible_characters_without_splitting_words(mark: str) -> None:
    assert clean_question(f"{mark}when did Nag{mark}hiyev meet Kau{mark}ma?") == (
        "when did Naghiyev meet Kauma?"
    )


@pytest.mark.parametrize(
    "text",
    [
        "\x1b[1;31mwho met Kauma?\x1b[0m",
        "who met \x1b]8;;https://example.org\x1b\\Kauma\x1b]8;;\x1b\\?",
        "who met\x9b2K Kauma?",
        "who met\x07 Kauma?\x1bM",
    ],
)
def test_a_question_loses_terminal_escapes_and_control_characters(text: str) -> None:
    assert clean_question(text) == "who met Kauma?"


@pytest.mark.parametrize(
    ("pasted", "typed"),
    [
        ("who met Nagh\u200biyev?", "who met Naghiyev?"),
        (
            "what did Naghi\u00adyev and Kau\u200bma discuss?",
            "what did Naghiyev and Kauma discuss?",
        ),
        ("who met the OSCE PA pre\u00adsident?", "who met the OSCE PA president?"),
    ],
)
def test_a_question_pasted_with_invisible_characters_is_answered_as_typed(
    seeded_engine: Engine, pasted: str, typed: str
) -> None:
    today = dt.date(2026, 11, 28)
    with session_scope(seeded_engine) as session:
        answer = answer_question(pasted, session=session, today=today)
        expected = answer_question(typed, session=session, today=today)
    assert answer.status == Status.ANSWERED
    assert answer.text == expected.text


def test_schema_fields_drop_invisible_characters() -> None:
    record = MeetingIn.model_validate(
        {
            "id": "\ufeffm01",
            "date": "2024-01-01",
            "location": "Ba\u00adku",
            "title": "Talks\u200b in Baku",
            "summary": "First\u200b line.\n\nSecond\u2060 line.",
            "source": "https://example.org/\u200ba",
            "participants": [
                {
                    "name": "Ali Nag\u200bhiyev",
                    "aliases": ["Ali Nagi\u00adyev"],
                    "title": "Ch\u00adief",
                },
                {
                    "name": "\ufeffPia Kauma",
                    "organization": "OSCE\u200b PA",
                    "country": "Fin\u00adland",
                },
            ],
            "issues": ["mine\u00ad contamination"],
        }
    )
    assert (record.id, record.location, record.title) == ("m01", "Baku", "Talks in Baku")
    assert record.summary == "First line.\n\nSecond line."
    assert record.source == ["https://example.org/a"]
    ali, pia = record.participants
    assert (ali.name, ali.aliases, ali.title) == ("Ali Naghiyev", ["Ali Nagiyev"], "Chief")
    assert (pia.name, pia.organization, pia.country) == ("Pia Kauma", "OSCE PA", "Finland")
    assert record.issues == ["mine contamination"]


def test_an_import_with_pasted_names_finds_the_people_it_names(
    seeded_engine: Engine, clock: FakeClock
) -> None:
    data = (
        "meetings:\n"
        "  - date: 2024-02-01\n"
        '    participants: [{name: "Ali Nag\u200bhiyev"}, {name: "Pia Kau\u00adma"}]\n'
        '    issues: ["mis\u00adsing persons"]\n'
    ).encode()
    with session_scope(seeded_engine) as session:
        people = len(session.exec(select(Person)).all())
        issues = len(session.exec(select(Issue)).all())
        result = apply_import(parse_import(data, filename="x.yaml"), session=session, clock=clock)
    # The pasted spellings are the names themselves, not new aliases of the people.
    assert (result.added, result.people_added, result.people_updated) == (1, 0, 0)
    assert (result.issues_added, result.issues_updated) == (0, 0)
    with Session(seeded_engine) as session:
        assert len(session.exec(select(Person)).all()) == people
        assert len(session.exec(select(Issue)).all()) == issues


def test_terminal_escapes_stay_errors_in_import_files() -> None:
    data = (
        b"meetings:\n  - date: 2024-02-01\n"
        b'    participants: [{name: "\\e[1mAli Naghiyev\\e[0m"}, {name: Pia Kauma}]\n'
    )
    with pytest.raises(InvalidImport) as caught:
        parse_import(data, filename="x.yaml")
    assert caught.value.errors == ["meetings[0].participants[0].name: contains control characters"]
