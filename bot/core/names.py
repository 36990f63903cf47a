"""When two spellings name the same person (or organisation, or issue): name_key.

One rule, shared by the import, the admin commands (/add's candidate lookup, /alias, /merge)
and the duplicate checks of the schema, so that "Pia Kaumá", "PIA  KAUMA" and "Pia-Kauma" are
one person wherever they are typed. Only anyascii is imported: the module is cheap to load.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

# Apostrophes join a name ("O'Brien" is "OBrien"); every other non-alphanumeric separates.
_APOSTROPHES = re.compile(r"['`´ʼ’]")
_SEPARATORS = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Return the key two spellings of one name share.

    Folds case, accents and other scripts to ASCII (anyascii), drops apostrophes and turns
    hyphens, punctuation and runs of whitespace into one space: "Pia Kaumá" and "pia-kauma"
    both give "pia kauma", "Али Нагиев" gives "ali nagiev". An empty key means no name.
    """
    folded = anyascii(unicodedata.normalize("NFKC", name)).casefold()
    return _SEPARATORS.sub(" ", _APOSTROPHES.sub("", folded)).strip()


def name_words(name: str) -> tuple[str, ...]:
    """Return the words of name_key(name), for indexes that look names up by word."""
    return tuple(name_key(name).split())
