"""Text as people paste it: characters that cannot be seen, and terminal escape sequences.

Text copied from web pages carries invisible format characters (zero-width space U+200B, soft
hyphen U+00AD, the byte order mark U+FEFF, direction marks: Unicode category Cf) that split
"Nag\u200biyev" into a word nobody wrote; text copied from a terminal carries ANSI escapes.
Every way text enters (questions, names and fields of a meeting) drops the invisible ones.
"""

from __future__ import annotations

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
