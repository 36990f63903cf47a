"""Which words of a question are fillers: ordinary words that fit no vocabulary, not names.

without_fillers runs before bot.core.resolving: "who hosted Aliyev", "summit Aliyev meetings"
and "wat meetings" lose the words that would otherwise be glued into a name or a topic.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.geography import country_named
from bot.core.lexicon import (
    FILLERS,
    SMALL_TALK,
    TOPIC_FILLERS,
    is_dictionary_word,
    is_inflected,
    is_lexicon_word,
)
from bot.core.matching import NAME_FUZZY_CUTOFF, CatalogIndex
from bot.core.questions import Question, Span, SpanKind
from bot.core.roles import GENERIC


def without_fillers(question: Question, index: CatalogIndex) -> tuple[Question, list[str]]:
    """Drop the words that fit no vocabulary and are ordinary words, not names.

    Greetings go everywhere; inside a topic only words that say "the agenda" go, so an
    unknown topic word still has to be found; inside a name or title an English word goes when
    it is an inflected form ("hosted") or when the rest names a person ("summit Aliyev"). A word
    typed with a capital letter, or close to a recorded name, stays and must be resolved.
    """
    spans: list[Span] = []
    ignored: list[str] = []
    for span in question.spans:
        kept: list[str] = []
        for i, tok in enumerate(span.tokens):
            rest = span.tokens[:i] + span.tokens[i + 1 :]
            if _is_filler(tok, span, rest, question, index):
                ignored.append(tok)
            else:
                kept.append(tok)
        if kept:
            spans.append(replace(span, tokens=tuple(kept)))
    small_talk = any(tok in SMALL_TALK for tok in ignored)
    if not spans and not small_talk and any(index.topics.knows(tok) for tok in ignored):
        # "schools and education": words the records hold are what is asked when nothing else
        # is, never all dropped as fillers ("thanks, that was helpful!" stays thanks).
        return question, []
    return replace(question, spans=tuple(spans)), list(dict.fromkeys(ignored))


def _is_filler(
    tok: str, span: Span, rest: tuple[str, ...], question: Question, index: CatalogIndex
) -> bool:
    if tok in SMALL_TALK and tok not in question.name_like:
        return True
    if span.kind is SpanKind.ISSUE:
        return tok in TOPIC_FILLERS
    if span.kind is SpanKind.PLACE:
        return False
    if all(t in GENERIC for t in span.tokens):
        return True  # "which officials met X", "X's counterparts": anyone at all
    if (
        fits_nothing(tok, question, index, topics_too=False)
        and (is_inflected(tok) or _a_lone_word_beside_the_subject(tok, span, question))
        and index.match_topic((tok,), labels_only=True) is None
    ):
        # A verb ("hosted", "came", "brief"), even if a summary uses it; a word of an issue
        # label is a topic ("defence spending meetings").
        return True
    if not fits_nothing(tok, question, index):
        return False
    if not rest and len(tok) <= 3:
        return True  # a short word alone, most likely a typo of a question word ("wat")
    return any(t in index.name_index for t in rest) and not _follows_given_name(tok, span, index)


def _a_lone_word_beside_the_subject(tok: str, span: Span, question: Question) -> bool:
    """Whether tok stands alone between other parts of the question: where no label holds
    it, the question's own verb ("who did X first brief as minister"), not a topic that
    would rule out every meeting of X's. A word that opens the question right before a topic
    heads it ("sanctions on Russia"): that is no verb."""
    if span.tokens != (tok,) or len(question.spans) < 2:
        return False
    return not (question.spans[0] is span and question.spans[1].kind is SpanKind.ISSUE)


def fits_nothing(
    tok: str, question: Question, index: CatalogIndex, *, topics_too: bool = True
) -> bool:
    """An ordinary English word that no vocabulary of the catalog knows and that was not
    typed as a name (topics_too=False: the words of titles and summaries do not count)."""
    return not (
        tok in question.name_like
        or (topics_too and index.topics.knows(tok))
        or tok in index.name_index
        or tok in index.role_index
        or tok in index.place_index
        or tok in FILLERS
        or is_lexicon_word(tok)
        or country_named([tok]) is not None  # "Norway" names a country, records or not
        or not is_dictionary_word(tok)
        or index.fuzzy(tok, "name", NAME_FUZZY_CUTOFF)
    )


def _follows_given_name(tok: str, span: Span, index: CatalogIndex) -> bool:
    """Whether tok comes right after a given name, where a surname would stand."""
    position = span.tokens.index(tok)
    return position > 0 and span.tokens[position - 1] in index.given_names
