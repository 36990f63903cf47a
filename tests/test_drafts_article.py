"""Reading a news page's HTML into an Article (trafilatura and htmldate, no downloads)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.core.drafts.article import NotAnArticle, article_from_html

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
