"""The lexicon: how words are normalised, transliterated, stemmed, abbreviated and expanded.

Pure tests of bot.core.lexicon; no database.
"""

from __future__ import annotations

import pytest

from bot.core.lexicon import (
    KNOWN_ACRONYMS,
    expand_word,
    initials_acronyms,
    is_inflected,
    is_lexicon_word,
    normalize_word,
    tokens,
    translit_key,
)
from bot.core.russian import translate_question, translate_word


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pia Kauma", ["pia", "kauma"]),
        # Hyphens and punctuation separate words.
        ("Vice-President of the OSCE PA", ["vice", "president", "of", "the", "osce", "pa"]),
        # Possessives are dropped, curly or straight.
        ("Azerbaijan’s State Security Service", ["azerbaijan", "state", "security", "service"]),
        ("Syldavia's foreign minister", ["syldavia", "foreign", "minister"]),
        # Accents and Azerbaijani letters fold to ASCII.
        ("Əli Nağıyev", ["eli", "nagiyev"]),
        ("São Tomé, Zürich", ["sao", "tome", "zurich"]),
        # Cyrillic is transliterated; ё folds to e.
        ("Пётр Журавлёв", ["petr", "zhuravlev"]),
        ("Али Нагиев", ["ali", "nagiev"]),
        # English plurals are trimmed, but not words that only end in s.
        ("Presidents refugees parties", ["president", "refugee", "party"]),
        ("crisis bus Kauma's", ["crisis", "bus", "kauma"]),
        ("", []),
        ("?!  ...", []),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


@pytest.mark.parametrize(
    "form",
    ["Журавлёв", "Журавлёва", "Журавлёву", "Журавлёвым", "Журавлёве", "ЖУРАВЛЁВЫМ"],
)
def test_russian_case_endings_meet_on_one_stem(form: str) -> None:
    assert normalize_word(form) == ("zhuravlev",)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Нагиевым", ("nagiev",)),
        ("министр", ("minister",)),
        ("президентом", ("president",)),
        ("иностранных", ("foreign",)),
        ("встречался", ("met",)),
        ("сколько", ("how", "many")),
        ("феврале", ("february",)),
        ("году", ("year",)),
    ],
)
def test_russian_words_are_translated_or_transliterated(word: str, expected: tuple) -> None:
    # A question's words are translated in context first (bot.core.russian), then tokenised.
    assert tuple(tokens(translate_question(word))) == expected


def test_a_capitalised_russian_word_inside_a_sentence_is_read_as_a_place_first() -> None:
    # "Газе" is Gaza (a place) or "газ" (gas); typed with a capital mid-sentence it is Gaza.
    assert "gaza" in tokens(translate_question("Какие встречи были посвящены Газе?"))
    assert "gas" in tokens(translate_question("встречи о поставках газа"))


def test_a_russian_g_for_a_latin_h_meets_in_the_spelling_key() -> None:
    # Гаага is Haaga (the Hague), Гамбург Hamburg.
    assert translit_key("gaaga") == translit_key("haaga")
    assert translit_key("gamburg") == translit_key("hamburg")


def test_normalize_word_is_case_insensitive() -> None:
    assert normalize_word("KAUMA") == normalize_word("kauma") == ("kauma",)


@pytest.mark.parametrize(
    ("name", "acronym"),
    [
        ("Ministry of Foreign Affairs of Syldavia", "mfa"),
        ("State Security Service of Azerbaijan", "sss"),
        ("International Committee of the Red Cross", "icrc"),
        ("Office of the United Nations High Commissioner for Refugees", "unhcr"),
        ("Office of the UN High Commissioner for Refugees", "unhcr"),  # "UN" is two initials
        ("UN Security Council", "unsc"),
        ("Syldavian Orbital Agency", "soa"),
    ],
)
def test_acronyms_are_made_from_organisation_names(name: str, acronym: str) -> None:
    assert acronym in initials_acronyms(name)


def test_a_hyphenated_word_gives_one_initial() -> None:
    assert "bcc" in initials_acronyms("Bordurian Co-operation Council")


def test_acronyms_skip_fillers_and_need_two_words() -> None:
    acronyms = initials_acronyms("Ministry of Foreign Affairs of Syldavia")
    assert "mofa" not in acronyms
    assert "m" not in acronyms and "s" not in acronyms
    assert initials_acronyms("Senate") == set()


def test_known_acronyms_expand_to_names_whose_initials_differ() -> None:
    assert KNOWN_ACRONYMS["icrc"] == "international committee of the red cross"
    assert tokens(KNOWN_ACRONYMS["osce"])[:2] == ["organization", "for"]


@pytest.mark.parametrize(
    ("word", "includes", "excludes"),
    [
        ("landmine", {"mine", "demining"}, {"hostage"}),
        ("minister", {"ministry"}, {"president"}),
        ("chairman", {"chair", "speaker"}, set()),
        ("parliament", {"senate", "majlis", "rada"}, {"government"}),
        ("defense", {"defence"}, set()),
    ],
)
def test_expand_word(word: str, includes: set[str], excludes: set[str]) -> None:
    expanded = expand_word(word)
    assert word in expanded
    assert includes <= expanded
    assert not excludes & expanded


def test_a_specific_legislature_does_not_stand_for_every_parliament() -> None:
    assert "rada" in expand_word("parliament")
    assert "parliament" not in expand_word("rada")
    assert "senate" not in expand_word("majlis")


def test_unknown_word_expands_to_itself() -> None:
    assert expand_word("velmar") == frozenset({"velmar"})


def test_president_and_vice_are_not_synonyms() -> None:
    assert "vice" not in expand_word("president")
    assert "president" not in expand_word("vice")


@pytest.mark.parametrize(
    ("word", "known"),
    [("minister", True), ("estonian", True), ("vice", True), ("fm", True),
     ("kauma", False), ("velmar", False)],
)  # fmt: skip
def test_is_lexicon_word(word: str, known: bool) -> None:
    assert is_lexicon_word(word) is known


@pytest.mark.parametrize(
    ("word", "inflected"),
    [("hosted", True), ("came", True), ("visiting", True), ("women", False),
     ("children", False), ("crises", False), ("criteria", False)],
)  # fmt: skip
def test_a_plural_noun_is_no_inflected_verb(word: str, inflected: bool) -> None:
    assert is_inflected(word) is inflected


@pytest.mark.parametrize(
    ("word", "english"), [("Японии", "japan"), ("Бразилии", "brazil"), ("Германии", "germany")]
)
def test_a_country_in_any_case_is_the_country_not_a_city_of_its_name(
    word: str, english: str
) -> None:
    # GeoNames lists "Япония" among the names of a city (Sado) and "Бразилия" of Brasília.
    assert (translate_word(word, proper=True) or "").lower() == english
