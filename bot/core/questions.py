"""Parse a question: what is asked (intent), about whom or what (spans), and when (window).

parse_question(text, today) -> Question. No database here: the spans are plain token runs that
bot.core.matching resolves against the records.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.core.geography import COUNTRY_ALIASES, country_named
from bot.core.lexicon import (
    DEMONYMS,
    KNOWN_ACRONYMS,
    ROLE_ACRONYMS,
    ROLE_PHRASES,
    is_dictionary_word,
    normalize_word,
    stem_words,
    tokens,
    words,
)
from bot.core.windows import Window, extract_window, months_spelt_right


class Intent(StrEnum):
    WHO_MET = "who_met"
    WHEN = "when"
    WHERE = "where"
    WHAT_DISCUSSED = "what_discussed"
    MEETINGS_ABOUT_ISSUE = "meetings_about_issue"
    MEETINGS_OF = "meetings_of"
    COUNT = "count"
    LATEST = "latest"
    WHO_IS = "who_is"


class SpanKind(StrEnum):
    ENTITY = "entity"  # a person, a title, an organisation or a country
    ISSUE = "issue"  # after "about", "discuss", "on"
    PLACE = "place"  # after "in", "at", "visit"
    ROLE = "role"  # a title beside a name, when that person never held it


@dataclass(frozen=True, slots=True)
class Span:
    """A run of content tokens that names one thing; `role_of_previous` marks "X as Y"."""

    kind: SpanKind
    tokens: tuple[str, ...]
    role_of_previous: bool = False
    or_previous: bool = False  # "A or B": either one fits
    and_previous: bool = False  # "A and B": two things, or one title ("Bosnia and Herzegovina")
    outside: bool = False  # "outside Kazakhstan": a place the meetings were NOT held at


@dataclass(frozen=True, slots=True)
class Question:
    """A parsed question."""

    text: str
    intent: Intent
    spans: tuple[Span, ...]
    window: Window | None
    language: str = "en"
    wants_latest: bool = False
    wants_first: bool = False  # "when did X and Y first meet?": the earliest meeting
    # "the current NATO secretary general": an office's holder in the latest records only
    wants_current: bool = False
    yes_no: bool = False  # "did X ever meet Y?": answered "Yes: ..." or "No: ..."
    name_like: frozenset[str] = frozenset()  # tokens typed capitalised inside a sentence
    typed: tuple[tuple[str, str], ...] = ()  # token -> the word the user typed for it
    after_article: frozenset[str] = frozenset()  # tokens typed right after "the"
    abroad: bool = False  # "X's meetings abroad": held outside X's own country

    def quote(self, toks: tuple[str, ...]) -> str:
        """The words the user typed for these tokens ("Hans Gruber", not "han gruber")."""
        typed = dict(self.typed)
        # A word the user did not type (a translation of "и") is no word to quote.
        joiners = SEPARATORS | STOPWORDS | PLACE_MARKERS
        kept = [
            typed.get(t, _SPELLED_OUT.get(t, t)) for t in toks if t in typed or t not in joiners
        ]
        return " ".join(dict.fromkeys(kept))


# The synthetic title words of lexicon.ROLE_PHRASES, as a message writes them.
_SPELLED_OUT = {"headofstate": "head of state", "headofgovernment": "head of government"}
# Words that tell what is asked; they are not part of any name.
_QUESTION_TEXT = (
    "who whom whose when where what which how many much often times time did do does was "
    "were is are has have had been be will can could any all list show me tell give find "
    "there here ever please hold held holding take took place happen happened meeting "
    "different distinct "
    "meetings meet met meets meeting talk talked talks spoke speak speaking number count "
    "recent recently latest last most newest first visit visited visits receive received receives "
    "sign signed get got date day year between host hosted hosts hosting welcome welcomed "
    "welcomes greet greeted greets call called calls phone phoned sit sat anyone anybody "
    "someone somebody everyone everybody anything everything something issue issues "
    "topic topics thing things city town venue location country travel travels travelled "
    "traveled traveling travelling trip trips fly flew come came arrive arrived agenda down "
    "attend attended attends attending involve involved involves involving include included "
    "includes including participate participated participates participating participation "
    "featuring part tell told say said stress stressed happen happened happens table "
    "current currently incumbent now"
)
QUESTION_WORDS = stem_words(_QUESTION_TEXT)
# Words that end one span and start another.
_SEPARATOR_TEXT = "and with by meet met meets meeting meetings & vs versus or"
SEPARATORS = stem_words(_SEPARATOR_TEXT)
_ISSUE_MARKER_TEXT = (
    "about discuss discussed discussing discussion concerning regarding covered cover "
    "covering addressed address touched dealt deal on topic topics subject focus focused "
    "focusing raise raised raising agree agreed"
)
ISSUE_MARKERS = stem_words(_ISSUE_MARKER_TEXT)
_PLACE_MARKER_TEXT = "in at visit visited visiting"
PLACE_MARKERS = stem_words(_PLACE_MARKER_TEXT)
DEAL_WORDS = stem_words("deal dealt dealing")
# Inside a topic these words belong to the phrase, not to the question.
ISSUE_MONOLOGUE = stem_words("who which that went were was is are been have has")
# ("in her role as" and "in his capacity as" are read as "as" before this: _IN_THE_ROLE.)
APPOSITION_MARKERS = ("as", "since he became", "since she became", "when he was",
                      "when she was", "while he was", "while she was", "became")  # fmt: skip
STOPWORDS = stem_words(
    "the a an of for to at from during 's s it its his her their they he she them him that this "
    "these those who whom what which went go gone going been some with together each other "
    "also there year years up out over into off upon via per than then so very just only "
    "still yet again both either neither"
)
# Words the parser consumes; an acronym spelled like one of them must be spelled out.
_FUNCTION_WORDS = (
    QUESTION_WORDS | SEPARATORS | ISSUE_MARKERS | PLACE_MARKERS | STOPWORDS | ISSUE_MONOLOGUE
)
# The question's own words as typed, long enough that one wrong, missing, extra or swapped
# letter still says which word was meant ("meetigns", "dicsuss", "recieve").
_SPELLED_KEYWORDS = sorted(
    {
        word
        for text in (_QUESTION_TEXT, _SEPARATOR_TEXT, _ISSUE_MARKER_TEXT, _PLACE_MARKER_TEXT)
        for word in text.split()
        if len(word) >= 5
    }
)

_SHORT_KEYWORDS = ("when", "where", "what", "whom", "which", "meet", "with", "about", "many")
# Chat shorthand: "what did X n Y talk abt", "thx".
# "abut" is a word of the dictionary, but in a question it is "about" misspelt.
_CHAT_SHORT = {"abt": "about", "n": "and", "thx": "thank", "pls": "please", "plz": "please",
               "mtg": "meeting", "mtgs": "meeting", "wrt": "about", "abut": "about"}  # fmt: skip


def parse_question(
    text: str, today: dt.date, *, known: Callable[[str], bool] = lambda _word: False
) -> Question:
    """Parse text into intent, spans and time window, reading relative dates against today.

    known tells which words the records hold (a name, a place, a topic): those are never
    read as a misspelt question word.
    """
    language = "ru" if re.search(r"[\u0400-\u04ff]", text) else "en"
    yes_no = bool(_YES_NO.match(text)) or bool(re.search(r"(?i)(?<!\w)ли(?!\w)", text))
    if language == "ru":
        from bot.core.russian import translate_question  # loads the analyzer: Russian only

        toks = tokens(translate_question(text))
    else:
        plain = _DEVELOPMENTS.sub(" meetings about ", _COLLECTION.sub(" ", text))
        plain = _GOING_TO.sub(" visit ", _IN_THE_ROLE.sub(" as ", plain))
        plain = _PEOPLE_FROM.sub(" officials of ", plain)
        toks = tokens(_spell_out_acronyms(plain))
        toks = _keywords_spelt_right(toks, _name_like(text), known)
    flat = " ".join(months_spelt_right(toks))
    window, flat = extract_window(flat, today)
    abroad = bool(_ABROAD.search(f" {flat} "))
    flat = _ABROAD.sub(" ", f" {flat} ").strip()
    intent, wants_latest = _detect_intent(flat)
    spans = _split_spans(flat)
    kinds = {s.kind for s in spans}
    if intent is Intent.MEETINGS_OF and SpanKind.ISSUE in kinds and SpanKind.ENTITY not in kinds:
        intent = Intent.MEETINGS_ABOUT_ISSUE
    return Question(
        text=text,
        intent=intent,
        spans=tuple(spans),
        window=window,
        language=language,
        wants_latest=wants_latest or intent is Intent.LATEST,
        wants_first=bool(_FIRST.search(f" {flat} ")) and intent is not Intent.COUNT,
        wants_current=bool(_CURRENT.search(f" {flat} ")),
        yes_no=yes_no and intent not in (Intent.COUNT, Intent.WHO_IS),
        name_like=_name_like(text),
        typed=_typed_words(text),
        after_article=frozenset(b for a, b in pairwise(toks) if a == "the"),
        abroad=abroad,
    )


def _keywords_spelt_right(
    toks: list[str], name_like: frozenset[str], known: Callable[[str], bool]
) -> list[str]:
    """A misspelt question word is that word ("meetigns of X", "what did X and Y dicsuss"):
    one letter wrong, missing, extra or swapped, in a word no dictionary, no record and no
    capital letter claims."""
    out = [_CHAT_SHORT.get(tok, tok) for tok in toks]
    for i, tok in enumerate(toks):
        if tok in _CHAT_SHORT or not tok.isalpha() or tok in name_like:
            continue
        if len(tok) in (3, 4):
            # A short word missing one letter ("whn", "wher", "mee"): the keyword it is.
            near = [k for k in _SHORT_KEYWORDS if len(k) == len(tok) + 1 and k[0] == tok[0]
                    and OSA.distance(tok, k) == 1]  # fmt: skip
        elif len(tok) >= 5 and tok not in _SPELLED_KEYWORDS:
            found = process.extract(tok, _SPELLED_KEYWORDS, scorer=OSA.distance, score_cutoff=1)
            near = [keyword for keyword, _distance, _ in found]
        else:
            continue
        if len(near) == 1 and not known(tok) and not is_dictionary_word(tok):
            out[i] = near[0]
    return out


def _spell_out_acronyms(text: str) -> str:
    """Spell out an acronym typed in capitals that is also a word the parser reads as part
    of the question: "the WHO director-general" asks for the World Health Organization's.

    Only inside a sentence, and not when the whole question is typed in capitals.
    """
    if text.isupper():
        return text

    def spelled(match: re.Match[str]) -> str:
        word = match.group()
        key = word.lower()
        before = text[: match.start()].rstrip()
        if not before or before[-1] in ".!?" or key not in KNOWN_ACRONYMS:
            return word
        return KNOWN_ACRONYMS[key] if key in _FUNCTION_WORDS else word

    return re.sub(r"\b[A-Z]{2,}\b", spelled, text)


def _typed_words(text: str) -> tuple[tuple[str, str], ...]:
    pairs: dict[str, str] = {}
    for word in words(text):
        for tok in normalize_word(word):
            pairs.setdefault(tok, word)
    return tuple(pairs.items())


def _name_like(text: str) -> frozenset[str]:
    """Tokens of words typed with a capital letter where a sentence does not start.

    Such a word is taken as a name even when it is also an English word ("Grant", "Bas").
    """
    out: set[str] = set()
    for match in re.finditer(r"[^\W\d_][^\W_]*", text):
        word = match.group()
        before = text[: match.start()].rstrip()
        starts_sentence = not before or before[-1] in '.!?,:;¿¡«“"('
        if word[0].isupper() and not starts_sentence and not word.isupper():
            out.update(normalize_word(word))
    return frozenset(out)


# Words about the bot's own records, not about meetings: "the latest meeting in your records",
# "do you have anything on X", "the earliest meeting in the database".
_COLLECTION = re.compile(
    r"(?i)\b(?:(?:in|on|from|of)\s+(?:the|your|my|our|this)\s+(?:records?|database|db|data|"
    r"archives?|list)|on\s+record|(?:do|did)\s+you\s+(?:have|hold|know)|you\s+(?:have|hold|know)"
    r"(?:\s+of)?|(?:can|could|would)\s+you\s+(?:please\s+)?(?:tell|show|give|list|find|remind)"
    r"(?:\s+me)?|remind\s+me|i\s*(?:'|’)?\s*(?:m|am)\s+(?:looking\s+for|interested\s+in|"
    r"trying\s+to\s+find|searching\s+for)|i\s+(?:need|want|would\s+like)(?:\s+to\s+know)?|"
    r"give\s+me\s+(?:a\s+)?(?:rundown|list|summary|overview)\s+of|for\s+(?:a|my|an)\s+"
    r"(?:story|article|piece|report|briefing)(?:\s+on\s+[^,?]+)?,?)(?=\W|$)"
)  # the user's request around the question, not what it asks
_ABROAD = re.compile(r" (?:abroad|oversea|foreign trip|trip abroad) ")  # as tokens() leaves them
# "the latest developments on X": news about X, not a topic called "development".
_DEVELOPMENTS = re.compile(r"(?i)\bdevelopments\s+(?:on|in|about|regarding|concerning)\b")
# "when did X go to Qatar", "X's trip to Brazil": a visit to the place.
_GOING_TO = re.compile(
    r"(?i)\b(?:go|goes|went|gone|going|travel(?:s|ed|led|ing|ling)?|trips?|journey)\s+to\b"
)
# "in her role as EU commissioner", "in his capacity as foreign minister": "as".
_IN_THE_ROLE = re.compile(
    r"(?i)\b(?:in|during)\s+(?:his|her|their|the)\s+(?:role|capacity|time|tenure)\s+as\b"
)
# "someone from Finland", "anyone from the UAE": people of that country, whatever their office.
_PEOPLE_FROM = re.compile(
    r"(?i)\b(?:someone|somebody|anyone|anybody|people|persons?|officials?|delegates?|"
    r"representatives?|nationals?|citizens?)\s+from\b"
)
_YES_NO = re.compile(r"(?i)\W*(did|does|do|has|have|had|was|were|is|are|ever)\s(?!there\s+any\b)")
_FIRST = re.compile(
    r" (?:first (?:\w+ )?(?:time|meet|met|meeting|visit\w*|talk\w*|receiv\w*|host\w*)|earliest"
    r"|oldest) "
)
_CURRENT = re.compile(r" (?:current|currently|incumbent|now|today's|present-day) ")
_MEETING_VERBS = re.compile(
    r" (met|meet|meets|meeting|meetings|received|visited|hosted|talk\w*|counterpart\w*"
    r"|interlocutor\w*|guest\w*|visitor\w*) "
)


def _detect_intent(flat: str) -> tuple[Intent, bool]:
    padded = f" {flat} "
    asks_identity = re.match(r" who (is|was|wa|are|were) ", padded)
    if asks_identity and not _MEETING_VERBS.search(padded):
        return Intent.WHO_IS, False
    latest = bool(
        re.search(r" (latest|most recent|newest|last time|last (?:\w+ )?(?:meet|met|sat|sit|spoke|"
                  r"speak|talked|talk|saw|see|visited|visit|hosted|host|received|receive|went|go|"
                  r"travell?ed|travel|held|hold|welcomed|welcome)|the last|last meeting|"
                  r"recent meeting|recently) ", padded)
    )  # fmt: skip
    if re.search(
        r" (how many|number of) (different |distinct |other )?(people|person|"
        r"official|leader|counterpart|interlocutor|minister|diplomat)",
        padded,
    ):
        return Intent.WHO_MET, False  # whom: "X met 5 people in 6 meetings"
    if re.search(r" (how many|how often|number of|count) ", padded):
        return Intent.COUNT, False
    # Whole words, so that no name asks it ("Saidov" holds "said", "Stellan" "tell").
    asks_topics = (
        r"discuss(ed|ing|ion|ions)?|talk(s|ed|ing)?|topics?|subjects?|agenda|issues?|"
        r"agree(d|ment|ments)?|focus(ed|sed|ing)?|rais(e|ed|ing)|told|tell|said|table|"
        r"happen(ed|s)?"
    )
    if re.search(rf"^ (what|which) (.* )?({asks_topics}) ", padded) or re.search(
        r"^ what (?!meeting).* about $", padded
    ):
        return Intent.WHAT_DISCUSSED, latest
    if padded.startswith(" when ") or " what date " in padded:
        return (Intent.LATEST if latest else Intent.WHEN), latest
    if padded.startswith(" where ") or " in which city " in padded:
        return Intent.WHERE, latest
    if latest:
        return Intent.LATEST, True
    if re.search(r"^ (who|whom|with whom) | who (met|did|has|have|was) ", padded):
        return Intent.WHO_MET, False
    return Intent.MEETINGS_OF, False


def _split_spans(flat: str) -> list[Span]:
    text = f" {flat} ".replace(" as well as ", " and ")
    for phrase in APPOSITION_MARKERS:
        text = text.replace(f" {phrase} ", " | as | ")
    toks = text.split()
    spans: list[Span] = []
    current: list[str] = []
    kind = SpanKind.ENTITY
    apposition = False

    alternative = joined = outside = False

    def close() -> None:
        nonlocal current, apposition, alternative, joined, outside
        # Inside a topic "with" is kept for the resolver: "talks with Russia" may be a topic.
        keep = {"with"} if kind is SpanKind.ISSUE else set()
        content = [t for t in current if t not in STOPWORDS or t in keep]
        while content and content[-1] in keep:
            content.pop()
        if content:
            toks = tuple(_expand_role_acronyms(content))
            spans.append(Span(kind, toks, apposition, alternative, joined, outside=outside))
            apposition = alternative = joined = outside = False
        current = []

    previous = ""
    for tok in toks:
        after, previous = previous, tok
        if tok == "|":
            close()
            continue
        if tok == "outside":
            close()
            kind, outside = SpanKind.PLACE, True
            continue
        if tok == "as":
            close()
            apposition = bool(spans)
            kind = SpanKind.ENTITY
            continue
        if kind is SpanKind.ISSUE:
            if not current and (tok == "on" or (tok == "with" and after in DEAL_WORDS)):
                continue  # "dealt with", "touched on": still the marker
            if not current and tok in PLACE_MARKERS:
                kind = SpanKind.PLACE  # "discuss in Davos"
                continue
            if current and tok in {"and", "in", "of", "on", "for", "&", "with"}:
                current.append(tok)  # "oil and gas", "war in Ukraine"
                continue
            if tok in ISSUE_MONOLOGUE:
                continue  # "people who went missing"
        if tok in ISSUE_MARKERS:
            close()
            kind = SpanKind.ISSUE
            continue
        if tok in PLACE_MARKERS and kind is not SpanKind.ISSUE:
            close()
            kind = SpanKind.PLACE
            continue
        if tok == "or":
            close()
            alternative = bool(spans)  # a topic stays a topic: "landmines or hostages"
            continue
        if tok in SEPARATORS:
            close()
            joined = tok == "and" and bool(spans) and kind is SpanKind.ENTITY
            kind = SpanKind.ENTITY
            continue
        if tok in QUESTION_WORDS:
            close()
            kind = SpanKind.ENTITY
            continue
        current.append(tok)
    close()
    return spans


def _expand_role_acronyms(toks: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(toks):
        pair = tuple(toks[i : i + 2])
        if pair in ROLE_PHRASES:
            out.extend(ROLE_PHRASES[pair])
            i += 2
            continue
        # Only where the span ends: "head of Azerbaijan's State Security Service" goes on.
        around = (toks[i], toks[i + 2]) if i + 3 == len(toks) else ()
        if around in ROLE_PHRASES and _is_country_word(toks[i + 1]):
            # "the top US diplomat", "head of the Russian state": the country in between.
            out.extend((toks[i + 1], *ROLE_PHRASES[around]))
            i += 3
            continue
        tok = toks[i]
        if tok not in ROLE_ACRONYMS and tok.endswith("s") and tok[:-1] in ROLE_ACRONYMS:
            tok = tok[:-1]  # "FMs", "PMs"
        out.extend(ROLE_ACRONYMS.get(tok, (tok,)))
        i += 1
    # "sec gen" -> "secretary general", without repeating words.
    deduped: list[str] = []
    for tok in out:
        if not deduped or deduped[-1] != tok:
            deduped.append(tok)
    return deduped


def _is_country_word(tok: str) -> bool:
    return tok in DEMONYMS or tok in COUNTRY_ALIASES or country_named([tok]) is not None
