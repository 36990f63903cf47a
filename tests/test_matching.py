"""The search index: people by name, alias and misspelling; roles; places; issues; the cache.

Tests of bot.core.matching over the fixture catalog on SQLite (the answering tests repeat the
end-to-end behaviour on PostgreSQL as well).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from answering_support import NOW, fresh_engine, load_fixture, load_yaml
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.core.lexicon import tokens
from bot.core.matching import INDEXES, NAME_CONFIDENT, CatalogIndex
from bot.core.roles import national_head
from bot.core.titles import office_heads, title_heads
from storage.db import read_catalog_version, session_scope
from storage.models import Meeting, Person, Subscription


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with fresh_engine("sqlite", tmp_path_factory.mktemp("matching")) as engine:
        load_fixture(engine)
        yield engine


@pytest.fixture(scope="module")
def index(engine: Engine) -> CatalogIndex:
    with Session(engine) as session:
        return CatalogIndex.build(session)


def _external_ids(engine: Engine, meeting_ids: set[int]) -> set[str]:
    with Session(engine) as session:
        rows = session.exec(select(Meeting).where(col(Meeting.id).in_(meeting_ids))).all()
        return {m.external_id for m in rows if m.external_id}


def _names(index: CatalogIndex, text: str) -> tuple[list[str], float]:
    match = index.match_person(tuple(tokens(text)))
    assert match is not None, text
    return sorted(index.person_names[p] for p in match.person_ids), match.score


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Pia Kauma", "Pia Kauma"),
        ("Kauma", "Pia Kauma"),  # surname alone
        ("Ali Nagiyev", "Ali Naghiyev"),  # a transliteration alias
        ("Əli Nağıyev", "Ali Naghiyev"),  # Azerbaijani spelling folds onto the alias
        ("Нагиевым", "Ali Naghiyev"),  # Cyrillic alias, instrumental case
        ("Журавлёва", "Pyotr Zhuravlyov"),  # Cyrillic alias, genitive case
        ("Petr Zhuravlev", "Pyotr Zhuravlyov"),
        ("Lindquist", "Greta Lindqvist"),  # misspelt by one letter
        ("Zhuravlyev", "Pyotr Zhuravlyov"),  # misspelt by one letter
    ],
)
def test_person_is_found_by_name_alias_or_near_spelling(
    index: CatalogIndex, text: str, name: str
) -> None:
    names, score = _names(index, text)
    assert names == [name]
    assert score >= NAME_CONFIDENT


def test_exact_name_scores_full_marks(index: CatalogIndex) -> None:
    assert _names(index, "Greta Lindqvist") == (["Greta Lindqvist"], 100.0)


def test_shared_surname_points_to_both_people(index: CatalogIndex) -> None:
    assert _names(index, "Brandt")[0] == ["Lena Brandt", "Oskar Brandt"]
    assert _names(index, "Lena Brandt")[0] == ["Lena Brandt"]


def test_far_spelling_is_not_a_confident_match(index: CatalogIndex) -> None:
    match = index.match_person(("velmor",))
    assert match is None or match.score < NAME_CONFIDENT
    assert index.match_person(("gruber",)) is None


def test_role_words_are_not_names(index: CatalogIndex) -> None:
    assert index.match_person(("president", "senate", "ruritania")) is None


def _role_meetings(engine: Engine, index: CatalogIndex, text: str) -> set[str]:
    parts = index.role_participations(tokens(text))
    assert parts is not None, text
    return _external_ids(engine, index.meetings_of_participations(parts))


@pytest.mark.parametrize(
    ("role", "meetings"),
    [
        # One title, whoever held it: Velmar in 2018, Lindqvist later; not the Vice-President.
        ("president of the senate of ruritania", {"m01", "m02", "m06", "m08"}),
        ("president of the ruritanian senate", {"m01", "m02", "m06", "m08"}),  # org alias
        ("vice president of the senate of ruritania", {"m04"}),
        ("osce pa president", {"m00"}),  # acronym made from the organisation's name
        ("president of the osce parliamentary assembly", {"m00"}),
        ("sss", {"m00"}),
        ("mfa of syldavia", {"m02", "m03", "m07"}),
        ("mfa of ruritania", {"m03"}),
        ("soa", {"m07"}),
        ("foreign minister of syldavia", {"m02", "m03", "m07"}),
        ("foreign minister", {"m02", "m03", "m07"}),
        ("estonian prime minister", {"m01", "m05", "m06"}),  # demonym
        ("secretary general of the bordurian union", {"m05"}),
        ("azerbaijani security service", {"m00"}),
        ("defence minister of syldavia", {"m04", "m08"}),
        ("defense ministry", {"m04", "m08"}),  # spelling and ministry ~ minister
        # Nothing held: the role is asked, but no one had it.
        ("president of estonia", set()),
        ("vice president of the osce parliamentary assembly", set()),
    ],
)
def test_role_is_matched_against_the_title_held_at_each_meeting(
    engine: Engine, index: CatalogIndex, role: str, meetings: set[str]
) -> None:
    assert _role_meetings(engine, index, role) == meetings


def test_generic_words_alone_name_no_role(index: CatalogIndex) -> None:
    assert index.role_participations(("head", "official")) is None


@pytest.mark.parametrize(
    ("place", "meetings"),
    [
        ("strelsau", {"m01", "m02", "m04", "m08"}),
        ("klow", {"m03", "m07"}),
        ("baku", {"m00"}),
        ("estonia", {"m06"}),
        ("baltic", {"m06"}),  # a region covers its countries
    ],
)
def test_place(engine: Engine, index: CatalogIndex, place: str, meetings: set[str]) -> None:
    found = index.place_meetings(tuple(tokens(place)))
    assert found is not None
    assert _external_ids(engine, found) == meetings


def test_unknown_place_is_none(index: CatalogIndex) -> None:
    assert index.place_meetings(("zembrovia",)) is None


def test_a_city_of_the_world_the_records_never_name_has_no_meetings(index: CatalogIndex) -> None:
    # Atlantis (Western Cape) is a town of GeoNames: known, and nothing was held there.
    assert index.place_meetings(("atlantis",)) == set()


@pytest.mark.parametrize(
    ("phrase", "issue"),
    [
        ("mine contamination", "mine contamination"),
        ("landmines", "mine contamination"),  # lexicon synonym, no alias in the records
        ("demining", "mine contamination"),
        ("mine clearance", "mine contamination"),
        ("people who went missing", "missing persons"),  # a paraphrase
        ("missing people", "missing persons"),
        ("water allocation", "water sharing"),  # alias given by the import file
        ("shared rivers", "water sharing"),
        ("cybersecurity", "cyber security"),
        ("hostage taking", "hostages"),
    ],
)
def test_issue_synonyms_and_paraphrases(index: CatalogIndex, phrase: str, issue: str) -> None:
    found = index.match_topic(tuple(tokens(phrase)))
    assert found is not None
    assert {index.topics.issue_names[i] for i in found.issue_ids} == {issue}


def test_unrelated_topic_matches_no_issue(index: CatalogIndex) -> None:
    assert index.match_topic(tuple(tokens("climate change"))) is None


def test_closest_names_offers_the_near_name(index: CatalogIndex) -> None:
    assert index.closest_names("Velmor")[0] == "Anton Velmar"
    assert index.closest_names("") == []


def test_deleted_meetings_are_not_indexed(tmp_path: Path) -> None:
    with fresh_engine("sqlite", tmp_path) as engine:
        load_fixture(engine)
        with session_scope(engine) as session:
            meeting = session.exec(select(Meeting).where(Meeting.external_id == "m03")).one()
            meeting.deleted_at = NOW
            session.add(meeting)
        with Session(engine) as session:
            index = CatalogIndex.build(session)
        found = index.role_participations(tokens("mfa of ruritania"))
        assert found == set()
        assert _role_meetings(engine, index, "mfa of syldavia") == {"m02", "m07"}


def test_index_cache_reuses_the_index_until_the_catalog_changes(tmp_path: Path) -> None:
    with fresh_engine("sqlite", tmp_path) as engine:
        load_fixture(engine)
        with Session(engine) as session:
            first = INDEXES.get(session)
            assert INDEXES.get(session) is first
            version = read_catalog_version(session)
        # A change outside the catalog does not cost a rebuild.
        with session_scope(engine) as session:
            session.add(
                Subscription(
                    chat_id=1,
                    chat_type="private",
                    send_time=dt.time(9),
                    timezone="UTC",
                    created_at=NOW,
                    updated_at=NOW,
                    covered_until=NOW,
                )
            )
        with Session(engine) as session:
            assert read_catalog_version(session) == version
            assert INDEXES.get(session) is first
        # Renaming a person moves the version, and the next lookup sees the new name.
        with session_scope(engine) as session:
            person = session.exec(select(Person).where(Person.name == "Marius Kell")).one()
            person.aliases = ["Marius Kelley"]
            session.add(person)
        with Session(engine) as session:
            assert read_catalog_version(session) > version
            second = INDEXES.get(session)
            assert second is not first
            assert "kelley" in second.name_index
            assert "kelley" not in first.name_index


def test_index_cache_keeps_databases_apart(tmp_path: Path) -> None:
    with fresh_engine("sqlite", tmp_path) as full, fresh_engine("sqlite", tmp_path) as small:
        load_fixture(full)
        load_yaml(
            """
meetings:
  - date: 2022-05-05
    participants:
      - {name: Tove Aalto, title: Mayor of Klow}
      - {name: Ruth Oyelaran, title: Mayor of Strelsau}
""",
            engine=small,
        )
        with Session(full) as a, Session(small) as b:
            assert set(INDEXES.get(b).person_names.values()) == {"Tove Aalto", "Ruth Oyelaran"}
            assert "Pia Kauma" in INDEXES.get(a).person_names.values()


def test_index_of_a_rolled_back_change_is_not_kept(tmp_path: Path) -> None:
    with fresh_engine("sqlite", tmp_path) as engine:
        load_fixture(engine)
        with Session(engine) as session:
            person = session.exec(select(Person).where(Person.name == "Marius Kell")).one()
            person.aliases = ["Marius Rolledback"]
            session.add(person)
            session.flush()
            INDEXES.get(session)  # e.g. a preview answered before the admin cancels
            session.rollback()
        with session_scope(engine) as session:
            person = session.exec(select(Person).where(Person.name == "Anton Velmar")).one()
            person.aliases = ["Anton Committed"]
            session.add(person)
        with Session(engine) as session:
            index = INDEXES.get(session)
        assert "rolledback" not in index.name_index
        assert "committed" in index.name_index


@pytest.mark.parametrize(
    ("title", "heads"),
    [
        ("Minister of Energy and Infrastructure of the United Arab Emirates", {"minister"}),
        ("Deputy Prime Minister and Foreign Minister of Qatar", {"minister"}),
        ("United Nations High Commissioner for Refugees", {"commissioner"}),
        ("Chairperson of the African Union Commission", {"chairperson"}),
        ("Ombudsman", {"ombudsman"}),
    ],
)
def test_office_heads_are_the_words_before_what_the_office_is_in_charge_of(
    title: str, heads: set[str]
) -> None:
    assert office_heads(title) == heads


@pytest.mark.parametrize(
    ("title", "heads"),
    [
        ("Special Envoy of the UN Secretary-General for Cyprus", {"envoy"}),
        ("Assistant Secretary of State and Special Envoy for the Balkans", {"secretary", "envoy"}),
        ("Member of the delegation, adviser to the President", {"member", "adviser"}),
    ],
)
def test_title_heads_include_every_part_that_may_head_an_office(
    title: str, heads: set[str]
) -> None:
    assert title_heads(title) == heads


@pytest.mark.parametrize(
    ("title", "organisation", "head"),
    [
        ("President of Türkiye (Turkey)", "Presidency of Türkiye", "headofstate"),
        ("Acting Prime Minister of Armenia", "Government of Armenia", "headofgovernment"),
        ("Interim President of Peru", "Presidency of Peru", "headofstate"),
        ("President of the Parliament of Malta", "Parliament of Malta", None),
        ("Vice-President of Iran", "Government of Iran", None),
    ],
)
def test_a_countrys_own_head_office_is_read_from_its_title(
    title: str, organisation: str, head: str | None
) -> None:
    assert national_head(title, organisation) == head
