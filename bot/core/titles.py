"""How a title names its offices: the head words ("Minister" of "Minister of Energy"), what the
office is in charge of (the words after "of"), the parts of a compound title, and the offices
that serve a chief rather than lead. Read by bot.core.roles and bot.core.matching.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.core.lexicon import (
    FILLERS,
    GENERIC_ROLE_WORDS,
    RANKS,
    ROLE_MODIFIERS,
    ROLE_MODIFIERS_ACCEPTED,
    stem_words,
    tokens,
)

_TITLE_PART_BREAKS = {"and", "&"}


_HEAD_ENDS = frozenset({"of", "for", "to", "on", "at", "in"})


@lru_cache(maxsize=16384)  # titles repeat across organisations and countries
def office_heads(segment: str) -> frozenset[str]:
    """The words of a title that name the office itself: the last word of each part before
    the first "of" or "for" ("Minister of Energy and Infrastructure" is a minister, "Deputy
    Prime Minister and Foreign Minister" two ministers, "High Commissioner for Refugees" a
    commissioner). The words after them say what the office is in charge of."""
    heads: set[str] = set()
    in_charge = False
    for clause in segment.split(","):  # "Member of the delegation, adviser to the President"
        words = tokens(clause)
        cut = _charge_starts(words)
        if in_charge and not _OFFICE_NOUNS.intersection(words[:cut]):
            # "Minister of Environment, Water and Agriculture": the charge goes on after the
            # comma, and water and agriculture are no offices.
            continue
        in_charge = cut < len(words)
        part: list[str] = []
        for word in [*words[:cut], "and"]:
            if word in _TITLE_PART_BREAKS:
                if part:
                    heads.add(part[-1])
                part = []
            else:
                part.append(word)
    return frozenset(heads)


# Head words that name one office in different countries' usage: a Secretary of State or
# of Foreign Affairs is a minister; a parliament's president is its speaker or chair.
_SAME_HEADS = (
    frozenset({"minister", "secretary"}),
    frozenset({"minister", "premier"}),  # a premier is a prime minister
    frozenset({"president", "speaker", "chair", "chairman", "chairperson", "chairwoman"}),
)


# Words that ask for whoever leads a body ("the UN chief"), and offices that serve one.
TOP_WORDS = frozenset({"chief", "head", "leader", "boss", "top"})
SERVING_HEADS = frozenset(
    {"envoy", "adviser", "advisor", "assistant", "ambassador", "rapporteur",
     "coordinator", "spokesperson", "spokesman", "spokeswoman", "member", "delegate", "officer",
     "counsellor", "counselor", "attache", "consul", "aide"}
)  # fmt: skip


# Nouns that name an office: a part of a title after its charge began is another office only
# when it holds one ("..., adviser to the President"; not "..., Water and Agriculture").
_OFFICE_NOUNS = (
    RANKS
    | stem_words(" ".join(GENERIC_ROLE_WORDS))
    | SERVING_HEADS
    | stem_words(
        "commissioner director governor mayor administrator rapporteur coordinator chairperson "
        "president manager executive ceo judge prosecutor ombudsman registrar treasurer auditor "
        "inspector commander spokesperson representative member"
    )
)


def same_office(heads: frozenset[str], asked: frozenset[str]) -> bool:
    """Whether a title headed by heads is an office the asked words name."""
    return bool(heads & asked) or any(heads & same and asked & same for same in _SAME_HEADS)


@lru_cache(maxsize=16384)
def title_heads(segment: str) -> frozenset[str]:
    """Every word that may head an office in a title: office_heads, and the last word before
    "of" or "for" in each part after an "and" ("Assistant Secretary of State and Special Envoy
    for the Western Balkans" is also an envoy), and an office named in brackets. Looser than
    office_heads, which must not make "infrastructure" an office; a title is kept when any of
    these was asked."""
    heads = set(office_heads(segment))
    for part in re.split(r"\band\b|&", segment):
        words = tokens(part)
        cut = _charge_starts(words)
        if 0 < cut < len(words) and words[cut - 1] in _OFFICE_NOUNS:
            heads.add(words[cut - 1])
    # "President of the Government (Prime Minister) of Spain": the office in other words.
    for inner in re.findall(r"\(([^)]*)\)", segment):
        heads |= office_heads(inner) & _OFFICE_NOUNS
    return frozenset(heads)


def _charge_starts(words: list[str]) -> int:
    """Where a title's charge starts: at its first "of", "for", "to" ...; else its end."""
    return next((i for i, w in enumerate(words) if w in _HEAD_ENDS), len(words))


# Portfolios of ministries, by the words titles use for them: a "Secretary" of one is its
# minister in the countries that call ministers secretaries.
_PORTFOLIOS = {
    "foreign": ("foreign",), "treasury": ("finance",), "finance": ("finance",),
    "exchequer": ("finance",), "defence": ("defence",), "defense": ("defence",),
    "interior": ("interior",), "home": ("interior",), "health": ("health",),
    "education": ("education",), "energy": ("energy",), "trade": ("trade",),
    "commerce": ("trade",), "economy": ("economy",), "agriculture": ("agriculture",),
    "justice": ("justice",), "labour": ("labour",), "labor": ("labour",),
}  # fmt: skip


def secretary_portfolio(segment: str) -> tuple[str, ...]:
    """The portfolio words when a title is a Secretary of a ministry's portfolio ("Secretary
    of Finance and Public Credit", "Cabinet Secretary for the National Treasury"), else ()."""
    words = tokens(segment)
    start = 1 if words[:1] == ["cabinet"] else 0
    if words[start : start + 1] != ["secretary"] or words[start + 1 : start + 2] not in (
        ["of"],
        ["for"],
    ):
        return ()
    return tuple(dict.fromkeys(w for word in words for w in _PORTFOLIOS.get(word, ())))


def title_parts(segment: str) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """The parts of a compound title, each with its words and its modifiers.

    Words after "to" name whom the holder serves ("Adviser to the President"): they form a
    part of their own under the pseudo-modifier "to", which no question asks for, so the
    adviser is not found as the president.
    """
    parts: list[tuple[frozenset[str], frozenset[str]]] = []
    current: list[str] = []
    served = False

    def close() -> None:
        if current:
            words = frozenset(current) - FILLERS
            modifiers = set(words & ROLE_MODIFIERS - ROLE_MODIFIERS_ACCEPTED)
            if served:
                modifiers.add("to")
            parts.append((words, frozenset(modifiers)))
        current.clear()

    for tok in [*tokens(segment.replace(",", " and ")), "and"]:
        if tok in _TITLE_PART_BREAKS:
            close()
            served = False
        elif tok == "to" and current:
            close()
            served = True
        else:
            current.append(tok)
    return tuple(parts)
