"""Parse a question: what is asked (intent), about whom or what (spans), and when (window).

parse_question(text, today) -> Question. No database here: the spans are plain token runs that
bot.core.matching resolves against the records.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from bot.core.geography import COUNTRY_ALIASES, country_named
from bot.core.lexicon import (
    DEMONYMS,
    KNOWN_ACRONYMS,
    ROLE_ACRONYMS,
    ROLE_PHRASES,
    normalize_word,
    stem_words,
    tokens,
    words,
)
from bot.core.text import MONTH_NUMBERS, format_day


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


@dataclass(frozen=True, slots=True)
class Window:
    """An inclusive date range; either end may be open."""

    start: dt.date | None = None
    end: dt.date | None = None

    def contains(self, day: dt.date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def describe(self, language: str = "en") -> str:
        """The window in words of the language ("in 2025", "в 2025 году")."""
        words = _WINDOW_WORDS.get(language, _WINDOW_WORDS["en"])
        if self.start and self.end:
            if self.start == self.end:
                return words["on"].format(format_day(self.start, language))
            whole_year = (self.start.month, self.start.day, self.end.month, self.end.day)
            if self.start.year == self.end.year and whole_year == (1, 1, 12, 31):
                return words["year"].format(self.start.year)
            return words["between"].format(
                format_day(self.start, language), format_day(self.end, language)
            )
        if self.start:
            return words["since"].format(format_day(self.start, language))
        if self.end:
            return words["until"].format(format_day(self.end, language))
        return words["any"]


_WINDOW_WORDS = {
    "en": {"on": "on {}", "year": "in {}", "between": "between {} and {}", "since": "since {}",
           "until": "until {}", "any": "at any time"},
    "ru": {"on": "{}", "year": "в {} году", "between": "с {} по {}", "since": "с {}",
           "until": "до {}", "any": "за всё время"},
}  # fmt: skip


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
    yes_no: bool = False  # "did X ever meet Y?": answered "Yes: ..." or "No: ..."
    name_like: frozenset[str] = frozenset()  # tokens typed capitalised inside a sentence
    typed: tuple[tuple[str, str], ...] = ()  # token -> the word the user typed for it
    after_article: frozenset[str] = frozenset()  # tokens typed right after "the"

    def quote(self, toks: tuple[str, ...]) -> str:
        """The words the user typed for these tokens ("Hans Gruber", not "han gruber")."""
        typed = dict(self.typed)
        return " ".join(dict.fromkeys(typed.get(t, t) for t in toks))


MONTHS = MONTH_NUMBERS
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a": 1, "an": 1,
}  # fmt: skip
_N = r"(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a|an)"
_MONTH = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"((?:19|20)\d\d)"

# Words that tell what is asked; they are not part of any name.
QUESTION_WORDS = stem_words(
    "who whom whose when where what which how many much often times time did do does was "
    "were is are has have had been be will can could any all list show me tell give find "
    "there here ever please hold held holding take took place happen happened meeting "
    "meetings meet met meets meeting talk talked talks spoke speak speaking number count "
    "recent latest last most newest first visit visited visits receive received receives "
    "sign signed get got date day year between host hosted hosts hosting welcome welcomed "
    "welcomes greet greeted greets call called calls phone phoned sit sat anyone anybody "
    "someone somebody everyone everybody anything everything something issue issues "
    "topic topics thing things city town venue location country travel travels travelled "
    "traveled traveling travelling trip trips fly flew come came arrive arrived agenda down "
    "attend attended attends attending involve involved involves involving include included "
    "includes including participate participated participates participating participation "
    "featuring part tell told say said stress stressed happen happened happens table"
)
# Words that end one span and start another.
SEPARATORS = stem_words("and with by meet met meets meeting meetings & vs versus or")
ISSUE_MARKERS = stem_words(
    "about discuss discussed discussing discussion concerning regarding covered cover "
    "covering addressed address touched dealt deal on topic topics subject focus focused "
    "focusing raise raised raising agree agreed"
)
PLACE_MARKERS = stem_words("in at visit visited visiting")
DEAL_WORDS = stem_words("deal dealt dealing")
# Inside a topic these words belong to the phrase, not to the question.
ISSUE_MONOLOGUE = stem_words("who which that went were was is are been have has")
APPOSITION_MARKERS = ("as", "since he became", "since she became", "when he was",
                      "when she was", "while he was", "while she was", "in his role as",
                      "in her role as", "became")  # fmt: skip
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


def parse_question(text: str, today: dt.date) -> Question:
    """Parse text into intent, spans and time window, reading relative dates against today."""
    language = "ru" if re.search(r"[\u0400-\u04ff]", text) else "en"
    yes_no = bool(_YES_NO.match(text)) or bool(re.search(r"(?i)(?<!\w)ли(?!\w)", text))
    if language == "ru":
        from bot.core.russian import translate_question  # loads the analyzer: Russian only

        toks = tokens(translate_question(text))
    else:
        toks = tokens(_spell_out_acronyms(text))
    flat = " ".join(toks)
    window, flat = _extract_window(flat, today)
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
        yes_no=yes_no and intent not in (Intent.COUNT, Intent.WHO_IS),
        name_like=_name_like(text),
        typed=_typed_words(text),
        after_article=frozenset(b for a, b in pairwise(toks) if a == "the"),
    )


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


_YES_NO = re.compile(r"(?i)\W*(did|does|do|has|have|had|was|were|is|are|ever)\s(?!there\s+any\b)")
_FIRST = re.compile(
    r" (?:first (?:time|meet|met|meeting|visit\w*|talk\w*|receiv\w*|host\w*)|earliest) "
)
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
        re.search(r" (latest|most recent|newest|last time|last meet|last met|the last|last "
                  r"meeting|recent meeting|recently) ", padded)
    )  # fmt: skip
    if re.search(r" (how many|how often|number of|count) ", padded):
        return Intent.COUNT, False
    asks_topics = (
        r"discuss|talk|topic|subject|agenda|issue|agre|focus|rais|told|tell|said|table|happen"
    )
    if re.search(rf"^ (what|which) .*({asks_topics})", padded) or re.search(
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

    alternative = False

    def close() -> None:
        nonlocal current, apposition, alternative
        # Inside a topic "with" is kept for the resolver: "talks with Russia" may be a topic.
        keep = {"with"} if kind is SpanKind.ISSUE else set()
        content = [t for t in current if t not in STOPWORDS or t in keep]
        while content and content[-1] in keep:
            content.pop()
        if content:
            toks = tuple(_expand_role_acronyms(content))
            spans.append(Span(kind, toks, apposition, or_previous=alternative))
            apposition = alternative = False
        current = []

    previous = ""
    for tok in toks:
        after, previous = previous, tok
        if tok == "|":
            close()
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
        out.extend(ROLE_ACRONYMS.get(toks[i], (toks[i],)))
        i += 1
    # "sec gen" -> "secretary general", without repeating words.
    deduped: list[str] = []
    for tok in out:
        if not deduped or deduped[-1] != tok:
            deduped.append(tok)
    return deduped


def _is_country_word(tok: str) -> bool:
    return tok in DEMONYMS or tok in COUNTRY_ALIASES or country_named([tok]) is not None


def _month_window(year: int, month: int) -> Window:
    last = calendar.monthrange(year, month)[1]
    return Window(dt.date(year, month, 1), dt.date(year, month, last))


def _shift_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def _extract_window(flat: str, today: dt.date) -> tuple[Window | None, str]:
    """Find one time expression in the token string; return the window and the rest."""
    year_start = dt.date(today.year, 1, 1)
    rules: list[tuple[str, Callable[[re.Match[str]], Window]]] = [
        (rf"(?:between|from) {_YEAR} (?:and|to|till|until) {_YEAR}",
         lambda m: _years(int(m[1]), int(m[2]))),
        (rf"(?:between|from) {_MONTH} (?:and|to|till|until) {_MONTH} {_YEAR}",
         lambda m: _months(int(m[3]), MONTHS[m[1]], int(m[3]), MONTHS[m[2]])),
        (rf"(?:between|from) {_MONTH} {_YEAR} (?:and|to|till|until) {_MONTH} {_YEAR}",
         lambda m: _months(int(m[2]), MONTHS[m[1]], int(m[4]), MONTHS[m[3]])),
        # "2021-2023" (the dash is gone by now), and "in 2021 and 2022".
        (rf"(?:in |during )?{_YEAR} {_YEAR}", lambda m: _years(int(m[1]), int(m[2]))),
        (rf"(?:in |during )?{_YEAR} (?:and|or) {_YEAR}",
         lambda m: _years(int(m[1]), int(m[2]), consecutive=True)),
        (rf"(?:(?:from|since|starting|starting in) {_YEAR}(?: on| onward)?|{_YEAR} onward)",
         lambda m: Window(dt.date(int(m[1] or m[2]), 1, 1), None)),
        (rf"(?:until|till|through|up to|up until|by) {_YEAR}",
         lambda m: Window(None, dt.date(int(m[1]), 12, 31))),
        (rf"prior to {_YEAR}", lambda m: Window(None, dt.date(int(m[1]) - 1, 12, 31))),
        (rf"(?:in |during )?(?:the )?(first|second) half (?:of )?{_YEAR}",
         lambda m: _quarters(int(m[2]), 1 if m[1] == "first" else 3, 2)),
        (rf"(?:in |during )?(?:the )?q([1-4]) (?:of )?{_YEAR}",
         lambda m: _quarters(int(m[2]), int(m[1]), 1)),
        (rf"(?:in |during )?(?:the )?(first|second|third|fourth|last) quarter (?:of )?{_YEAR}",
         lambda m: _quarters(int(m[2]), _QUARTERS[m[1]], 1)),
        (r"(?:in |during )?the ((?:19|20)\d)0s",
         lambda m: _years(int(m[1]) * 10, int(m[1]) * 10 + 9)),
        (r"since last (year|month|week)", lambda m: Window(_previous(today, m[1]).start, None)),
        (r"earlier this (year|month)", lambda m: Window(_current(today, m[1]).start, today)),
        (rf"(?:on )?(\d{{1,2}}) {_MONTH} {_YEAR}",
         lambda m: _day(int(m[3]), MONTHS[m[2]], int(m[1]))),
        (rf"(?:on )?{_MONTH} (\d{{1,2}}) {_YEAR}",
         lambda m: _day(int(m[3]), MONTHS[m[1]], int(m[2]))),
        (r"(?:on )?((?:19|20)\d\d) (\d{1,2}) (\d{1,2})",
         lambda m: _day(int(m[1]), int(m[2]), int(m[3]))),
        (r"(?:on )?(\d{1,2}) (\d{1,2}) ((?:19|20)\d\d)",
         lambda m: _day(int(m[3]), int(m[2]), int(m[1]))),
        (rf"since {_MONTH} {_YEAR}",
         lambda m: Window(dt.date(int(m[2]), MONTHS[m[1]], 1), None)),
        (rf"(?:in )?{_MONTH} (?:of )?{_YEAR}(?: year)?",
         lambda m: _month_window(int(m[2]), MONTHS[m[1]])),
        (rf"(?:in |during )?(?:the )?(early|mid|late|beginning of|end of|middle of) {_YEAR}",
         lambda m: _part_of_year(int(m[2]), m[1])),
        (rf"(?:in |during )?(?:the )?(spring|summer|autumn|fall|winter) (?:of )?{_YEAR}",
         lambda m: _season(int(m[2]), m[1])),
        (rf"since {_MONTH}",
         lambda m: Window(_last_month_start(today, MONTHS[m[1]]), None)),
        (rf"(?:on )?{_MONTH} (\d{{1,2}})(?:st|nd|rd|th)?",
         lambda m: _day_window(_last_day(today, MONTHS[m[1]], int(m[2])))),
        (rf"(?:on )?(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?{_MONTH}",
         lambda m: _day_window(_last_day(today, MONTHS[m[2]], int(m[1])))),
        (rf"(?:in |during )(?:the month of )?{_MONTH}(?! may)",
         lambda m: _month_window(_last_month_start(today, MONTHS[m[1]]).year, MONTHS[m[1]])),
        (rf"(?:since|after) {_YEAR}",
         lambda m: Window(dt.date(int(m[1]) + ("after" in m[0]), 1, 1), None)),
        (rf"before {_YEAR}", lambda m: Window(None, dt.date(int(m[1]) - 1, 12, 31))),
        (rf"(?:in the )?(?:last|past) {_N} (year|month|week|day)s?",
         lambda m: Window(_ago(today, _number(m[1]), m[2]), today)),
        (r"(?:in the )?(?:last|past) (year|month|week)(?! ago)",
         lambda m: _previous(today, m[1]) if m[0].lstrip().startswith("last") or "the" not in m[0]
         else Window(_ago(today, 1, m[1]), today)),
        (r"(?:this|current) (year|month|week)",
         lambda m: _current(today, m[1])),
        (rf"{_N} (year|month)s? ago",
         lambda m: _ago_period(today, _number(m[1]), m[2])),
        (r"yesterday", lambda m: _day_window(today - dt.timedelta(days=1))),
        (r"today", lambda m: _day_window(today)),
        # A bare year that begins a name ("the 2026 World Cup") is not a time.
        (rf"(?:(?:in |during |of ){_YEAR}|(?<!\bthe )(?<!\babout ){_YEAR})(?: year)?",
         lambda m: _year_window(int(m[1] or m[2]))),
    ]  # fmt: skip
    padded = f" {flat} "
    for pattern, build in rules:
        match = re.search(rf" {pattern}(?= )", padded)
        if match:
            try:
                window = build(match)
            except ValueError:
                continue
            rest = padded[: match.start()] + " " + padded[match.end() :]
            return window, " ".join(rest.split())
    del year_start
    return None, flat


_QUARTERS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": 4}


def _years(first: int, last: int, *, consecutive: bool = False) -> Window:
    """From the first day of first to the last of last; "2021 and 2023" is no range."""
    if last < first or (consecutive and last != first + 1):
        raise ValueError("not a range of years")
    return Window(dt.date(first, 1, 1), dt.date(last, 12, 31))


def _months(first_year: int, first: int, last_year: int, last: int) -> Window:
    end = _month_window(last_year, last).end
    start = dt.date(first_year, first, 1)
    if end is None or end < start:
        raise ValueError("not a range of months")
    return Window(start, end)


def _quarters(year: int, first: int, count: int) -> Window:
    return _months(year, 3 * first - 2, year, 3 * (first + count - 1))


def _year_window(year: int) -> Window:
    return Window(dt.date(year, 1, 1), dt.date(year, 12, 31))


def _day(year: int, month: int, day: int) -> Window:
    return _day_window(dt.date(year, month, day))


def _day_window(day: dt.date) -> Window:
    return Window(day, day)


def _part_of_year(year: int, part: str) -> Window:
    """'early 2023' is its first half, 'mid' its middle months, 'late' its second half."""
    if part in ("early", "beginning of"):
        return Window(dt.date(year, 1, 1), dt.date(year, 6, 30))
    if part in ("mid", "middle of"):
        return Window(dt.date(year, 4, 1), dt.date(year, 9, 30))
    return Window(dt.date(year, 7, 1), dt.date(year, 12, 31))


def _season(year: int, season: str) -> Window:
    """Northern seasons; the winter of a year is its December and the next two months."""
    if season == "winter":
        return Window(dt.date(year, 12, 1), dt.date(year + 1, 3, 1) - dt.timedelta(days=1))
    first = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9}[season]
    return Window(dt.date(year, first, 1), _month_window(year, first + 2).end)


def _last_day(today: dt.date, month: int, day: int) -> dt.date:
    """The latest date with this month and day that is not after today."""
    candidate = dt.date(today.year, month, day)
    return candidate if candidate <= today else dt.date(today.year - 1, month, day)


def _last_month_start(today: dt.date, month: int) -> dt.date:
    year = today.year if month <= today.month else today.year - 1
    return dt.date(year, month, 1)


def _ago(today: dt.date, n: int, unit: str) -> dt.date:
    if unit == "year":
        return _shift_months(today, -12 * n)
    if unit == "month":
        return _shift_months(today, -n)
    if unit == "week":
        return today - dt.timedelta(weeks=n)
    return today - dt.timedelta(days=n)


def _previous(today: dt.date, unit: str) -> Window:
    if unit == "year":
        return Window(dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))
    if unit == "month":
        first = _shift_months(today.replace(day=1), -1)
        return _month_window(first.year, first.month)
    start = today - dt.timedelta(days=today.weekday() + 7)
    return Window(start, start + dt.timedelta(days=6))


def _current(today: dt.date, unit: str) -> Window:
    if unit == "year":
        return Window(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
    if unit == "month":
        return _month_window(today.year, today.month)
    start = today - dt.timedelta(days=today.weekday())
    return Window(start, start + dt.timedelta(days=6))


def _ago_period(today: dt.date, n: int, unit: str) -> Window:
    """'two years ago' is the whole calendar year two years back."""
    if unit == "year":
        return Window(dt.date(today.year - n, 1, 1), dt.date(today.year - n, 12, 31))
    first = _shift_months(today.replace(day=1), -n)
    return _month_window(first.year, first.month)
