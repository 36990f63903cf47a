"""Read a Russian question as an English one, word by word, through real lemmas.

pymorphy3 (with its shipped dictionaries) gives each word's lemma, so every case and tense
form meets one entry: "встречалась", "встречались" and "встретился" are all "meet";
"мирного договора" is "peace treaty"; "Сербии" is Serbia (country names come from pycountry's
Russian translations). A word whose lemma is not known is left as typed, so names and places
keep their own letters ("Баку" stays Baku, "Токаевым" is matched as a name by the index).
Loaded only for a question with Cyrillic letters.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from anyascii import anyascii

from bot.core.geography import cities_by_russian_name

# Lemma -> English words. General vocabulary of questions about meetings: question words,
# verbs of meeting and discussing, offices, organisations' Russian acronyms, common topics.
RUSSIAN_LEMMAS: dict[str, str] = {
    "кто": "who", "кем": "whom", "когда": "when", "где": "where", "что": "what",
    "какой": "which", "сколько": "how many", "раз": "times", "ли": "", "же": "",
    "встречаться": "met", "встретиться": "met", "встречать": "met", "встретить": "met",
    "встреча": "meeting", "переговоры": "talks", "беседа": "talks", "визит": "visit",
    "принимать": "received", "принять": "received", "посетить": "visited",
    "посещать": "visited", "проходить": "held", "пройти": "held", "состояться": "held",
    "обсуждать": "discussed", "обсудить": "discussed", "обсуждение": "discussion",
    "говорить": "talked", "поговорить": "talked", "посвятить": "about",
    "посвящённый": "about", "посвящать": "about", "касаться": "about",
    "тема": "topic", "вопрос": "issue", "последний": "latest", "недавний": "recent",
    "недавно": "recently", "впервые": "first time", "первый": "first", "быть": "",
    "весь": "all", "все": "all", "список": "list",
    "показать": "show", "с": "with", "со": "with", "и": "and", "или": "or", "в": "in",
    "во": "in", "на": "on", "о": "about", "об": "about", "обо": "about", "по": "on",
    "между": "between", "у": "of", "из": "from", "для": "for", "год": "year",
    "месяц": "month", "неделя": "week", "прошлый": "last", "этот": "this",
    "текущий": "this", "январь": "january", "февраль": "february", "март": "march",
    "апрель": "april", "май": "may", "июнь": "june", "июль": "july", "август": "august",
    "сентябрь": "september", "октябрь": "october", "ноябрь": "november",
    "декабрь": "december", "президент": "president", "премьер": "prime minister",
    "премьер-министр": "prime minister", "министр": "minister", "министерство": "ministry",
    "глава": "head", "руководитель": "head", "генсек": "secretary general",
    "генеральный": "general", "секретарь": "secretary", "председатель": "chair",
    "спикер": "speaker", "посол": "ambassador", "представитель": "representative",
    "спецпредставитель": "special representative", "специальный": "special",
    "посланник": "envoy", "вице-президент": "vice president", "заместитель": "deputy",
    "замглавы": "deputy head", "директор": "director", "комиссар": "commissioner",
    "канцлер": "chancellor", "король": "king", "парламент": "parliament",
    "правительство": "government", "иностранный": "foreign", "дело": "affairs",
    "внешний": "foreign", "оборона": "defence", "внутренний": "interior",
    "мид": "mfa", "оон": "un", "нато": "nato", "мккк": "icrc", "ес": "eu", "обсе": "osce",
    "пасе": "pace", "увкб": "unhcr", "магатэ": "iaea", "ас": "au", "снг": "cis",
    "шос": "sco", "асеан": "asean", "воз": "who", "мвф": "imf", "вто": "wto",
    "европейский": "european", "союз": "union", "совет": "council", "европа": "europe",
    "ассамблея": "assembly", "парламентский": "parliamentary", "комиссия": "commission",
    "организация": "organization", "международный": "international",
    "мир": "peace", "мирный": "peace", "договор": "treaty", "соглашение": "agreement",
    "война": "war", "конфликт": "conflict", "беженец": "refugees", "ядерный": "nuclear",
    "энергетика": "energy", "энергетический": "energy", "торговля": "trade",
    "торговый": "trade", "инвестиция": "investment", "безопасность": "security",
    "сотрудничество": "cooperation", "газ": "gas", "нефть": "oil", "санкция": "sanctions",
    "заложник": "hostages", "гуманитарный": "humanitarian", "помощь": "aid",
    "выборы": "elections", "зерно": "grain", "зерновой": "grain", "мина": "mines",
    "разминирование": "demining", "пропавший": "missing", "климат": "climate",
    "миграция": "migration", "мигрант": "migrants", "граница": "border",
    "пограничный": "border", "урегулирование": "settlement", "права": "rights",
    "право": "rights", "человек": "human", "экономический": "economic",
    "экономика": "economy", "транспорт": "transport", "образование": "education",
    "здравоохранение": "health", "пандемия": "pandemic", "коронавирус": "coronavirus",
    "вакцина": "vaccines", "терроризм": "terrorism", "оружие": "weapons",
    "кризис": "crisis", "реформа": "reform", "интеграция": "integration",
    "членство": "membership", "вступление": "accession", "диалог": "dialogue",
    "нормализация": "normalization", "отношение": "relations", "столица": "capital",
    "президентский": "presidential", "саммит": "summit", "форум": "forum",
    "здравствуйте": "hello", "привет": "hello", "спасибо": "thanks",
    # Topics of diplomatic news beyond the commonest ones above.
    "проблема": "problem", "ситуация": "situation", "изменение": "change",
    "разоружение": "disarmament", "нераспространение": "non-proliferation",
    "кибербезопасность": "cyber security", "кибератака": "cyber attacks",
    "военнопленный": "prisoners of war", "пленный": "prisoners", "заключённый": "prisoners",
    "заключенный": "prisoners", "обмен": "exchange", "искусственный": "artificial",
    "интеллект": "intelligence", "актив": "assets", "замороженный": "frozen",
    "заморозить": "frozen", "потепление": "warming", "глобальный": "global",
    "свобода": "freedom", "слово": "speech", "пресса": "press", "вмешательство": "interference",
    "коррупция": "corruption", "восстановление": "reconstruction",
    "реконструкция": "reconstruction", "продовольственный": "food", "продовольствие": "food",
    "удобрение": "fertilizers", "транзит": "transit", "логистика": "logistics",
    "инфраструктура": "infrastructure", "цифровизация": "digitalization",
    "цифровой": "digital", "культура": "culture", "туризм": "tourism", "вода": "water",
    "водный": "water", "ресурс": "resources", "экология": "environment",
    "экологический": "environmental", "окружающий": "environment",
    "перемещённый": "displaced", "перемещенный": "displaced", "лицо": "persons",
    "экстремизм": "extremism", "наркотик": "drugs", "военный": "military",
    "оборонный": "defence", "армия": "army", "расход": "spending", "сдерживание": "deterrence",
    "расширение": "enlargement", "партнёрство": "partnership", "партнерство": "partnership",
    "стратегический": "strategic", "суверенитет": "sovereignty",
    "территориальный": "territorial", "целостность": "integrity", "перемирие": "ceasefire",
    "правосудие": "justice", "суд": "court", "верховенство": "rule", "закон": "law",
    "демократия": "democracy", "финансирование": "financing", "кредит": "loans",
    "долг": "debt", "таможенный": "customs", "виза": "visa", "визовый": "visa",
    "газопровод": "gas pipeline", "трубопровод": "pipeline", "электроэнергия": "electricity",
    "атомный": "nuclear", "возобновляемый": "renewable", "водород": "hydrogen",
    "солнечный": "solar", "ветровой": "wind", "уголь": "coal", "заражение": "contamination",
    "поставка": "supplies", "экспорт": "exports", "импорт": "imports",
    "коридор": "corridor", "транспортный": "transport", "сми": "media",
    "африканский": "african", "арабский": "arab", "лига": "league", "лаг": "arab league",
    "государство": "states", "арктика": "arctic", "арктический": "arctic",
    "ветроэнергетика": "wind power", "рыболовство": "fisheries", "рыбный": "fish",
    "ловля": "fishing", "киберпреступность": "cybercrime", "переселенец": "displaced persons",
    "вынужденный": "forced", "наблюдение": "observation", "охрана": "protection",
    "демаркация": "demarcation", "делимитация": "delimitation",
    "реструктуризация": "restructuring", "внутренне": "internally", "пищевой": "food",
    "продукт": "products", "океан": "ocean", "морской": "maritime", "космос": "space",
    "космический": "space", "луна": "moon", "спутник": "satellites",
    "загрязнение": "pollution", "гуманитарка": "humanitarian aid", "выбор": "elections",
    "приднестровье": "transnistria", "приднестровский": "transnistrian",
    # Countries as people call them, where pycountry has only the long official name.
    "сирия": "syria", "россия": "russia", "рф": "russia", "сша": "united states",
    "америка": "united states", "великобритания": "united kingdom",
    "британия": "united kingdom", "англия": "united kingdom", "молдавия": "moldova",
    "белоруссия": "belarus", "кндр": "north korea", "оаэ": "united arab emirates",
    "эмираты": "united arab emirates", "танзания": "tanzania", "боливия": "bolivia",
    "венесуэла": "venezuela", "лаос": "laos", "палестина": "palestine", "ватикан": "vatican",
    "косово": "kosovo", "македония": "north macedonia", "конго": "congo",
}  # fmt: skip

# Adjectives whose country is not spelled like them ("немецкий" is Germany).
RUSSIAN_ADJECTIVES: dict[str, str] = {
    "немецкий": "germany", "американский": "united states", "британский": "united kingdom",
    "английский": "united kingdom", "турецкий": "turkey", "греческий": "greece",
    "чешский": "czech republic", "швейцарский": "switzerland", "нидерландский": "netherlands",
    "голландский": "netherlands", "саудовский": "saudi arabia", "эмиратский":
    "united arab emirates", "польский": "poland", "шведский": "sweden",
    "датский": "denmark", "норвежский": "norway", "финский": "finland",
    "финляндский": "finland", "эстонский": "estonia", "латвийский": "latvia",
    "литовский": "lithuania", "венгерский": "hungary", "словацкий": "slovakia",
    "хорватский": "croatia", "боснийский": "bosnia and herzegovina",
    "македонский": "north macedonia", "черногорский": "montenegro", "косовский": "kosovo",
    "палестинский": "palestine", "израильский": "israel", "египетский": "egypt",
    "сирийский": "syria", "иракский": "iraq", "ливанский": "lebanon",
    "иорданский": "jordan", "катарский": "qatar", "бразильский": "brazil",
    "мексиканский": "mexico", "колумбийский": "colombia", "аргентинский": "argentina",
    "чилийский": "chile", "индийский": "india", "пакистанский": "pakistan",
    "корейский": "south korea", "южнокорейский": "south korea",
    "северокорейский": "north korea", "вьетнамский": "vietnam", "таджикский": "tajikistan",
    "киргизский": "kyrgyzstan", "кыргызский": "kyrgyzstan", "туркменский": "turkmenistan",
    "узбекский": "uzbekistan", "казахский": "kazakhstan", "белорусский": "belarus",
    "молдавский": "moldova", "армянский": "armenia", "грузинский": "georgia",
    "российский": "russia", "русский": "russia", "украинский": "ukraine",
}  # fmt: skip

_FUNCTION_POS = frozenset(
    {"VERB", "INFN", "PRTF", "PRTS", "GRND", "ADVB", "NPRO", "PRCL", "CONJ", "PREP", "INTJ",
     "PRED", "COMP"}
)  # fmt: skip
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff][\u0400-\u04ff-]*")


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    import pymorphy3  # ships its dictionaries (pymorphy3-dicts-ru); about 0.1 s to load

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Russian country names (lowercase, nominative) -> English names, from pycountry."""
    import gettext

    import pycountry

    russian = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    out: dict[str, str] = {}
    for country in pycountry.countries:
        english = getattr(country, "common_name", None) or country.name
        out[russian.gettext(country.name).lower().replace("ё", "е")] = english
    return out


def _country_of_adjective(lemma: str) -> str | None:
    """'сербский' -> Serbia: an adjective whose stem begins the Russian name of a country."""
    if lemma in RUSSIAN_ADJECTIVES:
        return RUSSIAN_ADJECTIVES[lemma]
    if not lemma.endswith("ский") or len(lemma) < 8:
        return None
    stem = lemma[:-4].rstrip("и")
    for name, english in _countries().items():
        if " " not in name and name.startswith(stem[:6]) and len(stem) >= 5:
            return english
    return None


@lru_cache(maxsize=8192)
def translate_word(word: str, *, proper: bool = False) -> str | None:
    """The English words a Russian word stands for, or None to keep it as typed (a name).

    proper: the word was typed with a capital inside a sentence, so a reading as a place or
    a name wins over a commoner one ("Газе" is Gaza, not "газ", gas).
    """
    lowered = word.lower().replace("ё", "е")
    if word.isupper() and lowered in RUSSIAN_LEMMAS:
        return RUSSIAN_LEMMAS[lowered]  # an acronym: "ОАЭ", "МИД"
    parses = _analyzer().parse(lowered)
    if proper:
        for parse in parses:
            grammemes = set(parse.tag.grammemes)
            if {"Name", "Surn", "Patr"} & grammemes:
                return None
            if parse.normal_form in RUSSIAN_LEMMAS and "Geox" in grammemes:
                return RUSSIAN_LEMMAS[parse.normal_form]  # "Сирии" is Syria, as people say it
            if "Geox" in grammemes and parse.normal_form not in _countries():
                return _place_name(parse.normal_form)
        for parse in parses:
            lemma = parse.normal_form.replace("ё", "е")
            if lemma in cities_by_russian_name() and lemma not in _countries():
                return _place_name(parse.normal_form)  # "в Боготе": a city the dictionary lacks
    # A word the dictionary knows only as a name keeps its letters ("Токаевым").
    for parse in parses[:3]:
        lemma = parse.normal_form.replace("ё", "е")
        tag = parse.tag
        if {"Name", "Surn", "Patr"} & set(tag.grammemes) and parse is parses[0]:
            return None
        if lemma in RUSSIAN_LEMMAS:
            return RUSSIAN_LEMMAS[lemma]
        if lemma in _countries():
            return _countries()[lemma]
        country = _country_of_adjective(lemma)
        if country is not None:
            return country
    if lowered in RUSSIAN_LEMMAS:
        return RUSSIAN_LEMMAS[lowered]
    # A verb, adverb, pronoun or particle the table does not know names no person or topic
    # ("затрагивали", "вообще"): it is dropped, as an unknown English word is.
    first = parses[0]
    if first.is_known and first.tag.POS in _FUNCTION_POS:
        return ""
    # A place is read from its lemma, whole: "в Джакарте" is Dzhakarta, "Баку" stays Baku
    # (trimming case endings, as names are, would make it "Bak").
    if "Geox" in first.tag.grammemes:
        return _place_name(first.normal_form)
    return None


def _place_name(lemma: str) -> str:
    """A place's English name when it is a city of the world's list ("Пекин" is Beijing),
    else its letters in Latin ("Джакарта" is Dzhakarta, for the spelling key to meet)."""
    lemma = lemma.replace("ё", "е")
    return cities_by_russian_name().get(lemma) or anyascii(lemma).replace("'", "")


def translate_question(text: str) -> str:
    """Replace the Russian words of a question that have an English meaning; keep the rest."""

    def replace(match: re.Match[str]) -> str:
        word = match.group()
        before = text[: match.start()].rstrip()
        capitalised = word[0].isupper() and bool(before) and before[-1] not in '.!?,:;«"('
        if capitalised and len(word) <= 2:
            return word  # a capitalised short word inside a sentence is a name ("Ван И")
        english = translate_word(word, proper=capitalised)
        if english is None or (capitalised and not english):
            return word  # a name, or a capitalised word dropped as a particle would be
        return f" {english} "

    english = _CYRILLIC_WORD.sub(replace, text)
    # "Что обсуждали X и Y в Z": the verb asks the question; in English it follows the names,
    # so that they are names, not a topic ("what did X and Y discuss in Z"). "Обсуждали ли X
    # и Y Z?" is "did X and Y discuss Z?": the names are the capitalised words after the verb.
    english = _YES_NO_VERB_FIRST.sub(r"did \g<2> discuss \g<3>", english, count=1)
    return _VERB_FIRST.sub(r"what did \g<2> \g<1>", english, count=1)


_VERB_FIRST = re.compile(r"^\s*(?:about\s+)?what\s+(discussed|talked)\s+([^?]+)")
_YES_NO_VERB_FIRST = re.compile(
    r"^\s*(discussed|talked)\s+((?:[А-ЯЁ][\w-]*\s+(?:and\s+)?)+)(?=\S)(?!and\b)(.*)"
)
