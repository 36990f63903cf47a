"""Topics in the user's words: issue labels, titles and the sentences of summaries.

A topic phrase ("uranium enrichment", "the war in Ukraine", "landmines") is a set of content
words. Each word is reduced to its stem (Snowball) and widened by the lexicon's synonyms, and
then EVERY word must be found: within one issue label of the meeting, within one sentence of
its title or summary, or, failing those, all of them somewhere in the same meeting with all but
one inside one label or sentence. A clause of a summary that denies a topic is not indexed: "the
Ukraine crisis would not divert attention" is no talk about it. Because every word must be
found, an unknown word cannot be outvoted: "the gaza war" is not "war", and "the war in
Ukraine" does not list meetings about another war. Only words that merely say "a topic"
(issue, problem, question) may go unmatched; a head noun no record holds is named by the
answer (bot.core.resolving), never dropped silently.
"""

from __future__ import annotations

import re
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.core.lexicon import (
    DEMONYMS,
    KNOWN_ACRONYMS,
    expand_word,
    initials_acronyms,
    stem_words,
    tokens,
)
from bot.core.names import name_key
from bot.core.topic_vocabulary import ISSUE_BROADER, ISSUE_SYNONYMS

# Words that join a topic phrase or only say "it is a topic"; a topic never needs them.
TOPIC_STOP = stem_words(
    "in and of on for the a an to with about at by from as its their his her our this that "
    "these those some any all other against related ahead"
)
# Words that only say what kind of topic it is (a deal, a crisis, talks): when the specific
# words are found, these may be missing ("the grain deal" is the Black Sea Grain Initiative).
TOPIC_OPTIONAL = stem_words(
    "issue issues problem problems question questions matter matters topic topics subject "
    "subjects situation thing things deal deals agreement agreements accord initiative "
    "process programme program plan plans talks negotiations negotiation cooperation "
    "relations relationship ties crisis conflict conflicts dispute disputes policy policies "
    "efforts effort project projects response campaign campaigns bid bids "
    "sector field area affairs"
)
TOPIC_FUZZY_CUTOFF = 88.0
_INT32_MAX = 2**31 - 1
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")
_CLAUSE_END = re.compile(r"[,:;]\s+|\s+(?:but|while|whereas|although)\s+")
_NEGATION = re.compile(r"(?i)\b(?:not|no|never|nor)\b|n't\b")
# "Without" denies only what follows it, up to the next "and": "the dam filled without a
# binding accord and ..." is still about the dam.
_WITHOUT = re.compile(r"(?i)\bwithout\b.*?(?=\band\b|$)")


@lru_cache(maxsize=1)
def _stemmer() -> Any:  # snowballstemmer has no type hints
    # snowballstemmer uses PyStemmer's C implementation when it is installed (ten times
    # faster on the index build) and its own pure-Python one otherwise: same stems.
    import snowballstemmer

    return snowballstemmer.stemmer("english")


# British spellings read as American ones before stemming, so both meet on one stem.
_SPELLINGS = (("isation", "ization"), ("ising", "izing"), ("ised", "ized"), ("isers", "izers"),
              ("iser", "izer"), ("ise", "ize"), ("programme", "program"), ("our", "or"),
              ("tre", "ter"), ("ence", "ense"))  # fmt: skip


# Nouns in -ing that name something other than what their stem names: Snowball reads
# "mining" as "mine" (a landmine), "housing" as "house", "training" as "train".
GERUND_NOUNS = frozenset({"mining", "housing", "training", "landing"})


# Words whose Snowball stem is another word's: a transition is no transit, an aide no aid,
# a convention nothing conventional, elected leaders no election.
_OWN_STEMS = {"transition": "transition", "transitions": "transition", "aide": "aide",
              "aides": "aide", "convention": "convention", "conventions": "convention",
              "elected": "elected"}  # fmt: skip


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """The Snowball stem of a normalised token: 'enrichment' -> 'enrich', 'talks' -> 'talk'."""
    if token in _OWN_STEMS:
        return _OWN_STEMS[token]
    if not token.isalpha() or token in GERUND_NOUNS:
        return token
    if token[-1] == "s" and token[:-1] in GERUND_NOUNS:
        return token[:-1]  # "trainings"
    if len(token) > 5:
        for british, american in _SPELLINGS:
            if token.endswith(british):
                token = token[: -len(british)] + american
                break
    return str(_stemmer().stemWord(token))


def phrase_stems(text: str) -> frozenset[str]:
    """The stems of a text's content words, known acronyms spelled out as well.

    A hyphenated word also counts as one word ("cease-fire" is "ceasefire").
    """
    # The bulk of titles and summaries is ASCII: one regex pass, cached words. Case is kept
    # for _word_stems: an acronym counts only in capitals ("WHO", never the "who" of "people
    # who went missing", nor "us" the United States).
    words = _ASCII_WORD.findall(text) if text.isascii() else text.split()
    return frozenset(chain.from_iterable(_word_stems(w.lower(), w[:2].isupper()) for w in words))


# Prefixes written as one word with what they qualify ("cybersecurity", "cyberattack").
_TOPIC_PREFIXES = ("cyber",)
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*")
_LONG_WORD = re.compile(r"\b[A-Za-z]{8,}\b")
_NUMBERED = re.compile(r"([a-z]{2,})\d+")


@lru_cache(maxsize=32768)
def _word_stems(raw: str, capitals: bool) -> tuple[str, ...]:
    """The stems one word of a text gives (cached: summaries repeat their words)."""
    out: list[str] = []
    toks = tokens(raw)
    if "-" in raw and len(toks) > 1:
        out.append(stem("".join(toks)))
    for tok in toks:
        if tok in TOPIC_STOP:
            continue
        numbered = _NUMBERED.fullmatch(tok)
        if numbered:
            out.append(tok)
            tok = numbered.group(1)  # "COP27" is also a COP, "BRICS2024" BRICS
        out.append(stem(tok))
        for prefix in _TOPIC_PREFIXES:
            if tok.startswith(prefix) and len(tok) > len(prefix) + 2:
                # "cybercrime" is also cyber and crime: "cyber issues", "cyber crime".
                out.extend((prefix, stem(tok[len(prefix) :])))
        if tok in KNOWN_ACRONYMS and capitals:
            out.extend(stem(t) for t in tokens(KNOWN_ACRONYMS[tok]) if t not in TOPIC_STOP)
    return tuple(out)


def clear_build_caches() -> None:
    """Free the per-word caches an index build filled (megabytes at 100k meetings)."""
    _word_stems.cache_clear()
    name_key.cache_clear()


def split_units(title: str | None, summary: str | None) -> list[str]:
    """A meeting's text units: its title and each sentence of its summary, without the clauses
    that deny a topic ("the Ukraine crisis would not divert attention" is no talk about it)
    and the words after "without"."""
    units = [title] if title else []
    for sentence in _SENTENCE_END.split(summary or ""):
        clauses = (_WITHOUT.sub("", c) for c in _CLAUSE_END.split(sentence))
        kept = [c for c in clauses if not _NEGATION.search(c)]
        if any(c.strip() for c in kept):
            units.append(", ".join(c.strip() for c in kept if c.strip()))
    return units


def _phrase_variants(words: list[str]) -> list[list[str]]:
    """The same words with a known topic phrase replaced by each of its synonyms ("mass
    graves in Bosnia" is also "missing persons in Bosnia"), and a broader topic by each
    narrower one it takes in."""
    variants: list[list[str]] = []
    asked = set(words)
    for phrase_words, others in _replacements():
        if not phrase_words <= asked:
            continue
        rest = [w for w in words if w not in phrase_words]
        variants.extend(other + rest for other in others)
    return variants


@lru_cache(maxsize=1)
def _replacements() -> tuple[tuple[frozenset[str], tuple[list[str], ...]], ...]:
    """Each known phrase's words (kind words aside) with the words of what may replace it."""
    pairs = [(group, group) for group in ISSUE_SYNONYMS]
    pairs += [((broader,), narrower) for broader, narrower in ISSUE_BROADER.items()]
    out = []
    for phrases, others in pairs:
        for phrase in phrases:
            phrase_words = frozenset(tokens(phrase)) - TOPIC_STOP - TOPIC_OPTIONAL
            if phrase_words:
                replaced_by = tuple(
                    [t for t in tokens(other) if t not in TOPIC_STOP]
                    for other in others
                    if other != phrase
                )
                out.append((phrase_words, replaced_by))
    return tuple(out)


def _with_synonyms(forms: list[str]) -> list[str]:
    """The forms and, for each known phrase one of them contains, that phrase's synonyms:
    "mine contamination in Karabakh" is also about landmines."""
    return forms + [g for group in ISSUE_SYNONYMS if _holds_a_phrase(forms, group) for g in group]


def _holds_a_phrase(forms: list[str], phrases: tuple[str, ...]) -> bool:
    """Whether a form of a label holds every content word of one of the phrases."""
    held = [phrase_stems(f) for f in forms]
    return any(key and key <= form for key in _phrase_keys(phrases) for form in held)


@lru_cache(maxsize=1024)
def _phrase_keys(phrases: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    return tuple(phrase_stems(p) for p in phrases)


_Memo = dict[frozenset[str], set[int]]


def _country_words() -> dict[str, set[str]]:
    """Each one-word country and each of its one-word adjectives -> all of them."""
    groups: dict[str, set[str]] = {}
    for demonym, country in DEMONYMS.items():
        if " " in demonym or " " in country:
            continue
        group = groups.setdefault(country, {country})
        group.add(demonym)
        groups[demonym] = group
    return groups


_COUNTRY_WORDS = _country_words()


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """The meetings a topic phrase finds, and the issue labels that named it (if any)."""

    meetings: frozenset[int]
    issue_ids: frozenset[int]


class TopicIndex:
    """Stem postings over issue labels and over the sentences of titles and summaries."""

    def __init__(self) -> None:
        self.issue_names: dict[int, str] = {}
        self.issue_forms: dict[int, list[frozenset[str]]] = {}
        self.issue_index: dict[str, set[int]] = defaultdict(set)
        self.broader_index: dict[str, set[int]] = defaultdict(set)  # see add_issue
        # Each word of a label, and each long word of a text, as written -> its stem.
        self.written_words: dict[str, str] = {}
        self._written_vocab: list[str] = []
        # Arrays, not sets: 300k links held as sets cost 19 MB at 100k meetings.
        self.issue_meetings: dict[int, array[int]] = defaultdict(lambda: array("q"))
        # Units are numbered in the order they are added, so each posting list is sorted.
        self.unit_meeting = array("i")  # 4 bytes a sentence; widened if an id needs more
        self.unit_postings: dict[str, array[int]] = defaultdict(lambda: array("i"))
        self.vocabulary: list[str] = []
        self._stems_of_vocab: dict[str, str] = {}

    # ----- building -------------------------------------------------------------------------

    def add_issue(self, issue_id: int, name: str, aliases: Iterable[str]) -> None:
        self.issue_names[issue_id] = name
        for form in (name, *aliases):
            for word in tokens(form):
                if len(word) >= 5 and word.isalpha():
                    self.written_words[word] = stem(word)
        own = _with_synonyms([name, *aliases])
        # "trade with Chile" is also economic cooperation; the reverse does not hold. A
        # broader topic is found only as a whole phrase, never word by word across a meeting's
        # labels and sentences ("green" + "energy" is no green hydrogen).
        broader = _with_synonyms(
            [b for b, narrower in ISSUE_BROADER.items() if _holds_a_phrase(own, narrower)]
        )
        token_forms: list[frozenset[str]] = []
        for index, forms in ((self.issue_index, own), (self.broader_index, broader)):
            for form in dict.fromkeys(forms):
                # Initials of three words or more ("BSGI"); two letters ("IM" of irregular
                # migration) would be read into "I'm" and every two-letter word.
                initials = {a for a in initials_acronyms(form) if len(a) >= 3}
                stems = phrase_stems(form) | frozenset(initials)
                if stems:
                    token_forms.append(stems)
                    for s in stems:
                        index[s].add(issue_id)
        self.issue_forms[issue_id] = token_forms

    def link(self, meeting_id: int, issue_id: int) -> None:
        self.issue_meetings[issue_id].append(meeting_id)

    def add_text(self, meeting_id: int, title: str | None, summary: str | None) -> None:
        for unit in split_units(title, summary):
            stems = phrase_stems(unit)
            if not stems:
                continue
            # Long words as written, for a misspelling their stem no longer shows
            # ("deforestaton" is one letter from "deforestation", far from "deforest").
            for word in _LONG_WORD.findall(unit):
                word = word.lower()
                if word not in self.written_words:
                    self.written_words[word] = stem(word)
            unit_id = len(self.unit_meeting)
            if meeting_id > _INT32_MAX and self.unit_meeting.typecode == "i":
                self.unit_meeting = array("q", self.unit_meeting)  # ids past 32 bits: rare
            self.unit_meeting.append(meeting_id)
            for s in stems:
                self.unit_postings[s].append(unit_id)

    def finish(self) -> None:
        self.unit_postings = dict(self.unit_postings)
        self.issue_meetings = dict(self.issue_meetings)
        self.broader_index = dict(self.broader_index)
        self._written_vocab = list(self.written_words)
        words = set(self.unit_postings) | set(self.issue_index)
        self.vocabulary = sorted(words)

    # ----- lookups --------------------------------------------------------------------------

    def knows(self, token: str) -> bool:
        """Whether a token's stem occurs in any label, title or summary."""
        return self.knows_stem(stem(token))

    def alternatives(self, token: str) -> frozenset[str]:
        """The stems a query word may be found as: itself, its synonyms, a near spelling."""
        alts = {stem(w) for w in expand_word(token)}
        alts.update(self._country_stems(token))
        known = self._holds_any(alts)
        if not known and len(token) >= 5 and token.isalpha():
            found = process.extract(
                stem(token), self.vocabulary, scorer=fuzz.ratio,
                score_cutoff=83.0 if len(token) >= 6 else TOPIC_FUZZY_CUTOFF, limit=3,
            )  # fmt: skip
            # A misspelling keeps its first letter: "farming" is no "arm", "sanction" no
            # "action", though each is one letter away from the other.
            alts.update(choice for choice, _score, _ in found if choice[0] == token[0])
            # A word of a label or a long word of a text one letter wrong, missing, extra or
            # swapped ("artifical", "secruity", "deforestaton"), which its stem no longer shows.
            near = process.extract(
                token, self._written_vocab, scorer=OSA.distance, score_cutoff=1, limit=3
            )
            alts.update(
                self.written_words[word] for word, _distance, _ in near if word[0] == token[0]
            )
        return frozenset(alts)

    @staticmethod
    def _country_stems(token: str) -> set[str]:
        """A country and its adjective name one topic: "Ukraine" finds "Ukrainian grain"."""
        return {stem(w) for w in _COUNTRY_WORDS.get(token, ())}

    def unknown_words(self, words: Iterable[str]) -> list[str]:
        """The content words of a topic phrase that no label, title or summary holds, in
        any of their forms (synonyms and near spellings included)."""
        return [
            w
            for w in words
            if w not in TOPIC_STOP
            and not w.isdigit()
            and not self._holds_any(self.alternatives(w))
        ]

    def _holds_any(self, stems: Iterable[str]) -> bool:
        return any(self.knows_stem(a) for a in stems)

    def knows_all(self, words: Iterable[str]) -> bool:
        """Whether every content word occurs in a label, title or summary."""
        content = [w for w in words if w not in TOPIC_STOP]
        return bool(content) and all(self.knows(w) for w in content)

    def in_a_label(self, token: str) -> bool:
        """Whether an issue label holds the word (by its stem)."""
        return stem(token) in self.issue_index

    def knows_stem(self, s: str) -> bool:
        """Whether a stem occurs in any label (or a topic one takes in), title or summary."""
        return s in self.unit_postings or s in self.issue_index or s in self.broader_index

    def match(self, words: Iterable[str], *, labels_only: bool = False) -> TopicMatch | None:
        """Meetings about the topic named by words (normalised tokens); None if it names none.

        Every content word must be found (see the module docstring). labels_only is for words
        that were not asked as a topic (a title nobody holds): titles and summaries name
        people's offices too, so only issue labels may turn them into a topic.
        """
        content = [w for w in words if w not in TOPIC_STOP and not w.isdigit()]
        required = [w for w in content if w not in TOPIC_OPTIONAL] or content
        if not required:
            return None
        memo: _Memo = {}
        # The words as asked first; a phrase's synonyms only when the words find nothing.
        found = self._match_words(required, memo, labels_only=labels_only)
        for variant in [] if found else _phrase_variants(required):
            match = self._match_words(variant, memo, labels_only=labels_only)
            if match is not None and found is not None:
                match = TopicMatch(
                    found.meetings | match.meetings, found.issue_ids | match.issue_ids
                )
            found = match or found
        return found

    def _match_words(
        self, required: list[str], memo: _Memo, *, labels_only: bool
    ) -> TopicMatch | None:
        wanted = [self.alternatives(w) for w in required]
        issues = self._issues_covering(wanted)
        meetings = self.meetings_of_issues(issues)
        if labels_only:
            return TopicMatch(frozenset(meetings), frozenset(issues)) if meetings else None
        units = self._units_covering(wanted, memo)
        meetings |= {self.unit_meeting[u] for u in units}
        if len(wanted) > 1:
            meetings |= self._meetings_covering_across_units(wanted, memo)
        if not meetings:
            return None
        return TopicMatch(frozenset(meetings), frozenset(issues))

    def _issues_covering(self, wanted: list[frozenset[str]]) -> set[int]:
        candidates: set[int] | None = None
        for alts in wanted:
            found: set[int] = set()
            for a in alts:
                found |= self.issue_index.get(a, set()) | self.broader_index.get(a, set())
            candidates = found if candidates is None else candidates & found
            if not candidates:
                return set()
        return {
            issue_id
            for issue_id in candidates or ()
            if any(all(alts & form for alts in wanted) for form in self.issue_forms[issue_id])
        }

    def _units_with(self, alts: frozenset[str], memo: _Memo) -> set[int]:
        """Units holding any of the stems; memo is one question's, as the index is shared."""
        cached = memo.get(alts)
        if cached is None:
            cached = memo[alts] = set()
            for a in alts:
                cached.update(self.unit_postings.get(a, ()))
        return cached

    def _units_covering(self, wanted: list[frozenset[str]], memo: _Memo) -> set[int]:
        units: set[int] | None = None
        for alts in sorted(wanted, key=self._posting_size):
            found = self._units_with(alts, memo)
            units = set(found) if units is None else units & found
            if not units:
                return set()
        return units or set()

    def _meetings_covering_across_units(
        self, wanted: list[frozenset[str]], memo: _Memo
    ) -> set[int]:
        """Meetings holding every word, all but one of them inside one label or sentence."""
        per_word: list[set[int]] = []
        for alts in wanted:
            meetings = {self.unit_meeting[u] for u in self._units_with(alts, memo)}
            for a in alts:
                for issue_id in self.issue_index.get(a, ()):
                    meetings.update(self.issue_meetings.get(issue_id, ()))
            per_word.append(meetings)
        everywhere = set.intersection(*per_word)
        out: set[int] = set()
        if not everywhere:
            return out
        for skipped in range(len(wanted)):
            rest = [w for i, w in enumerate(wanted) if i != skipped]
            near = {self.unit_meeting[u] for u in self._units_covering(rest, memo)}
            near |= self.meetings_of_issues(self._issues_covering(rest))
            out |= near & everywhere
        return out

    def _posting_size(self, alts: frozenset[str]) -> int:
        return sum(len(self.unit_postings.get(a, ())) for a in alts)

    def meetings_of_issues(self, issue_ids: Iterable[int]) -> set[int]:
        out: set[int] = set()
        for issue_id in issue_ids:
            out.update(self.issue_meetings.get(issue_id, ()))
        return out
