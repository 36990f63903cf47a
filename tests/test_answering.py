"""Answers to questions, end to end: parse, match, pick meetings, word the answer.

Every test runs on SQLite and on PostgreSQL. The read-only questions share one fixture catalog
per backend (tests/data/answering_fixture.yaml, loaded through the import path); the tests that
change records get a fresh database each from tests/conftest.py's `engine` fixture.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from answering_support import (
    BACKENDS,
    NOW,
    SEED_SOURCE,
    TODAY,
    ask,
    fresh_engine,
    ids,
    load_fixture,
    load_yaml,
)
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.core.answering import Answer, Intent, QuestionError, Status, answer_question
from storage.db import session_scope
from storage.models import Meeting

ANSWERED, NOT_FOUND, AMBIGUOUS = Status.ANSWERED, Status.NOT_FOUND, Status.AMBIGUOUS


@pytest.fixture(scope="module", params=BACKENDS)
def catalog(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """The fixture catalog, loaded once per backend; tests here must not change it."""
    with fresh_engine(request.param, tmp_path_factory.mktemp("answers")) as engine:
        load_fixture(engine)
        yield engine


def _check(
    catalog: Engine, text: str, status: Status, intent: Intent, meetings: list[str]
) -> Answer:
    """Ask text and assert the status, intent and meetings (external ids, in order)."""
    answer = ask(catalog, text)
    assert (answer.status, answer.intent, ids(answer)) == (status, intent, meetings), (
        answer.headline
    )
    return answer


# ----- intents ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent", "meetings"),
    [
        ("Who has met Pia Kauma?", Intent.WHO_MET, ["m00"]),
        ("Whom did Ali Naghiyev meet?", Intent.WHO_MET, ["m00"]),
        ("When did Velmar meet Testperson?", Intent.WHEN, ["m01"]),
        ("When did Lindqvist meet Zhuravlyov?", Intent.WHEN, ["m02", "m03"]),
        ("Where did Jaan Testperson meet Greta Lindqvist?", Intent.WHERE, ["m06"]),
        ("What did Kauma and Naghiyev discuss?", Intent.WHAT_DISCUSSED, ["m00"]),
        ("Which meetings were about cyber security?", Intent.MEETINGS_ABOUT_ISSUE, ["m05"]),
        ("Meetings of Lena Brandt", Intent.MEETINGS_OF, ["m08", "m04"]),
        ("How many meetings did Jaan Testperson have?", Intent.COUNT, ["m06", "m05", "m01"]),
        ("How many times did Lindqvist meet Zhuravlyov?", Intent.COUNT, ["m02", "m03"]),
        ("What was the latest meeting of Greta Lindqvist?", Intent.LATEST, ["m08"]),
        ("most recent meeting of Pyotr Zhuravlyov", Intent.LATEST, ["m07"]),
        ("When did Testperson last meet Lindqvist?", Intent.LATEST, ["m06"]),
    ],
)
def test_intent_and_meetings(
    catalog: Engine, text: str, intent: Intent, meetings: list[str]
) -> None:
    _check(catalog, text, ANSWERED, intent, meetings)


def test_who_met_names_the_other_side(catalog: Engine) -> None:
    answer = _check(catalog, "Who has met Pia Kauma?", ANSWERED, Intent.WHO_MET, ["m00"])
    assert "Ali Naghiyev" in answer.headline
    assert "14 November 2023" in answer.headline


def test_when_gives_the_dates(catalog: Engine) -> None:
    answer = ask(catalog, "When did Lindqvist meet Zhuravlyov?")
    assert "20 June 2023" in answer.headline and "15 September 2020" in answer.headline


def test_where_gives_the_place_or_says_it_is_not_recorded(catalog: Engine) -> None:
    answer = ask(catalog, "Where did Jaan Testperson meet Greta Lindqvist?")
    assert "Tallinn, Estonia" in answer.headline
    unknown = _check(
        catalog, "Where did Jaan Testperson meet Oskar Brandt?", ANSWERED, Intent.WHERE, ["m05"]
    )
    assert unknown.meetings[0].location is None
    assert "not recorded" in unknown.headline


def test_what_discussed_lists_the_issues(catalog: Engine) -> None:
    answer = ask(catalog, "What did Kauma and Naghiyev discuss?")
    for issue in ("mine contamination", "missing persons", "hostages", "Karabakh"):
        assert issue in answer.headline


@pytest.mark.parametrize(
    "text", ["What was discussed in Baku?", "Which topics were discussed in Baku?"]
)
def test_what_was_discussed_at_a_place(catalog: Engine, text: str) -> None:
    _check(catalog, text, ANSWERED, Intent.WHAT_DISCUSSED, ["m00"])


def test_which_issues_were_discussed(catalog: Engine) -> None:
    _check(catalog, "Which issues were discussed in Baku?", ANSWERED, Intent.WHAT_DISCUSSED,
           ["m00"])  # fmt: skip


def test_count_is_exact(catalog: Engine) -> None:
    answer = ask(catalog, "How many meetings did Jaan Testperson have?")
    assert answer.total == 3
    assert answer.headline.startswith("3 meetings")


def test_latest_is_one_meeting_the_newest(catalog: Engine) -> None:
    answer = ask(catalog, "What was the latest meeting of Greta Lindqvist?")
    assert answer.total == 1
    assert "3 March 2025" in answer.headline


# ----- names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "meetings"),
    [
        ("Who met Kauma?", ["m00"]),  # surname alone
        ("Who met Velmar?", ["m01"]),
        ("Who met Ali Nagiyev?", ["m00"]),  # transliteration alias
        ("Who met Pyotr Zhuravlev?", ["m07", "m02", "m03"]),
        ("Who met Zhuravlev?", ["m07", "m02", "m03"]),
        ("Who met Əli Nağıyev?", ["m00"]),  # Azerbaijani spelling
        ("Who met Pia Kaoma?", ["m00"]),  # misspelt by one letter
        ("Who met Ali Naghiyef?", ["m00"]),
        ("Who met Lindquist?", ["m08", "m06", "m02", "m03"]),
        ("Who met Jaan Testpersom?", ["m06", "m05", "m01"]),
    ],
)
def test_names(catalog: Engine, text: str, meetings: list[str]) -> None:
    _check(catalog, text, ANSWERED, Intent.WHO_MET, meetings)


@pytest.mark.parametrize(
    ("text", "meetings"),
    [
        ("Кто встречался с Журавлёвым?", ["m07", "m02", "m03"]),  # instrumental case
        ("Кто встречался с Нагиевым?", ["m00"]),
        ("С кем встречался Журавлёв в феврале 2025 года?", ["m07"]),
    ],
)
def test_cyrillic_names_with_case_endings(catalog: Engine, text: str, meetings: list[str]) -> None:
    answer = _check(catalog, text, ANSWERED, Intent.WHO_MET, meetings)
    assert answer.language == "ru"


def test_headlines_write_dates_as_people_do_in_the_question_language(catalog: Engine) -> None:
    russian = ask(catalog, "Кто встречался с Нагиевым?")
    assert "14 ноября 2023" in russian.headline and "2023-11-14" not in russian.text
    english = ask(catalog, "What was the latest meeting of Greta Lindqvist?")
    assert "3 March 2025" in english.headline and "03 March" not in english.text


def test_misspelt_name_says_how_it_was_read(catalog: Engine) -> None:
    answer = ask(catalog, "Who met Lindquist?")
    assert "Greta Lindqvist" in answer.text


def test_weak_name_is_not_found_with_suggestions(catalog: Engine) -> None:
    answer = _check(catalog, "Who met Velmor?", NOT_FOUND, Intent.WHO_MET, [])
    assert answer.suggestions == ("Anton Velmar",)
    assert "Anton Velmar" in answer.headline
    assert answer.total == 0


def test_unknown_name_is_not_found(catalog: Engine) -> None:
    answer = _check(catalog, "Who met Hans Gruber?", NOT_FOUND, Intent.WHO_MET, [])
    assert answer.meetings == ()


def test_not_found_quotes_the_words_asked(catalog: Engine) -> None:
    assert "Hans Gruber" in ask(catalog, "Who met Hans Gruber?").headline


def test_known_given_name_with_unknown_surname_is_not_a_fact(catalog: Engine) -> None:
    answer = _check(catalog, "Who met Greta Gruber?", NOT_FOUND, Intent.WHO_MET, [])
    assert "Greta Lindqvist" in answer.suggestions


def test_names_of_two_different_people_are_not_merged(catalog: Engine) -> None:
    answer = ask(catalog, "Who met Anton Lindqvist?")
    assert answer.status is not ANSWERED
    assert answer.meetings == ()
    assert {"Anton Velmar", "Greta Lindqvist"} <= set(answer.suggestions)


def test_shared_surname_is_ambiguous(catalog: Engine) -> None:
    answer = _check(catalog, "Who met Brandt?", AMBIGUOUS, Intent.WHO_MET, [])
    assert answer.suggestions == ("Lena Brandt", "Oskar Brandt")
    assert "Lena Brandt" in answer.headline and "Oskar Brandt" in answer.headline


def test_full_name_settles_a_shared_surname(catalog: Engine) -> None:
    _check(catalog, "Who met Oskar Brandt?", ANSWERED, Intent.WHO_MET, ["m05"])


# ----- titles, organisations, acronyms ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "meetings"),
    [
        ("Who met the OSCE PA president?", ["m00"]),
        ("Who met the president of the OSCE Parliamentary Assembly?", ["m00"]),
        # One title, held by Velmar in 2018 and by Lindqvist later: the window picks the holder.
        ("Who met the president of the Senate of Ruritania in 2018?", ["m01"]),
        ("Who met the president of the Senate of Ruritania in 2023?", ["m02"]),
        ("Who met the president of the Ruritanian Senate?", ["m08", "m06", "m02", "m01"]),
        # The Vice-President met someone else the same day; the two titles never mix.
        ("Who met the president of the Senate of Ruritania on 20 June 2023?", ["m02"]),
        ("Who met the Vice-President of the Senate of Ruritania?", ["m04"]),
        ("Who met the vice president of the Ruritanian Senate?", ["m04"]),
        # A person who held two titles, asked about one of them.
        ("Who did Greta Lindqvist meet as foreign minister?", ["m03"]),
        ("Who met the Azerbaijani security chief?", ["m00"]),
        ("Who met the head of Azerbaijan's State Security Service?", ["m00"]),
        ("Who met the defence minister of Syldavia?", ["m08", "m04"]),
        # Role acronyms and demonyms.
        ("Who met the FM of Syldavia?", ["m07", "m02", "m03"]),
        ("Who met Syldavia's foreign minister?", ["m07", "m02", "m03"]),
        ("Who met the Estonian PM?", ["m06", "m05", "m01"]),
        ("Who met the SG of the Bordurian Union?", ["m05"]),
    ],
)
def test_titles(catalog: Engine, text: str, meetings: list[str]) -> None:
    _check(catalog, text, ANSWERED, Intent.WHO_MET, meetings)


@pytest.mark.parametrize(
    ("text", "meetings"),
    [
        ("Meetings of the SSS", ["m00"]),  # acronym made from the organisation's name
        ("Meetings of the MFA of Syldavia", ["m07", "m02", "m03"]),
        ("Meetings of the MFA of Ruritania", ["m03"]),
        ("Meetings of the SOA", ["m07"]),
        ("Meetings of the Bordurian Union", ["m05"]),
        ("Meetings in Strelsau", ["m08", "m04", "m02", "m01"]),
    ],
)
def test_organisations_and_places(catalog: Engine, text: str, meetings: list[str]) -> None:
    _check(catalog, text, ANSWERED, Intent.MEETINGS_OF, meetings)


@pytest.mark.parametrize(
    "text",
    [
        "Who met the OSCE PA president in 2018?",
        "Who met the Vice-President of the OSCE Parliamentary Assembly?",
        "Who met the president of Estonia?",
        "Who met Pia Kauma in 2018?",
        "Who did Lindqvist meet in 2018?",
        "Кто встречался с Журавлёвым в 2024 году?",
    ],
)
def test_nothing_fits(catalog: Engine, text: str) -> None:
    answer = ask(catalog, text)
    assert (answer.status, answer.meetings, answer.total) == (NOT_FOUND, (), 0)


# ----- issues -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent", "meetings"),
    [
        ("Which meetings covered landmines?", Intent.MEETINGS_ABOUT_ISSUE, ["m00"]),
        ("Which meetings were about demining?", Intent.MEETINGS_ABOUT_ISSUE, ["m00"]),
        ("Meetings about people who went missing", Intent.MEETINGS_ABOUT_ISSUE, ["m00"]),
        ("Meetings about water allocation", Intent.MEETINGS_ABOUT_ISSUE, ["m02", "m03"]),
        ("How many meetings about water sharing?", Intent.COUNT, ["m02", "m03"]),
        ("Latest meeting about border demarcation", Intent.LATEST, ["m08"]),
        ("Who discussed border demarcation with Lena Brandt?", Intent.WHO_MET, ["m08", "m04"]),
        ("Who discussed landmines with the OSCE PA president?", Intent.WHO_MET, ["m00"]),
    ],
)
def test_issues(catalog: Engine, text: str, intent: Intent, meetings: list[str]) -> None:
    _check(catalog, text, ANSWERED, intent, meetings)


def test_issue_answer_names_the_recorded_issue(catalog: Engine) -> None:
    assert "mine contamination" in ask(catalog, "Which meetings covered landmines?").headline


def test_unknown_topic_is_not_found(catalog: Engine) -> None:
    _check(catalog, "Meetings about the climate", NOT_FOUND, Intent.MEETINGS_ABOUT_ISSUE, [])


# ----- time windows -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent", "meetings"),
    [
        ("Who did Testperson meet last year?", Intent.WHO_MET, ["m06", "m05"]),
        ("Who did Lindqvist meet this year?", Intent.WHO_MET, ["m08"]),
        ("Meetings last month", Intent.MEETINGS_OF, ["m07"]),
        ("Meetings since March", Intent.MEETINGS_OF, ["m08"]),
        ("Meetings between 2018 and 2020", Intent.MEETINGS_OF, ["m03", "m01"]),
        ("Meetings two years ago", Intent.MEETINGS_OF, ["m00", "m04", "m02"]),
        ("Meetings in the last 12 months", Intent.MEETINGS_OF, ["m08", "m07", "m06"]),
        ("Meetings on 2 April 2024", Intent.MEETINGS_OF, ["m06"]),
        ("Meetings on 14.11.2023", Intent.MEETINGS_OF, ["m00"]),
        ("Meetings in November 2023", Intent.MEETINGS_OF, ["m00"]),
        ("Встречи в 2024 году", Intent.MEETINGS_OF, ["m06", "m05"]),
        ("Кто встречался с Пиа Каума в 2023 году?", Intent.WHO_MET, ["m00"]),
    ],
)
def test_time_windows(catalog: Engine, text: str, intent: Intent, meetings: list[str]) -> None:
    _check(catalog, text, ANSWERED, intent, meetings)


def test_two_meetings_on_one_day_are_both_listed(catalog: Engine) -> None:
    answer = ask(catalog, "Meetings on 20 June 2023")
    assert (answer.status, sorted(ids(answer)), answer.total) == (ANSWERED, ["m02", "m04"], 2)


def test_relative_window_follows_the_given_today(catalog: Engine) -> None:
    with Session(catalog) as session:
        in_march = answer_question("Meetings since March", session=session, today=TODAY)
        in_february = answer_question(
            "Meetings since March", session=session, today=dt.date(2025, 2, 1)
        )
    assert ids(in_march) == ["m08"]
    assert ids(in_february) == ["m08", "m07", "m06"]  # since March 2024


def test_meetings_are_listed_newest_first(catalog: Engine) -> None:
    answer = ask(catalog, "Meetings between 2018 and 2025")
    dates = [m.date for m in answer.meetings]
    assert len(dates) == 9
    assert dates == sorted(dates, reverse=True)


# ----- what an answer holds -----------------------------------------------------------------


def test_answer_lists_date_people_roles_issues_and_source(catalog: Engine) -> None:
    answer = ask(catalog, "Who met the OSCE PA president?")
    (meeting,) = answer.meetings
    assert meeting.date == dt.date(2023, 11, 14)
    assert meeting.location == "Baku, Azerbaijan"
    assert meeting.sources == (SEED_SOURCE,)
    assert {(p.name, p.title, p.organization, p.country) for p in meeting.participants} == {
        (
            "Ali Naghiyev",
            "Chief of the State Security Service of Azerbaijan",
            "State Security Service of Azerbaijan",
            "Azerbaijan",
        ),
        (
            "Pia Kauma",
            "President of the OSCE Parliamentary Assembly",
            "OSCE Parliamentary Assembly",
            "Finland",
        ),
    }
    assert set(meeting.issues) >= {"mine contamination", "missing persons", "hostages"}
    for piece in ("14 November 2023", "Baku", "Pia Kauma", "President of the OSCE Parliamentary",
                  "mine contamination", SEED_SOURCE):  # fmt: skip
        assert piece in answer.text


def test_to_json_shape(catalog: Engine) -> None:
    answer = ask(catalog, "Who met the OSCE PA president?")
    data = answer.to_json()
    assert set(data) == {"question", "status", "intent", "text", "meetings", "suggestions"}
    assert (data["question"], data["status"], data["intent"]) == (
        "Who met the OSCE PA president?",
        "answered",
        "who_met",
    )
    assert data["suggestions"] == []
    (meeting,) = data["meetings"]  # type: ignore[misc]
    assert set(meeting) == {
        "id", "external_id", "date", "location", "title", "participants", "issues", "sources",
    }  # fmt: skip
    assert isinstance(meeting["id"], int)
    assert (meeting["external_id"], meeting["date"], meeting["location"]) == (
        "m00",
        "2023-11-14",
        "Baku, Azerbaijan",
    )
    assert meeting["sources"] == [SEED_SOURCE]
    assert meeting["participants"][0] == {
        "name": "Ali Naghiyev",
        "title": "Chief of the State Security Service of Azerbaijan",
        "organization": "State Security Service of Azerbaijan",
        "country": "Azerbaijan",
    }
    assert "mine contamination" in meeting["issues"]


def test_to_json_of_not_found_and_ambiguous(catalog: Engine) -> None:
    weak = ask(catalog, "Who met Velmor?").to_json()
    assert (weak["status"], weak["meetings"], weak["suggestions"]) == (
        "not_found",
        [],
        ["Anton Velmar"],
    )
    both = ask(catalog, "Who met Brandt?").to_json()
    assert (both["status"], both["meetings"], both["suggestions"]) == (
        "ambiguous",
        [],
        ["Lena Brandt", "Oskar Brandt"],
    )


# ----- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", " \n\t ", "\x00\x07", "x" * 10_000, "y" * 501])
def test_unaskable_question_raises_question_error(catalog: Engine, text: str) -> None:
    with pytest.raises(QuestionError) as caught:
        ask(catalog, text)
    message = str(caught.value)
    assert message and "\n" not in message


def test_question_of_the_longest_length_is_answered(catalog: Engine) -> None:
    text = "Who has met Pia Kauma?" + " " * 10
    text += "?" * (500 - len(text))
    assert len(text) == 500
    assert ids(ask(catalog, text)) == ["m00"]


def test_control_characters_are_stripped(catalog: Engine) -> None:
    answer = ask(catalog, "Who\x00 met\tPia\x07 Kauma?\x1b\u200b")
    assert ids(answer) == ["m00"]
    assert not any(ord(ch) < 32 or ch in "\x7f\u200b" for ch in answer.question)
    assert not any(ord(ch) < 32 and ch != "\n" for ch in answer.text)


def test_hostile_text_is_just_an_unknown_name(catalog: Engine) -> None:
    answer = ask(catalog, "'; DROP TABLE meeting; --")
    assert (answer.status, answer.meetings) == (NOT_FOUND, ())
    assert ids(ask(catalog, "Who has met Pia Kauma?")) == ["m00"]


# ----- changes to the records ---------------------------------------------------------------

NEW_MEETING = """
meetings:
  - id: m90
    date: 2025-03-05
    location: Klow, Syldavia
    participants:
      - name: Marius Kell
        title: Director General of the Syldavian Orbital Agency
        organization: Syldavian Orbital Agency
        country: Syldavia
      - name: Nuno Ferreira-Test
        title: Director of the Bordurian Space Office
        organization: Bordurian Space Office
    issues: [space cooperation]
"""


def test_new_meeting_is_answered_without_a_restart(engine: Engine) -> None:
    load_fixture(engine)
    assert ids(ask(engine, "Who met Marius Kell?")) == ["m07"]
    assert ask(engine, "Who met Nuno Ferreira-Test?").status is NOT_FOUND
    load_yaml(NEW_MEETING, engine=engine)
    assert ids(ask(engine, "Who met Marius Kell?")) == ["m90", "m07"]
    assert ids(ask(engine, "Who met Nuno Ferreira-Test?")) == ["m90"]
    assert ids(ask(engine, "Latest meeting about space cooperation")) == ["m90"]


def test_deleted_meeting_is_not_reported(engine: Engine) -> None:
    load_fixture(engine)
    assert ids(ask(engine, "Meetings of Lena Brandt")) == ["m08", "m04"]
    with session_scope(engine) as session:
        meeting = session.exec(select(Meeting).where(Meeting.external_id == "m08")).one()
        meeting.deleted_at = NOW
        session.add(meeting)
    assert ids(ask(engine, "Meetings of Lena Brandt")) == ["m04"]
    assert ids(ask(engine, "Latest meeting of Greta Lindqvist")) == ["m06"]
    assert ask(engine, "Meetings since March").status is NOT_FOUND
    with session_scope(engine) as session:
        meeting = session.exec(select(Meeting).where(Meeting.external_id == "m08")).one()
        meeting.deleted_at = None
        session.add(meeting)
    assert ids(ask(engine, "Meetings of Lena Brandt")) == ["m08", "m04"]


def test_empty_catalog_finds_nothing(engine: Engine) -> None:
    answer = ask(engine, "Who met the OSCE PA president?")
    assert (answer.status, answer.meetings) == (NOT_FOUND, ())
