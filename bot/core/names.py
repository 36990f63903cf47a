"""When two spellings name the same person (or organisation, or issue): name_key.

One rule, shared by the import, the admin commands (/add's candidate lookup, /alias, /merge)
and the duplicate checks of the schema, so that "Pia Kaumá", "PIA  KAUMA" and "Pia-Kauma" are
one person wherever they are typed. same_people applies it to a meeting's participants: when a
file's meeting, or one an admin saves, has the people of a stored one. Only anyascii is
imported: the module is cheap to load.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

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


class Known(Protocol):
    """A stored record as same_people compares it: its id, its name and its aliases."""

    @property
    def id(self) -> int | None: ...

    @property
    def name(self) -> str: ...

    @property
    def aliases(self) -> Sequence[str]: ...


def same_people(wanted: Sequence[tuple[str, int | None]], stored: Sequence[Known]) -> bool:
    """Tell whether the stored people are the wanted participants, one for one.

    wanted holds (name, person id or None). A participant with an id is that person; one
    without is whoever has the participant's name_key as name or alias. Everyone on both sides
    must be matched, so a meeting with one person more or less has other people.
    """
    if len(wanted) != len(stored):
        return False
    left = list(stored)
    # Ids first, so that a name never takes the person an id names.
    for name, person_id in sorted(wanted, key=lambda w: w[1] is None):
        key = name_key(name)
        at = next(
            (
                i
                for i, p in enumerate(left)
                if (p.id == person_id if person_id is not None else _answers_to(p, key))
            ),
            None,
        )
        if at is None:
            return False
        del left[at]
    return True


def _answers_to(known: Known, key: str) -> bool:
    return key in {name_key(n) for n in (known.name, *known.aliases)}
