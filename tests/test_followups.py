"""Follow-up questions answered from what the previous answer was about (bot.core.followups)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from answering_support import BACKENDS, ask, fresh_engine, ids, load_fixture
from sqlalchemy import Engine

from bot.core.answering import Answer, Intent, Status
from bot.core.followups import AnswerContext


@pytest.fixture(scope="module", params=BACKENDS)
def catalog(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """The fixture catalog, loaded once per backend; tests here must not change its meetings."""
    with fresh_engine(request.param, tmp_path_factory.mktemp("followups")) as engine:
        load_fixture(engine)
        yield engine


def context_of(answer: Answer) -> AnswerContext:
    context = AnswerContext.of(answer)
    assert context is not None, answer.headline
    return context


def test_they_after_who_met_is_about_the_meeting_found(catalog: Engine) -> None:
    first = context_of(ask(catalog, "Who has met Pia Kauma?"))
    answer = ask(catalog, "what did they talk about?", context=first)
    assert (answer.status, answer.intent, ids(answer)) == (
        Status.ANSWERED,
        Intent.WHAT_DISCUSSED,
        ["m00"],
    )
    assert "Ali Naghiyev and Pia Kauma discussed mine contamination" in answer.headline
    assert "follow-up to “Who has met Pia Kauma?”" in answer.text
    # Without the context the same words name nobody.
    assert ask(catalog, "what did they talk about?").status is Status.NOT_FOUND


@pytest.mark.parametrize(
    ("text", "intent", "words"),
    [
        ("and when?", Intent.WHEN, "14 November 2023"),
        ("where was that?", Intent.WHERE, "Baku"),
        ("when was this meeting?", Intent.WHEN, "14 November 2023"),
        ("и когда?", Intent.WHEN, "14 ноября 2023"),
        ("где это было?", Intent.WHERE, "Baku"),
        ("о чём они говорили?", Intent.WHAT_DISCUSSED, "mine contamination"),
    ],
)
def test_elliptic_and_pronoun_follow_ups(
    catalog: Engine, text: str, intent: Intent, words: str
) -> None:
    first = context_of(ask(catalog, "Who has met Pia Kauma?"))
    answer = ask(catalog, text, context=first)
    assert (answer.status, answer.intent, ids(answer)) == (Status.ANSWERED, intent, ["m00"])
    assert words in answer.headline


def test_a_follow_up_stays_with_the_meetings_of_the_answer(catalog: Engine) -> None:
    # Lindqvist met Zhuravlyov twice; "they" are both, "that" is those two meetings.
    first = context_of(ask(catalog, "When did Lindqvist meet Zhuravlyov?"))
    assert ids(ask(catalog, "what did they discuss?", context=first)) == ["m02", "m03"]
    narrowed = ask(catalog, "and in 2023?", context=first)
    assert (narrowed.intent, ids(narrowed)) == (Intent.WHEN, ["m02"])


def test_who_else_leaves_out_the_meetings_already_found(catalog: Engine) -> None:
    first = context_of(ask(catalog, "What did Zhuravlyov discuss in 2025?"))
    assert ids(ask(catalog, "What did Zhuravlyov discuss in 2025?")) == ["m07"]
    others = ask(catalog, "who else did he meet?", context=first)
    assert (others.intent, ids(others)) == (Intent.WHO_MET, ["m02", "m03"])
    assert "leaving out the meetings it found" in others.text


def test_a_question_naming_its_own_people_is_never_rewritten(catalog: Engine) -> None:
    first = context_of(ask(catalog, "Who has met Pia Kauma?"))
    alone = ask(catalog, "what did Zhuravlyov discuss?")
    after = ask(catalog, "what did Zhuravlyov discuss?", context=first)
    assert ids(after) == ids(alone) == ["m07", "m02", "m03"]
    assert after.text == alone.text
    # "there" and "that" in a question that names a topic of its own point nowhere.
    for fresh in (
        "Is there any meeting about cyber security?",
        "meetings that covered cyber security",
    ):
        assert ids(ask(catalog, fresh, context=first)) == ids(ask(catalog, fresh)) == ["m05"]
    # Nor does "this" of "this year".
    for fresh in ("how many meetings this year", "how many meetings in 2023"):
        assert ask(catalog, fresh, context=first).text == ask(catalog, fresh).text
    # Nor is a question without any word pointing back.
    assert ids(ask(catalog, "latest meetings", context=first)) == ids(
        ask(catalog, "latest meetings")
    )


def test_the_context_survives_json() -> None:
    context = AnswerContext(
        question="When did Lindqvist meet Zhuravlyov in 2023?",
        intent=Intent.WHEN,
        people=("Greta Lindqvist", "Pyotr Zhuravlyov"),
        meetings=(3, 4),
        topics=("water sharing",),
        places=("Vienna",),
    )
    assert AnswerContext.from_json(context.to_json()) == context


def test_a_sent_answer_is_recalled_until_it_expires(catalog: Engine) -> None:
    import datetime as dt

    from sqlmodel import Session

    from bot.core.answer_memory import ANSWER_MEMORY_DAYS, recall_answer, remember_answer

    now = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
    answer = ask(
        catalog, "what did they discuss?", context=context_of(ask(catalog, "who met Kauma?"))
    )
    asked_with = context_of(ask(catalog, "who met Kauma?"))
    with Session(catalog) as session:
        remember_answer(-5, 77, answer, session=session, now=now, asked_with=asked_with)
        session.commit()
    with Session(catalog) as session:
        recalled = recall_answer(-5, 77, session=session, now=now)
        assert recalled is not None
        assert (recalled.question, recalled.asked_with) == ("what did they discuss?", asked_with)
        assert recalled.context == AnswerContext.of(answer)
        assert recall_answer(-5, 78, session=session, now=now) is None
        later = now + dt.timedelta(days=ANSWER_MEMORY_DAYS, seconds=1)
        assert recall_answer(-5, 77, session=session, now=later) is None
        # The next answer remembered clears the expired rows.
        remember_answer(-5, 79, answer, session=session, now=later)
        session.commit()
        assert recall_answer(-5, 77, session=session, now=now) is None
