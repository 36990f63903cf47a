"""`meetbot draft`: from an article to a draft in the import format, writing nothing.

What the draft says is the extractor's business (tests/test_drafts_*.py and the scoring script);
these tests check the command's path: what it reads, that it prints YAML or JSON the import
understands, that it neither writes nor seeds, and the round trip through `meetbot import -`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cli_support import clean_env, count_meetings, meetbot, one_sentence
from pages_support import NewsSite, serve_news_site
from sqlalchemy import Engine

from storage.db import create_db_engine

ROOT = Path(__file__).parent.parent
SEED_TEXT = ROOT / "seeds" / "000_b5d7cf45aaab672d.txt"
SEED_RECORD = yaml.safe_load((ROOT / "seeds" / "000_naghiyev_kauma.yaml").read_text("utf-8"))
SEED = SEED_RECORD["meetings"][0]
PAGE = Path(__file__).parent / "data" / "pages" / "bayramov_darchiashvili.html"

news_site = pytest.fixture(serve_news_site)


@pytest.fixture
def missing_db(tmp_path: Path) -> tuple[str, Path]:
    """The URL of an SQLite file that does not exist yet: the emptiest database."""
    path = tmp_path / "data" / "meetbot.db"
    path.parent.mkdir()
    return f"sqlite:///{path}", path


def draft_args() -> list[str]:
    return [str(SEED_TEXT), "--published", "2023-11-14", "--source", SEED["source"]]


def test_the_seed_text_gives_a_draft_and_nothing_is_written(
    missing_db: tuple[str, Path], tmp_path: Path
) -> None:
    url, path = missing_db
    done = meetbot("draft", *draft_args(), database_url=url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    document = yaml.safe_load(done.stdout)
    assert len(document["meetings"]) >= 1
    meeting = document["meetings"][0]
    assert meeting["source"] == SEED["source"]
    assert done.stdout.startswith("# Drafted from an article")
    assert not path.exists()  # no database made, so no seeds loaded and nothing written


def test_on_an_existing_empty_database_no_seeds_load(
    sqlite_engine: Engine, sqlite_url: str, tmp_path: Path
) -> None:
    done = meetbot("draft", *draft_args(), database_url=sqlite_url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert count_meetings(sqlite_engine) == 0


def test_json_for_tools(missing_db: tuple[str, Path], tmp_path: Path) -> None:
    done = meetbot("draft", "--json", *draft_args(), database_url=missing_db[0], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert set(document) >= {"meetings", "unsure", "known_people"}
    assert len(document["unsure"]) == len(document["meetings"])
    assert document["meetings"][0]["source"] == SEED["source"]


def test_stdin_and_an_html_file_are_read(missing_db: tuple[str, Path], tmp_path: Path) -> None:
    from_stdin = meetbot(
        "draft", "-", "--published", "2023-11-14",
        database_url=missing_db[0], cwd=tmp_path, stdin=SEED_TEXT.read_text("utf-8"),
    )  # fmt: skip
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert yaml.safe_load(from_stdin.stdout)["meetings"]
    page = meetbot("draft", str(PAGE), database_url=missing_db[0], cwd=tmp_path)
    assert page.returncode == 0, page.stderr
    meeting = yaml.safe_load(page.stdout)["meetings"][0]
    assert "Darchiashvili" in meeting["title"]  # read from the page's article, not its chrome


def test_a_link_to_a_private_address_is_refused_in_one_sentence(
    missing_db: tuple[str, Path], tmp_path: Path, news_site: NewsSite
) -> None:
    # The command line's fetcher allows nothing private: the local site is out of reach.
    done = meetbot(
        "draft", news_site.url("/news/bayramov_darchiashvili"),
        database_url=missing_db[0], cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1 and done.stdout == ""
    assert "private or local address (127.0.0.1)" in one_sentence(done.stderr)
    assert news_site.requests == []


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("", "The text is empty"),
        ("<html><body><nav><a href='/'>Home</a></nav></body></html>", "no article text"),
    ],
)
def test_a_file_without_an_article_is_one_sentence(
    content: str, says: str, missing_db: tuple[str, Path], tmp_path: Path
) -> None:
    file = tmp_path / "page.html"
    file.write_text(content, encoding="utf-8")
    done = meetbot("draft", str(file), database_url=missing_db[0], cwd=tmp_path)
    assert done.returncode == 1
    assert says in one_sentence(done.stderr)


def test_a_missing_file_and_a_bad_date(missing_db: tuple[str, Path], tmp_path: Path) -> None:
    gone = meetbot("draft", "no-such.html", database_url=missing_db[0], cwd=tmp_path)
    assert gone.returncode == 1 and "Cannot read no-such.html" in one_sentence(gone.stderr)
    bad = meetbot(
        "draft", str(SEED_TEXT), "--published", "14.11.2023",
        database_url=missing_db[0], cwd=tmp_path,
    )  # fmt: skip
    assert bad.returncode == 2 and "expected YYYY-MM-DD" in bad.stderr


def _pipe(
    *commands: list[str], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run `meetbot A | meetbot B` as real processes."""
    first = subprocess.run(
        [sys.executable, "-m", "bot", *commands[0]],
        cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    return subprocess.run(
        [sys.executable, "-m", "bot", *commands[1]], input=first.stdout,
        cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120,
    )  # fmt: skip


def test_an_incomplete_draft_is_refused_by_path(sqlite_url: str, tmp_path: Path) -> None:
    # No publication date and no date in the text: the draft's date stays empty.
    text = tmp_path / "undated.txt"
    text.write_text(
        "Ministers talk trade\n\nThe foreign minister of Ruritania, Anna Example, met the trade"
        " minister of Freedonia, Bob Sample, to discuss tariffs on grain and the opening of a"
        " new border crossing for lorries between the two countries.\n",
        encoding="utf-8",
    )
    env = {**clean_env(), "DATABASE_URL": sqlite_url}
    done = _pipe(["draft", str(text)], ["import", "-"], cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert "stdin: meetings[0].date:" in done.stderr
    assert "nothing was imported" in done.stderr
    assert count_meetings(create_db_engine(sqlite_url)) == 0


def test_a_complete_draft_imports_through_a_pipe(sqlite_url: str, tmp_path: Path) -> None:
    # meetbot draft page.html | meetbot import -, as real processes; the draft names the date,
    # the place and both ministers, so nothing is left to fill in.
    env = {**clean_env(), "DATABASE_URL": sqlite_url}
    done = _pipe(
        ["draft", str(PAGE), "--source", "https://news.example/politics/11"],
        ["import", "-"],
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "Imported stdin: 1 meeting(s) added" in done.stdout
    assert count_meetings(create_db_engine(sqlite_url)) == 1
    asked = meetbot("ask", "who did Bayramov meet?", database_url=sqlite_url, cwd=tmp_path)
    assert "Ilia Darchiashvili" in asked.stdout
    assert "https://news.example/politics/11" in asked.stdout


def test_a_draft_imported_over_a_stored_meeting_keeps_what_the_article_lacks(
    missing_db: tuple[str, Path], tmp_path: Path
) -> None:
    # The seed article names no place and the draft writes no summary: imported over the
    # stored seed meeting, the draft must leave its place and summary as they are.
    url, _ = missing_db
    assert meetbot("ask", "who met Kauma?", database_url=url, cwd=tmp_path).returncode == 0
    env = {**clean_env(), "DATABASE_URL": url}
    done = _pipe(["draft", *draft_args()], ["import", "-"], cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "updated meeting 1" in done.stdout
    changed = done.stdout.split("updated meeting 1", 1)[1].splitlines()[0]
    assert "location" not in changed and "summary" not in changed
    exported = yaml.safe_load(meetbot("export", database_url=url, cwd=tmp_path).stdout)
    [meeting] = exported["meetings"]
    assert meeting["location"] == SEED["location"]
    assert meeting["summary"] == SEED["summary"]
