"""`meetbot` as a user runs it: a real database, exit codes and output.

Most tests call bot.cli.main(argv) in this process, with the environment, working folder and
standard streams of a fresh run; two start a real `python -m bot` process, where the process
itself is what is tested (the entry point, what a cold start imports).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import clean_env, count_meetings, meetbot, one_sentence
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from bot.core.records import COMMAND_LINE_ACTOR
from storage.models import AuditEntry

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/x"
ONE_MEETING = """\
meetings:
  - id: k1
    date: 2024-10-08
    location: Brussels, Belgium
    participants:
      - {name: Mark Rutte, title: NATO Secretary General, organization: NATO}
      - {name: Alexander Stubb, title: President of Finland, country: Finland}
    issues: [war in Ukraine]
"""


def test_ask_answers_from_the_seeds_in_a_real_process(
    sqlite_engine: Engine, sqlite_url: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "who met the OSCE PA president?"],
        cwd=tmp_path,
        env={**clean_env(), "DATABASE_URL": sqlite_url},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    for expected in ("Ali Naghiyev", "Pia Kauma", "14 November 2023", "https://www.news.az/news/"):
        assert expected in done.stdout
    assert count_meetings(sqlite_engine) == 1  # the seeds loaded themselves


def test_ask_json_gives_one_line_per_question(sqlite_url: str, tmp_path: Path) -> None:
    questions = [
        "who met the OSCE PA president?",
        "",
        "x" * 10_000,
        "when did\x01 Naghiyev meet\x7f Kauma?",
        "кто встречался с Пиа Каума?",
        "who met Zyxwv Qwerty?",
    ]
    done = meetbot(
        "ask",
        "--json",
        "--today",
        "2026-11-28",
        "-",
        database_url=sqlite_url,
        cwd=tmp_path,
        stdin="".join(q + "\n" for q in questions),
    )
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == len(questions)
    assert [a["status"] for a in answers[:4]] == ["answered", "not_found", "not_found", "answered"]
    assert answers[0]["meetings"][0]["external_id"] == "m00"
    assert answers[0]["meetings"][0]["date"] == "2023-11-14"
    assert {p["name"] for p in answers[0]["meetings"][0]["participants"]} == {
        "Ali Naghiyev",
        "Pia Kauma",
    }
    assert answers[1]["meetings"] == [] and answers[1]["text"]
    assert "10000 characters" in answers[2]["text"]
    assert answers[5]["status"] == "not_found" and answers[5]["meetings"] == []
    for answer in answers:
        assert set(answer) == {"question", "status", "intent", "text", "meetings", "suggestions"}


def test_ask_without_a_question_is_an_error(sqlite_url: str, tmp_path: Path) -> None:
    for args in (["ask"], ["ask", "   "], ["ask", "y" * 10_000]):
        done = meetbot(*args, database_url=sqlite_url, cwd=tmp_path)
        assert done.returncode == 2
        assert done.stdout == ""
        assert one_sentence(done.stderr).startswith("meetbot: ")


def test_a_bad_date_is_one_sentence(sqlite_url: str, tmp_path: Path) -> None:
    done = meetbot(
        "ask", "--today", "2023-13-45", "who met Kauma", database_url=sqlite_url, cwd=tmp_path
    )
    assert done.returncode == 2
    assert "not a date: '2023-13-45' (expected YYYY-MM-DD)" in one_sentence(done.stderr)


def test_import_loads_only_its_file_and_twice_changes_nothing(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "one.yaml"
    path.write_text(ONE_MEETING, encoding="utf-8")

    first = meetbot("import", str(path), database_url=database_url, cwd=tmp_path)
    again = meetbot("import", str(path), database_url=database_url, cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    assert "1 meeting(s) added, 0 updated, 0 unchanged" in first.stdout
    assert again.returncode == 0, again.stderr
    assert "0 meeting(s) added, 0 updated, 1 unchanged." in again.stdout
    assert count_meetings(engine) == 1  # no seed meeting: import loads only its file


def test_a_broken_import_names_every_error_and_writes_nothing(
    sqlite_engine: Engine, sqlite_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(
        ONE_MEETING
        + "  - id: k2\n    date: 2024-02-30\n    participants: [{name: A}, {nom: B}]\n",
        encoding="utf-8",
    )

    done = meetbot("import", str(path), database_url=sqlite_url, cwd=tmp_path)

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[:-1] == [
        f"{path}: meetings[1].date: not a date (2024-02-30)",
        f"{path}: meetings[1].participants[1].name: required",
        f"{path}: meetings[1].participants[1].nom: unknown key (allowed: name, title,"
        " organization, country, aliases)",
    ]
    assert lines[-1] == f"meetbot: {path} has 3 error(s); nothing was imported."
    assert count_meetings(sqlite_engine) == 0


SHORT_MEETING = """\
meetings:
  - id: k1
    date: 2024-10-08
    participants:
      - {name: Mark Rutte}
      - {name: Alexander Stubb}
"""


def test_import_lists_each_meeting_and_undo_takes_the_import_back(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    full, short = tmp_path / "full.yaml", tmp_path / "short.yaml"
    full.write_text(ONE_MEETING, encoding="utf-8")
    short.write_text(SHORT_MEETING, encoding="utf-8")
    assert meetbot("import", str(full), database_url=database_url, cwd=tmp_path).returncode == 0
    stored = meetbot("export", database_url=database_url, cwd=tmp_path).stdout

    merged = meetbot("import", str(short), database_url=database_url, cwd=tmp_path)
    replaced = meetbot(
        "import", "--replace", "short.yaml", database_url=database_url, cwd=tmp_path
    )

    assert merged.returncode == 0, merged.stderr
    assert f"{short}: meetings[0]: unchanged meeting 1 (2024-10-08, id k1)" in merged.stdout
    assert replaced.returncode == 0, replaced.stderr
    assert replaced.stdout.splitlines()[0] == (
        "short.yaml: meetings[0]: updated meeting 1 (2024-10-08, id k1): location,"
        " participants, issues"
    )
    assert "Brussels" not in meetbot("export", database_url=database_url, cwd=tmp_path).stdout
    with Session(engine) as session:
        actors = set(session.exec(select(AuditEntry.actor_id)).all())
    assert actors == {COMMAND_LINE_ACTOR}

    undone = meetbot("undo", database_url=database_url, cwd=tmp_path)

    assert undone.returncode == 0, undone.stderr
    assert "1 restored" in undone.stdout
    assert meetbot("export", database_url=database_url, cwd=tmp_path).stdout == stored
    assert meetbot("undo", database_url=database_url, cwd=tmp_path).returncode == 0  # the first
    assert count_meetings_shown(database_url, tmp_path) == 0
    nothing = meetbot("undo", database_url=database_url, cwd=tmp_path)
    assert nothing.returncode == 1
    assert one_sentence(nothing.stderr) == (
        "meetbot: Nothing done on the command line is left to undo."
    )


def count_meetings_shown(database_url: str, cwd: Path) -> int:
    """The meetings an export holds (soft-deleted ones are left out)."""
    exported = meetbot("export", "--format", "json", database_url=database_url, cwd=cwd)
    return len(json.loads(exported.stdout)["meetings"])


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"meetings: [\xff\xfe]", "the file is not UTF-8 text (byte 0xff at offset 11)"),
        (b"meetings:\n  - date: [\n", "line 3, column 1: not valid YAML"),
    ],
)
def test_unreadable_import_files(
    sqlite_url: str, tmp_path: Path, content: bytes, error: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    done = meetbot("import", str(path), database_url=sqlite_url, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0].startswith(f"{path}: {error}")


def test_importing_a_missing_file(sqlite_url: str, tmp_path: Path) -> None:
    done = meetbot("import", "nowhere.yaml", database_url=sqlite_url, cwd=tmp_path)
    assert done.returncode == 1
    assert one_sentence(done.stderr) == (
        "meetbot: Cannot read nowhere.yaml: No such file or directory."
    )


def test_export_round_trips_through_the_command_line(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "one.yaml"
    path.write_text(ONE_MEETING, encoding="utf-8")
    assert meetbot("import", str(path), database_url=sqlite_url, cwd=tmp_path).returncode == 0

    to_stdout = meetbot("export", database_url=sqlite_url, cwd=tmp_path)
    to_file = meetbot("export", "backup.json", database_url=sqlite_url, cwd=tmp_path)

    assert to_stdout.returncode == 0 and to_stdout.stdout.startswith("meetings:\n- id: k1\n")
    assert to_file.returncode == 0, to_file.stderr
    assert json.loads((tmp_path / "backup.json").read_text("utf-8"))["meetings"][0]["id"] == "k1"
    other = f"sqlite:///{tmp_path}/other.db"
    assert meetbot("import", "backup.json", database_url=other, cwd=tmp_path).returncode == 0
    again = meetbot("export", "--format", "json", "-", database_url=other, cwd=tmp_path)
    assert again.stdout == (tmp_path / "backup.json").read_text("utf-8")


def test_export_on_an_empty_database_shows_the_seeds(sqlite_url: str, tmp_path: Path) -> None:
    done = meetbot("export", database_url=sqlite_url, cwd=tmp_path)
    assert done.returncode == 0
    assert "id: m00" in done.stdout


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "postgres+psycopg"])
def test_postgres_urls_are_postgresql(pg_url: str, tmp_path: Path, scheme: str) -> None:
    url = scheme + "://" + pg_url.split("://", 1)[1]
    done = meetbot("export", database_url=url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "id: m00" in done.stdout


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_an_exported_file_follows_the_umask(
    sqlite_url: str, tmp_path: Path, umask: int, mode: int
) -> None:
    old = os.umask(umask)
    try:
        done = meetbot("export", "backup.yaml", database_url=sqlite_url, cwd=tmp_path)
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "backup.yaml").stat().st_mode & 0o777 == mode


def test_an_export_over_an_existing_file_keeps_its_permissions(
    sqlite_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "backup.yaml"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    done = meetbot("export", "backup.yaml", database_url=sqlite_url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "id: m00" in target.read_text("utf-8")
    assert target.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("source", ["file", "stdin"])
def test_a_too_large_import_states_its_real_size(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    from bot.core import interchange

    monkeypatch.setattr(interchange, "MAX_IMPORT_BYTES", 100)
    monkeypatch.setattr(interchange.parse, "MAX_IMPORT_BYTES", 100)
    big = ONE_MEETING + "#" * 5000 + "\n"
    (tmp_path / "big.yaml").write_text(big, encoding="utf-8")
    args = ["import", "big.yaml"] if source == "file" else ["import", "-"]
    stdin = big if source == "stdin" else None

    done = meetbot(*args, database_url=sqlite_url, cwd=tmp_path, stdin=stdin)

    label = "big.yaml" if source == "file" else "stdin"
    assert done.returncode == 1
    assert one_sentence(done.stderr) == (
        f"meetbot: {label} is too large ({len(big.encode()):,} bytes, at most 100);"
        " nothing was imported."
    )


@pytest.mark.parametrize("args", [["ask", "who met Kauma?"], ["export"], ["import", "x.yaml"]])
def test_an_unreachable_database_is_one_sentence(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "x.yaml").write_text(ONE_MEETING, encoding="utf-8")
    done = meetbot(*args, database_url=UNREACHABLE, cwd=tmp_path)
    assert done.returncode == 1
    assert one_sentence(done.stderr).startswith(
        "meetbot: Cannot use the database at postgresql+psycopg://postgres@127.0.0.1:1/x"
    )


def test_chat_answers_until_quit(sqlite_url: str, tmp_path: Path) -> None:
    done = meetbot(
        "chat", database_url=sqlite_url, cwd=tmp_path, stdin="\nwho met Kauma?\n\x00\nquit\n"
    )
    assert done.returncode == 0, done.stderr
    assert "Ali Naghiyev" in done.stdout
    assert "Traceback" not in done.stderr


def test_chat_answers_a_follow_up_about_the_previous_answer(
    sqlite_url: str, tmp_path: Path
) -> None:
    done = meetbot(
        "chat",
        database_url=sqlite_url,
        cwd=tmp_path,
        stdin="who met Kauma?\nwhat did they talk about?\nand when?\n/quit\nwho met Kauma?\n",
    )
    assert done.returncode == 0, done.stderr
    answers = done.stdout.split("? ")
    assert "Ali Naghiyev and Pia Kauma discussed South Caucasus security" in answers[2]
    assert "taken as a follow-up to “who met Kauma?”" in answers[2]
    assert "Pia Kauma met Ali Naghiyev on 14 November 2023." in answers[3]
    # /quit ended the chat: the question after it was never answered.
    assert answers[4:] == [""] and done.stdout.count("Ali Naghiyev met Pia Kauma") == 1


def test_chat_line_editing_keeps_a_history_file(tmp_path: Path) -> None:
    """The prompt's history (readline: not on Windows) is read and saved in the data folder.

    A terminal cannot be driven here: this checks the history file round trip that the chat
    sets up when stdin is a terminal, not the key bindings.
    """
    readline = pytest.importorskip("readline")
    from bot.cli import line_editing

    history = tmp_path / "data" / "chat_history"
    readline.clear_history()
    save = line_editing(history)
    readline.add_history("who met Kauma?")
    save()
    readline.clear_history()
    line_editing(history)
    assert readline.get_history_item(readline.get_current_history_length()) == "who met Kauma?"
    readline.clear_history()


def test_chat_ends_at_end_of_input(sqlite_url: str, tmp_path: Path) -> None:
    done = meetbot("chat", database_url=sqlite_url, cwd=tmp_path, stdin="who met Kauma?\n")
    assert done.returncode == 0
    assert "Pia Kauma" in done.stdout


# What `meetbot ask` must never pay for: the bot, the plotting libraries, and what
# `meetbot draft` uses (the article reader and the extractor).
HEAVY_FOR_ASK = (
    "telegram", "matplotlib", "networkx", "trafilatura", "htmldate", "justext", "lxml",
    "dateparser",
)  # fmt: skip


def test_ask_never_imports_telegram_plotting_the_article_reader_or_the_extractor(
    sqlite_url: str, tmp_path: Path
) -> None:
    code = (
        "import sys\n"
        "from bot.cli import main\n"
        "status = main(['ask', 'кто встречался с Каумой?']) or main(['ask', 'who met Kauma?'])\n"
        f"heavy = [m for m in sys.modules if m.split('.')[0] in {HEAVY_FOR_ASK!r}\n"
        "         or m.startswith('bot.core.drafts')]\n"
        "assert not heavy, f'loaded: {heavy}'\n"
        "sys.exit(status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**clean_env(), "DATABASE_URL": sqlite_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_help_comes_from_the_docstrings(sqlite_url: str, tmp_path: Path) -> None:
    done = meetbot("--help", database_url=sqlite_url, cwd=tmp_path)
    assert done.returncode == 0
    for name in ("ask", "chat", "import", "export", "run"):
        assert f"    {name} " in done.stdout
    sub = meetbot("import", "--help", database_url=sqlite_url, cwd=tmp_path)
    assert "examples:" in sub.stdout and "meetbot import meetings.json" in sub.stdout


def test_an_unknown_command_is_a_usage_error(sqlite_url: str, tmp_path: Path) -> None:
    done = meetbot("fly", database_url=sqlite_url, cwd=tmp_path)
    assert done.returncode == 2
    assert "invalid choice: 'fly'" in one_sentence(done.stderr)


@pytest.mark.parametrize(
    "setting",
    [
        {"ADMIN_IDS": "abc"},
        {"BOT_MODE": "carrier-pigeon"},
        {"WEBHOOK_PORT": "http"},
        {"LOG_LEVEL": "LOUD"},
        {"TELEGRAM_BOT_TOKEN": "PASTE-YOUR-TOKEN-HERE", "TELEGRAM_API_BASE_URL": "ftp://x"},
    ],
)
def test_a_bad_telegram_setting_never_breaks_the_offline_commands(
    sqlite_url: str, tmp_path: Path, setting: dict[str, str]
) -> None:
    # Regression: ask, import and export read every setting, so ADMIN_IDS=abc broke them.
    asked = meetbot("ask", "who met Kauma?", database_url=sqlite_url, cwd=tmp_path, env=setting)
    assert asked.returncode == 0, asked.stderr
    assert "Pia Kauma" in asked.stdout
    exported = meetbot("export", database_url=sqlite_url, cwd=tmp_path, env=setting)
    assert exported.returncode == 0 and "id: m00" in exported.stdout


def test_a_bad_core_setting_is_one_sentence_naming_the_key(
    sqlite_url: str, tmp_path: Path
) -> None:
    done = meetbot(
        "ask",
        "who met Kauma?",
        database_url=sqlite_url,
        cwd=tmp_path,
        env={"DEFAULT_TIMEZONE": "Mars/Olympus", "ADMIN_IDS": "abc"},
    )
    assert done.returncode == 1
    assert one_sentence(done.stderr).startswith("meetbot: Setting DEFAULT_TIMEZONE is invalid")


def test_version_prints_the_package_version(sqlite_url: str, tmp_path: Path) -> None:
    from importlib.metadata import version

    import bot

    ran = meetbot("--version", database_url=sqlite_url, cwd=tmp_path)
    assert ran.returncode == 0
    assert ran.stdout == f"meetbot {bot.__version__}\n"
    assert version("meetbot") == bot.__version__


def test_health_says_ok_when_the_database_answers(sqlite_url: str, tmp_path: Path) -> None:
    ran = meetbot("health", database_url=sqlite_url, cwd=tmp_path)
    assert (ran.returncode, ran.stderr) == (0, "")
    assert ran.stdout.startswith("ok: the database answers")


def test_health_fails_in_one_sentence_when_the_database_cannot_be_used(tmp_path: Path) -> None:
    ran = meetbot("health", database_url=UNREACHABLE, cwd=tmp_path)
    assert ran.returncode == 1
    assert "Cannot use the database" in one_sentence(ran.stderr)
    # A data folder that cannot be made (here: below a file, as root too).
    (tmp_path / "file").write_text("")
    ran = meetbot("health", database_url="", cwd=tmp_path, env={"MEETBOT_DATA_DIR": "file/data"})
    assert ran.returncode == 1
    assert one_sentence(ran.stderr).startswith("meetbot: ")


def test_health_fails_when_the_sqlite_file_is_read_only(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests may run as root, who can write anything: the permission check is what is faked.
    monkeypatch.setattr(os, "access", lambda path, mode: mode != os.W_OK)
    ran = meetbot("health", database_url=sqlite_url, cwd=tmp_path)
    assert ran.returncode == 1
    assert "read-only for this user" in one_sentence(ran.stderr)


# --- a read-only database ----------------------------------------------------------------------


def _without_root_powers() -> list[str]:
    """A command prefix under which file permissions bind, as they do for any other user.

    root ignores them (CAP_DAC_OVERRIDE): as root, the command runs with those capabilities
    dropped from its bounding set (setpriv), still as the owner of the files.
    """
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: chmod would not bind")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]


def test_a_read_only_database_is_read_and_never_written(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    (tmp_path / "x.yaml").write_text(ONE_MEETING, encoding="utf-8")
    url = f"sqlite:///{folder / 'meetbot.db'}"
    assert meetbot("ask", "who met Kauma?", database_url=url, cwd=tmp_path).returncode == 0
    (folder / "meetbot.db").chmod(0o444)
    folder.chmod(0o555)
    try:

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [*_without_root_powers(), sys.executable, "-m", "bot", *args],
                cwd=tmp_path,
                env={**clean_env(), "DATABASE_URL": url},
                capture_output=True,
                text=True,
                encoding="utf-8",
                timeout=120,
            )

        asked = run("ask", "who met Kauma?")
        assert asked.returncode == 0, asked.stderr
        assert "Ali Naghiyev met Pia Kauma" in asked.stdout
        exported = run("export")
        assert exported.returncode == 0, exported.stderr
        assert "id: m00" in exported.stdout
        refused = run("import", "x.yaml")
        assert refused.returncode == 1
        assert one_sentence(refused.stderr) == (
            "meetbot: The database is read-only, so `meetbot import` cannot change it."
        )
        assert sorted(p.name for p in folder.iterdir()) == ["meetbot.db"]
    finally:
        folder.chmod(0o755)
        (folder / "meetbot.db").chmod(0o644)


def test_read_only_mode_refuses_writes_and_says_when_a_migration_is_needed(
    tmp_path: Path,
) -> None:
    """Opened with read_only=True (mode=ro), SQLite refuses writes whatever the permissions."""
    from alembic import command

    from storage.db import DatabaseError, create_db_engine, is_read_only
    from storage.migrate import alembic_config
    from storage.models import Person

    url = f"sqlite:///{tmp_path / 'meetbot.db'}"
    writable = create_db_engine(url)
    assert not is_read_only(writable)
    reader = create_db_engine(url, read_only=True)
    assert is_read_only(reader)
    with Session(reader) as session:
        session.add(Person(name="Nobody New"))
        with pytest.raises(OperationalError, match="readonly database"):
            session.commit()
    reader.dispose()
    command.downgrade(alembic_config(writable), "0002")
    writable.dispose()
    with pytest.raises(DatabaseError) as refused:
        create_db_engine(url, read_only=True)
    assert str(refused.value) == (
        f"The database at sqlite:///{tmp_path / 'meetbot.db'} is "
        "read-only and needs an upgrade to schema 0003 (it is at 0002); open it once with "
        "write access."
    )


@pytest.mark.postgres
def test_a_read_only_postgresql_database_is_read_and_a_write_says_so(
    pg_url: str, tmp_path: Path
) -> None:
    (tmp_path / "x.yaml").write_text(ONE_MEETING, encoding="utf-8")
    assert meetbot("import", "x.yaml", database_url=pg_url, cwd=tmp_path).returncode == 0
    engine = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        name = connection.execute(text("SELECT current_database()")).scalar()
        connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        connection.commit()
    engine.dispose()
    try:
        asked = meetbot("ask", "meetings of 2024", database_url=pg_url, cwd=tmp_path)
        assert asked.returncode == 0, asked.stderr
        assert "1 meeting" in asked.stdout
        assert "id: k1" in meetbot("export", database_url=pg_url, cwd=tmp_path).stdout
        (tmp_path / "y.yaml").write_text(ONE_MEETING.replace("k1", "k2"), encoding="utf-8")
        refused = meetbot("import", "y.yaml", database_url=pg_url, cwd=tmp_path)
        assert refused.returncode == 1
        assert one_sentence(refused.stderr) == (
            "meetbot: The database is read-only, so `meetbot import` cannot change it."
        )
    finally:
        engine = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect() as connection:
            connection.execute(text("SET TRANSACTION READ WRITE"))
            connection.execute(
                text(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
            )
            connection.commit()
        engine.dispose()
