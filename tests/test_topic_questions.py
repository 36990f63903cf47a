"""Topic (and title) questions on records nobody tuned for: mechanisms found by probing fresh
catalogs.

Each test names the mechanism it checks, on an invented catalog (tests/data/topic_questions.yaml):
ministers whose titles list what they are in charge of, topics spread over several labels, and
summaries that name a topic in other words than the labels.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from answering_support import ask, catalog_engine, found, ids
from sqlalchemy import Engine

from bot.core.answering import Status
from bot.core.titles import office_heads, title_heads

CATALOG = Path(__file__).parent / "data" / "topic_questions.yaml"


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with catalog_engine(CATALOG, tmp_path_factory.mktemp("topic_questions")) as engine:
        yield engine


# ----- a title's charge goes on after a comma ------------------------------------------------


def test_words_after_a_comma_in_a_title_charge_are_no_office() -> None:
    title = "Minister of Environment, Water and Agriculture of Oman"
    assert office_heads(title) == {"minister"}
    assert title_heads(title) == {"minister"}
    # Another office after the comma still is one.
    two_offices = "Member of the delegation, adviser to the President"
    assert {"member", "adviser"} <= office_heads(two_offices)


@pytest.mark.parametrize(
    ("text", "meetings"),
    [
        # not the Omani minister's desalination talks; t20's fertilizers are agriculture
        ("agriculture meetings", {"t02", "t20"}),
        # labelled so (t01) or said in a summary (t18); not every water minister's meeting
        ("water meetings", {"t01", "t18"}),
    ],
)
def test_what_a_minister_is_in_charge_of_is_a_topic(
    catalog: Engine, text: str, meetings: set[str]
) -> None:
    assert found(catalog, text) == meetings


# ----- a topic typed as search terms ------------------------------------------------------


def test_a_topic_joined_by_against_is_the_labelled_one(catalog: Engine) -> None:
    assert found(catalog, "sanctions against Russia") == {"t05"}  # not the sanctions on Iran


@pytest.mark.parametrize(
    ("text", "meetings"),
    [
        ("Ukraine reconstruction", {"t03"}),  # two labels of one meeting; not Syria's
        ("climate change", {"t07"}),  # a summary says it; the ministers' titles do not count
        ("climate change meetings", {"t07"}),
    ],
)
def test_a_bare_topic_no_label_holds_is_found_where_the_records_mention_it(
    catalog: Engine, text: str, meetings: set[str]
) -> None:
    answer = ask(catalog, text)
    assert answer.status is Status.PARTIAL, answer.text
    assert set(ids(answer)) == meetings
    assert "mention" in answer.text


def test_a_charge_word_beside_a_person_still_names_an_office(catalog: Engine) -> None:
    # Beside another part, words no label holds are the office they are the charge of: Smit
    # met the Minister of ... Climate Change (t08); read as a topic of summaries they would
    # find t07, which Smit did not attend, and no meeting at all.
    assert found(catalog, "when did Smit meet climate change") == {"t08"}


# ----- words around a topic -------------------------------------------------------------------


def test_a_numbered_label_is_also_its_series(catalog: Engine) -> None:
    # "COP28" is a COP (t09's label), so is "COP27" (t07's title).
    assert found(catalog, "COP meetings") == {"t07", "t09"}
    assert found(catalog, "meetings at COP28") == {"t09"}
    # Another number is another conference, never this one.
    assert ask(catalog, "meetings at COP29").meetings == ()


@pytest.mark.parametrize(
    "text", ["meetings about pandemic related issues", "meetings about the pandemic response"]
)
def test_related_and_response_only_say_it_is_a_topic(catalog: Engine, text: str) -> None:
    assert found(catalog, text) == {"t10"}


# ----- a verb before a topic --------------------------------------------------------------------


def test_a_verb_before_a_topic_says_what_is_done_about_it(catalog: Engine) -> None:
    answer = ask(catalog, "meetings about attracting foreign investment")
    assert answer.status is Status.PARTIAL  # "attracting" is named as not used
    assert "attracting" in answer.text
    assert set(ids(answer)) == {"t11"}


def test_a_verb_alone_is_no_topic(catalog: Engine) -> None:
    # "inviting" is in a summary ("invited"), but the topic after it is in no record: the
    # verb alone must not answer.
    answer = ask(catalog, "meetings about inviting lunar geologists")
    assert answer.meetings == ()


def test_a_noun_in_ing_stays_part_of_the_topic(catalog: Engine) -> None:
    # "training" names a thing: "training investment" is not any investment.
    assert ask(catalog, "meetings about training investment").meetings == ()


# ----- a place beside a topic ---------------------------------------------------------------


def test_a_place_where_nothing_was_held_beside_a_topic_is_where_the_topic_is(
    catalog: Engine,
) -> None:
    # No meeting was held in Gaza; the records speak of it, so "in Gaza" says where the
    # hostages are.
    assert found(catalog, "hostages held in Gaza") == {"t12"}
    # A place the records never name is still no meeting there.
    assert ask(catalog, "hostages held in Lagos").meetings == ()


# ----- a country alone ------------------------------------------------------------------------


def test_a_country_typed_alone_is_everything_about_it(catalog: Engine) -> None:
    # t03 has a Ukrainian minister; nobody from Ukraine took part in t13, labelled Ukraine.
    assert found(catalog, "Ukraine") == {"t03", "t13"}
    assert found(catalog, "Ukraine-related meetings in 2025") == {"t13"}


def test_meetings_with_a_country_are_its_officials(catalog: Engine) -> None:
    assert found(catalog, "meetings with Ukraine") == {"t03"}


# ----- search terms ending with a place -----------------------------------------------------


def test_search_terms_ending_with_a_place_are_a_topic_and_where(catalog: Engine) -> None:
    assert found(catalog, "power cuts south africa") == {"t14"}
    assert found(catalog, "agricultural productivity africa") == {"t02"}
    assert ask(catalog, "power cuts europe").meetings == ()


def test_a_continent_is_named_as_asked_not_as_a_country_in_it(catalog: Engine) -> None:
    answer = ask(catalog, "meetings in Africa")
    assert set(ids(answer)) == {"t02", "t07", "t14", "t17", "t19", "t20"}
    headline = answer.text.splitlines()[0]
    assert "Africa" in headline and "South Africa" not in headline


def test_a_known_phrase_is_found_in_other_words_with_its_kind_word_left_out(
    catalog: Engine,
) -> None:
    # "free trade deal" is a trade agreement ("deal" and "agreement" only say what kind), and
    # a body's acronym among search terms ("EU") is no office to be found in labels only.
    # No one label holds it all: found in the meeting's labels together, said so (partial).
    assert set(ids(ask(catalog, "EU Mercosur free trade deal"))) == {"t15"}


@pytest.mark.parametrize(
    "text",
    [
        "when did macleod meet greenland's premier",
        "who met the prime minister of Greenland",
        "who met the Greenland PM",
    ],
)
def test_a_premier_is_a_prime_minister_in_titles_too(catalog: Engine, text: str) -> None:
    assert found(catalog, text) == {"t16"}


def test_a_country_after_a_topic_is_the_country_concerned_wherever_the_talks_were(
    catalog: Engine,
) -> None:
    # t06 was held in Vienna, with an Iranian deputy minister, about Iran's nuclear programme.
    assert found(catalog, "nuclear programme in Iran") == {"t06"}
    assert ask(catalog, "nuclear programme in Chile").meetings == ()


def test_an_office_named_in_brackets_is_that_office(catalog: Engine) -> None:
    # Spain's "President of the Government (Prime Minister)" heads its government.
    assert found(catalog, "When did the Spanish PM meet the Mauritanian president?") == {"t17"}


def test_what_a_ministry_is_in_charge_of_names_no_body(catalog: Engine) -> None:
    # "water resources" is the charge of the Tajik Ministry of Energy and Water Resources:
    # typed alone, it is searched in the records (mentioned in t18's summary, so partial),
    # not answered as that ministry's meetings.
    answer = ask(catalog, "water resources")
    assert answer.status is Status.PARTIAL, answer.text
    assert set(ids(answer)) == {"t18"}


def test_namesakes_from_two_countries_are_both_found_and_told_apart_by_office(
    catalog: Engine,
) -> None:
    # One Samir Nasser has a three-word alias; the other must still be found by the name.
    assert set(ids(ask(catalog, "meetings of Samir Nasser"))) == {"t19", "t20"}
    assert found(catalog, "meetings of Samir Nasser, the Egyptian foreign minister") == {"t19"}


@pytest.mark.parametrize(
    ("text", "meetings"),
    [
        ("what did Whitcombe and the Palestinian PM discuss", {"t21"}),  # the Authority's PM
        ("when did the ILO DG go to Qatar", {"t22"}),  # DG: Director-General; go to: visit
    ],
)
def test_offices_people_write_short(catalog: Engine, text: str, meetings: set[str]) -> None:
    assert found(catalog, text) == meetings


def test_a_visit_to_a_country_where_nothing_was_held_is_no_meeting(catalog: Engine) -> None:
    # Al-Mansouri (Qatar) met Girard in Doha; Girard never met anyone in France.
    answer = ask(catalog, "When did Marc Girard visit France?")
    assert answer.meetings == ()
    assert answer.status is Status.NOT_FOUND


def test_words_the_records_hold_are_asked_when_nothing_else_is(catalog: Engine) -> None:
    # Both words only summaries hold (t04 "schools", t21 "schools", t22 "education"); dropped
    # as fillers, nothing would be asked. No meeting holds both: any of them, said so.
    answer = ask(catalog, "schools and education")
    assert answer.status is Status.PARTIAL
    assert set(ids(answer)) == {"t04", "t21", "t22"}
