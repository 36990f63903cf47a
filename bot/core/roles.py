"""Roles as held at meetings: a title segment with its organisation and country.

RoleDoc is one distinct (title, organisation, country) of the catalog with the participations
that held it. It knows the two rules that keep an office apart from its neighbours: a modifier
("vice", "deputy", "adviser to") governs only its part of a compound title, and a body within a
well-known organisation (the OSCE PA within the OSCE) is not the organisation.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.core.geography import COUNTRY_ALIASES, country_named
from bot.core.lexicon import (
    DEMONYMS,
    FILLERS,
    GENERIC_ROLE_WORDS,
    KNOWN_ACRONYMS,
    RANKS,
    REGIONS,
    ROLE_ACRONYMS,
    ROLE_MODIFIERS_ACCEPTED,
    UN_SYSTEM,
    expand_word,
    initials_acronyms,
    is_lexicon_word,
    stem_words,
    tokens,
)
from bot.core.titles import (
    SERVING_HEADS,
    TOP_WORDS,
    same_office,
    title_parts,
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
    heads: frozenset[str] = frozenset()  # the words naming the office itself (office_heads)
    participations: array[int] = field(default_factory=lambda: array("l"))

    def serves_a_chief(self) -> bool:
        """Whether the office serves a body's chief rather than leading it: an envoy, an
        adviser, a representative (a High Representative leads)."""
        serving = (
            SERVING_HEADS if "high" in self.title_tokens else SERVING_HEADS | {"representative"}
        )
        return bool(self.heads) and self.heads <= serving

    def is_narrower_body(self, asked: frozenset[str]) -> bool:
        """Whether a well-known organisation was asked and this role's organisation is a body
        within it that the question did not name: "the OSCE secretary general" is not the
        OSCE PA's, but "the UN refugee agency" is the UN High Commissioner for Refugees."""
        known = asked & BODY_ACRONYMS | _spelled_bodies(asked)
        forms = [form for form in self.org_forms if _names_body(form, known)]
        return bool(forms) and all(_extra_words_unasked(form, known, asked) for form in forms)

    def excluded_by_modifier(self, words: Iterable[str]) -> bool:
        """Whether the office the words ask for is held here only under a modifier nobody
        asked for.

        "The president" is not the vice-president, but "the ICRC" includes its
        vice-president (the asked words name the body, not the office), as "the Ministry of
        Foreign Affairs" includes its deputy minister, and a deputy prime minister who is also
        foreign minister is a foreign minister.
        """
        body = {t for form in self.org_forms for t in form} | self.country_tokens
        asked = frozenset(w for word in words for w in expand_word(word))
        for_office = {w for word in words if word not in body for w in expand_word(word)}
        office = {t for t in self.title_tokens - body if expand_word(t) & for_office}
        if not office:
            return False
        holding = [mods for words, mods in self.parts if office <= words]
        return bool(holding) and all(mods - asked for mods in holding)


# Acronyms of organisations, not of countries: "the US ambassador" is any US ambassador, an
# embassy is no narrower body of the United States the way the OSCE PA is of the OSCE.
BODY_ACRONYMS = frozenset(k for k, v in KNOWN_ACRONYMS.items() if country_named(v.split()) is None)


_MINISTRY_WORDS = frozenset({"ministry", "department"})
_BODY_WORDS = frozenset(
    t
    for w in (*GENERIC_ROLE_WORDS, "department", "ministry", "secretariat", "commission", "bureau",
              "directorate", "administration", "government", "mission")
    for t in tokens(w)
)  # fmt: skip


# The words of each well-known acronym's name, fillers aside ("council", "europe" for CoE).
_SPELLED_NAMES = frozenset(frozenset(tokens(name)) - FILLERS for name in KNOWN_ACRONYMS.values())
_BODY_WORDS_OF = {
    k: frozenset(t for t in tokens(KNOWN_ACRONYMS[k]) if t not in FILLERS) for k in BODY_ACRONYMS
}


def _spelled_bodies(asked: frozenset[str]) -> frozenset[str]:
    """The well-known bodies whose whole name was asked ("Council of Europe" is the CoE)."""
    return frozenset(k for k, words in _BODY_WORDS_OF.items() if words <= asked)


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
    # Nor the acronym of some of those words: "UN" in "Office of the UN High Commissioner".
    own |= {k for k, v in KNOWN_ACRONYMS.items() if set(tokens(v)) <= own}
    extra = [w for w in form if w not in known and w not in own and w not in _BODY_WORDS]
    if not extra:
        return False
    return not (set(extra) & asked or initials_acronyms(" ".join(extra)) & asked)


GENERIC = stem_words(" ".join(GENERIC_ROLE_WORDS))
VOCAB_FUZZY_CUTOFF = 88.0


def vocab_cutoff(word: str) -> float:
    """How close a misspelt title, place or topic word must be: one swapped or wrong letter
    in a word of six letters or more ("Counicl", "Cypurs") scores about 83."""
    return 83.0 if len(word) >= 6 else VOCAB_FUZZY_CUTOFF


_STATE_FORMS = frozenset(
    ["republic", "kingdom", "federation", "sultanate", "emirate", "principality", "commonwealth",
     "confederation", "authority"]  # the Palestinian Authority
)  # fmt: skip
# The offices "heads of state" and "heads of government" ask for, as a country's own title
# ("President of Finland"; "Prime Minister" of the "Government of Estonia"), never the
# president of a parliament, of a commission or of the ICRC.
HEAD_OF_STATE, HEAD_OF_GOVERNMENT = "headofstate", "headofgovernment"
_HEAD_OFFICES = {
    HEAD_OF_STATE: ({"president"}, {"king"}, {"queen"}, {"emir"}, {"sultan"}, {"monarch"}),
    HEAD_OF_GOVERNMENT: ({"prime", "minister"}, {"premier"}, {"chancellor"}),
}
# Words of an organisation's name that only say it is the country's office.
_NATIONAL_OFFICE_WORDS = frozenset(
    ["presidency", "government", "office", "administration", "cabinet", "president", "prime",
     "minister", "royal", "court"]
)  # fmt: skip


def national_head(segment: str, org_name: str | None) -> str | None:
    """HEAD_OF_STATE or HEAD_OF_GOVERNMENT when a title segment is that office of a country
    (named in the title, or by the organisation when the title names none); else None. An
    office named in brackets counts with what follows: "President of the Government (Prime
    Minister) of Spain" heads Spain's government."""
    bracketed = re.search(r"\(([^)]*)\)(.*)", segment)
    if bracketed:
        inner = national_head(bracketed.group(1) + bracketed.group(2), org_name)
        if inner is not None:
            return inner
        segment = segment[: bracketed.start()] + bracketed.group(2)
    for words, modifiers in title_parts(segment):
        if modifiers:
            continue  # a vice-president is no head of state
        for head, offices in _HEAD_OFFICES.items():
            for office in offices:
                if not office <= words:
                    continue
                rest = [
                    t for t in tokens(segment) if t in words - office - _STATE_FORMS - _STILL_HELD
                ]
                if not rest and org_name is not None:
                    rest = [
                        t
                        for t in tokens(org_name)
                        if t not in FILLERS
                        and t not in _NATIONAL_OFFICE_WORDS
                        and t not in _STATE_FORMS
                    ]
                if rest and _names_one_country(rest):
                    return head
    return None


def _country_head_asked(words: list[str]) -> str | None:
    """HEAD_OF_STATE or HEAD_OF_GOVERNMENT when the words are only a country and the office
    ("the Kazakh president", "Japan's prime minister"); else None."""
    content = {w for w in words if w not in FILLERS}
    for head, offices in _HEAD_OFFICES.items():
        for office in offices:
            rest = sorted(content - office - _STATE_FORMS)
            # A country, not a region people name like one ("the Kurdish PM").
            if office <= content and rest and country_named(rest) is not None:
                return head
    return None


def _names_one_country(words: list[str]) -> bool:
    """Whether the words name one country, together or each ("Türkiye (Turkey)")."""
    if country_named(words) is not None or (len(words) == 1 and words[0] in DEMONYMS):
        return True
    each = {country_named([w]) or DEMONYMS.get(w) for w in words}
    return len(each) == 1 and None not in each


# Words that say the office is held all the same: an acting or interim president is one.
_STILL_HELD = ROLE_MODIFIERS_ACCEPTED | {"interim"}


# A country's one-word short forms ("us", "usa" for the United States), as titles write them,
# and its official long forms as a question's words ("islamic republic iran").
_COUNTRY_SHORT_FORMS: dict[str, list[str]] = {}
_COUNTRY_LONG_FORMS: dict[tuple[str, ...], str] = {}
for _alias, _country in COUNTRY_ALIASES.items():
    if " " not in _alias and "-" not in _alias:
        _COUNTRY_SHORT_FORMS.setdefault(_country, []).extend(tokens(_alias))
    else:
        _COUNTRY_LONG_FORMS[tuple(t for t in tokens(_alias) if t not in FILLERS)] = _country


_COUNTRY_WORDS = sorted(w for w in DEMONYMS if " " not in w)


def _misspelt_country(word: str) -> str | None:
    """The country a misspelt demonym or country name stands for ("Finnsih"), if one is
    clearly closest; None for a word the lexicon or the titles already know."""
    if len(word) < 6 or is_lexicon_word(word):
        return None
    found = process.extract(word, _COUNTRY_WORDS, scorer=fuzz.ratio, limit=2,
                            score_cutoff=vocab_cutoff(word))  # fmt: skip
    if len(found) == 1 or (len(found) == 2 and found[0][1] > found[1][1]):
        return DEMONYMS[found[0][0]]
    return None


def _country_alternatives(country: str) -> set[tuple[str, ...]]:
    """The token tuples a title may name a country by: its name and its short forms."""
    return {tuple(tokens(country))} | {(s,) for s in _COUNTRY_SHORT_FORMS.get(country, ())}


def _long_country_forms(words: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, country) of each official long form among the words."""
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(words):
        for size in range(min(6, len(words) - i), 1, -1):
            country = _COUNTRY_LONG_FORMS.get(tuple(words[i : i + size]))
            if country is not None:
                found.append((i, i + size, country))
                i += size - 1
                break
        i += 1
    return found


class RoleMatching:
    """Which participations held a role named by the words of a question: the role half of
    bot.core.matching.CatalogIndex, which builds role_index and role_docs."""

    role_index: dict[str, set[int]]
    role_docs: list[RoleDoc]
    office_heads: set[str]  # see office_heads()

    def fuzzy(self, word: str, vocab: str, cutoff: float) -> list[tuple[str, float]]:
        raise NotImplementedError

    def role_participations(self, span: Iterable[str]) -> set[int] | None:
        """Participations whose role fits every meaningful word of span; None if none apply.

        Generic words (chief, head, official, agency) may stay unmatched, but at least one
        specific word must match, and "vice" or "deputy" roles need those words asked.
        """
        words = list(span)
        requirements = self._role_requirements(words)
        if not requirements:
            return None
        head = _country_head_asked(words)
        if head is not None:
            # "the Moldovan president" is Moldova's head of state, not the president of
            # Moldova's parliament.
            requirements.append({(head,)})
        found = self._participations_fitting(requirements, words)
        if not found and "un" in words:
            # "the UN food agency": the organisations of the UN system, whose names do not
            # say "United Nations", but only when no body named UN fits.
            found = self._participations_fitting(self._role_requirements(words, un=True), words)
        if not found:
            found = self._held_by_a_national(words)
        return found

    def _held_by_a_national(self, words: list[str]) -> set[int]:
        """ "The Czech commissioner": an office no country names, held by someone of that
        country (an EU commissioner's title does not say Czechia, his record does)."""
        country_words = [w for w in words if country_named([w]) is not None]
        if len(country_words) != 1 or _country_head_asked(words) is not None:
            return set()  # "the Maltese president" is Malta's head of state or nobody
        rest = [w for w in words if w not in country_words]
        requirements = self._role_requirements(rest)
        if not requirements:
            return set()
        office = self._participations_fitting(requirements, rest)
        return office & self.participations_of_country(country_named(country_words) or "")

    def participations_of_country(self, country: str) -> set[int]:
        """Participations of people recorded as from a country, whatever their office:
        "Swiss officials" are all of them, not only those whose title names Switzerland."""
        wanted = frozenset(tokens(country))
        out: set[int] = set()
        for doc in self.role_docs:
            if doc.country_tokens == wanted:
                out.update(doc.participations)
        return out

    def names_an_office(self, words: Iterable[str]) -> bool:
        """Whether a word names an office or a body rather than what one is in charge of: an
        office's head word (minister, commissioner), a rank, a generic office word, a body
        word (ministry), a well-known acronym, a country. "Energy" and "refugees" alone name
        none: they are the charge of the Minister of Energy and of the High Commissioner."""
        return any(
            w in self.office_heads
            or w in GENERIC
            or w in _BODY_WORDS
            or w in RANKS
            or w in KNOWN_ACRONYMS
            or w in ROLE_ACRONYMS
            or w in DEMONYMS
            or country_named([w]) is not None
            for w in words
            if w not in FILLERS
        )

    def names_an_organisation(self, words: Iterable[str]) -> bool:
        """Whether the words, fillers aside, are the whole name, an alias or the acronym of
        an organisation of the records ("the African Union"; not "energy" of the Ministry of
        Energy, nor "human rights" of the European Court of Human Rights)."""
        content = frozenset(w for w in words if w not in FILLERS)
        if content in _SPELLED_NAMES:
            return True  # "the African Union", spelled out
        if len(content) == 1 and next(iter(content)) in BODY_ACRONYMS:
            return True  # "the AU"
        docs = self._docs_with_all(tuple(content)) if content else set()
        return any(
            content == frozenset(form) - _BODY_WORDS  # "SADC Secretariat" is the SADC
            for doc in docs
            for form in self.role_docs[doc].org_forms
        )

    def names_a_body(self, words: Iterable[str]) -> bool:
        """Whether the words, countries aside, are all words of one organisation's name or
        its acronym ("the IAEA", "OSCE Parliamentary Assembly"). What a ministry is in charge
        of names no body ("water resources" of the Ministry of Energy and Water Resources)."""
        content = {
            w for w in words if w not in FILLERS and w not in DEMONYMS and not country_named([w])
        }
        if not content:
            return False
        docs = self._docs_with_all(tuple(content))
        return any(
            content <= set(form) and (content & _MINISTRY_WORDS or not _MINISTRY_WORDS & set(form))
            for doc in docs
            for form in self.role_docs[doc].org_forms
        )

    def _participations_fitting(
        self, requirements: list[set[tuple[str, ...]]], words: list[str]
    ) -> set[int]:
        candidate_docs: set[int] | None = None
        for alternatives in sorted(requirements, key=len):
            docs: set[int] = set()
            for alt in alternatives:
                docs |= self._docs_with_all(alt)
            candidate_docs = docs if candidate_docs is None else candidate_docs & docs
            if not candidate_docs:
                return set()
        # What was asked, misspellings read as the words they stand for ("Commisison").
        asked = frozenset(w for word in words for w in expand_word(word)) | {
            tok for alternatives in requirements for alt in alternatives for tok in alt
        }
        # The office words asked ("secretary general", "minister"), not those that fit any
        # office ("head", "chief"): a title must be headed by one of them.
        asked_heads = {w for w in words if w in self.office_heads and w not in GENERIC}
        # "The UN chief" heads the UN: no envoy or adviser of its chief is that.
        top_asked = not asked_heads and bool(TOP_WORDS.intersection(words))
        out: set[int] = set()
        for doc_id in candidate_docs or ():
            doc = self.role_docs[doc_id]
            if doc.excluded_by_modifier(words) or doc.is_narrower_body(asked):
                continue
            if asked_heads and doc.heads and not same_office(doc.heads, asked):
                continue  # "the UN Secretary-General" is not the Secretary-General's envoy
            if top_asked and doc.serves_a_chief():
                continue
            out.update(doc.participations)
        return out

    def _docs_with_all(self, toks: tuple[str, ...]) -> set[int]:
        docs: set[int] | None = None
        for tok in toks:
            postings = self.role_index.get(tok, set())
            docs = set(postings) if docs is None else docs & postings
            if not docs:
                return set()
        return docs or set()

    def _role_requirements(
        self, words: list[str], *, un: bool = False
    ) -> list[set[tuple[str, ...]]]:
        """For each specific word, the alternative token tuples that satisfy it (with un, "UN"
        is also any organisation of the UN system)."""
        requirements: list[set[tuple[str, ...]]] = []
        skip: set[int] = set()
        for start, end, long_form in _long_country_forms(words):
            skip.update(range(start, end))  # "the Islamic Republic of Iran"
            requirements.append(_country_alternatives(long_form))
        if any(w in DEMONYMS or country_named([w]) for w in words):
            # "the president of the Republic of Moldova": the state's form is no office word.
            skip.update(i for i, w in enumerate(words) if w in _STATE_FORMS)
        for i, word in enumerate(words):
            if i in skip or word in FILLERS or word in ROLE_MODIFIERS_ACCEPTED:
                continue
            pair = f"{word} {words[i + 1]}" if i + 1 < len(words) else ""
            if pair in REGIONS:
                skip.add(i + 1)
                requirements.append(self._region_alternatives(pair))
                continue
            if word in GENERIC:
                continue
            if word in REGIONS:
                requirements.append(self._region_alternatives(word))
                continue
            alternatives: set[tuple[str, ...]] = {(w,) for w in expand_word(word)}
            named = DEMONYMS.get(word) or COUNTRY_ALIASES.get(word) or _misspelt_country(word)
            if named is not None:
                # "American", "US", "USA" and "ROK" name their country in any of its forms.
                alternatives |= _country_alternatives(named)
            if word in KNOWN_ACRONYMS:
                alternatives.add(
                    tuple(t for t in tokens(KNOWN_ACRONYMS[word]) if t not in FILLERS)
                )
                if word == "eu":  # every EU institution is "European ..."
                    alternatives.add(("european",))
                if word == "un" and un:
                    alternatives.update((acronym,) for acronym in UN_SYSTEM)
            if not any(a[0] in self.role_index for a in alternatives if len(a) == 1):
                for similar, _ in self.fuzzy(word, "role", vocab_cutoff(word)):
                    alternatives.add((similar,))
            requirements.append(alternatives)
        return requirements

    def _region_alternatives(self, region: str) -> set[tuple[str, ...]]:
        alternatives = {tuple(tokens(region))}
        alternatives |= {tuple(tokens(country)) for country in REGIONS[region]}
        return alternatives
