"""The topic index on its own: stems, synonyms, kinds of topic, and words that must be found.

No database: a TopicIndex is filled with invented labels and texts, as CatalogIndex.build does.
"""

from __future__ import annotations

import pytest

from bot.core.lexicon import tokens
from bot.core.topic_vocabulary import ISSUE_BROADER, ISSUE_SYNONYMS
from bot.core.topics import TopicIndex, phrase_stems, stem


def _index(labels: dict[int, list[str]], texts: dict[int, str] | None = None) -> TopicIndex:
    index = TopicIndex()
    issue_ids: dict[str, int] = {}
    for meeting_id, meeting_labels in labels.items():
        for label in meeting_labels:
            issue_id = issue_ids.setdefault(label, len(issue_ids) + 1)
            if issue_id not in index.issue_names:
                index.add_issue(issue_id, label, [])
            index.link(meeting_id, issue_id)
    for meeting_id, text in (texts or {}).items():
        index.add_text(meeting_id, None, text)
    index.finish()
    return index


def _found(index: TopicIndex, phrase: str) -> set[int]:
    match = index.match(tokens(phrase))
    return set(match.meetings) if match else set()


@pytest.mark.parametrize("group", ISSUE_SYNONYMS, ids=lambda g: g[0])
def test_every_phrase_of_a_synonym_group_finds_a_meeting_labelled_with_another(
    group: tuple[str, ...],
) -> None:
    # Meeting 1 carries the group's first phrase as its label; meeting 2 an unrelated label.
    index = _index({1: [group[0]], 2: ["ice charts of the Barents Sea"]})
    for phrase in group:
        assert _found(index, phrase) == {1}, phrase


@pytest.mark.parametrize("broader", ISSUE_BROADER, ids=str)
def test_a_broader_topic_takes_in_the_narrower_but_not_the_reverse(broader: str) -> None:
    narrower = ISSUE_BROADER[broader]
    labels = {i: [f"{phrase} with Tuvalu"] for i, phrase in enumerate(narrower, start=1)}
    index = _index({**labels, 99: [f"{broader} with Palau"]})
    assert _found(index, broader) == {*labels, 99}
    for i, phrase in enumerate(narrower, start=1):
        # The label that names it (and its synonyms'), never the broader label.
        found = _found(index, phrase)
        assert i in found and 99 not in found, phrase


def test_words_that_only_name_a_kind_of_topic_may_be_missing() -> None:
    index = _index({1: ["Black Sea Grain Initiative"], 2: ["grain prices"]})
    assert _found(index, "the grain deal") == {1, 2}
    assert _found(index, "the grain initiative talks") == {1, 2}
    assert _found(index, "the grain deal in the Baltic") == set()  # "baltic" must be found


def test_an_unknown_word_cannot_be_outvoted() -> None:
    index = _index({1: ["war in Karabakh"], 2: ["war in Ukraine"]})
    assert _found(index, "the Gaza war") == set()
    assert _found(index, "the war in Ukraine") == {2}


def test_british_and_american_spellings_meet() -> None:
    assert stem("normalisation") == stem("normalization")
    assert stem("programme") == stem("program")
    assert stem("defence") == stem("defense")
    index = _index({1: ["visa liberalization"]}, {2: "They discussed the labour market."})
    assert _found(index, "visa liberalisation") == {1}
    assert _found(index, "labor market") == {2}


def test_words_snowball_stems_alike_stay_apart() -> None:
    assert stem("transition") != stem("transit")
    assert stem("aide") != stem("aid")
    assert stem("elected") != stem("elections")
    index = _index({1: ["gas transit"], 2: ["energy transition"]})
    assert _found(index, "energy transition") == {2}
    assert _found(index, "gas transit") == {1}


def test_a_hyphenated_word_is_also_one_word() -> None:
    assert stem("ceasefire") in phrase_stems("a cease-fire along the line")
    index = _index({}, {1: "Both sides backed the cease-fire."})
    assert _found(index, "ceasefire") == {1}


def test_a_country_and_its_adjective_are_one_topic() -> None:
    index = _index({}, {1: "Talks on Ukrainian grain exports.", 2: "Exports from Chile."})
    assert _found(index, "Ukraine") == {1}
    assert _found(index, "Chilean exports") == {2}


def test_every_word_must_be_found_in_one_sentence_or_all_but_one_there() -> None:
    texts = {
        1: "They agreed on a water treaty. The border was discussed.",
        2: "Water was short. Later, a treaty on the border followed.",
        3: "A border treaty on water sharing was signed.",
    }
    index = _index({}, texts)
    assert _found(index, "water treaty") == {1, 2, 3}  # one word may stand in another sentence
    assert _found(index, "border water treaty") == {1, 2, 3}
    assert _found(index, "water sharing treaty") == {3}


def test_topic_synonyms_are_a_fallback_only() -> None:
    index = _index({1: ["landmines"], 2: ["mine contamination"]})
    assert _found(index, "landmines") == {1, 2}  # one group: the words as asked find both
    index = _index({1: ["unexploded ordnance"]}, {2: "A demining team arrived."})
    assert _found(index, "demining") == {1, 2}


def test_a_meeting_id_past_32_bits_widens_the_postings() -> None:
    index = _index({}, {5: "A water treaty.", 2**40: "Another water treaty."})
    assert _found(index, "water treaty") == {5, 2**40}


def test_trade_and_investment_are_two_topics() -> None:
    index = _index({1: ["trade with Tuvalu"], 2: ["investment in Palau"], 3: ["fisheries"]})
    assert _found(index, "trade") == {1}
    assert _found(index, "investment") == {2}
    assert _found(index, "economic cooperation") == {1, 2}


def test_a_noun_in_ing_is_not_the_thing_its_stem_names() -> None:
    index = _index(
        {1: ["lithium mining in Lagonia"], 2: ["mine clearance"], 3: ["police trainings"],
         4: ["train connections"], 5: ["social housing"], 6: ["House of Delegates"]}
    )  # fmt: skip
    assert _found(index, "landmines") == {2}
    assert _found(index, "mining") == {1}
    assert _found(index, "police training") == {3}
    assert _found(index, "trains") == {4}
    assert _found(index, "housing") == {5}


def test_conflict_and_dispute_only_say_what_kind_of_topic_it_is() -> None:
    index = _index({1: ["Transnistrian settlement"], 2: ["fisheries quotas"]})
    assert _found(index, "the Transnistrian conflict") == {1}
    assert _found(index, "the fisheries dispute") == {2}
    assert _found(index, "the Gaza conflict") == set()  # "gaza" must still be found


def test_a_broader_topic_is_found_only_as_a_whole_phrase() -> None:
    index = _index({1: ["green hydrogen"], 2: ["renewable energy"], 3: ["natural gas pipeline"]})
    assert _found(index, "energy") == {1, 2, 3}
    # Green hydrogen is energy, and green; it is not what "green energy" names.
    assert _found(index, "green energy") == {2}


def test_a_label_word_one_letter_off_is_that_word() -> None:
    index = _index({1: ["artificial intelligence"], 2: ["cyber security"], 3: ["fisheries"]})
    assert _found(index, "artifical intelligence") == {1}
    assert _found(index, "cyber secruity") == {2}
    assert _found(index, "fisheries quotas") == set()  # "quotas" is in no label at all


def test_a_prefix_written_as_one_word_is_also_its_own_word() -> None:
    index = _index({1: ["cybercrime convention"], 2: ["cyber security"], 3: ["crime prevention"]})
    assert _found(index, "cyber") == {1, 2}
    assert _found(index, "cyber crime") == {1}


def test_a_denied_clause_is_no_talk_about_its_topic_but_without_denies_only_what_follows() -> None:
    texts = {
        1: "The Ukraine crisis would not divert attention from trade.",
        2: "The dam was filled without a binding accord and the Nile talks went on.",
    }
    index = _index({}, texts)
    assert _found(index, "Ukraine crisis") == set()
    assert _found(index, "binding accord") == set()
    assert _found(index, "dam") == {2}
    assert _found(index, "Nile") == {2}


def test_a_bid_or_a_campaign_only_says_what_kind_of_topic() -> None:
    index = _index({1: ["EU accession of Moldova"], 2: ["disinformation"]})
    assert _found(index, "Moldova's EU accession bid") == {1}
    assert _found(index, "disinformation campaigns") == {2}


def test_a_long_word_of_a_text_misspelt_is_found_though_its_stem_is_far() -> None:
    # "deforestaton" is one letter from "deforestation" but far from its stem "deforest".
    index = _index({}, {1: "They discussed deforestation in the Amazon basin."})
    assert _found(index, "deforestaton") == {1}


def test_asylum_for_migrants_is_no_refugee_topic() -> None:
    index = _index({1: ["refugees"]}, {2: "They discussed faster asylum procedures for migrants."})
    assert _found(index, "refugees") == {1}
    assert _found(index, "asylum seekers") == {1}  # a phrase of the refugees' group
