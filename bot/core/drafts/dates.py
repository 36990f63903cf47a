"""Dates in an article: explicit ("November 14", "14 ноября 2023", "14.11.2023") and relative
("on Tuesday", "yesterday", "сегодня"), resolved against the publication date.

A date without its year takes the latest year that puts it on or before the reference date (a
report is not written before the meeting it reports); with no reference, it is not guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.core.text import MONTH_NUMBERS

# English names and abbreviations, then Russian in the nominative, genitive and prepositional.
MONTHS: dict[str, int] = dict(MONTH_NUMBERS)
for _number, _names in enumerate(
    (
        "январь января январе",
        "февраль февраля феврале",
        "март марта марте",
        "апрель апреля апреле",
        "май мая мае",
        "июнь июня июне",
        "июль июля июле",
        "август августа августе",
        "сентябрь сентября сентябре",
        "октябрь октября октябре",
        "ноябрь ноября ноябре",
        "декабрь декабря декабре",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "monday понедельник",
        "tuesday вторник",
        "wednesday среда среду",
        "thursday четверг",
        "friday пятница пятницу",
        "saturday суббота субботу",
        "sunday воскресенье",
    )
):
    for _name in _names.split():
        WEEKDAYS[_name] = _number

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_MONTH = re.compile(
    rf"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH})\.?"
    rf"(?:,?\s+(?P<year>(?:19|20)\d\d))?\b",
    re.IGNORECASE,
)
_MONTH_DAY = re.compile(
    rf"\b(?P<month>{_MONTH})\.?\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d\d))?",
    re.IGNORECASE,
)
_NUMERIC = re.compile(r"\b(?P<day>[0-3]?\d)\.(?P<month>[01]?\d)\.(?P<year>(?:19|20)\d\d)\b")
_ISO = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")
_WEEKDAY = re.compile(
    r"\b(?:on|во?|last|в\s+прошл(?:ый|ую|ое))?\s*(?P<weekday>" + "|".join(WEEKDAYS) + r")\b",
    re.IGNORECASE,
)
_RELATIVE = {
    "today": 0,
    "сегодня": 0,
    "this morning": 0,
    "this afternoon": 0,
    "earlier today": 0,
    "yesterday": -1,
    "вчера": -1,
    "позавчера": -2,
    "the day before yesterday": -2,
}
_RELATIVE_RE = re.compile(
    r"\b(?:" + "|".join(sorted(_RELATIVE, key=len, reverse=True)) + r")\b", re.IGNORECASE
)


@dataclass(frozen=True)
class DateMention:
    """A date found in a text: where it is, and the date when it could be resolved."""

    start: int
    end: int
    date: dt.date | None
    relative: bool


def _make(year: int | None, month: int, day: int, reference: dt.date | None) -> dt.date | None:
    try:
        if year is not None:
            return dt.date(year, month, day)
        if reference is None:
            return None
        candidate = dt.date(reference.year, month, day)
        if candidate > reference:
            candidate = dt.date(reference.year - 1, month, day)
        return candidate
    except ValueError:
        return None


def find_dates(text: str, reference: dt.date | None) -> list[DateMention]:
    """Every date in text, in order, resolved against reference (the publication date)."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, date: dt.date | None, relative: bool) -> None:
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        found.append(DateMention(start, end, date, relative))

    for pattern in (_ISO, _NUMERIC):
        for m in pattern.finditer(text):
            add(
                m.start(),
                m.end(),
                _make(int(m["year"]), int(m["month"]), int(m["day"]), None),
                False,
            )
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for m in pattern.finditer(text):
            year = int(m["year"]) if m["year"] else None
            month = MONTHS[m["month"].lower().rstrip(".")]
            add(m.start(), m.end(), _make(year, month, int(m["day"]), reference), False)
    for m in _RELATIVE_RE.finditer(text):
        shift = _RELATIVE[m.group().lower()]
        date = reference + dt.timedelta(days=shift) if reference else None
        add(m.start(), m.end(), date, True)
    for m in _WEEKDAY.finditer(text):
        weekday = WEEKDAYS[m["weekday"].lower()]
        date = None
        if reference is not None:
            date = reference - dt.timedelta(days=(reference.weekday() - weekday) % 7)
        add(m.start("weekday"), m.end(), date, True)
    found.sort(key=lambda mention: mention.start)
    return found
