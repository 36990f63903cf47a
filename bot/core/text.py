"""Text as people paste it: characters that cannot be seen, and terminal escape sequences.

Text copied from web pages carries invisible format characters (zero-width space U+200B, soft
hyphen U+00AD, the byte order mark U+FEFF, direction marks: Unicode category Cf) that split
"Nag\u200biyev" into a word nobody wrote; text copied from a terminal carries ANSI escapes.
Every way text enters (questions, names and fields of a meeting) drops the invisible ones.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# CSI (colours, cursor moves), OSC (window titles, links) and two-character ESC sequences.
_ANSI_ESCAPE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: ESC [ or the one-byte form, then the command
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, ended by BEL or ESC \
    r"|\x1b[@-Z\\-_]"
)


def drop_invisible(text: str) -> str:
    """Return text without format characters (category Cf), which are invisible."""
    if text.isascii():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def drop_escapes(text: str) -> str:
    """Return text without ANSI escape sequences (the ESC and everything it introduces)."""
    return _ANSI_ESCAPE.sub("", text) if "\x1b" in text or "\x9b" in text else text


def format_day(day: dt.date, language: str = "en") -> str:
    """Write a date as people do: "1 December 2026", "1 декабря 2026" (no leading zero).

    Only for text people read; files and JSON keep ISO dates (YYYY-MM-DD).
    """
    months = _MONTHS_RU if language == "ru" else _MONTHS_EN
    return f"{day.day} {months[day.month - 1]} {day.year}"


def format_month(day: dt.date, language: str = "en") -> str:
    """The month and year of day: "December 2026", "декабрь 2026"."""
    months = _MONTHS_RU_NOMINATIVE if language == "ru" else _MONTHS_EN
    return f"{months[day.month - 1]} {day.year}"


# Not strftime's %B: that follows the process's locale.
_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# A Russian date names its month in the genitive: "14 ноября 2023".
_MONTHS_RU = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
_MONTHS_RU_NOMINATIVE = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip

# English month names as people write them, lower case, to their number: "november" and "nov"
# are 11, "sept" 9. Questions, admin dates and article drafts all read months through it.
MONTH_NUMBERS: dict[str, int] = {
    **{name.lower(): number for number, name in enumerate(_MONTHS_EN, start=1)},
    **{name[:3].lower(): number for number, name in enumerate(_MONTHS_EN, start=1)},
    "sept": 9,
}
