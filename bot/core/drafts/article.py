"""Read a news page's HTML into an Article: main text, title and publication date.

trafilatura finds the main text and the title (dropping navigation, ads, related links,
footers); htmldate, through trafilatura's metadata step, finds the publication date (meta
tags, JSON-LD, then the page's own text). Both are imported here, inside the function, so
`meetbot ask` never loads them. Neither downloads anything: the page is parsed once with
lxml and the tree is handed on, because htmldate fetches a *string* that looks like a link.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.core.drafts.model import Article

# Less running prose than this is not an article (a section front, a login page, a video page).
MIN_ARTICLE_CHARS = 200
MIN_ARTICLE_WORDS = 30
MIN_PARAGRAPH_WORDS = 8  # a shorter line, or a list item, is not prose
MAX_HEADLINE_CHARS = 200


class NotAnArticle(ValueError):
    """The page has no article text to draft from; the message is one sentence."""


def article_from_html(
    html: str | bytes, url: str | None = None, *, today: dt.date | None = None
) -> Article:
    """The Article of a news page: main text (paragraphs split by blank lines), title, date.

    today bounds the publication date (a page cannot be published after it); by default the
    machine's date. Raises NotAnArticle when the page holds no article text.
    """
    from trafilatura import bare_extraction
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        raise NotAnArticle("The page could not be read as HTML.")
    latest = today or dt.date.today()
    document = bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        date_extraction_params={
            "original_date": True,
            "extensive_search": True,
            "max_date": latest.isoformat(),
        },
    )
    text = _paragraphs(getattr(document, "text", None) or "")
    title = _one_line(getattr(document, "title", None) or "") or None
    if title and text.startswith(title):
        # trafilatura keeps the headline as the first paragraph; the title says it already.
        text = text[len(title) :].lstrip()
    if not _is_prose(text):
        raise NotAnArticle(
            "The page holds no article text (it looks like a list of links, a form or a stub)."
        )
    return Article(
        text=text, title=title, published=_date(getattr(document, "date", None)), url=url
    )


def _paragraphs(text: str) -> str:
    """trafilatura's one-paragraph-a-line text as paragraphs separated by blank lines."""
    lines = (_one_line(line) for line in text.splitlines())
    return "\n\n".join(line for line in lines if line)


def _is_prose(text: str) -> bool:
    """Whether the text holds enough paragraphs of sentences (not list items, not labels)."""
    prose = [
        paragraph
        for paragraph in text.split("\n\n")
        if not paragraph.startswith(("- ", "* ", "| "))
        and len(paragraph.split()) >= MIN_PARAGRAPH_WORDS
    ]
    words = sum(len(paragraph.split()) for paragraph in prose)
    return sum(map(len, prose)) >= MIN_ARTICLE_CHARS and words >= MIN_ARTICLE_WORDS


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def article_from_text(
    text: str,
    *,
    title: str | None = None,
    published: dt.date | None = None,
    url: str | None = None,
) -> Article:
    """An Article from plain text (a file, stdin, a pasted message): paragraphs by blank lines.

    A short first line without a closing full stop is taken as the headline (as news sites
    and the seed's text put it) when no title is given. Raises NotAnArticle for empty text.
    """
    lines = [_one_line(line) for line in text.replace("\r\n", "\n").split("\n")]
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if (
        title is None
        and len(paragraphs) > 1
        and len(paragraphs[0]) <= MAX_HEADLINE_CHARS
        and not paragraphs[0].endswith((".", "!", "?", ":", ";"))
    ):
        title, paragraphs = paragraphs[0], paragraphs[1:]
    if not paragraphs:
        raise NotAnArticle("The text is empty; send the article's text or a link to it.")
    return Article(text="\n\n".join(paragraphs), title=title, published=published, url=url)


def looks_like_html(data: str | bytes) -> bool:
    """Whether a file or message is HTML rather than plain text (by its first tag)."""
    head = data[:2048].lower() if isinstance(data, str) else data[:2048].decode("latin-1").lower()
    return bool(re.search(r"<(!doctype html|html|head|body|article|p|div)[\s>]", head))
