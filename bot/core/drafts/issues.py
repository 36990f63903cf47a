"""What a meeting was about: the catalog's issues and their synonyms found in the text, the
topic phrases of its "discussed" sentences, and a built-in list of common topics.

A phrase is cut as an admin labels an issue: short noun phrases, split at commas and "and",
without the words that only frame a topic ("the current situation in", "issues of").
"""

from __future__ import annotations

import re

from bot.core.drafts.catalog import Catalog
from bot.core.lexicon import normalize_word

_DISCUSSED = re.compile(
    r"\b(?:discussed|discussing|discuss|talked about|focused on|focusing on|exchanged views on|"
    r"touched upon|touched on|covered|reviewed|addressed|explored|considered|"
    r"the agenda included|talks centred on|talks centered on|"
    r"briefed (?:\w+ ){0,3}?on|informed (?:\w+ ){0,3}?(?:about|of)|"
    r"проинформировал\w* (?:\w+ ){0,3}?о|"
    r"обсудили|обсуждались|обсуждали|обсудил|обсудила|рассмотрели|обменялись мнениями по|"
    r"обменялись мнениями о|речь шла о|затронули|шла речь о|были обсуждены)\b\s*(?::\s*)?",
    re.IGNORECASE,
)
_SPLIT = re.compile(
    r",\s*(?:and\s+|as well as\s+|и\s+|а также\s+)?|;\s*|\s+as well as\s+|\s+and\s+|\s+а также\s+"
    r"|\s+и\s+"
    r"|\s+(?:after|following|in the territory of)\s+",
    re.IGNORECASE,
)
_FRAMES = re.compile(
    r"^(?:the|a|an|current|issues? of|questions? of|matters? of|prospects for|prospects of|"
    r"the issue of|the state of|the current situation in|situation in|the situation in|"
    r"ways? of|ways? to|steps? to|steps? towards|ensuring|developing|development of|"
    r"strengthening|expanding|expansion of|consequences caused by|consequences of|fate of|"
    r"high|the high|"
    r"вопросы|вопрос|перспективы|работу|работа|текущую ситуацию в|ситуацию в|развитие|развития|"
    r"укрепление|расширение|ход|состояние|other issues of mutual interest)\s+",
    re.IGNORECASE,
)
_CUT = re.compile(
    r"\s+(?:within the framework of|in the context of|in an? (?:phone|telephone) (?:call|"
    r"conversation)|on (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|"
    r"during the (?:talks|meeting|visit)|"
    r"between the two countries|between the countries|of mutual interest|"
    r"в рамках|между двумя странами)\b.*$",
    re.IGNORECASE,
)
# Common topics of official meetings, found anywhere in the text: (pattern, English label,
# Russian label). A topic an earlier phrase already holds (its pattern matches the phrase) is
# not added again, whatever the language.
TOPICS: tuple[tuple[str, str, str], ...] = (
    (r"reconstruction|restoration of the liberated|восстановлени\w+", "reconstruction",
     "восстановление"),
    (r"confidence[- ]building|мер\w* доверия", "confidence-building", "меры доверия"),
    (r"peace treaty|peace agreement|мирн\w+ договор\w*|мирн\w+ соглашени\w+", "peace treaty",
     "мирный договор"),
    (r"peace process|мирн\w+ процесс\w*", "peace process", "мирный процесс"),
    (r"delimitation|делимитаци\w+", "border delimitation", "делимитация границы"),
    (r"energy security|энергетическ\w+ безопасност\w+", "energy security",
     "энергетическая безопасность"),
    (r"renewable energy|green energy|возобновляем\w+ энерг\w+|зелен\w+ энерг\w+",
     "green energy", "зеленая энергетика"),
    (r"trade|торгов\w+|торговл\w+", "trade", "торговля"),
    (r"investment\w*|инвестиц\w+", "investment", "инвестиции"),
    (r"transport\w*|transit|connectivity|Middle Corridor|транспорт\w*|транзит\w*",
     "transport", "транспорт"),
    (r"humanitarian aid|humanitarian assistance|гуманитарн\w+ помощ\w+", "humanitarian aid",
     "гуманитарная помощь"),
    (r"landmines?|mine clearance|demining|разминировани\w+", "mine clearance",
     "разминирование"),
    (r"missing persons|пропавш\w+ без вести", "missing persons", "пропавшие без вести"),
    (r"hostages?|заложник\w*", "hostages", "заложники"),
    (r"prisoners of war|военнопленн\w+", "prisoners of war", "военнопленные"),
    (r"sanctions|санкци\w+", "sanctions", "санкции"),
    (r"climate|COP\s?\d+|климат\w*", "climate", "климат"),
    (r"education|образовани\w+", "education", "образование"),
    (r"tourism|туризм\w*", "tourism", "туризм"),
    (r"agricultur\w+|сельск\w+ хозяйств\w+", "agriculture", "сельское хозяйство"),
    (r"healthcare|health care|здравоохранени\w+", "healthcare", "здравоохранение"),
    (r"cybersecurity|кибербезопасност\w+", "cybersecurity", "кибербезопасность"),
    (r"terrorism|терроризм\w*", "terrorism", "терроризм"),
    (r"human rights|прав\w* человека", "human rights", "права человека"),
    (r"migration|миграци\w+", "migration", "миграция"),
    (r"refugees|беженц\w+", "refugees", "беженцы"),
    (r"nuclear|ядерн\w+|атомн\w+", "nuclear", "атомная энергетика"),
    (r"arm(?:ing|s supplies)? (?:to )?Armenia|weapons supplies|поставк\w+ оружи\w+",
     "arms supplies", "поставки оружия"),
    (r"regional security|security in the region|региональн\w+ безопасност\w+|"
     r"безопасност\w+ в регионе", "regional security", "региональная безопасность"),
    (r"gas supplies|natural gas|поставк\w+ газа|газ\w*", "gas supplies", "поставки газа"),
    (r"visas?|визов\w+", "visa regime", "визовый режим"),
    (r"culture|cultural|культур\w+", "culture", "культура"),
    (r"defen[cs]e cooperation|military cooperation|военн\w+ сотрудничеств\w+",
     "defence cooperation", "военное сотрудничество"),
)  # fmt: skip


def _content(phrase: str) -> set[str]:
    words: set[str] = set()
    for word in re.findall(r"[^\W\d_]+", phrase):
        if len(word) > 2:
            words.update(normalize_word(word))
    return words - {"the", "and", "of", "in", "for"}


def _clean(chunk: str) -> str:
    chunk = chunk.strip(' .,;:"«»')
    chunk = _CUT.sub("", chunk)
    previous = None
    while previous != chunk:
        previous = chunk
        chunk = _FRAMES.sub("", chunk).strip()
    chunk = re.sub(r"^(?:the|its|their|bilateral)\s+", "", chunk, flags=re.IGNORECASE)
    return chunk


_GENERIC = {"other", "issu", "issue", "mutual", "interest", "matter", "topic", "question"}


_JOINED = "\ue000"  # a space no split pattern matches (a private-use character)


def discussed_phrases(sentence: str) -> list[str]:
    """The topic phrases after "discussed" / "обсудили" in a sentence."""
    m = _DISCUSSED.search(sentence)
    if m is None:
        return []
    tail = re.split(
        r"[.!?]\s|\s+(?:while|whereas|with the sides|adding|noting)\s", sentence[m.end() :]
    )[0]
    # An attribution is no topic: ", Erdogan's office said", ", the statement said".
    tail = re.sub(
        r",\s*(?:[\w’' .-]{1,40}\s)?(?:said|says|reported|reports|told reporters|"
        r"сообщили|сообщает|сообщил\w*)\b.*$",
        "",
        tail.rstrip(" ."),
        flags=re.IGNORECASE,
    )
    # "between Azerbaijan and Armenia" is one topic, not two.
    tail = re.sub(
        r"\b(?:between|между)\s+\S+\s+(?:and|и)\s+",
        lambda m: m.group().replace(" ", _JOINED),
        tail,
    )
    out = []
    for chunk in _SPLIT.split(tail):
        phrase = _clean(chunk.replace(_JOINED, " "))
        words = phrase.split()
        if 1 <= len(words) <= 8 and _content(phrase) - _GENERIC:
            out.append(phrase)
    return out


def find_issues(text: str, sentences: list[str], catalog: Catalog) -> list[str]:
    """The meeting's issues: the catalog's own labels the text names (by name or synonym),
    then the discussed phrases, then the common topics; a phrase or topic sharing a content
    word with a label already taken is left out (one label per topic)."""
    lowered = text.lower()
    stored: list[str] = []
    for name, aliases in catalog.issues:
        for spelling in (name, *aliases):
            if re.search(rf"\b{re.escape(spelling.lower())}\b", lowered):
                stored.append(name)
                break
    discussed = [phrase for sentence in sentences for phrase in discussed_phrases(sentence)]
    out: list[str] = list(dict.fromkeys(stored))
    taken = [_content(label) for label in out]
    added: list[set[str]] = []
    for phrase in discussed:
        words = _content(phrase)
        if any(words & earlier for earlier in taken) or any(words <= a for a in added):
            continue
        added.append(words)
        out.append(phrase)
    taken += added
    russian = len(re.findall(r"[а-яё]", text, re.IGNORECASE)) > len(text) / 3
    for pattern, english, in_russian in TOPICS:
        topic = re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)
        if not topic.search(text) or any(topic.search(phrase) for phrase in out):
            continue
        label = in_russian if russian else english
        words = _content(label)
        if not any(words & earlier for earlier in taken):
            taken.append(words)
            out.append(label)
    return out
