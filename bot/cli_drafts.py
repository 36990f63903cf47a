"""`meetbot draft`: a draft record from a news article (a link, a saved page, or plain text)."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli_context import EXIT_OK, CliError, Context, parse_day

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.core.drafts import Article

MAX_INPUT_BYTES = 5 * 1024 * 1024  # as much as a fetched page may hold
_LINK = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def configure_draft(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "article", help='a link (http/https), an .html or text file, or "-" for stdin'
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print JSON (meetings, and for each the unsure fields and the known people)",
    )
    parser.add_argument(
        "--published",
        type=parse_day,
        metavar="YYYY-MM-DD",
        help="the article's publication date, for a text that does not state it",
    )
    parser.add_argument(
        "--source", metavar="URL", help="the article's link, for a text or file without it"
    )


def cmd_draft(args: argparse.Namespace, ctx: Context) -> int:
    """Draft meeting records from a news article, in the import format; nothing is saved.

    Reads a link (fetched from public addresses only, at most 5 MB, HTML or plain text), a
    saved page (.html), a plain text file, or stdin ("-"). Prints one draft per meeting the
    article reports; fields the article does not give stay empty with a comment saying so,
    and unsure ones are marked, so `meetbot import` refuses a draft until they are filled.
    People already in the database are linked by name. On an empty database no seeds load.

    examples:
      meetbot draft https://news.example/2024/03/12/ministers-meet
      meetbot draft article.html > draft.yaml
      meetbot draft article.txt --published 2023-11-14 --source https://news.example/a
      meetbot draft article.html | meetbot import -
      meetbot draft --json - < article.txt
    """
    from bot.core.drafts import drafts_to_json, drafts_to_yaml, extract_drafts
    from bot.core.drafts.article import NotAnArticle
    from bot.core.drafts.fetch import FetchError
    from bot.core.drafts.sources import with_known

    try:
        article = _read_article(args.article, ctx)
    except (FetchError, NotAnArticle) as exc:
        raise CliError(str(exc)) from None
    article = with_known(article, published=args.published, url=args.source)
    with _read_only_session(ctx) as session:
        drafts = extract_drafts(article, session=session)
    sys.stdout.write(drafts_to_json(drafts) if args.json else drafts_to_yaml(drafts))
    sys.stdout.flush()
    return EXIT_OK


def _read_article(name: str, ctx: Context) -> Article:
    from bot.core.drafts.fetch import Fetcher
    from bot.core.drafts.sources import article_from_data, article_from_link

    if _LINK.match(name):
        return article_from_link(name, fetcher=Fetcher(), today=ctx.today())
    data = _read_limited(name)
    return article_from_data(data, today=ctx.today())


def _read_limited(name: str) -> bytes:
    try:
        if name == "-":
            data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        else:
            with Path(name).open("rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise CliError(f"Cannot read {name}: {exc.strerror or exc}.") from None
    if len(data) > MAX_INPUT_BYTES:
        label = "stdin" if name == "-" else name
        raise CliError(f"{label} is larger than 5 MB; an article is far smaller.")
    return data


@contextmanager
def _read_only_session(ctx: Context) -> Iterator[Session | None]:
    """A session to look up known people that never commits; None when there is no database.

    A missing SQLite file stays missing (the draft writes nothing, and an empty database
    knows nobody); the Context was made with load_seeds=False, so no seeds load either.
    """
    from sqlmodel import Session

    url = ctx.database_url()
    if url.startswith("sqlite") and "///" in url:
        path = url.split("///", 1)[1].split("?", 1)[0]
        if path not in ("", ":memory:") and not Path(path).exists():
            yield None
            return
    session = Session(ctx.engine())
    try:
        yield session
    finally:
        session.rollback()
        session.close()
