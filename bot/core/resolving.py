"""What the words of a question name: people, offices, organisations, topics and places.

resolve(question, index) turns each span of a parsed question (bot.core.questions) into a
Constraint on the meetings, through the catalog's index (bot.core.matching), and collects what
it could not resolve, what is ambiguous and the notes an answer gives ("read X as Y").
bot.core.fillers first drops the words that fit no vocabulary and are ordinary words, not names.
bot.core.answering turns the result into an Answer.
"""

from __future__ import annotations

from dataclasses import replace

from rapidfuzz import fuzz, process

from bot.core.constraints import Constraint, Resolution, meetings_of, unresolved
from bot.core.country_constraints import (
    add_country_searched,
    add_officials_of_a_country,
    add_topics_country,
)
from bot.core.fillers import fits_nothing
from bot.core.geography import country_named
from bot.core.lexicon import (
    FILLERS,
    RANKS,
    is_dictionary_word,
    is_lexicon_word,
    tokens,
)
from bot.core.matching import (
    NAME_CONFIDENT,
    NAME_FUZZY_CUTOFF,
    CatalogIndex,
    PersonMatch,
)
from bot.core.namesakes import settle_namesakes
from bot.core.place_constraints import (
    add_abroad,
    add_outside,
    add_place,
    names_a_recorded_city,
    recorded_place_after_name,
)
from bot.core.questions import Question, Span, SpanKind
from bot.core.roles import GENERIC
from bot.core.topic_constraints import (
    a_charge_not_an_office,
    add_topic,
    an_action,
    resolve_issue,
    resolve_known_part,
    resolve_labelled_head,
    resolve_topics,
    split_on,
)
from bot.core.wording import TEXTS, t


def resolve(question: Question, index: CatalogIndex) -> Resolution:
    """What each span of the question names, as constraints on the meetings."""
    resolution = Resolution(question)
    for span in _spans_joined(question.spans, index):
        before = len(resolution.constraints)
        _resolve_span(span, index, resolution)
        if span.or_previous and before >= 1 and len(resolution.constraints) == before + 1:
            _merge_alternatives(resolution, index)
    settle_namesakes(resolution, index)
    if question.abroad:
        add_abroad(index, resolution)
    return resolution


def _spans_joined(spans: tuple[Span, ...], index: CatalogIndex) -> list[Span]:
    """Join "A and B" back into one title when together they name an office the records
    hold and neither names a person: "the High Representative for Bosnia and Herzegovina",
    "the Commissioner for Neighbourhood and Enlargement"; and "A in B" into one topic when an
    issue label holds it and A names nobody ("war in Ukraine meetings")."""
    out: list[Span] = []
    for span in spans:
        previous = out[-1] if out else None
        if (
            span.and_previous
            and previous is not None
            and previous.kind is SpanKind.ENTITY is span.kind
            and not _names_someone(previous.tokens, index)
            and not _names_someone(span.tokens, index)
            and index.role_participations(previous.tokens + span.tokens)
        ):
            out[-1] = replace(previous, tokens=previous.tokens + span.tokens)
            continue
        if (
            span.kind is SpanKind.PLACE
            and previous is not None
            and previous.kind is SpanKind.ENTITY
            and not _names_someone(previous.tokens, index)
            and index.match_topic((*previous.tokens, "in", *span.tokens), labels_only=True)
        ):
            # "war in Ukraine meetings": a topic an issue label holds, not a war held there.
            out[-1] = Span(SpanKind.ISSUE, (*previous.tokens, "in", *span.tokens))
            continue
        out.append(span)
    return out


def _a_topic_before_a_guess(
    toks: tuple[str, ...], person: PersonMatch | None, index: CatalogIndex
) -> bool:
    """Whether words that were only guessed to be a name ("Amazon" for "Amano") are a
    topic an issue label holds as typed: they name no office (no rank or office word) and
    no body. An office the words do name stays the office."""
    if person is None or person.score >= 100:
        return False
    if any(tok in RANKS or tok in GENERIC for tok in toks) or index.names_a_body(toks):
        return False
    if not all(index.topics.knows(tok) for tok in toks if tok not in FILLERS):
        return False
    return index.match_topic(toks, labels_only=True) is not None


def _names_someone(toks: tuple[str, ...], index: CatalogIndex) -> bool:
    person = index.match_person(toks)
    return person is not None and person.score >= NAME_CONFIDENT


def _merge_alternatives(resolution: Resolution, index: CatalogIndex) -> None:
    """ "A or B": the last two constraints become one that either side fits."""
    second = resolution.constraints.pop()
    first = resolution.constraints[-1]
    or_ = TEXTS.get(resolution.question.language, TEXTS["en"])["or"]
    first.label += or_ + second.label
    if first.participations is not None and second.participations is not None:
        first.participations |= second.participations
        return
    first.meetings = meetings_of(first, index) | meetings_of(second, index)
    first.participations = None


def _resolve_span(span: Span, index: CatalogIndex, resolution: Resolution) -> None:
    if span.role_of_previous and resolution.constraints:
        previous = resolution.constraints[-1]
        roles = index.role_participations(span.tokens)
        if previous.participations is not None and roles is not None:
            previous.participations &= roles
            previous.label += t(resolution.question, "as") + resolution.question.quote(span.tokens)
            return
    if span.kind is SpanKind.ISSUE:
        _resolve_topic_span(span.tokens, index, resolution)
    elif span.kind is SpanKind.PLACE and span.outside:
        add_outside(span.tokens, index, resolution)
    elif span.kind is SpanKind.PLACE and add_topics_country(span.tokens, index, resolution):
        return
    elif span.kind is SpanKind.PLACE:
        meetings = index.place_meetings(span.tokens)
        # Beside a topic, a place where nothing was held but that the records speak of may be
        # where the topic is: "hostages held in Gaza", "elections in Moldova".
        topics_place = (
            not meetings and resolution.has_topic() and index.topics.knows_all(span.tokens)
        )
        if meetings or (meetings is not None and not topics_place):
            # A place where nothing was held is no meeting, never its people's meetings ("when
            # did X visit Brazil" is not when X met a Brazilian elsewhere).
            add_place(span.tokens, meetings, index, resolution)
            return
        # "in the OSCE PA", "at Tokayev's": a person or body after "in" counts only when it
        # resolves cleanly; an unknown place is a place not found, never a misspelt name.
        trial = Resolution(resolution.question)
        if _resolve_entity(span.tokens, index, trial, fallback=True) and not trial.unresolved:
            _adopt(resolution, trial)
            return
        unresolved(resolution, span.tokens, span.kind)
    elif add_country_searched(span.tokens, index, resolution):
        return
    else:
        before = _sizes(resolution)
        if not _resolve_entity(span.tokens, index, resolution, fallback=True):
            unresolved(resolution, span.tokens, span.kind)
        if not _grew(resolution, before):
            return
        # Typed as search terms: "imf argentina", "wfp sadc" (the IMF's and Argentina's);
        # "infrastructure financing africa" (a topic, and where).
        apart = _each_word_its_own(span, index, resolution) or _topic_then_place(
            span, index, resolution
        )
        if apart is not None:
            _roll_back(resolution, before)
            _adopt(resolution, apart)


def _each_word_its_own(
    span: Span, index: CatalogIndex, resolution: Resolution
) -> Resolution | None:
    """What each word of a span names when each is a body or a country of its own and the
    span together names nothing; None otherwise (people side by side are read elsewhere, and
    "Greta Gruber" is nobody)."""
    words = [tok for tok in span.tokens if tok not in FILLERS]
    if len(words) < 2 or not all(_a_body_or_country(word, index) for word in words):
        return None
    trial = Resolution(resolution.question)
    for word in words:
        if not _resolve_entity((word,), index, trial, fallback=False):
            return None
    return None if trial.unresolved or trial.ambiguous else trial


def _topic_then_place(
    span: Span, index: CatalogIndex, resolution: Resolution
) -> Resolution | None:
    """Search terms that end with a place ("load shedding south africa"): the topic the words
    before it name, and the place as after "in"; None unless both resolve."""
    for cut in range(1, len(span.tokens)):  # the longest place first: "south africa"
        head, place = span.tokens[:cut], span.tokens[cut:]
        if any(tok in index.name_index for tok in place) or (
            index.place_meetings(place) is None and country_named(list(place)) is None
        ):
            continue  # "Ombudsman Lund" is a person, whatever town is called Lund
        trial = Resolution(resolution.question)
        _resolve_span(replace(span, tokens=head), index, trial)
        if trial.unresolved or trial.ambiguous or not trial.only_topics():
            continue
        _resolve_span(Span(SpanKind.PLACE, place), index, trial)
        if not trial.unresolved and not trial.ambiguous:
            return trial
    return None


def _a_body_or_country(word: str, index: CatalogIndex) -> bool:
    return word not in index.name_index and (
        country_named([word]) is not None or index.names_an_organisation([word])
    )


def _sizes(resolution: Resolution) -> tuple[int, int, int]:
    return len(resolution.constraints), len(resolution.unresolved), len(resolution.notes)


def _grew(resolution: Resolution, before: tuple[int, int, int]) -> bool:
    """Whether a span left a part unresolved since the sizes were taken."""
    return len(resolution.unresolved) > before[1]


def _adopt(resolution: Resolution, trial: Resolution) -> None:
    """Take what a trial reading of a span resolved."""
    resolution.constraints.extend(trial.constraints)
    resolution.ambiguous.extend(trial.ambiguous)
    resolution.notes.extend(trial.notes)


def _roll_back(resolution: Resolution, before: tuple[int, int, int]) -> None:
    """Forget what one reading of a span added to the resolution."""
    constraints, unresolved_count, notes = before
    del resolution.constraints[constraints:]
    del resolution.unresolved[unresolved_count:]
    del resolution.unresolved_kinds[unresolved_count:]
    del resolution.notes[notes:]


def _resolve_entity(
    toks: tuple[str, ...], index: CatalogIndex, resolution: Resolution, *, fallback: bool
) -> bool:
    """Resolve a person, a title or an organisation; with fallback also a topic or a place."""
    place = recorded_place_after_name(toks, index)
    if place and _resolve_entity(toks[: -len(place)], index, resolution, fallback=False):
        # "when did Grossi go to Kyiv": "to" marks no place, but Kyiv is one of the records.
        add_place(place, index.place_meetings(place) or set(), index, resolution)
        return True
    person = index.match_person(toks)
    if fallback and _a_topic_before_a_guess(toks, person, index):
        # "Amazon meetings" is the recorded topic, not a misspelt "Amano".
        return resolve_issue(toks, index, resolution, labels_only=True)
    partly_a_name = person is not None and person.score < 100 and len(person.used) < len(toks)
    if partly_a_name and _resolve_office(toks, index, resolution):
        # A word only like a name ("Islamic" for "Islam") beside words that name an office
        # the records hold: the office.
        return True
    if person is not None and person.score >= NAME_FUZZY_CUTOFF:
        names = [index.person_names[p] for p in person.person_ids]
        every_word = len([tok for tok in toks if tok not in FILLERS])
        partly = person.mixed or len(person.used) < every_word
        side_by_side = index.people_side_by_side(toks) if partly else []
        if side_by_side:
            # "the Aliyev-Swing meeting", "nazarbaev guterres": surnames side by side, each
            # someone's, misspelt or not, are people of their own.
            return all(
                _resolve_entity(words, index, resolution, fallback=False) for words in side_by_side
            )
        if person.score < NAME_CONFIDENT or person.mixed:
            unresolved(resolution, toks, SpanKind.ENTITY)
            return True
        if _office_after_article(toks, person, index, resolution.question):
            # "the Bishop" asks for an office, not for Maria Bishop.
            if not _resolve_office(toks, index, resolution):
                unresolved(resolution, toks, SpanKind.ENTITY)
            return True
        beside = [t for i, t in enumerate(toks) if i not in person.used]
        if (
            len(person.person_ids) > 1
            and len(person.used) == 1
            and all(t in FILLERS or t in GENERIC for t in beside)
        ):
            # "Khoury's counterparts" asks about one Khoury as much as "Khoury" does.
            typed = resolution.question.quote(tuple(toks[i] for i in sorted(person.used)))
            resolution.ambiguous.append((typed, names))
            position = len(resolution.constraints)
            resolution.ambiguous_people.append((position, person.person_ids))
            return True
        if _unmatched_name_words(toks, person, index, resolution):
            # "Greta Gruber" is not Greta Lindqvist: a name part that fits nobody means the
            # person is not in the records, whatever the other part matched.
            unresolved(resolution, toks, SpanKind.ENTITY)
            return True
        parts = index.participations_of_people(person.person_ids)
        # A particle of the person's own name ("da" in "Lula da Silva") is no leftover.
        own = {tok for pid in person.person_ids for tok in tokens(index.person_names[pid])}
        leftover = tuple(t for i, t in enumerate(toks) if i not in person.used and t not in own)
        label = " / ".join(names)
        if leftover:
            roles = index.role_participations(leftover)
            if roles is not None and roles & parts:
                parts &= roles
                label += t(resolution.question, "as") + resolution.question.quote(leftover)
            elif roles is not None and _known_role_words(leftover, index):
                # "Ambassador X" where X never held that title in the records: X's meetings,
                # marked partial, never an empty answer nor a silent one.
                unresolved(resolution, leftover, SpanKind.ROLE)
            elif not all(t in GENERIC or t in RANKS for t in leftover):
                # "Aliyev energy meetings": the words beside the name that name a topic; an
                # honorific ("Sheikh") names none.
                topic = tuple(t for t in leftover if t not in RANKS)
                resolve_issue(topic, index, resolution)
        if person.score < 100:
            typed = resolution.question.quote(toks)
            resolution.notes.append(t(resolution.question, "read_as", typed=typed, label=label))
        resolution.constraints.append(Constraint(label, participations=parts))
        return True
    if add_officials_of_a_country(toks, index, resolution):
        return True
    charge = a_charge_not_an_office(toks, index, resolution.question) if fallback else None
    if charge is not None:
        add_topic(toks, charge, index, resolution)
        return True
    if _resolve_office(toks, index, resolution) or _office_beside_unknown_words(
        toks, index, resolution
    ):
        return True
    if not fallback:
        return False
    if names_a_recorded_city(toks, index):
        # "has Grossi been to Tehran": a city of the records, not a topic of their summaries.
        add_place(toks, index.place_meetings(toks) or set(), index, resolution)
        return True
    # Titles and summaries name offices and people too: words naming an office or a person
    # are a topic only by a label. What an office is in charge of ("Ukraine reconstruction",
    # "climate change") is a topic wherever the records say it.
    # So are words that all name bodies or countries ("osce armenia": their people).
    content = [t for t in toks if t not in FILLERS]
    office_words = any(
        t in index.name_index or t in index.office_heads or t in RANKS or t in GENERIC
        for t in toks
    ) or (len(content) > 1 and all(_a_body_or_country(t, index) for t in content))
    if resolve_issue(toks, index, resolution, labels_only=office_words):
        return True
    meetings = index.place_meetings(toks)
    if meetings:
        label = resolution.question.quote(toks)
        resolution.constraints.append(Constraint(label, meetings=meetings))
        return True
    return False


def _office_beside_unknown_words(
    toks: tuple[str, ...], index: CatalogIndex, resolution: Resolution
) -> bool:
    """An office the records hold, named beside ordinary words that fit no vocabulary ("the
    outgoing foreign minister"): its holders' meetings, the unused words named (partial)."""
    unknown = tuple(tok for tok in toks if fits_nothing(tok, resolution.question, index))
    office = tuple(tok for tok in toks if tok not in unknown)
    if not unknown or not office or not index.names_an_office(office):
        return False  # "women's rights": "rights" is the charge of an office, not one
    if not _resolve_office(office, index, resolution):
        return False
    unresolved(resolution, unknown, SpanKind.ROLE)
    return True


def _resolve_office(toks: tuple[str, ...], index: CatalogIndex, resolution: Resolution) -> bool:
    """The words as an office the records hold ("the foreign minister"): its holders' meetings."""
    roles = index.role_participations(toks)
    if not roles:
        return False
    label = t(resolution.question, "the") + resolution.question.quote(toks)
    if resolution.question.wants_current:
        roles = _current_holders(roles, index)
    resolution.constraints.append(Constraint(label, participations=roles))
    return True


def _current_holders(roles: set[int], index: CatalogIndex) -> set[int]:
    """The participations of whoever held the office at its latest recorded meeting."""
    latest = max(index.meeting_dates[index.part_meeting[p]] for p in roles)
    holders = {
        index.part_person[p] for p in roles if index.meeting_dates[index.part_meeting[p]] == latest
    }
    return {p for p in roles if index.part_person[p] in holders}


def _office_after_article(
    toks: tuple[str, ...], person: PersonMatch, index: CatalogIndex, question: Question
) -> bool:
    """Whether the name matched only by ordinary words typed after "the" ("the Pope"):
    people are not called "the Smith", offices are."""
    used = [toks[i] for i in sorted(person.used)]
    return (
        used[0] in question.after_article
        and all(is_dictionary_word(tok) for tok in used)
        and not any(tok in index.given_names for tok in used)
    )


def _unmatched_name_words(
    toks: tuple[str, ...], person: PersonMatch, index: CatalogIndex, resolution: Resolution
) -> bool:
    """Whether the span has a name-like word that the matched person's name does not cover.

    A word loosely like one of the person's own name words (another transliteration, "Əli"
    for "Ali") still counts as covered.
    """
    own = [t for pid in person.person_ids for t in index.person_name_tokens[pid]]
    question = resolution.question
    return any(
        i not in person.used
        and len(tok) > 1
        and not process.extractOne(tok, own, scorer=fuzz.ratio, score_cutoff=60)
        and tok not in FILLERS
        and tok not in RANKS  # "Sheikh Tamim": an honorific, whoever else it names
        and tok not in index.role_index
        and not is_lexicon_word(tok)
        and not tok.isdigit()
        # An English word typed in lower case is no name part, unless a surname would
        # stand there ("dorin smith").
        and (
            tok in question.name_like
            or not is_dictionary_word(tok)
            or (i > 0 and toks[i - 1] in index.given_names)
        )
        for i, tok in enumerate(toks)
    )


def _known_role_words(words: tuple[str, ...], index: CatalogIndex) -> bool:
    return any(w in index.role_index for w in words)


def _resolve_topic_span(
    toks: tuple[str, ...], index: CatalogIndex, resolution: Resolution
) -> None:
    """A span after "about" or "discuss": a topic, topics joined by "and", a topic and the
    people met ("with"), or people; the reading an issue label holds comes first."""
    whole = index.match_topic(toks)
    if whole is not None and whole.issue_ids:
        add_topic(toks, whole, index, resolution)
        return
    if "with" in toks:
        # "talks with Russia" is a topic when a label holds it; otherwise "with" names
        # the people met: "meetings about trade with Aliyev", "who discussed landmines
        # with the OSCE PA president" (whose title a summary mentions beside mines).
        cut = toks.index("with")
        topic, other = toks[:cut], toks[cut + 1 :]
        if topic and other and resolve_issue(topic, index, resolution):
            _resolve_span(Span(SpanKind.ENTITY, other), index, resolution)
            return
    parts = split_on(toks, "and")
    # "tariffs and migration": two topics, when labels hold each and not the phrase.
    if len(parts) > 1 and resolve_topics(parts, index, resolution, labelled=True):
        return
    if whole is not None and not _names_people(parts, index, resolution):
        # Words only titles or summaries hold are a topic mentioned there, unless they name
        # people: "tell me about the Naghiyev Kauma meeting" is about their meeting.
        add_topic(toks, whole, index, resolution)
        return
    if _resolve_after_an_action(toks, index, resolution):
        return
    if all(_resolve_entity(p, index, resolution, fallback=False) for p in parts):
        return
    if len(parts) > 1 and resolve_topics(parts, index, resolution, labelled=False):
        return
    if resolve_known_part(toks, index, resolution) or resolve_labelled_head(
        toks, index, resolution
    ):
        return
    unresolved(resolution, toks, SpanKind.ISSUE)


def _resolve_after_an_action(
    toks: tuple[str, ...], index: CatalogIndex, resolution: Resolution
) -> bool:
    """ "cutting greenhouse gas emissions", "attracting foreign investors": a verb in -ing
    before a topic says what is done about it; the topic after it is answered, the verb
    named as not used (partial). A word in -ing that labels hold ("peacekeeping") or that
    names a thing ("mining") is part of the topic."""
    first = toks[0]
    if len(toks) < 2 or not an_action(first, index):
        return False
    trial = Resolution(resolution.question)
    _resolve_topic_span(toks[1:], index, trial)
    if not trial.constraints or trial.unresolved or trial.ambiguous:
        return False
    _adopt(resolution, trial)
    unresolved(resolution, (first,), SpanKind.ISSUE)
    return True


def _names_people(
    parts: list[tuple[str, ...]], index: CatalogIndex, resolution: Resolution
) -> bool:
    """Whether every part names a person of the records, each word a word of their names as
    written (a word only like a name, "motorway" for Motora, is no name here)."""
    trial = Resolution(resolution.question)
    return (
        all(t in index.name_index for p in parts for t in p if t not in FILLERS)
        and all(_names_someone(p, index) for p in parts)
        and all(_resolve_entity(p, index, trial, fallback=False) for p in parts)
        and not trial.unresolved
        and not trial.ambiguous
    )
