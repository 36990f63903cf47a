"""Question parsing: time windows read against a given today, intents, and the named spans.

Pure tests of bot.core.questions.parse_question; no database.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.questions import Intent, SpanKind, parse_question
from bot.core.windows import Window

TODAY = dt.date(2025, 3, 10)  # a Monday in March, so "since March" is this year's March

D = dt.date


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Who met Pia Kauma in 2018?", D(2018, 1, 1), D(2018, 12, 31)),
        ("meetings during 2019", D(2019, 1, 1), D(2019, 12, 31)),
        ("Who met Pia Kauma in November 2023?", D(2023, 11, 1), D(2023, 11, 30)),
        ("meetings in Feb 2024", D(2024, 2, 1), D(2024, 2, 29)),  # a leap year
        ("meetings in February of 2023", D(2023, 2, 1), D(2023, 2, 28)),
        ("Who did Velmar meet last year?", D(2024, 1, 1), D(2024, 12, 31)),
        ("Who did Velmar meet this year?", D(2025, 1, 1), D(2025, 12, 31)),
        ("meetings last month", D(2025, 2, 1), D(2025, 2, 28)),
        ("meetings this month", D(2025, 3, 1), D(2025, 3, 31)),
        ("meetings since March", D(2025, 3, 1), None),
        ("meetings since May", D(2024, 5, 1), None),  # May has not come yet this year
        ("meetings since 2021", D(2021, 1, 1), None),
        ("meetings before 2021", None, D(2020, 12, 31)),
        ("Who met Kauma between 2018 and 2020?", D(2018, 1, 1), D(2020, 12, 31)),
        ("meetings from 2018 to 2020", D(2018, 1, 1), D(2020, 12, 31)),
        ("meetings two years ago", D(2023, 1, 1), D(2023, 12, 31)),
        ("meetings 3 months ago", D(2024, 12, 1), D(2024, 12, 31)),
        ("meetings in the last 12 months", D(2024, 3, 10), D(2025, 3, 10)),
        ("meetings in the past 3 months", D(2024, 12, 10), D(2025, 3, 10)),
        ("meetings in the last two weeks", D(2025, 2, 24), D(2025, 3, 10)),
        ("meetings last week", D(2025, 3, 3), D(2025, 3, 9)),
        ("meetings yesterday", D(2025, 3, 9), D(2025, 3, 9)),
        ("Who met Kauma on 2 April 2024?", D(2024, 4, 2), D(2024, 4, 2)),
        ("Who met Kauma on April 2, 2024?", D(2024, 4, 2), D(2024, 4, 2)),
        ("Who met Kauma on 14.11.2023?", D(2023, 11, 14), D(2023, 11, 14)),
        ("Who met Kauma on 2023-11-14?", D(2023, 11, 14), D(2023, 11, 14)),
        ("Кто встречался с Журавлёвым в 2024 году?", D(2024, 1, 1), D(2024, 12, 31)),
        ("С кем встречался Журавлёв в феврале 2025 года?", D(2025, 2, 1), D(2025, 2, 28)),
        ("Кто встречался с Журавлёвым в прошлом году?", D(2024, 1, 1), D(2024, 12, 31)),
        # Parts of a year, seasons, and days or months without a year (the latest one).
        ("Who met Kauma in early 2023?", D(2023, 1, 1), D(2023, 6, 30)),
        ("Who met Kauma in late 2022?", D(2022, 7, 1), D(2022, 12, 31)),
        ("meetings in the summer of 2022", D(2022, 6, 1), D(2022, 8, 31)),
        ("meetings in winter 2023", D(2023, 12, 1), D(2024, 2, 29)),
        ("Who met Kauma on March 5?", D(2025, 3, 5), D(2025, 3, 5)),
        ("Who met Kauma on the 5th of May?", D(2024, 5, 5), D(2024, 5, 5)),
        ("meetings in April", D(2024, 4, 1), D(2024, 4, 30)),
        ("meetings in March", D(2025, 3, 1), D(2025, 3, 31)),
        # Ranges and open ends as people write them.
        ("Kauma's meetings from 2020 on", D(2020, 1, 1), None),
        ("Kauma's meetings from 2020 onwards", D(2020, 1, 1), None),
        ("meetings until 2021", None, D(2021, 12, 31)),
        ("meetings up to 2021", None, D(2021, 12, 31)),
        ("meetings prior to 2021", None, D(2020, 12, 31)),
        ("meetings 2021-2023", D(2021, 1, 1), D(2023, 12, 31)),
        ("meetings 2021–2023", D(2021, 1, 1), D(2023, 12, 31)),
        ("meetings in 2021 and 2022", D(2021, 1, 1), D(2022, 12, 31)),
        ("meetings in the 2010s", D(2010, 1, 1), D(2019, 12, 31)),
        ("meetings in the first half of 2021", D(2021, 1, 1), D(2021, 6, 30)),
        ("meetings in the second half of 2021", D(2021, 7, 1), D(2021, 12, 31)),
        ("meetings in Q1 2024", D(2024, 1, 1), D(2024, 3, 31)),
        ("meetings in the last quarter of 2023", D(2023, 10, 1), D(2023, 12, 31)),
        ("meetings from March to June 2024", D(2024, 3, 1), D(2024, 6, 30)),
        ("meetings between November 2023 and February 2024", D(2023, 11, 1), D(2024, 2, 29)),
        ("meetings since last year", D(2024, 1, 1), None),
        ("Kauma's meetings, 2020 onwards", D(2020, 1, 1), None),
        ("meetings earlier this year", D(2025, 1, 1), D(2025, 3, 10)),
        # Days with ordinals, ranges of days, halves, weeks and the US order of numbers.
        ("meetings on March 12th 2024", D(2024, 3, 12), D(2024, 3, 12)),
        ("meetings on 1st March 2023", D(2023, 3, 1), D(2023, 3, 1)),
        ("meetings on the 13th of May 2023", D(2023, 5, 13), D(2023, 5, 13)),
        ("meetings between 1 Jan and 31 Mar 2024", D(2024, 1, 1), D(2024, 3, 31)),
        ("meetings from 1 January 2023 to 15 March 2024", D(2023, 1, 1), D(2024, 3, 15)),
        ("meetings in H1 2023", D(2023, 1, 1), D(2023, 6, 30)),
        ("meetings in 2023 H2", D(2023, 7, 1), D(2023, 12, 31)),
        ("meetings the week of 14 November 2023", D(2023, 11, 13), D(2023, 11, 19)),
        ("meetings on 11/14/2023", D(2023, 11, 14), D(2023, 11, 14)),
    ],
)
def test_time_window_is_read_against_today(text: str, start: D | None, end: D | None) -> None:
    assert parse_question(text, TODAY).window == Window(start, end)


def test_since_month_and_year_is_open_ended() -> None:
    question = parse_question("Who met Kauma since March 2021?", TODAY)
    assert question.window == Window(D(2021, 3, 1), None)
    assert [s.tokens for s in question.spans] == [("kauma",)]


def test_after_a_year_starts_the_year_after() -> None:
    assert parse_question("meetings after 2021", TODAY).window == Window(D(2022, 1, 1), None)


def test_since_a_month_depends_on_whether_it_has_come_this_year() -> None:
    assert parse_question("since March", D(2025, 2, 1)).window == Window(D(2024, 3, 1), None)
    assert parse_question("since March", D(2025, 3, 1)).window == Window(D(2025, 3, 1), None)
    assert parse_question("since March", D(2025, 12, 31)).window == Window(D(2025, 3, 1), None)


def test_last_month_in_january_is_december_of_the_year_before() -> None:
    window = parse_question("meetings last month", D(2025, 1, 15)).window
    assert window == Window(D(2024, 12, 1), D(2024, 12, 31))


def test_an_impossible_date_is_not_read_as_a_day() -> None:
    window = parse_question("Who met Kauma on 31 February 2024?", TODAY).window
    assert window is None or window.start != window.end


def test_no_time_expression_means_no_window() -> None:
    question = parse_question("Who has met Pia Kauma?", TODAY)
    assert question.window is None


def test_the_time_expression_is_not_part_of_a_name() -> None:
    question = parse_question("Who met Pia Kauma in November 2023?", TODAY)
    assert [s.tokens for s in question.spans] == [("pia", "kauma")]


@pytest.mark.parametrize(
    ("day", "inside"),
    [(D(2018, 1, 1), True), (D(2018, 12, 31), True), (D(2017, 12, 31), False)],
)
def test_window_bounds_are_inclusive(day: D, inside: bool) -> None:
    window = parse_question("in 2018", TODAY).window
    assert window is not None
    assert window.contains(day) is inside


def test_open_window_contains_everything_after_its_start() -> None:
    assert Window(D(2020, 1, 1), None).contains(D(2099, 1, 1))
    assert not Window(D(2020, 1, 1), None).contains(D(2019, 12, 31))
    assert Window(None, None).describe() == "at any time"


@pytest.mark.parametrize(
    ("text", "intent", "latest"),
    [
        ("Who has met Pia Kauma?", Intent.WHO_MET, False),
        ("Whom did Ali Naghiyev meet?", Intent.WHO_MET, False),
        ("With whom did Ali Naghiyev meet in 2023?", Intent.WHO_MET, False),
        ("When did Velmar meet Testperson?", Intent.WHEN, False),
        ("Where did Jaan Testperson meet Greta Lindqvist?", Intent.WHERE, False),
        ("What did Kauma and Naghiyev discuss?", Intent.WHAT_DISCUSSED, False),
        ("What topics did Naghiyev raise with Kauma?", Intent.WHAT_DISCUSSED, False),
        ("Which meetings were about cyber security?", Intent.MEETINGS_ABOUT_ISSUE, False),
        ("Which meetings covered landmines?", Intent.MEETINGS_ABOUT_ISSUE, False),
        ("Meetings of Lena Brandt", Intent.MEETINGS_OF, False),
        ("Show me the meetings of the Bordurian Union", Intent.MEETINGS_OF, False),
        ("How many meetings did Jaan Testperson have?", Intent.COUNT, False),
        ("How many times did Testperson meet Lindqvist?", Intent.COUNT, False),
        ("What was the latest meeting of Greta Lindqvist?", Intent.LATEST, True),
        ("most recent meeting of Pyotr Zhuravlyov", Intent.LATEST, True),
        ("When did Testperson last meet Lindqvist?", Intent.LATEST, True),
        ("Кто встречался с Нагиевым?", Intent.WHO_MET, False),
        ("Когда встречались Нагиев и Каума?", Intent.WHEN, False),
        ("Последняя встреча Журавлёва", Intent.LATEST, True),
    ],
)
def test_intent(text: str, intent: Intent, latest: bool) -> None:
    question = parse_question(text, TODAY)
    assert question.intent is intent
    assert question.wants_latest is latest


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("Who has met Pia Kauma?", [(SpanKind.ENTITY, ("pia", "kauma"))]),
        (
            "When did Velmar meet Testperson?",
            [(SpanKind.ENTITY, ("velmar",)), (SpanKind.ENTITY, ("testperson",))],
        ),
        (
            "What did Kauma and Naghiyev discuss?",
            [(SpanKind.ENTITY, ("kauma",)), (SpanKind.ENTITY, ("naghiyev",))],
        ),
        ("Which meetings were about cyber security?", [(SpanKind.ISSUE, ("cyber", "security"))]),
        ("meetings about people who went missing", [(SpanKind.ISSUE, ("people", "missing"))]),
        ("Who met the OSCE PA president?", [(SpanKind.ENTITY, ("osce", "pa", "president"))]),
        # Role acronyms are spelled out, possessives and articles dropped.
        ("Who met the Estonian PM?", [(SpanKind.ENTITY, ("estonian", "prime", "minister"))]),
        ("Syldavia's FM", [(SpanKind.ENTITY, ("syldavia", "foreign", "minister"))]),
        (
            "the SG of the Bordurian Union",
            [(SpanKind.ENTITY, ("secretary", "general", "bordurian", "union"))],
        ),
        ("meetings in Strelsau", [(SpanKind.PLACE, ("strelsau",))]),
        # Cyrillic names are transliterated from their stem, whatever the case ending.
        ("Кто встречался с Журавлёвым?", [(SpanKind.ENTITY, ("zhuravlev",))]),
        ("Последняя встреча Журавлёва", [(SpanKind.ENTITY, ("zhuravlev",))]),
    ],
)
def test_spans(text: str, spans: list[tuple[SpanKind, tuple[str, ...]]]) -> None:
    question = parse_question(text, TODAY)
    assert [(s.kind, s.tokens) for s in question.spans] == spans


@pytest.mark.parametrize(
    "text",
    [
        "Who did Greta Lindqvist meet as foreign minister?",
        "Who met Greta Lindqvist in her role as foreign minister?",
        "who did Greta Lindqvist meet in her capacity as foreign minister",
    ],
)
def test_as_marks_the_role_held_by_the_previous_person(text: str) -> None:
    question = parse_question(text, TODAY)
    assert [(s.tokens, s.role_of_previous) for s in question.spans] == [
        (("greta", "lindqvist"), False),
        (("foreign", "minister"), True),
    ]


@pytest.mark.parametrize(
    "text",
    ["when did Kauma go to Baku", "when did Kauma travel to Baku", "Kauma's trip to Baku"],
)
def test_going_to_a_place_is_a_visit(text: str) -> None:
    question = parse_question(text, TODAY)
    assert (SpanKind.PLACE, ("baku",)) in [(s.kind, s.tokens) for s in question.spans]


def test_a_topic_keeps_with_for_the_resolver() -> None:
    # "talks with Russia" may be a topic, "landmines with the president" a topic and a
    # person: bot.core.answering decides against the records.
    question = parse_question("Who discussed landmines with the OSCE PA president?", TODAY)
    assert [(s.kind, s.tokens) for s in question.spans] == [
        (SpanKind.ISSUE, ("landmine", "with", "osce", "pa", "president")),
    ]


@pytest.mark.parametrize(
    ("text", "language"),
    [("Who has met Pia Kauma?", "en"), ("Кто встречался с Пиа Каума?", "ru"), ("Что?", "ru")],
)
def test_language(text: str, language: str) -> None:
    assert parse_question(text, TODAY).language == language


def test_question_keeps_its_text() -> None:
    assert parse_question("Who has met Pia Kauma?", TODAY).text == "Who has met Pia Kauma?"


@pytest.mark.parametrize(
    ("text", "tokens_"),
    [
        ("who met the Moldovan top diplomat", ("moldovan", "foreign", "minister")),
        ("who met the chief diplomat of Peru", ("foreign", "minister", "peru")),
        ("who met the head of state of Peru", ("headofstate", "peru")),
        ("who met the head of government of Peru", ("headofgovernment", "peru")),
        ("who met the British foreign secretary", ("british", "foreign", "minister")),
        ("who met the Peruvian premier", ("peruvian", "prime", "minister")),
    ],
)
def test_offices_as_news_name_them_read_as_titles(text: str, tokens_: tuple[str, ...]) -> None:
    assert [s.tokens for s in parse_question(text, TODAY).spans] == [tokens_]


@pytest.mark.parametrize(
    "text",
    ["in which city did Kauma meet Naghiyev?", "what town did Kauma visit",
     "in what country did Kauma meet Naghiyev"],
)  # fmt: skip
def test_place_question_words_are_not_names(text: str) -> None:
    kept = {t for s in parse_question(text, TODAY).spans for t in s.tokens}
    assert kept <= {"kauma", "naghiyev"}


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("meetigns of Kauma", "meetings of Kauma"),
        ("What did Kauma and Naghiyev dicsuss?", "What did Kauma and Naghiyev discuss?"),
        ("When did Naghiyev recieve Kauma?", "When did Naghiyev receive Kauma?"),
        ("Which meetings cvoered landmines?", "Which meetings covered landmines?"),
        ("Whitch meetings were about landmines?", "Which meetings were about landmines?"),
        ("whn did Naghiyev meet Kauma", "when did Naghiyev meet Kauma"),
        ("wher did Naghiyev meet Kauma", "where did Naghiyev meet Kauma"),
        ("who did Naghiyev mee in 2023", "who did Naghiyev meet in 2023"),
        ("what did Naghiyev n Kauma talk abt", "what did Naghiyev and Kauma talk about"),
        ("mtgs of Kauma", "meetings of Kauma"),
        ("meetings abut landmines", "meetings about landmines"),
    ],
)
def test_a_misspelt_question_word_is_the_word_meant(typed: str, meant: str) -> None:
    got, want = parse_question(typed, TODAY), parse_question(meant, TODAY)
    assert (got.intent, got.spans, got.window) == (want.intent, want.spans, want.window)


def test_a_word_near_a_question_word_stays_when_it_is_a_name_or_a_word() -> None:
    # A surname the records hold, a name typed with a capital, an English word.
    held = parse_question("meetings of recieve", TODAY, known=lambda word: word == "recieve")
    assert [s.tokens for s in held.spans] == [("recieve",)]
    capital = parse_question("meetings of Recieve", TODAY)
    assert [s.tokens for s in capital.spans] == [("recieve",)]
    word = parse_question("meetings about tropic storms", TODAY)
    assert [s.tokens[0] for s in word.spans] == ["tropic"]


@pytest.mark.parametrize(
    "text", ["Which EU officials did Saidman meet?", "Which envoys did Talkova meet in 2024?"]
)
def test_a_name_holding_a_topic_word_does_not_ask_what_was_discussed(text: str) -> None:
    assert parse_question(text, TODAY).intent is not Intent.WHAT_DISCUSSED


def test_what_topics_came_up_asks_what_was_discussed() -> None:
    question = parse_question("What topics came up between Kallas and Rutte?", TODAY)
    assert question.intent is Intent.WHAT_DISCUSSED


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("the latest meeting in your records", "the latest meeting"),
        ("meetings of Kauma in the database", "meetings of Kauma"),
        ("what do you have on landmines", "what on landmines"),
        ("can you tell me who met Kauma", "who met Kauma"),
    ],
)
def test_words_about_the_records_themselves_are_not_part_of_the_question(
    typed: str, meant: str
) -> None:
    got, want = parse_question(typed, TODAY), parse_question(meant, TODAY)
    assert (got.intent, got.spans) == (want.intent, want.spans)


@pytest.mark.parametrize("text", ["the oldest meeting", "earliest meeting", "first meeting"])
def test_oldest_and_earliest_ask_for_the_first_meeting(text: str) -> None:
    assert parse_question(text, TODAY).wants_first


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("who did the UNSG meet", ("un", "secretary", "general")),
        ("who did the EUSR meet", ("eu", "special", "representative")),
        ("who did the HRVP meet", ("high", "representative", "foreign", "affairs")),
    ],
)
def test_an_organisation_and_office_acronym_is_spelled_out(
    typed: str, words: tuple[str, ...]
) -> None:
    assert [s.tokens for s in parse_question(typed, TODAY).spans] == [words]


def test_outside_marks_a_place_the_meetings_were_not_held_at() -> None:
    spans = parse_question("Kauma meetings outside Finland", TODAY).spans
    assert [(s.kind, s.tokens, s.outside) for s in spans] == [
        (SpanKind.ENTITY, ("kauma",), False),
        (SpanKind.PLACE, ("finland",), True),
    ]


@pytest.mark.parametrize(
    "text", ["Kauma meetings abroad", "Kauma's trips abroad", "Kauma overseas"]
)
def test_abroad_is_a_flag_not_a_word_to_resolve(text: str) -> None:
    question = parse_question(text, TODAY)
    assert question.abroad
    assert [s.tokens for s in question.spans] == [("kauma",)]


@pytest.mark.parametrize(
    ("text", "first", "latest"),
    [
        ("What was the first OSCE meeting?", True, False),
        ("when did Naghiyev last sit down with Kauma", False, True),
        ("when did Naghiyev last formally meet Kauma", False, True),
        ("When did the OSCE PA president last visit Baku?", False, True),
        ("when did Kauma last speak to Naghiyev", False, True),
        ("when did Naghiyev last host a delegation", False, True),
    ],
)
def test_first_and_last_reach_over_one_word(text: str, first: bool, latest: bool) -> None:
    question = parse_question(text, TODAY)
    assert (question.wants_first, question.wants_latest) == (first, latest)
