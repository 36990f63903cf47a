"""People in Russian text: "глава СГБ Али Нагиев", "с министром иностранных дел Грузии Ильей
Дарчиашвили", names put in their base form (nominative) through pymorphy3 and, for names its
dictionary does not know ("Каумой"), the case endings of the title word's case.
"""

from __future__ import annotations

import re
from typing import Any

from bot.core.drafts.offices import Office
from bot.core.drafts.people import Mention
from bot.core.drafts.places import place_of
from bot.core.russian import _analyzer, _countries, _country_of_adjective

OFFICE_LEMMAS = frozenset(
    [
        "президент",
        "министр",
        "глава",
        "председатель",
        "посол",
        "спикер",
        "генсек",
        "секретарь",
        "руководитель",
        "директор",
        "заместитель",
        "помощник",
        "советник",
        "премьер-министр",
        "премьер",
        "вице-премьер",
        "канцлер",
        "король",
        "спецпредставитель",
        "представитель",
        "депутат",
        "сопредседатель",
        "командующий",
        "начальник",
        "мэр",
        "губернатор",
        "эмир",
        "вице-президент",
        "генпрокурор",
        "омбудсмен",
        "уполномоченный",
        "лидер",
        "коллега",
    ]
)
_STOP_POS = frozenset({"VERB", "INFN", "PRTF", "PRTS", "GRND", "PREP", "CONJ", "ADVB", "NPRO"})
_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
_WORD = re.compile(r"[А-ЯЁа-яё][а-яёА-ЯЁ-]*|[A-Z]{2,}|[,.;()«»]")
_CAP = re.compile(r"^[А-ЯЁ][а-яё]+(?:-[А-ЯЁ]?[а-яё]+)?$")

# Endings of a case form -> the nominative's, for names pymorphy3 does not know.
_ENDINGS = {
    "gent": (("ы", "а"), ("ова", "ов"), ("ева", "ев"), ("ина", "ин"), ("я", "й"), ("а", "")),
    "accs": (("у", "а"), ("ова", "ов"), ("ева", "ев"), ("ина", "ин"), ("я", "й"), ("а", "")),
    "datv": (("овой", "ова"), ("евой", "ева"), ("ову", "ов"), ("еву", "ев"), ("ю", "й"),
             ("у", ""), ("е", "а")),
    "ablt": (("овой", "ова"), ("евой", "ева"), ("ой", "а"), ("ей", "я"), ("ым", ""),
             ("ом", ""), ("ем", "й")),
    "loct": (("е", ""),),
}  # fmt: skip


def _parse(word: str) -> list[Any]:
    return list(_analyzer().parse(word.lower().replace("ё", "е")))


_EXTRA_COUNTRIES = {
    "россия": "russia", "сша": "united states", "великобритания": "united kingdom",
    "иран": "iran", "молдова": "moldova", "турция": "turkey",
}  # fmt: skip


def _country_lemma(lemma: str) -> str | None:
    found = _EXTRA_COUNTRIES.get(lemma) or _countries().get(lemma) or _country_of_adjective(lemma)
    return found.lower() if found else None


def _may_continue(word: str) -> bool:
    """A capitalised word after a name word is part of the name unless it is a place or office."""
    if not _CAP.match(word):
        return False
    for parse in _parse(word)[:2]:
        lemma = parse.normal_form
        if lemma in OFFICE_LEMMAS or _country_lemma(lemma):
            return False
    return not place_of(word)


def _office_before(tokens: list[re.Match[str]], at: int, floor: int) -> bool:
    """Whether an office word comes within eight words before position at, with no verb or
    punctuation between ("председатель комитета … по … и … связям")."""
    for k in range(at - 1, max(floor, at - 8) - 1, -1):
        word = tokens[k].group()
        if not word[0].isalpha() or _parse(word)[0].tag.POS in {"VERB", "INFN", "GRND"}:
            return False
        if any(p.normal_form in OFFICE_LEMMAS for p in _parse(word)):
            return True
    return False


def _is_thing(word: str) -> bool:
    """Whether the dictionary knows a word only as a thing ("Меджлиса"), never as a person
    or a place."""
    parses = _parse(word)
    if not parses or not parses[0].is_known:
        return False
    personal = {"anim", "Name", "Surn", "Patr", "Geox"}
    return not any(personal & set(p.tag.grammemes) for p in parses)


def _is_patronymic(word: str) -> bool:
    return any("Patr" in p.tag.grammemes for p in _parse(word)[:2])


def _is_name_word(word: str) -> bool:
    if not _CAP.match(word):
        return False
    if place_of(word):
        return False
    for parse in _parse(word)[:2]:
        grammemes = set(parse.tag.grammemes)
        if {"Name", "Surn", "Patr"} & grammemes:
            return True
        if "Orgn" in grammemes:
            return False
    first = _parse(word)[0]
    lemma = first.normal_form
    if lemma in OFFICE_LEMMAS or _country_lemma(lemma):
        return False
    if first.tag.POS in _STOP_POS | {"ADJF"}:
        return False
    return not first.is_known or first.tag.POS == "NOUN"


def base_form(words: list[str], case: str | None) -> str:
    """A name's words in the nominative: ["Пиа", "Каумой"] in ablt -> "Пиа Каума"."""
    out: list[str] = []
    for word in words:
        lowered = word.lower().replace("ё", "е")
        result = None
        for parse in _parse(word):
            tag = parse.tag
            named = {"Name", "Surn", "Patr"} & set(tag.grammemes) and "sing" in tag
            if named and (case is None or case in tag):
                inflected = parse.inflect({"nomn"})
                if inflected is not None:
                    result = inflected.word
                break
        if result is None and case and case != "nomn":
            for ending, nominative in _ENDINGS.get(case, ()):
                if lowered.endswith(ending) and len(lowered) - len(ending) >= 3:
                    result = lowered[: len(lowered) - len(ending)] + nominative
                    break
        result = result or lowered
        out.append("-".join(part[:1].upper() + part[1:] for part in result.split("-")))
    return " ".join(out)


def _office(title: list[str]) -> tuple[Office | None, str | None]:
    """The Office of Russian title words (the first put in the nominative) and their case."""
    starts = [
        i
        for i, word in enumerate(title)
        if any(p.normal_form in OFFICE_LEMMAS for p in _parse(word))
    ]
    if not starts:
        return None, None
    title = title[starts[0] :]
    head = _parse(title[0])
    office_parse = next(
        (p for p in head if p.normal_form in OFFICE_LEMMAS),
        None,
    )
    if office_parse is None:
        return None, None
    case = next((c for c in _CASES if c in office_parse.tag), None)
    lemma = office_parse.normal_form
    rest = title[1:]
    role = " ".join([lemma, *rest])
    country: str | None = None
    for word in rest:
        if word.lower() in ("в", "во", "при"):
            break  # "посол Франции в Азербайджане": the place of posting is not the country
        for parse in _parse(word)[:2]:
            country = _country_lemma(parse.normal_form)
            if country:
                break
        if country:
            break
    organization: str | None = None
    if lemma == "министр" and rest:
        organization = "Министерство " + " ".join(rest)
    elif lemma == "посол" and rest:
        organization = "Посольство " + " ".join(rest)
    elif rest and not (len(rest) == 1 and country):
        organization = " ".join(rest)
    return Office(role, organization, country), case


def people_in_russian(sentence: str) -> list[Mention]:
    """The people a Russian sentence names, in the nominative, each with its office."""
    tokens = list(_WORD.finditer(sentence))
    mentions: list[Mention] = []
    i = 0
    floor = 0
    while i < len(tokens):
        if not _is_name_word(tokens[i].group()):
            i += 1
            continue
        j = i
        while j + 1 < len(tokens) and _may_continue(tokens[j + 1].group()) and j - i < 4:
            j += 1
        things = [k for k in range(i, j + 1) if _is_thing(tokens[k].group())]
        if things and things[-1] >= j - 1:
            i = j + 1  # "Милли Меджлиса": a body's name, part of the next person's title
            continue
        run_start = i
        if things:
            i = things[-1] + 1  # "Милли Меджлиса Сахиба Гафарова": the name follows the body
        title_tail = [t.group() for t in tokens[run_start:i]]
        if j - i >= 2:
            # A long run is a capitalised title ending in a name ("Милли Меджлиса Сахиба
            # Гафарова"): the name is its last two words, or three with a patronymic.
            keep = 3 if j - i >= 2 and _is_patronymic(tokens[j - 1].group()) else 2
            title_tail += [t.group() for t in tokens[i : j + 1 - keep]]
            i = j + 1 - keep
        if j == i:
            i += 1
            continue
        title: list[str] = []
        k = run_start - 1
        while k >= floor:
            word = tokens[k].group()
            if not word[0].isalpha():
                break
            pos = _parse(word)[0].tag.POS
            inside = pos in {"PREP", "CONJ"} and _office_before(tokens, k, floor)
            if pos in _STOP_POS and not word.isupper() and not inside:
                break  # "посол Франции в Азербайджане" keeps its "в"
            title.insert(0, word)
            k -= 1
        office, case = _office(title + title_tail)
        words = [t.group() for t in tokens[i : j + 1]]
        if case is None:
            previous = tokens[i - 1].group().lower() if i > 0 else ""
            case = {"с": "ablt", "со": "ablt", "у": "gent", "к": "datv"}.get(previous)
        mentions.append(
            Mention(base_form(words, case), tokens[i].start(), tokens[j].end(), office)
        )
        floor = j + 1
        i = j + 1
    return mentions
