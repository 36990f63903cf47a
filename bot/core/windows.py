"""Time in a question: "in 2018", "last month", "since March", "from 2020 on", "Q1 2025".

extract_window(flat, today) finds one time expression in a question's token string and returns
the inclusive Window it names, read against the injected today, and the rest of the string.
months_spelt_right reads a misspelt month beside a number as that month.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.core.meeting_dates import MeetingDates
from bot.core.text import MONTH_NUMBERS, format_day


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


MONTHS = MONTH_NUMBERS
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a": 1, "an": 1,
}  # fmt: skip
_N = r"(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a|an)"
_MONTH = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"((?:19|20)\d\d)"
_D = r"(\d{1,2})(?:st|nd|rd|th)?"  # a day of the month: "12", "12th"

_MONTH_NAMES = [name.lower() for name in calendar.month_name if name]


def months_spelt_right(toks: list[str]) -> list[str]:
    """A misspelt month beside a number is that month: "Novemebr 2024", "14 Setpember"."""
    out = list(toks)
    for i, tok in enumerate(toks):
        beside = toks[max(0, i - 1) : i] + toks[i + 1 : i + 2]
        if len(tok) < 5 or tok in MONTHS or not any(b.isdigit() for b in beside):
            continue
        found = process.extractOne(tok, _MONTH_NAMES, scorer=fuzz.ratio, score_cutoff=80)
        if found is not None:
            out[i] = found[0]
    return out


def _month_window(year: int, month: int) -> Window:
    last = calendar.monthrange(year, month)[1]
    return Window(dt.date(year, month, 1), dt.date(year, month, last))


def _shift_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def extract_window(flat: str, today: dt.date) -> tuple[Window | None, str]:
    """Find one time expression in the token string; return the window and the rest."""
    year_start = dt.date(today.year, 1, 1)
    rules: list[tuple[str, Callable[[re.Match[str]], Window]]] = [
        (rf"(?:between|from) {_YEAR} (?:and|to|till|until) {_YEAR}",
         lambda m: _years(int(m[1]), int(m[2]))),
        (rf"(?:between|from) {_D} (?:of )?{_MONTH} {_YEAR} (?:and|to|till|until) {_D} (?:of )?"
         rf"{_MONTH} {_YEAR}",
         lambda m: _span(int(m[3]), MONTHS[m[2]], int(m[1]), int(m[6]), MONTHS[m[5]], int(m[4]))),
        (rf"(?:between|from) {_D} (?:of )?{_MONTH} (?:and|to|till|until) {_D} (?:of )?{_MONTH} "
         rf"{_YEAR}",
         lambda m: _span(int(m[5]), MONTHS[m[2]], int(m[1]), int(m[5]), MONTHS[m[4]], int(m[3]))),
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
        (rf"(?:in |during )?(?:the )?h([12]) (?:of )?{_YEAR}",
         lambda m: _quarters(int(m[2]), 1 if m[1] == "1" else 3, 2)),
        (rf"(?:in |during )?{_YEAR} h([12])",
         lambda m: _quarters(int(m[1]), 1 if m[2] == "1" else 3, 2)),
        (rf"(?:in |during )?(?:the )?week of {_D} (?:of )?{_MONTH} {_YEAR}",
         lambda m: _week(dt.date(int(m[3]), MONTHS[m[2]], int(m[1])))),
        (rf"(?:in |during )?(?:the )?(first|second|third|fourth|last) quarter (?:of )?{_YEAR}",
         lambda m: _quarters(int(m[2]), _QUARTERS[m[1]], 1)),
        (r"(?:in |during )?the ((?:19|20)\d)0s",
         lambda m: _years(int(m[1]) * 10, int(m[1]) * 10 + 9)),
        (r"since last (year|month|week)", lambda m: Window(_previous(today, m[1]).start, None)),
        (r"earlier this (year|month)", lambda m: Window(_current(today, m[1]).start, today)),
        (rf"(?:on )?(?:the )?{_D} (?:of )?{_MONTH} {_YEAR}",
         lambda m: _day(int(m[3]), MONTHS[m[2]], int(m[1]))),
        (rf"(?:on )?{_MONTH} (?:the )?{_D} {_YEAR}",
         lambda m: _day(int(m[3]), MONTHS[m[1]], int(m[2]))),
        (r"(?:on )?((?:19|20)\d\d) (\d{1,2}) (\d{1,2})",
         lambda m: _day(int(m[1]), int(m[2]), int(m[3]))),
        (r"(?:on )?(\d{1,2}) (\d{1,2}) ((?:19|20)\d\d)",
         lambda m: _day(int(m[3]), int(m[2]), int(m[1])) if int(m[2]) <= 12
         else _day(int(m[3]), int(m[1]), int(m[2]))),  # 13/5/2025, or 5/13/2025 as in the US
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


def meetings_within(meetings: Iterable[int], window: Window, dates: MeetingDates) -> set[int]:
    """The meetings whose date (an ordinal in dates) lies in the window."""
    lo = window.start.toordinal() if window.start else None
    hi = window.end.toordinal() if window.end else None
    return {
        m for m in meetings if (lo is None or dates[m] >= lo) and (hi is None or dates[m] <= hi)
    }


def _span(y1: int, m1: int, d1: int, y2: int, m2: int, d2: int) -> Window:
    return Window(dt.date(y1, m1, d1), dt.date(y2, m2, d2))


def _week(day: dt.date) -> Window:
    """The week (Monday to Sunday) that holds the day: "the week of 12 May 2025"."""
    monday = day - dt.timedelta(days=day.weekday())
    return Window(monday, monday + dt.timedelta(days=6))


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
