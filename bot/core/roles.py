"""Roles as held at meetings: a title segment with its organisation and country.

RoleDoc is one distinct (title, organisation, country) of the catalog with the participations
that held it. It knows the two rules that keep an office apart from its neighbours: a modifier
("vice", "deputy", "adviser to") governs only its part of a compound title, and a body within a
well-known organisation (the OSCE PA within the OSCE) is not the organisation.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

from bot.core.geography import country_named
from bot.core.lexicon import (
    FILLERS,
    GENERIC_ROLE_WORDS,
    KNOWN_ACRONYMS,
    ROLE_MODIFIERS,
    ROLE_MODIFIERS_ACCEPTED,
    expand_word,
    initials_acronyms,
    tokens,
)


@dataclass(slots=True)
class RoleDoc:
    """One distinct role (title segment, organisation, country) and where it was held."""

    tokens: frozenset[str]
    # The parts of a compound title ("Deputy Prime Minister and Foreign Minister"), each with
    # its words and the modifiers ("vice", "deputy") in it.
    parts: tuple[tuple[frozenset[str], frozenset[str]], ...]
    title_tokens: frozenset[str]
    # The words of each name of the organisation (its name, aliases, the name's acronym).
    org_forms: tuple[tuple[str, ...], ...]
    country_tokens: frozenset[str]
    participations: array[int] = field(default_factory=lambda: array("l"))

    def is_narrower_body(self, asked: frozenset[str]) -> bool:
        """Whether a well-known organisation was asked and this role's organisation is a body
        within it that the question did not name: "the OSCE secretary general" is not the
        OSCE PA's, but "the UN refugee agency" is the UN High Commissioner for Refugees."""
        known = asked & BODY_ACRONYMS
        forms = [form for form in self.org_forms if _names_body(form, known)]
        return bool(forms) and all(_extra_words_unasked(form, known, asked) for form in forms)

    def excluded_by_modifier(self, asked: frozenset[str]) -> bool:
        """Whether the asked office is held here only under a modifier nobody asked for.

        "The president" is not the vice-president, but "the ICRC" includes its
        vice-president (the asked words name the body, not the office), and a deputy prime
        minister who is also foreign minister is a foreign minister.
        """
        body = {t for form in self.org_forms for t in form} | self.country_tokens
        office = {t for t in self.title_tokens - body if expand_word(t) & asked}
        if not office:
            return False
        holding = [mods for words, mods in self.parts if office <= words]
        return bool(holding) and all(mods - asked for mods in holding)


_TITLE_PART_BREAKS = {"and", "&"}

# Acronyms of organisations, not of countries: "the US ambassador" is any US ambassador, an
# embassy is no narrower body of the United States the way the OSCE PA is of the OSCE.
BODY_ACRONYMS = frozenset(k for k, v in KNOWN_ACRONYMS.items() if country_named(v.split()) is None)


_BODY_WORDS = frozenset(
    t
    for w in (*GENERIC_ROLE_WORDS, "department", "ministry", "secretariat", "bureau",
              "directorate", "administration", "government", "mission")
    for t in tokens(w)
)  # fmt: skip


def _names_body(form: tuple[str, ...], known: frozenset[str]) -> bool:
    """Whether an organisation's name contains a well-known acronym or its spelled-out words
    ("Office of the United Nations High Commissioner for Refugees" contains the UN)."""
    if known.intersection(form):
        return True
    words = set(form)
    return any(
        set(t for t in tokens(KNOWN_ACRONYMS[k]) if t not in FILLERS) <= words for k in known
    )


def _extra_words_unasked(
    form: tuple[str, ...], known: frozenset[str], asked: frozenset[str]
) -> bool:
    """Whether an organisation's name has words beyond the asked acronym, none of them asked
    (directly or by their initials: "PA" asks for "Parliamentary Assembly")."""
    # The acronym's own words are no extra body: "Association of Southeast Asian Nations (ASEAN)".
    # Nor are words that only say "a body": the Office of the UN High Commissioner is UNHCR.
    own = {t for k in known for t in tokens(KNOWN_ACRONYMS[k])}
    extra = [w for w in form if w not in known and w not in own and w not in _BODY_WORDS]
    if not extra:
        return False
    return not (set(extra) & asked or initials_acronyms(" ".join(extra)) & asked)


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
