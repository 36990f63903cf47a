"""The search index over people, roles, organisations, issues and places.

CatalogIndex is built once from the database and rebuilt only when the catalog version moves.
Questions never scan every record: each token is looked up in inverted indexes (exact, then
rapidfuzz over the vocabulary of that kind), and only the candidates are scored.
"""

from __future__ import annotations

import gc
import threading
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from sqlalchemy import Engine
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.core.geography import country_named
from bot.core.lexicon import (
    DEMONYMS,
    FILLERS,
    HYPONYMS,
    KNOWN_ACRONYMS,
    NATIONAL_OFFICE_NAMES,
    RANKS,
    REGIONS,
    ROLE_ACRONYMS,
    ROLE_MODIFIERS,
    initials_acronyms,
    is_lexicon_word,
    name_acronyms,
    tokens,
    translit_key,
)
from bot.core.meeting_dates import MeetingDates
from bot.core.names import name_words
from bot.core.places import REGION_NOUNS, PlaceMatching
from bot.core.roles import GENERIC, RoleDoc, RoleMatching, national_head
from bot.core.titles import office_heads, secretary_portfolio, title_heads, title_parts
from bot.core.topics import TopicIndex, TopicMatch, clear_build_caches
from storage.db import read_catalog_version
from storage.models import Issue, Meeting, MeetingIssue, Organization, Participation, Person

NAME_FUZZY_CUTOFF = 80.0  # rapidfuzz ratio for a misspelt name token to be considered
_RANK_IN_NAME = 99.5  # the score of a rank word ("sheikh") that is part of someone's name
NAME_CONFIDENT = 85.0  # below this a fuzzy name match is only offered as a suggestion
SUGGESTION_CUTOFF = 70.0  # for role, organisation and place words
_BUILD_BATCH = 5000  # rows fetched at a time while building the index


def _swapped(typed: str, word: str) -> bool:
    """Whether typed is word with two neighbouring letters swapped."""
    return sorted(typed) == sorted(word) and OSA.distance(typed, word) == 1


@dataclass(frozen=True, slots=True)
class PersonMatch:
    """Who a run of name tokens points to, and how sure the match is (0-100)."""

    person_ids: tuple[int, ...]
    score: float
    used: frozenset[int]  # indexes of the span tokens that were part of the name
    mixed: bool = False  # tied people matched different words: "Anton Lindqvist" is two people


class CatalogIndex(RoleMatching, PlaceMatching):
    """Inverted indexes over the live meetings; read-only once built."""

    def __init__(self, version: int) -> None:
        self.version = version
        self.meeting_dates = MeetingDates()  # meeting id -> date ordinal
        # Meeting id -> 1 + the index of its place in `locations` (0: none recorded): an
        # array costs 4 bytes a meeting where a dict of strings cost 50 (5 MB at 100k).
        self.meeting_place = MeetingDates()
        self.locations: list[str] = []
        self.part_meeting = array("l")
        self.part_person = array("l")
        # Participation -> 1 + index in `countries` of the country it was held for (0: none).
        self.part_country = array("h")
        self.countries: list[str] = []
        self._country_numbers: dict[str | None, int] = {}  # as recorded -> number, while building
        self.person_parts: dict[int, array[int]] = defaultdict(lambda: array("l"))
        self.person_names: dict[int, str] = {}
        # Lists while building, tuples once built: most name words belong to one person, and
        # 37k one-element sets cost 8 MB at 100k meetings.
        self.name_index: dict[str, tuple[int, ...]] = {}
        self._name_lists: dict[str, list[int]] = defaultdict(list)  # while building
        self.person_name_tokens: dict[int, frozenset[str]] = {}
        self.given_names: set[str] = set()  # first name parts that are nobody's surname
        self.surnames: set[str] = set()  # last name parts of canonical names
        self.role_docs: list[RoleDoc] = []
        self.role_index: dict[str, set[int]] = defaultdict(set)
        self.office_heads: set[str] = set()
        # One frozenset per distinct set of heads, shared by the role docs (MBs at 100k).
        self._shared_heads: dict[frozenset[str], frozenset[str]] = {}
        self.place_index: dict[str, array[int]] = defaultdict(lambda: array("q"))
        self.topics = TopicIndex()
        self._name_vocab: list[str] = []
        self._role_vocab: list[str] = []
        self._role_initials: set[str] = set()  # while building
        self._place_vocab: list[str] = []
        self._place_keys: dict[str, str] = {}  # place word -> its transliteration key

    # ----- building -------------------------------------------------------------------------

    @classmethod
    def build(cls, session: Session) -> CatalogIndex:
        """Read the whole catalog once and index it."""
        index = cls(read_catalog_version(session))
        # Rows are read as plain columns in streamed batches (yield_per): loading Participation
        # objects for 100k meetings held ~350 MB of ORM instances at once (bench/answering.py).
        places: dict[str, int] = {}  # each distinct location once
        # Five columns: SQLAlchemy's select, as SQLModel's is typed for at most four.
        for meeting_id, day, location, title, summary in session.execute(
            sa_select(
                col(Meeting.id),
                col(Meeting.date),
                col(Meeting.location),
                col(Meeting.title),
                col(Meeting.summary),
            )
            .where(col(Meeting.deleted_at).is_(None))
            .execution_options(yield_per=_BUILD_BATCH)
        ):
            index.meeting_dates[meeting_id] = day.toordinal()
            if location:
                if location not in places:
                    places[location] = len(index.locations) + 1
                    index.locations.append(location)
                index.meeting_place[meeting_id] = places[location]
                for tok in set(tokens(location)):
                    index.place_index[tok].append(meeting_id)
            index.topics.add_text(meeting_id, title, summary)
        for person_id, name, aliases in session.exec(
            select(Person.id, Person.name, Person.aliases).execution_options(
                yield_per=_BUILD_BATCH
            )
        ):
            assert person_id is not None  # a stored row's primary key
            index._add_person(person_id, name, aliases or [])
        orgs = {o.id: o for o in session.exec(select(Organization))}
        role_keys: dict[tuple[str, int | None, str | None], int] = {}
        for meeting_id, person_id, title, org_id, country in session.execute(
            sa_select(
                col(Participation.meeting_id),
                col(Participation.person_id),
                col(Participation.title),
                col(Participation.organization_id),
                col(Participation.country),
            )
            .order_by(col(Participation.meeting_id))
            .execution_options(yield_per=_BUILD_BATCH)
        ):
            if meeting_id not in index.meeting_dates:
                continue
            pos = len(index.part_meeting)
            index.part_meeting.append(meeting_id)
            index.part_person.append(person_id)
            index.part_country.append(index._country_number(country))
            index.person_parts[person_id].append(pos)
            org = orgs.get(org_id) if org_id else None
            for segment in (title or "").split(";") or [""]:
                key = (segment.strip().lower(), org_id, country)
                doc_id = role_keys.get(key)
                if doc_id is None:
                    doc_id = index._add_role_doc(segment, org, country)
                    role_keys[key] = doc_id
                index.role_docs[doc_id].participations.append(pos)
        for issue in session.exec(select(Issue)):
            assert issue.id is not None
            index.topics.add_issue(issue.id, issue.name, issue.aliases or [])
        for meeting_id, issue_id in session.exec(
            select(MeetingIssue.meeting_id, MeetingIssue.issue_id).execution_options(
                yield_per=_BUILD_BATCH
            )
        ):
            if meeting_id in index.meeting_dates:
                index.topics.link(meeting_id, issue_id)
        index._finish()
        return index

    def _country_number(self, country: str | None) -> int:
        number = self._country_numbers.get(country)
        if number is None:
            canonical = country_named(tokens(country)) if country else None
            if canonical is not None and canonical not in self.countries:
                self.countries.append(canonical)
            number = self.countries.index(canonical) + 1 if canonical else 0
            self._country_numbers[country] = number
        return number

    def country_of_participation(self, part: int) -> str | None:
        number = self.part_country[part]
        return self.countries[number - 1] if number else None

    def _add_person(self, person_id: int, name: str, aliases: Iterable[str]) -> None:
        """Index a person's name parts; in aliases, ranks, titles and demonyms are not names.

        "President Aliyev" or "Azerbaijani FM" describe the person at some time; the
        time-bound roles of participations answer "the president", not an alias.
        """
        self.person_names[person_id] = name
        own = [t for t in _name_tokens(name) if t not in FILLERS]
        all_tokens = set(own)
        for form in aliases:
            all_tokens.update(
                t for t in _name_tokens(form) if t not in FILLERS and not _describes_person(t)
            )
        # A surname of several words is also typed as one: "vanderberghe", "delacruz".
        for form in (name, *aliases):
            words = _name_tokens(form)
            start = 0 if words and words[0] in FILLERS else 1  # "Van der Berghe"
            all_tokens.update("".join(words[i:]) for i in range(start, len(words) - 1))
        # A long name is also called by its initials: "MBS" is Mohammed bin Salman.
        words = _name_tokens(name)
        initials = "".join(w[0] for w in words)
        if len(words) >= 3 and initials not in KNOWN_ACRONYMS and initials not in ROLE_ACRONYMS:
            all_tokens.add(initials)
        for tok in all_tokens:
            # A list until _finish makes it a tuple; the declared union cannot say when.
            self._name_lists[tok].append(person_id)
        self.person_name_tokens[person_id] = frozenset(all_tokens)
        if len(own) > 1:
            self.given_names.update(own[:-1])
            self.surnames.add(own[-1])

    def _add_role_doc(self, segment: str, org: Organization | None, country: str | None) -> int:
        seg_tokens = set(tokens(segment))
        heads = set(title_heads(segment))
        self.office_heads |= office_heads(segment)
        # A title's short names of offices read as questions read them: "Premier" is a prime
        # minister, "CEO" a chief executive.
        toks = seg_tokens | {w for tok in seg_tokens for w in ROLE_ACRONYMS.get(tok, ())}
        # A title's initials, but not those that spell a well-known acronym by chance
        # ("Special Envoy of the US President" is no "EU").
        acronyms = initials_acronyms(segment) - KNOWN_ACRONYMS.keys()
        toks |= acronyms
        head = national_head(segment, org.name if org is not None else None)
        if head is not None:
            toks.add(head)  # "heads of state", "the head of the Russian state"
        org_text = ""
        org_forms: list[tuple[str, ...]] = []
        if org is not None:
            for form in (org.name, *(org.aliases or [])):
                org_forms.append(tuple(t for t in tokens(form) if t not in FILLERS))
            org_forms.extend((a,) for a in name_acronyms(org.name))
            org_text = " ".join((org.name, *(org.aliases or [])))
            for form in (org.name, *(org.aliases or [])):
                acronyms |= (initials_acronyms(form) - KNOWN_ACRONYMS.keys()) | name_acronyms(form)
        org_words = set(tokens(org_text))
        written = seg_tokens | org_words
        toks |= org_words
        # Initials are typed exactly or not at all: "Astana" is no misspelt "ASANA".
        self._role_initials |= acronyms - written
        toks |= acronyms
        if country:
            country_tokens = set(tokens(country))
            # A participant's nationality describes the role only when the role is national
            # ("Prime Minister" of the "Government of Estonia"), not for an international post.
            # By name or adjective: "Central Bank of the Argentine Republic" is Argentina's.
            canonical = country_named(list(country_tokens))
            names_country = country_tokens <= written or (
                canonical is not None and any(country_named([w]) == canonical for w in written)
            )
            if org is None or names_country:
                toks |= country_tokens
                toks |= {region for region, members in _REGION_TOKENS.items()
                         if any(set(m) <= country_tokens for m in members)}  # fmt: skip
        nation = country_named(list(name_words(country or "")))
        for (office_country, title), office in NATIONAL_OFFICE_NAMES.items():
            said = name_words(segment)
            if (
                nation == office_country
                and title in " ".join(said)
                and not ROLE_MODIFIERS & set(said)
            ):
                toks |= set(tokens(office))  # the US Secretary of State is a foreign minister
                heads |= office_heads(office)
        if heads & _CHAIR_HEADS and written & _PARLIAMENT_WORDS and _names_a_country(written):
            toks.add("speaker")  # the President of Armenia's National Assembly is its speaker
        portfolio = secretary_portfolio(segment)
        if portfolio:
            # "Secretary of Foreign Affairs" (Mexico, the Philippines), "Cabinet Secretary for
            # the National Treasury" (Kenya): a minister of that portfolio.
            toks |= {"minister", *portfolio}
            heads.add("minister")
        toks = {t for t in toks if t not in FILLERS}
        doc_id = len(self.role_docs)
        self.role_docs.append(
            RoleDoc(
                frozenset(toks),
                title_parts(segment),
                frozenset(seg_tokens - FILLERS),
                tuple(org_forms),
                frozenset(tokens(country or "")),
                self._shared_heads.setdefault(frozenset(heads), frozenset(heads)),
            )
        )
        for tok in toks:
            self.role_index[tok].add(doc_id)
        return doc_id

    def _finish(self) -> None:
        self._country_numbers = {}
        self._shared_heads = {}
        office_heads.cache_clear()
        title_heads.cache_clear()
        self.given_names -= self.surnames
        self.topics.finish()
        self.name_index = {tok: tuple(ids) for tok, ids in self._name_lists.items()}
        self._name_lists = {}
        self._name_vocab = list(self.name_index)
        self._role_vocab = [t for t in self.role_index if t not in self._role_initials]
        self._role_initials = set()
        self.place_index = dict(self.place_index)
        self._place_vocab = list(self.place_index)
        self._place_keys = {place: translit_key(place) for place in self._place_vocab}
        self.person_parts = dict(self.person_parts)

    # ----- lookups --------------------------------------------------------------------------

    def fuzzy(self, word: str, vocab: str, cutoff: float) -> list[tuple[str, float]]:
        """Vocabulary words of one kind ('name', 'role', 'place', 'issue') close to word."""
        choices = {
            "name": self._name_vocab,
            "role": self._role_vocab,
            "place": self._place_vocab,
            "issue": self.topics.vocabulary,
        }[vocab]
        if len(word) < 4 or not choices:
            return []
        found = process.extract(word, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=5)
        return [(choice, score) for choice, score, _ in found]

    def match_person(self, span: tuple[str, ...]) -> PersonMatch | None:
        """Find the person whose name best covers the span's name tokens."""
        scores: dict[int, float] = defaultdict(float)
        used: dict[int, set[int]] = defaultdict(set)
        joined: dict[int, set[int]] = defaultdict(set)  # person -> words read as one of theirs
        for i in range(len(span) - 1):
            # "Al Busaidi" is the recorded "Albusaidi": two words of the question, one name word
            # (for whoever writes it so; a namesake writing two words still scores them).
            pair = span[i] + span[i + 1]
            if pair in self.name_index:
                for pid in self.name_index[pair]:
                    if i not in joined[pid]:
                        scores[pid] += 200.0
                        used[pid].update((i, i + 1))
                        joined[pid].update((i, i + 1))
        for i, tok in enumerate(span):
            if tok in FILLERS:
                continue
            hits: dict[int, float] = {}
            if tok in self.name_index and not self._is_role_word(tok, span):
                # A rank that is also part of a name ("Sheikh Hasina") counts a little less,
                # so that "Sheikh Tamim" is Tamim, not a tie between two people.
                hits = dict.fromkeys(
                    self.name_index[tok], _RANK_IN_NAME if tok in RANKS else 100.0
                )
            elif tok not in self.role_index and not tok.isdigit() and not is_lexicon_word(tok):
                similar = self.fuzzy(tok, "name", NAME_FUZZY_CUTOFF)
                for word, score in similar:
                    if len(tok) >= 6 and len(similar) == 1 and _swapped(tok, word):
                        # Two letters swapped in a six-letter name ("Siadov") are a typo, as
                        # sure as in a longer name, when no other name is as near; one
                        # letter wrong ("Velmor") may be someone else, and is only suggested.
                        score = max(score, NAME_CONFIDENT)
                    for pid in self.name_index[word]:
                        hits[pid] = max(hits.get(pid, 0.0), score)
            for pid, score in hits.items():
                if i not in joined[pid]:
                    scores[pid] += score
                    used[pid].add(i)
        if not scores:
            return None
        best = max(scores.values())
        top = tuple(sorted(pid for pid, s in scores.items() if s >= best - 1e-6))
        if len(top) > 1:
            top = self._by_surname(top, span, used)
        tokens_used = used[top[0]]
        mixed = len({frozenset(used[pid]) for pid in top}) > 1
        return PersonMatch(top, best / max(1, len(tokens_used)), frozenset(tokens_used), mixed)

    def _by_surname(
        self, tied: tuple[int, ...], span: tuple[str, ...], used: dict[int, set[int]]
    ) -> tuple[int, ...]:
        """Of people tied on the words typed, the one whose surname was typed.

        "Ahmed" is Abiy Ahmed, not Barham Ahmed Salih, whose middle name it is: news call
        people by their surname. Two surnames typed alike stay a tie.
        """
        surnamed = tuple(
            pid
            for pid in tied
            if (own := _name_tokens(self.person_names[pid]))
            and own[-1] in {span[i] for i in used[pid]}
        )
        return surnamed if len(surnamed) == 1 else tied

    def people_side_by_side(self, toks: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The words of each person when the words are surnames of two people or more (words
        of a name after the first, as typed or misspelt; "Spoljaric Egger" one person's two):
        "nazarbaev guterres". A given name among them ("Greta Gruber") makes no such people:
        then []."""
        groups: list[tuple[int, tuple[str, ...]]] = []
        for tok in (tok for tok in toks if tok not in FILLERS):
            match = self.match_person((tok,))
            if match is None or match.score < NAME_CONFIDENT or len(match.person_ids) != 1:
                return []
            pid = match.person_ids[0]
            surnames = tokens(self.person_names[pid])[1:]
            if not any(fuzz.ratio(tok, surname) >= NAME_CONFIDENT for surname in surnames):
                return []
            if groups and groups[-1][0] == pid:
                groups[-1] = (pid, (*groups[-1][1], tok))
            else:
                groups.append((pid, (tok,)))
        people = [pid for pid, _words in groups]
        if len(people) < 2 or len(set(people)) < len(people):
            return []
        return [words for _pid, words in groups]

    def _is_role_word(self, tok: str, span: tuple[str, ...]) -> bool:
        """A word that is both a name and a role word is a role word unless beside a name."""
        if tok not in self.role_index or tok in self.surnames:
            return False  # a surname stays a name, even where a title names its holder
        others = [t for t in span if t != tok and t in self.name_index]
        return not others

    def meetings_of_participations(self, parts: Iterable[int]) -> set[int]:
        return {self.part_meeting[p] for p in parts}

    def participations_of_people(self, person_ids: Iterable[int]) -> set[int]:
        out: set[int] = set()
        for pid in person_ids:
            out.update(self.person_parts.get(pid, ()))
        return out

    def knows_word(self, token: str) -> bool:
        """Whether a token is a word of the records: of a name, a title, a place or a topic."""
        return (
            token in self.name_index
            or token in self.role_index
            or token in self.place_index
            or self.topics.knows(token)
        )

    def match_topic(
        self, span: tuple[str, ...], *, labels_only: bool = False
    ) -> TopicMatch | None:
        """Meetings about the topic the span names (see bot.core.topics)."""
        return self.topics.match(span, labels_only=labels_only)

    def closest_names(self, text: str, limit: int = 3, *, kind: str = "entity") -> list[str]:
        """Names close to the words of text, for "did you mean", from one vocabulary only.

        kind is the kind of the part that was not found: a person's name gets people, a topic
        gets issue labels, a place gets recorded places; never a topic for a name. Only near
        spellings are offered (a word ratio of 70 or more), never a random name.
        """
        scores: dict[str, float] = {}
        for word in tokens(text):
            if word in FILLERS or len(word) < 3:
                continue
            if kind == "issue":
                for similar, score in self.fuzzy(word, "issue", SUGGESTION_CUTOFF):
                    for issue_id in self.topics.issue_index.get(similar, ()):
                        name = self.topics.issue_names[issue_id]
                        scores[name] = max(scores.get(name, 0.0), score)
                continue
            if kind == "place":
                if word in REGION_NOUNS:
                    continue  # "the Pacific states" is no misspelt "United States"
                for similar, score in self.fuzzy(word, "place", SUGGESTION_CUTOFF):
                    for meeting_id in self.place_index[similar]:
                        place = self.location_of(meeting_id) or ""
                        scores[place] = max(scores.get(place, 0.0), score)
                continue
            for pid in self.name_index.get(word, ()):
                scores[self.person_names[pid]] = 100.0
            for similar, score in self.fuzzy(word, "name", SUGGESTION_CUTOFF):
                for pid in self.name_index[similar]:
                    name = self.person_names[pid]
                    scores[name] = max(scores.get(name, 0.0), score)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return [name for name, _ in ranked[:limit]]


_CHAIR_HEADS = frozenset({"president", "chair", "chairman", "chairperson", "chairwoman"})
_PARLIAMENT_WORDS = frozenset(
    t for word in ("parliament", *HYPONYMS["parliament"]) for t in tokens(word)
)


def _names_a_country(words: set[str]) -> bool:
    """Whether a country is among the words: a national parliament, not PACE or the UN's."""
    return any(country_named([w]) is not None for w in words)


def _name_tokens(form: str) -> list[str]:
    """A name's words as questions are read: Latin-script names through the one name key
    (bot.core.names), Cyrillic ones through the lexicon, which meets their case forms."""
    if any("\u0400" <= ch <= "\u04ff" for ch in form):
        return tokens(form)
    return [t for word in name_words(form) for t in tokens(word)]


_DESCRIPTIVE = (
    RANKS
    | GENERIC
    | ROLE_MODIFIERS
    | set(ROLE_ACRONYMS)
    # Whole words of demonyms and countries only: "i-Kiribati" must not make "I" a title.
    | {t for key in DEMONYMS for t in tokens(key) if len(t) > 2}
    | {t for country in DEMONYMS.values() for t in tokens(country) if len(t) > 2}
)


def _describes_person(token: str) -> bool:
    """A rank, title, acronym of a title, demonym or country: words an alias adds to a name."""
    return token in _DESCRIPTIVE


_REGION_TOKENS = {
    region: [tuple(tokens(c)) for c in members] for region, members in REGIONS.items()
}


class IndexCache:
    """One index per database, rebuilt when the catalog version changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._indexes: dict[str, CatalogIndex] = {}

    def get(self, session: Session) -> CatalogIndex:
        """The index of what session sees; cached only when that is the committed catalog.

        A session with uncommitted catalog writes (a preview answered before an admin
        cancels) gets an index of its own: caching it would serve the rolled-back change once
        a later commit reaches the same version number.
        """
        bind = session.get_bind()
        engine = bind if isinstance(bind, Engine) else bind.engine
        key = str(engine.url)
        version = read_catalog_version(session)
        index = self._indexes.get(key)
        if index is not None and index.version == version:
            return index
        with Session(engine) as committed_view:
            committed = read_catalog_version(committed_view)
        if committed != version:
            return CatalogIndex.build(session)
        with self._lock:
            index = self._indexes.get(key)
            if index is None or index.version != version:
                # Drop the old index first so a rebuild does not hold two in memory.
                self._indexes.pop(key, None)
                index = None
                index = _build_outside_gc(session)
                self._indexes[key] = index
            return index


def _build_outside_gc(session: Session) -> CatalogIndex:
    """Build an index with the cyclic GC paused, then freeze it out of later collections.

    The index is millions of small objects that live until the next rebuild. Collecting while
    they are created re-scans the growing heap again and again (a 100k-meeting build took 2.8x
    longer), and afterwards every full collection walks them for nothing: 100-250 ms pauses that
    fall on a random question (bench/answering.py). gc.freeze moves everything alive now to the
    permanent generation; the index has no reference cycles, so refcounting frees it on rebuild.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        index = CatalogIndex.build(session)
    finally:
        if enabled:
            gc.enable()
    # The per-word caches of the build are not needed to answer; a rebuild fills them again.
    clear_build_caches()
    # Unfreeze first so garbage cycles from before the last build are not kept for ever.
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    return index


INDEXES = IndexCache()
