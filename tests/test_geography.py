"""World knowledge tables: demonyms, country aliases, capitals.

Pure tests of bot.core.geography; no database.
"""

from __future__ import annotations

import re

import pytest

from bot.core.geography import CAPITALS, CONTINENTS, COUNTRY_ALIASES, DEMONYMS, country_named
from bot.core.lexicon import tokens

# The 193 UN member states, by the canonical names the tables use.
UN_MEMBERS = frozenset(
    """
    afghanistan|albania|algeria|andorra|angola|antigua and barbuda|argentina|armenia|australia|
    austria|azerbaijan|bahamas|bahrain|bangladesh|barbados|belarus|belgium|belize|benin|bhutan|
    bolivia|bosnia and herzegovina|botswana|brazil|brunei|bulgaria|burkina faso|burundi|
    cape verde|cambodia|cameroon|canada|central african republic|chad|chile|china|colombia|
    comoros|republic of the congo|democratic republic of the congo|costa rica|ivory coast|
    croatia|cuba|cyprus|czech republic|denmark|djibouti|dominica|dominican republic|ecuador|
    egypt|el salvador|equatorial guinea|eritrea|estonia|eswatini|ethiopia|fiji|finland|france|
    gabon|gambia|georgia|germany|ghana|greece|grenada|guatemala|guinea|guinea-bissau|guyana|
    haiti|honduras|hungary|iceland|india|indonesia|iran|iraq|ireland|israel|italy|jamaica|japan|
    jordan|kazakhstan|kenya|kiribati|kuwait|kyrgyzstan|laos|latvia|lebanon|lesotho|liberia|
    libya|liechtenstein|lithuania|luxembourg|madagascar|malawi|malaysia|maldives|mali|malta|
    marshall islands|mauritania|mauritius|mexico|micronesia|moldova|monaco|mongolia|montenegro|
    morocco|mozambique|myanmar|namibia|nauru|nepal|netherlands|new zealand|nicaragua|niger|
    nigeria|north korea|north macedonia|norway|oman|pakistan|palau|panama|papua new guinea|
    paraguay|peru|philippines|poland|portugal|qatar|romania|russia|rwanda|saint kitts and nevis|
    saint lucia|saint vincent and the grenadines|samoa|san marino|sao tome and principe|
    saudi arabia|senegal|serbia|seychelles|sierra leone|singapore|slovakia|slovenia|
    solomon islands|somalia|south africa|south korea|south sudan|spain|sri lanka|sudan|suriname|
    sweden|switzerland|syria|tajikistan|tanzania|thailand|timor-leste|togo|tonga|
    trinidad and tobago|tunisia|turkey|turkmenistan|tuvalu|uganda|ukraine|united arab emirates|
    united kingdom|united states|uruguay|uzbekistan|vanuatu|venezuela|vietnam|yemen|zambia|
    zimbabwe
    """.replace("\n", "")
    .replace(" " * 4, "")
    .strip()
    .split("|")
)
OTHERS = frozenset({"kosovo", "palestine", "taiwan", "vatican", "western sahara", "hong kong"})
CANONICAL = frozenset(DEMONYMS.values())
KEY = re.compile(r"[a-z][a-z' .-]*[a-z]")
TABLES = {"DEMONYMS": DEMONYMS, "COUNTRY_ALIASES": COUNTRY_ALIASES, "CAPITALS": CAPITALS}


def test_un_member_list_is_complete():
    assert len(UN_MEMBERS) == 193


def test_demonyms_cover_every_un_member_and_the_others():
    missing = (UN_MEMBERS | OTHERS) - CANONICAL
    assert not missing, missing
    assert len(CANONICAL) >= 190


def test_demonym_values_are_only_known_countries():
    unknown = CANONICAL - UN_MEMBERS - OTHERS
    assert not unknown, unknown


@pytest.mark.parametrize("name", ["COUNTRY_ALIASES", "CAPITALS"])
def test_values_are_canonical(name):
    table = TABLES[name]
    assert {k: v for k, v in table.items() if v not in CANONICAL} == {}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_keys_and_values_are_lowercase_ascii(name):
    for key, value in TABLES[name].items():
        for text in (key, value):
            assert text.isascii(), text
            assert text == text.lower(), text
            assert text == text.strip() and "  " not in text, text
            assert KEY.fullmatch(text), text


def test_capitals_cover_every_un_member_and_the_named_others():
    missing = UN_MEMBERS - set(CAPITALS.values())
    assert not missing, missing
    assert {"kosovo", "palestine", "taiwan"} <= set(CAPITALS.values())


def test_aliases_do_not_shadow_demonyms_differently():
    # A word that is both a demonym and an alias must name the same country in both.
    shared = DEMONYMS.keys() & COUNTRY_ALIASES.keys()
    assert {k for k in shared if DEMONYMS[k] != COUNTRY_ALIASES[k]} == set()


def test_no_historical_names():
    for name in ("persia", "zaire", "ceylon", "siam", "rhodesia", "upper volta"):
        assert name not in COUNTRY_ALIASES
        assert name not in DEMONYMS


@pytest.mark.parametrize(
    ("word", "country"),
    [
        ("serbian", "serbia"),
        ("azerbaijani", "azerbaijan"),
        ("azeri", "azerbaijan"),
        ("kazakh", "kazakhstan"),
        ("kazakhstani", "kazakhstan"),
        ("uzbek", "uzbekistan"),
        ("uzbekistani", "uzbekistan"),
        ("british", "united kingdom"),
        ("american", "united states"),
        ("emirati", "united arab emirates"),
        ("saudi", "saudi arabia"),
        ("kosovar", "kosovo"),
        ("kosovan", "kosovo"),
        ("bosnian", "bosnia and herzegovina"),
        ("macedonian", "north macedonia"),
        ("turkish", "turkey"),
        ("czech", "czech republic"),
        ("dutch", "netherlands"),
        ("filipino", "philippines"),
        ("philippine", "philippines"),
        ("ivorian", "ivory coast"),
        ("congolese", "democratic republic of the congo"),
        ("south korean", "south korea"),
        ("north korean", "north korea"),
        ("new zealand", "new zealand"),
        ("salvadoran", "el salvador"),
        ("malagasy", "madagascar"),
        ("burkinabe", "burkina faso"),
        ("cabo verdean", "cape verde"),
        ("cape verdean", "cape verde"),
        ("nigerien", "niger"),
        ("nigerian", "nigeria"),
        ("palestinian", "palestine"),
        ("taiwanese", "taiwan"),
    ],
)
def test_demonym_spot_checks(word, country):
    assert DEMONYMS[word] == country


@pytest.mark.parametrize(
    ("alias", "country"),
    [
        ("turkiye", "turkey"),
        ("czechia", "czech republic"),
        ("macedonia", "north macedonia"),
        ("fyrom", "north macedonia"),
        ("cote d'ivoire", "ivory coast"),
        ("cote divoire", "ivory coast"),
        ("burma", "myanmar"),
        ("swaziland", "eswatini"),
        ("cabo verde", "cape verde"),
        ("britain", "united kingdom"),
        ("great britain", "united kingdom"),
        ("uk", "united kingdom"),
        ("usa", "united states"),
        ("us", "united states"),
        ("america", "united states"),
        ("united states of america", "united states"),
        ("drc", "democratic republic of the congo"),
        ("dr congo", "democratic republic of the congo"),
        ("congo-kinshasa", "democratic republic of the congo"),
        ("east timor", "timor-leste"),
        ("holy see", "vatican"),
        ("russian federation", "russia"),
        ("republic of korea", "south korea"),
        ("south korea", "south korea"),
        ("the gambia", "gambia"),
        ("uae", "united arab emirates"),
        ("ksa", "saudi arabia"),
    ],
)
def test_alias_spot_checks(alias, country):
    assert COUNTRY_ALIASES[alias] == country


@pytest.mark.parametrize(
    ("city", "country"),
    [
        ("kyiv", "ukraine"),
        ("kiev", "ukraine"),
        ("ankara", "turkey"),
        ("tbilisi", "georgia"),
        ("yerevan", "armenia"),
        ("baku", "azerbaijan"),
        ("astana", "kazakhstan"),
        ("nur-sultan", "kazakhstan"),
        ("bishkek", "kyrgyzstan"),
        ("dushanbe", "tajikistan"),
        ("ashgabat", "turkmenistan"),
        ("tashkent", "uzbekistan"),
        ("belgrade", "serbia"),
        ("pristina", "kosovo"),
        ("ramallah", "palestine"),
        ("taipei", "taiwan"),
        ("washington", "united states"),
        ("brasilia", "brazil"),
    ],
)
def test_capital_spot_checks(city, country):
    assert CAPITALS[city] == country


def test_tables_are_large():
    assert len(DEMONYMS) >= 230
    assert len(COUNTRY_ALIASES) >= 60
    assert len(CAPITALS) >= 200


def test_every_country_lies_on_one_continent() -> None:
    placed = [c for countries in CONTINENTS.values() for c in countries]
    assert len(placed) == len(set(placed))
    assert set(placed) == set(DEMONYMS.values())
    assert "kenya" in CONTINENTS["africa"] and "iceland" in CONTINENTS["europe"]


def test_a_plural_country_name_made_singular_by_tokens_is_still_the_country() -> None:
    assert country_named(tokens("the Netherlands")[1:]) == "netherlands"
    assert country_named(tokens("United States")) == "united states"
