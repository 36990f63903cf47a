"""Drafts from article text: dates, places, people and their offices, issues, several
meetings, linking to stored people, and the import-format rendering that `meetbot import`
reads back (or refuses by path)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.drafts import Article, Draft, drafts_to_json, drafts_to_yaml, extract_drafts
from bot.core.drafts.dates import find_dates
from bot.core.drafts.places import dateline_place, places_in
from bot.core.interchange import InvalidImport, parse_import
from bot.core.names import name_key

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_LINK = (
    "https://www.news.az/news/chief-of-azerbaijans-state-security-service-meets-with-osce-"
    "parliamentary-assembly-president"
)
SEED_ISSUES = [
    "South Caucasus security",
    "Karabakh",
    "safe living conditions in Karabakh",
    "mine contamination",
    "hostages",
    "missing persons",
    "reconstruction",
    "arms supplies to Armenia",
    "confidence-building between Azerbaijan and Armenia",
]
_FRAME_WORDS = {"in", "of", "to", "the", "and", "between", "for", "with"}


def _content(phrase: str) -> set[str]:
    """Content words, plural folded ("mines" meets "mine")."""
    words = re.findall(r"[a-z]+", phrase.lower().replace("-", " "))
    return {w.removesuffix("s") for w in words if w not in _FRAME_WORDS and len(w) > 2}


def _one(text: str, **known: object) -> Draft:
    drafts = extract_drafts(Article(text=text, **known))  # type: ignore[arg-type]
    assert len(drafts) == 1, drafts
    return drafts[0]


def _people(draft: Draft) -> dict[str, dict[str, str | None]]:
    return {p["name"]: p for p in draft.meeting["participants"]}


def test_the_seed_article_drafts_the_seed_record_on_an_empty_database(session: Session) -> None:
    text = (SEEDS / "000_b5d7cf45aaab672d.txt").read_text()
    article = Article(text=text, published=dt.date(2023, 11, 14), url=SEED_LINK)
    [draft] = extract_drafts(article, session=session)
    meeting = draft.meeting
    assert meeting["date"] == "2023-11-14"
    assert meeting["source"] == SEED_LINK
    people = _people(draft)
    assert set(people) == {"Ali Naghiyev", "Pia Kauma"}
    naghiyev, kauma = people["Ali Naghiyev"], people["Pia Kauma"]
    assert "State Security Service" in (naghiyev["title"] or "")
    assert naghiyev["organization"] == "State Security Service of Azerbaijan"
    assert naghiyev["country"] == "Azerbaijan"
    assert kauma["title"] == "President of the OSCE Parliamentary Assembly"
    assert kauma["organization"] == "OSCE Parliamentary Assembly"
    found = [i for i in SEED_ISSUES if any(_content(i) & _content(d) for d in meeting["issues"])]
    assert len(found) >= 7, (found, meeting["issues"])
    # The text names no city: the place stays empty and is marked, never guessed.
    assert meeting["location"] is None
    assert "location" in draft.unsure
    assert "participants[1].country" in draft.unsure  # Finland is not in the text
    assert draft.known_people == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("They met on Tuesday.", dt.date(2023, 11, 14)),
        ("They met yesterday.", dt.date(2023, 11, 14)),
        ("They met today.", dt.date(2023, 11, 15)),
        ("Они встретились 14 ноября.", dt.date(2023, 11, 14)),
        ("Они встретились вчера.", dt.date(2023, 11, 14)),
        ("They met on November 14.", dt.date(2023, 11, 14)),
        ("They met on 14.11.2023.", dt.date(2023, 11, 14)),
        ("A meeting on 20 December took place.", dt.date(2022, 12, 20)),  # not in the future
    ],
)
def test_dates_are_resolved_against_the_publication_date(text: str, expected: dt.date) -> None:
    [mention] = find_dates(text, dt.date(2023, 11, 15))
    assert mention.date == expected


def test_a_meeting_date_comes_from_its_sentence_and_none_is_never_guessed() -> None:
    text = (
        "Azerbaijan's Foreign Minister Jeyhun Bayramov met Georgian Foreign Minister Ilia "
        "Darchiashvili on Tuesday. They discussed transport."
    )
    draft = _one(text, published=dt.date(2024, 3, 14))
    assert draft.meeting["date"] == "2024-03-12"
    assert "date" not in draft.unsure
    undated = _one(text.replace(" on Tuesday", ""))
    assert undated.meeting["date"] is None
    assert undated.unsure["date"] == "not in the article"


@pytest.mark.parametrize(
    ("line", "place"),
    [
        ("Baku, March 12, AZERTAC", "Baku, Azerbaijan"),
        ("BAKU, Nov 14 (Reuters) - The foreign ministers met.", "Baku, Azerbaijan"),
        ("Баку, 14 ноября. /ТАСС/. Министры встретились.", "Baku, Azerbaijan"),
        ("Белград, 24 мая. Президенты встретились.", "Belgrade, Serbia"),
        ("Chief of Azerbaijan's State Security Service met", None),
    ],
)
def test_datelines_name_the_place(line: str, place: str | None) -> None:
    assert dateline_place(line) == place


def test_places_after_in_and_v() -> None:
    assert places_in("The talks were held in Tbilisi on Monday.") == ["Tbilisi, Georgia"]
    assert places_in("Встреча прошла в Москве.") == ["Moscow, Russia"]
    assert places_in("They spoke in the Karabakh region.") == []


def test_a_dateline_gives_the_place_and_its_date() -> None:
    draft = _one(
        "TBILISI, March 12 (Reuters) - Azerbaijan's Foreign Minister Jeyhun Bayramov met his "
        "Georgian counterpart Ilia Darchiashvili. They discussed energy.",
        published=dt.date(2024, 3, 13),
    )
    assert draft.meeting["location"] == "Tbilisi, Georgia"
    assert draft.meeting["date"] == "2024-03-12"
    darchiashvili = _people(draft)["Ilia Darchiashvili"]
    assert darchiashvili["title"] == "Foreign Minister"
    assert darchiashvili["country"] == "Georgia"
    assert darchiashvili["organization"] == "Ministry of Foreign Affairs of Georgia"


def test_titles_before_and_after_names() -> None:
    draft = _one(
        "Azerbaijan's Foreign Minister Jeyhun Bayramov received Pia Kauma, President of the "
        "OSCE Parliamentary Assembly, in Baku on 14 November 2023. They discussed mines.",
    )
    people = _people(draft)
    assert people["Jeyhun Bayramov"] == {
        "name": "Jeyhun Bayramov",
        "title": "Foreign Minister",
        "organization": "Ministry of Foreign Affairs of Azerbaijan",
        "country": "Azerbaijan",
    }
    assert people["Pia Kauma"]["title"] == "President of the OSCE Parliamentary Assembly"
    assert people["Pia Kauma"]["organization"] == "OSCE Parliamentary Assembly"
    assert draft.meeting["location"] == "Baku, Azerbaijan"
    assert draft.meeting["date"] == "2023-11-14"


def test_russian_names_are_put_in_their_base_form() -> None:
    draft = _one(
        "Глава СГБ Али Нагиев встретился с президентом ПА ОБСЕ Пиа Каумой в Баку 14 ноября "
        "2023 года. Стороны обсудили разминирование и судьбу заложников.",
    )
    people = _people(draft)
    assert set(people) == {"Али Нагиев", "Пиа Каума"}
    assert people["Али Нагиев"]["title"] == "глава СГБ"
    assert people["Али Нагиев"]["organization"] == "СГБ"
    assert people["Пиа Каума"]["organization"] == "ПА ОБСЕ"
    assert draft.meeting["location"] == "Baku, Azerbaijan"
    assert "разминирование" in draft.meeting["issues"]
    other = _one(
        "МОСКВА, 19 мая. /ТАСС/. Министр иностранных дел России Сергей Лавров провел "
        "переговоры с министром иностранных дел Армении Араратом Мирзояном.",
        published=dt.date(2023, 5, 19),
    )
    mirzoyan = _people(other)["Арарат Мирзоян"]
    assert mirzoyan["title"] == "министр иностранных дел Армении"
    assert mirzoyan["country"] == "Armenia"


def test_several_meetings_give_one_draft_each() -> None:
    text = (
        "BRUSSELS, April 5 (Reuters) - Armenian Prime Minister Nikol Pashinyan met European "
        "Union foreign policy chief Josep Borrell on Friday to discuss visa liberalisation.\n\n"
        "Later the same day, Pashinyan also met NATO Secretary General Jens Stoltenberg, with "
        "the talks focused on defence reform."
    )
    drafts = extract_drafts(Article(text=text, published=dt.date(2024, 4, 5)))
    assert [sorted(_people(d)) for d in drafts] == [
        ["Josep Borrell", "Nikol Pashinyan"],
        ["Jens Stoltenberg", "Nikol Pashinyan"],
    ]
    assert drafts[0].meeting["issues"] == ["visa liberalisation"]
    assert drafts[1].meeting["issues"] == ["defence reform"]
    assert _people(drafts[1])["Jens Stoltenberg"]["organization"] == "NATO"


def test_stored_people_are_linked_by_their_name_key(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        [draft] = extract_drafts(
            Article(
                text="Глава СГБ Али Нагиев встретился с послом Франции в Азербайджане Анн "
                "Буайон 25 января 2024 года. Стороны обсудили мирный процесс."
            ),
            session=session,
        )
    people = draft.meeting["participants"]
    # "Али Нагиев" is an alias of the stored Ali Naghiyev: the draft names him as stored.
    assert people[0]["name"] == "Ali Naghiyev"
    assert draft.known_people.keys() == {0}
    assert people[1]["name"] == "Анн Буайон"
    assert people[1]["organization"] == "Посольство Франции в Азербайджане"


def test_yaml_marks_unsure_fields_and_import_refuses_a_missing_date_by_path() -> None:
    draft = _one("Azerbaijan's Foreign Minister Jeyhun Bayramov met Georgian Foreign "
                 "Minister Ilia Darchiashvili. They discussed transport.")  # fmt: skip
    text = drafts_to_yaml([draft])
    assert "date:  # not in the article" in text
    assert "location:  # the article names no place" in text
    with pytest.raises(InvalidImport) as refused:
        parse_import(text.encode())
    assert any(error.startswith("meetings[0].date") for error in refused.value.errors)


def test_a_complete_draft_is_read_back_by_import() -> None:
    text = (SEEDS / "000_b5d7cf45aaab672d.txt").read_text()
    drafts = extract_drafts(Article(text=text, published=dt.date(2023, 11, 14), url=SEED_LINK))
    doc = parse_import(drafts_to_yaml(drafts).encode())
    [meeting] = doc.meetings
    assert meeting.date == dt.date(2023, 11, 14)
    assert [name_key(p.name) for p in meeting.participants] == ["ali naghiyev", "pia kauma"]
    data = json.loads(drafts_to_json(drafts))
    assert data["meetings"][0]["location"] is None
    assert data["unsure"][0]["location"] == "the article names no place"


def test_a_phone_call_has_no_place_and_attributions_are_no_topic() -> None:
    draft = _one(
        "ISTANBUL, Aug 2 (Reuters) - Turkish President Tayyip Erdogan and Russian President "
        "Vladimir Putin discussed the Black Sea grain deal in a phone call on Wednesday, "
        "Erdogan's office said.",
        published=dt.date(2023, 8, 2),
    )
    assert draft.meeting["location"] is None
    assert draft.unsure["location"] == "a phone call: no place"
    assert draft.meeting["issues"] == ["Black Sea grain deal"]
    assert draft.meeting["date"] == "2023-08-02"


def test_a_recalled_earlier_meeting_is_no_draft_of_its_own() -> None:
    text = (
        "Hungarian Minister of Foreign Affairs and Trade Peter Szijjarto held talks with "
        "Azerbaijani Foreign Minister Jeyhun Bayramov in Baku on Thursday.\n\n"
        "President Ilham Aliyev had received the Hungarian minister earlier in October."
    )
    draft = _one(text, published=dt.date(2024, 11, 8))
    assert sorted(_people(draft)) == ["Jeyhun Bayramov", "Peter Szijjarto"]
    assert _people(draft)["Peter Szijjarto"]["organization"] == (
        "Ministry of Foreign Affairs and Trade of Hungary"
    )


def test_names_beside_countries_bodies_and_brackets() -> None:
    english = _one(
        "Deputy Minister of Foreign Affairs of Saudi Arabia Waleed Elkhereiji held "
        "consultations with Chairman of the Senate of Pakistan Muhammad Sadiq Sanjrani and "
        "Azerbaijan's Commissioner for Human Rights (Ombudsman) Sabina Aliyeva in Riyadh."
    )
    people = _people(english)
    assert sorted(people) == ["Muhammad Sadiq Sanjrani", "Sabina Aliyeva", "Waleed Elkhereiji"]
    assert people["Waleed Elkhereiji"]["organization"] == (
        "Ministry of Foreign Affairs of Saudi Arabia"
    )
    assert people["Sabina Aliyeva"]["title"] == "Commissioner for Human Rights"
    russian = _one(
        "Баку, 10 сентября. Председатель комитета Милли Меджлиса по международным и "
        "межпарламентским связям Самед Сеидов встретился с послом Германии в Азербайджане "
        "Ральфом Хорлеманом."
    )
    seidov = _people(russian)["Самед Сеидов"]
    assert seidov["title"] == (
        "председатель комитета Милли Меджлиса по международным и межпарламентским связям"
    )
    assert _people(russian)["Ральф Хорлеман"]["country"] == "Germany"


def test_a_day_without_its_year_or_publication_date_stays_empty_and_says_why() -> None:
    text = (
        "Баку, 3 мая. Глава СГБ Азербайджана Али Нагиев встретился с президентом ПА ОБСЕ Пиа "
        "Каумой. Стороны обсудили разминирование."
    )
    draft = _one(text)
    assert draft.meeting["date"] is None
    assert "without its year" in draft.unsure["date"]
    assert _one(text, published=dt.date(2024, 5, 3)).meeting["date"] == "2024-05-03"
    relative = _one(text.replace("Баку, 3 мая. ", "").replace("встретился", "вчера встретился"))
    assert relative.meeting["date"] is None
    assert "relative to its publication date" in relative.unsure["date"]


def test_the_catalog_gives_its_names_organisations_and_issue_labels(
    seeded_engine: Engine,
) -> None:
    text = (
        "Baku, 3 May. Chief of Azerbaijan's State Security Service Ali Nagiyev received "
        "President of the OSCE PA Pia Kauma. They discussed landmines and the fate of hostages."
    )
    with Session(seeded_engine) as session:
        [draft] = extract_drafts(
            Article(text=text, published=dt.date(2024, 5, 3)), session=session
        )
    people = _people(draft)
    assert set(people) == {"Ali Naghiyev", "Pia Kauma"}  # the stored spellings
    assert draft.known_people.keys() == {0, 1}
    assert people["Pia Kauma"]["organization"] == "OSCE Parliamentary Assembly"
    assert people["Pia Kauma"]["country"] == "Finland"
    assert draft.unsure["participants[1].country"] == "from the stored person, not the article"
    assert draft.meeting["issues"][:2] == ["mine contamination", "hostages"]
