"""Where an article comes from: a link (fetched safely), an HTML file, or plain text.

The CLI's `meetbot draft URL|FILE|-` and the bot's /draft both end in one of these, so a link,
a saved page and a pasted text are read by the same rules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from bot.core.drafts.article import article_from_html, article_from_text, looks_like_html
from bot.core.drafts.fetch import Fetcher, Page
from bot.core.drafts.model import Article


def article_from_link(url: str, *, fetcher: Fetcher, today: dt.date | None = None) -> Article:
    """Fetch a link and read its article; FetchError or NotAnArticle as one sentence."""
    page = fetcher.fetch(url)
    return article_from_page(page, today=today)


def article_from_page(page: Page, *, today: dt.date | None = None) -> Article:
    """The article of a fetched page (HTML, or plain text served as text/plain)."""
    if page.is_html:
        return article_from_html(page.body, page.url, today=today)
    return article_from_text(page.text(), url=page.url)


def article_from_data(
    data: str | bytes, *, url: str | None = None, today: dt.date | None = None
) -> Article:
    """The article of a file's or a message's content: HTML when it looks like it, else text."""
    if looks_like_html(data):
        return article_from_html(data, url, today=today)
    text = data if isinstance(data, str) else data.decode("utf-8", errors="replace")
    return article_from_text(text, url=url)


def with_known(
    article: Article, *, published: dt.date | None = None, url: str | None = None
) -> Article:
    """The article with a publication date or link the user supplied (they win when given)."""
    changes: dict[str, object] = {}
    if published is not None:
        changes["published"] = published
    if url is not None:
        changes["url"] = url
    return dataclasses.replace(article, **changes) if changes else article  # type: ignore[arg-type]
