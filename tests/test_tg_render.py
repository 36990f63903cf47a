"""Rendering answers as Telegram HTML: cards, escaping, pages within 4096, callback data."""

from __future__ import annotations

import datetime as dt

import pytest
from fake_bot_api import telegram_html_to_text, utf16_len

from bot.core.answering import Answer, Intent, Status
from bot.core.views import MeetingView, ParticipantView
from bot.tg.commands import BotCommandInfo, visible_commands
from bot.tg.render import (
    CALLBACK_DATA_LIMIT,
    CARD_LIMIT,
    MESSAGE_LIMIT,
    CallbackAction,
    callback_example,
    callback_more,
    callback_suggestion,
    clip_plain,
    escape_clipped,
    join_blocks,
    parse_callback,
    question_token,
    render_answer_page,
    render_help,
    render_inline_results,
    render_meeting_card,
    render_welcome,
)

SOURCE = (
    "https://www.news.az/news/chief-of-azerbaijans-state-security-service-meets-with-osce-"
    "parliamentary-assembly-president"
)


def seed_view(meeting_id: int = 1, day: dt.date = dt.date(2023, 11, 14)) -> MeetingView:
    return MeetingView(
        id=meeting_id,
        external_id=None,
        date=day,
        location="Baku, Azerbaijan",
        title="Ali Naghiyev meets OSCE PA President Pia Kauma",
        summary="They talked about mine contamination.",
        participants=(
            ParticipantView(
                "Ali Naghiyev",
                "Chief of the State Security Service of Azerbaijan",
                "State Security Service of Azerbaijan",
                "Azerbaijan",
            ),
            ParticipantView(
                "Pia Kauma",
                "President of the OSCE Parliamentary Assembly",
                "OSCE Parliamentary Assembly",
                "Finland",
            ),
        ),
        issues=("mine contamination", "missing persons"),
        sources=(SOURCE,),
    )


def answer_of(
    views: list[MeetingView],
    *,
    status: Status = Status.ANSWERED,
    suggestions: tuple[str, ...] = (),
    headline: str = "Ali Naghiyev met Pia Kauma (2023-11-14).",
    total: int | None = None,
) -> Answer:
    return Answer(
        question="who met the OSCE PA president?",
        status=status,
        intent=Intent.WHO_MET,
        headline=headline,
        text=headline,
        meetings=tuple(views),
        suggestions=suggestions,
        total=len(views) if total is None else total,
    )


def test_card_shows_date_place_people_roles_issues_and_source() -> None:
    card = render_meeting_card(seed_view())
    text = telegram_html_to_text(card)
    assert "14 November 2023 · Baku, Azerbaijan" in text
    assert "Ali Naghiyev, Chief of the State Security Service of Azerbaijan" in text
    # The organisation is named in the title and the country in the organisation: not repeated.
    assert "Azerbaijan, State Security" not in text
    assert "Pia Kauma, President of the OSCE Parliamentary Assembly, Finland" in text
    assert "Issues: mine contamination, missing persons" in text
    assert f'<a href="{SOURCE}">news.az</a>' in card


def test_hostile_record_text_is_escaped_everywhere() -> None:
    hostile = MeetingView(
        id=7,
        external_id=None,
        date=dt.date(2024, 1, 2),
        location="<b>Bold</b> & Co",
        title="<script>alert(1)</script>",
        summary=None,
        participants=(
            ParticipantView(
                "<script>alert('x')</script>", "Head of <i>Things</i> & Stuff", None, None
            ),
            ParticipantView("Tom &amp; Jerry", None, "A<B", "C>D"),
        ),
        issues=("x<y", "&lt;"),
        sources=('https://example.org/?q=<a>&b="c"', "javascript:alert(1)"),
    )
    card = render_meeting_card(hostile)
    text = telegram_html_to_text(card)  # raises if Telegram would refuse the HTML
    assert "<b>Bold</b> & Co" in text
    assert "<script>alert('x')</script>" in text
    assert "Head of <i>Things</i> & Stuff" in text
    assert "Tom &amp; Jerry" in text
    assert "x<y, &lt;" in text
    assert "javascript:alert(1)" in text  # shown as text, never as a link
    assert 'href="javascript' not in card
    assert 'href="https://example.org/?q=&lt;a&gt;&amp;b=&quot;c&quot;"' in card
    inline = render_inline_results(answer_of([hostile]))
    telegram_html_to_text(inline[0].input_message_content.message_text)


def test_headline_and_question_are_escaped() -> None:
    answer = Answer(
        question="<b>who</b> & met?",
        status=Status.NOT_FOUND,
        intent=Intent.WHO_MET,
        headline="I have no records matching “<b>who</b> & met”.",
        text="",
    )
    page = render_answer_page(answer, token=question_token(answer.question))
    assert "I have no records matching “<b>who</b> & met”." in telegram_html_to_text(page.text)


def test_a_huge_record_still_makes_a_card_within_the_limit() -> None:
    many = tuple(ParticipantView("&" * 200, "<" * 500, ">" * 300, "&" * 100) for _ in range(40))
    view = MeetingView(
        id=1,
        external_id=None,
        date=dt.date(2020, 1, 1),
        location="&" * 200,
        title=None,
        summary=None,
        participants=many,
        issues=tuple("&" * 200 for _ in range(50)),
        sources=tuple("https://example.org/" + "a" * 1900 for _ in range(5)),
    )
    card = render_meeting_card(view)
    assert utf16_len(card) <= CARD_LIMIT
    text = telegram_html_to_text(card)
    assert text.startswith("📅 1 January 2020")


def test_emoji_count_twice_towards_the_limit() -> None:
    clipped = escape_clipped("😀" * 100, 50)
    assert utf16_len(clipped) <= 50


def test_astral_digest_preview_and_plain_labels_fit_in_utf16_units() -> None:
    from bot.core.digest import Digest, DigestSection
    from bot.tg.digest import render_digest

    people = tuple(ParticipantView("𝐀" * 45, "🇦🇿" * 40, None, None) for _ in range(10))
    views = tuple(
        MeetingView(
            id=i,
            external_id=None,
            date=dt.date(2024, 1, 1),
            location="𝐁𝐚𝐤𝐮",
            title=None,
            summary=None,
            participants=people,
            issues=(),
            sources=(),
        )
        for i in range(8)
    )
    moment = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    digest = Digest(moment, moment, None, (DigestSection(None, views),), total=8)
    for preview in (False, True):
        parts = render_digest(digest, preview=preview)
        assert len(parts) >= 4
        assert all(utf16_len(telegram_html_to_text(p)) <= MESSAGE_LIMIT for p in parts)
        assert all(utf16_len(p) <= MESSAGE_LIMIT for p in parts)
    assert utf16_len(clip_plain("𝐀" * 100, 64)) <= 64
    (result,) = render_inline_results(answer_of([views[0]]))
    assert utf16_len(result.title) <= 100


def test_blocks_are_joined_into_messages_counted_in_utf16_units() -> None:
    blocks = [f"<b>{i}</b> " + "😀" * 300 for i in range(20)]  # 302 characters, 604 units each
    pages = join_blocks(blocks)
    assert all(utf16_len(page) <= MESSAGE_LIMIT for page in pages)
    assert "\n".join(pages) == "\n".join(blocks)  # nothing lost, no block split
    (clipped,) = join_blocks(["<i>" + "𝐀" * 3000 + "</i>"])
    assert utf16_len(clipped) <= MESSAGE_LIMIT and "<i>" not in clipped


def test_long_answer_is_paged_under_4096_without_cutting_cards() -> None:
    views = [
        MeetingView(
            id=i,
            external_id=None,
            date=dt.date(2020, 1, 1) + dt.timedelta(days=i),
            location="Geneva, Switzerland",
            title=None,
            summary=None,
            participants=tuple(
                ParticipantView(f"Person {i}-{j}", "Special Envoy " + "x" * 150, None, None)
                for j in range(4)
            ),
            issues=("disarmament",),
            sources=(f"https://example.org/{i}",),
        )
        for i in range(23)
    ]
    answer = answer_of(views)
    cards = [render_meeting_card(v) for v in views]
    assert sum(utf16_len(c) for c in cards) > MESSAGE_LIMIT  # one message could not hold it
    token = question_token(answer.question)
    offset, pages = 0, []
    while True:
        page = render_answer_page(answer, token=token, offset=offset)
        pages.append(page)
        assert utf16_len(page.text) <= MESSAGE_LIMIT
        telegram_html_to_text(page.text)
        buttons = [
            b for row in (page.keyboard.inline_keyboard if page.keyboard else ()) for b in row
        ]
        if page.end == len(views):
            assert not buttons
            break
        (more,) = buttons
        assert more.text.startswith("More")
        assert len(more.callback_data.encode()) <= CALLBACK_DATA_LIMIT
        action = parse_callback(more.callback_data)
        assert action == CallbackAction("more", token, page.end)
        offset = action.number
    assert len(pages) > 1
    shown = "".join(p.text for p in pages)
    for card in cards:
        assert shown.count(card) == 1  # every card once, never cut
    assert "Meetings 1–" in pages[0].text and "of 23." in pages[-1].text


def test_more_listed_than_shown_says_how_to_narrow() -> None:
    answer = answer_of([seed_view()], total=150)
    page = render_answer_page(answer, token="0" * 12)
    assert "150 meetings fit in all" in page.text


def test_not_found_offers_suggestions_as_buttons() -> None:
    answer = answer_of(
        [],
        status=Status.NOT_FOUND,
        suggestions=("Ali Naghiyev", "Pia Kauma"),
        headline="I have no records matching “naghiyevski”.",
    )
    token = question_token(answer.question)
    page = render_answer_page(answer, token=token)
    assert page.keyboard is not None
    buttons = [b for row in page.keyboard.inline_keyboard for b in row]
    assert [b.text for b in buttons] == ["Ali Naghiyev", "Pia Kauma"]
    assert [parse_callback(b.callback_data) for b in buttons] == [
        CallbackAction("sugg", token, 0),
        CallbackAction("sugg", token, 1),
    ]
    assert "Did you mean one of these?" in page.text


def test_callback_data_round_trips_and_rejects_anything_else() -> None:
    token = question_token("Who met whom?")
    assert token == question_token("  who   met WHOM? ")  # same question, same token
    assert parse_callback(callback_more(token, 10)) == CallbackAction("more", token, 10)
    assert parse_callback(callback_suggestion(token, 2)) == CallbackAction("sugg", token, 2)
    assert parse_callback(callback_example(1)) == CallbackAction("ex", "", 1)
    for forged in (None, "", "more:zz:1", "more:" + token + ":-1", "ex:x", "delete:1"):
        assert parse_callback(forged) is None


def test_inline_results_one_per_meeting_with_a_description() -> None:
    results = render_inline_results(answer_of([seed_view(1), seed_view(2)]))
    assert [r.id for r in results] == ["m1", "m2"]
    assert results[0].title == "Ali Naghiyev & Pia Kauma"
    assert results[0].description.startswith("14 November 2023 · Baku, Azerbaijan")
    assert results[0].input_message_content.parse_mode == "HTML"


def test_welcome_has_three_example_buttons() -> None:
    page = render_welcome("<Ann>", "meetbot_test_bot")
    assert "Hello, &lt;Ann&gt;!" in page.text
    assert page.keyboard is not None
    buttons = [b for row in page.keyboard.inline_keyboard for b in row]
    assert len(buttons) == 3
    assert [parse_callback(b.callback_data).number for b in buttons] == [0, 1, 2]


@pytest.mark.parametrize("admin", [False, True])
def test_help_lists_commands_and_admin_ones_only_for_admins(admin: bool) -> None:
    commands = [
        BotCommandInfo("ask", "Ask a question"),
        BotCommandInfo("add", "Add a meeting", "admin"),
        BotCommandInfo("help", "Help"),
    ]
    text = render_help(visible_commands(commands, admin=admin), "meetbot_test_bot")
    assert "/ask — Ask a question" in text and "/help — Help" in text
    assert ("/add — Add a meeting" in text) is admin
    telegram_html_to_text(text)


def test_interface_words_follow_the_language_of_the_answer() -> None:
    views = [seed_view(i, dt.date(2023, 1, 1) + dt.timedelta(days=i)) for i in range(7)]
    answer = Answer(
        question="кто встречался с Пиа Каума?",
        status=Status.ANSWERED,
        intent=Intent.WHO_MET,
        headline="Ali Naghiyev — встреча с Pia Kauma.",
        text="",
        meetings=tuple(views),
        language="ru",
        total=7,
    )
    page = render_answer_page(answer, token=question_token(answer.question))
    assert "Встречи 1–5 из 7." in page.text
    assert "Источник:" in page.text and "Темы:" in page.text
    assert page.keyboard is not None
    assert page.keyboard.inline_keyboard[0][0].text.startswith("Ещё")


def test_a_capped_digest_ends_with_a_question_that_finds_what_it_left_out() -> None:
    from bot.core.digest import Digest, DigestSection
    from bot.tg.digest import render_digest

    shown = MeetingView(
        id=1,
        external_id=None,
        date=dt.date(2024, 5, 1),
        location=None,
        title="A meets B",
        summary=None,
        participants=(
            ParticipantView("A", None, None, None),
            ParticipantView("B", None, None, None),
        ),
        issues=(),
        sources=(),
    )
    moment = dt.datetime(2024, 5, 2, tzinfo=dt.UTC)
    digest = Digest(
        moment,
        moment,
        dt.date(2024, 5, 2),
        (DigestSection(None, (shown,)),),
        total=13,
        omitted_dates=(dt.date(2024, 3, 3), dt.date(2024, 4, 30)),
    )
    (message,) = render_digest(digest)
    assert message.endswith(
        "<i>…and 12 more, dated 3 March 2024 to 30 April 2024</i>; "
        "to see them: <code>/ask meetings in 2024</code>"
    )
    assert "latest meetings" not in message
    assert "· 2 May 2024" in message  # the title's date, no leading zero


def test_dates_are_written_as_people_write_them() -> None:
    from bot.core.text import format_day

    assert format_day(dt.date(2026, 12, 1)) == "1 December 2026"
    assert format_day(dt.date(2024, 3, 5)) == "5 March 2024"
    assert format_day(dt.date(2023, 11, 14), "ru") == "14 ноября 2023"
    assert format_day(dt.date(2026, 12, 1), "ru") == "1 декабря 2026"


def test_cards_and_headlines_write_dates_as_people_do_in_both_languages() -> None:
    text = telegram_html_to_text(render_meeting_card(seed_view()))
    assert text.startswith("📅 14 November 2023") and "2023-11-14" not in text
    russian = telegram_html_to_text(render_meeting_card(seed_view(), language="ru"))
    assert russian.startswith("📅 14 ноября 2023")
