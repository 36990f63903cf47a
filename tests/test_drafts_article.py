"""Reading a news page or a text into an Article, and a Draft into the /add form's values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.core.drafts import Draft
from bot.core.drafts.article import (
    NotAnArticle,
    article_from_html,
    article_from_text,
    looks_like_html,
)
from bot.core.drafts.prefill import NAMELESS, drop_marks, prefill

PAGES = Path(__file__).parent / "data" / "pages"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def test_a_news_page_gives_its_text_title_and_date_without_the_chrome() -> None:
    article = article_from_html(
        page("bayramov_darchiashvili.html"), "https://news.example/politics/11"
    )
    assert article.title == "Bayramov and Darchiashvili discuss transport links in Baku"
    assert article.published == dt.date(2024, 3, 12)
    assert article.url == "https://news.example/politics/11"
    assert article.text.startswith("Baku, March 12, Caspian Daily Wire. Azerbaijan's Foreign")
    assert "Middle Corridor" in article.text
    assert len(article.text.split("\n\n")) == 4  # paragraphs split by blank lines
    for chrome in ("Advertisement", "Related news", "Sponsored", "All rights reserved", "Sport"):
        assert chrome not in article.text


def test_a_section_front_is_not_an_article() -> None:
    with pytest.raises(NotAnArticle, match="no article text"):
        article_from_html(page("section_front.html"))


@pytest.mark.parametrize(
    "html", ["", "   ", "<html><body><form>Password: <input></form></body></html>"]
)
def test_empty_pages_and_forms_are_not_articles(html: str) -> None:
    with pytest.raises(NotAnArticle):
        article_from_html(html)


def test_a_link_as_the_page_is_never_fetched() -> None:
    # htmldate downloads a string that looks like a link; the reader hands it a parsed tree.
    with pytest.raises(NotAnArticle):
        article_from_html("http://127.0.0.1:9/secret")


def test_a_date_after_today_is_not_the_publication_date() -> None:
    html = page("bayramov_darchiashvili.html")
    article = article_from_html(html, today=dt.date(2024, 3, 1))
    assert article.published != dt.date(2024, 3, 12)


def test_plain_text_takes_a_short_first_line_as_the_headline() -> None:
    article = article_from_text(
        "Ministers meet in Baku\n\nThe two ministers met on Tuesday.\nThey talked trade.\n\n\n"
        "A second paragraph.",
        published=dt.date(2024, 3, 12),
        url="https://news.example/a",
    )
    assert article.title == "Ministers meet in Baku"
    assert (
        article.text
        == "The two ministers met on Tuesday. They talked trade.\n\nA second paragraph."
    )
    assert (article.published, article.url) == (dt.date(2024, 3, 12), "https://news.example/a")
    no_headline = article_from_text("The two ministers met on Tuesday.\n\nThey talked trade.")
    assert no_headline.title is None
    with pytest.raises(NotAnArticle, match="The text is empty"):
        article_from_text(" \n\n ")


@pytest.mark.parametrize(
    ("data", "html"),
    [
        ("<!DOCTYPE html><html><body><p>x</p></body></html>", True),
        (b"  <html lang='en'><head></head></html>", True),
        ("<p>A pasted paragraph.</p>", True),
        ("Ministers meet <b>today</b> in Baku.", False),
        ("Baku, 12 March. The ministers met.", False),
    ],
)
def test_html_is_told_from_text(data: str | bytes, html: bool) -> None:
    assert looks_like_html(data) is html


def test_a_draft_fills_the_form_with_its_marks() -> None:
    draft = Draft(
        meeting={
            "date": "2024-03-12",
            "location": None,
            "title": "Ministers meet",
            "source": "https://news.example/a",
            "participants": [
                {"name": "Jeyhun  Bayramov", "title": "Foreign Minister", "country": None},
                {"name": None, "title": "Ambassador"},
                {"name": "Ilia Darchiashvili", "country": "Georgia"},
            ],
            "issues": ["transport", ""],
        },
        unsure={
            "location": "the article names no place",
            "source": "taken from the link",
            "participants[0].country": "the article does not say",
            "participants[2].country": "guessed from the place",
        },
    )
    filled = prefill(draft)
    meeting = filled.meeting
    assert meeting.date == dt.date(2024, 3, 12)
    assert [p.name for p in meeting.participants] == ["Jeyhun Bayramov", "Ilia Darchiashvili"]
    assert meeting.sources == ["https://news.example/a"] and meeting.issues == ["transport"]
    assert filled.marks == {
        "location": "the article names no place",
        "sources": "taken from the link",
        "participants[0].country": "the article does not say",
        "participants[1].country": "guessed from the place",  # renumbered past the nameless
        "participants": NAMELESS,
    }
    assert drop_marks(filled.marks, "participants") == {
        "location": "the article names no place",
        "sources": "taken from the link",
    }
