"""meetbot on the command line: ask questions, chat, import and export records, run the bot.

The database comes from DATABASE_URL (environment or .env), by default an SQLite file under
MEETBOT_DATA_DIR. On an empty database the seed meeting loads by itself (except for `import`,
which loads only the file it is given).

examples:
  meetbot ask "who met the OSCE PA president?"
  meetbot ask --json --today 2026-11-28 - < questions.txt
  meetbot import meetings.yaml
  meetbot undo
  meetbot export backup.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from sqlalchemy.exc import SQLAlchemyError

from bot.core.clock import Clock, SystemClock
from storage.db import DatabaseError, default_database_url, session_scope

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.config import CoreSettings

log = logging.getLogger("meetbot")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A failure the user can fix; the message is one sentence."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


class Context:
    """What a subcommand may need, made on first use: settings, the clock, the engine."""

    def __init__(self, *, clock: Clock | None = None, load_seeds: bool = True) -> None:
        self.clock: Clock = clock or SystemClock()
        self.load_seeds = load_seeds
        self._settings: CoreSettings | None = None
        self._engine: Engine | None = None

    @property
    def settings(self) -> CoreSettings:
        """The settings every command needs, from the environment and .env (not Telegram's)."""
        if self._settings is None:
            from bot.config import SettingsError, load_core_settings

            try:
                self._settings = load_core_settings()
            except SettingsError as exc:
                raise CliError(str(exc)) from None
        return self._settings

    def database_url(self) -> str:
        """DATABASE_URL, or the SQLite file under MEETBOT_DATA_DIR."""
        return self.settings.database_url or default_database_url(self.settings.meetbot_data_dir)

    def engine(self) -> Engine:
        """The engine with a migrated schema; seeds loaded into an empty database if wanted."""
        if self._engine is None:
            from storage.db import create_db_engine

            self._engine = create_db_engine(self.database_url())
            if self.load_seeds:
                from bot.core.seeds import load_seeds_if_empty

                with session_scope(self._engine) as session:
                    load_seeds_if_empty(
                        session=session,
                        clock=self.clock,
                        folder=self.settings.meetbot_seeds_dir,
                    )
        return self._engine

    def today(self) -> dt.date:
        """Today's date in DEFAULT_TIMEZONE, read from the clock."""
        return self.clock.now().astimezone(self.settings.default_zone).date()

    def close(self) -> None:
        """Release the database connections."""
        if self._engine is not None:
            self._engine.dispose()


# --- ask and chat --------------------------------------------------------------------------------


def _parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (expected YYYY-MM-DD)") from None


def _configure_ask(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "question",
        nargs="*",
        help='the question (quotes optional); "-" reads one question a line from stdin',
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object a question (status, intent, text, meetings, suggestions)",
    )
    parser.add_argument(
        "--today",
        type=_parse_day,
        metavar="YYYY-MM-DD",
        help="the date that relative words (last year, since March) count from; default: today",
    )


def _error_json(question: str, message: str) -> dict[str, object]:
    """The JSON line for a question that cannot be asked, so that line counts stay aligned."""
    return {
        "question": question,
        "status": "not_found",
        "intent": None,
        "text": message,
        "meetings": [],
        "suggestions": [],
    }


def _questions(words: list[str], stdin: TextIO) -> tuple[Iterable[str], bool]:
    if words == ["-"]:
        return (line.rstrip("\r\n") for line in stdin), True
    if not words:
        raise CliError('Give a question, e.g. meetbot ask "who met the OSCE PA president?"', 2)
    return [" ".join(words)], False


def cmd_ask(args: argparse.Namespace, ctx: Context) -> int:
    """Answer a question about the meetings, or one question a line from stdin.

    With --json every question gives exactly one line of JSON, also a question that cannot be
    asked (empty, too long): its status is "not_found" and its text says why.

    examples:
      meetbot ask "who met the OSCE PA president?"
      meetbot ask when did Naghiyev meet Kauma
      meetbot ask --json --today 2026-11-28 - < questions.txt
    """
    from bot.core.answering import QuestionError, answer_question

    questions, from_stdin = _questions(args.question, sys.stdin)
    engine = ctx.engine()
    today = args.today or ctx.today()
    failed = False
    # One session for the whole batch: the answering index is built once and reused.
    with session_scope(engine) as session:
        for number, question in enumerate(questions, start=1):
            try:
                answer = answer_question(question, session=session, today=today)
            except QuestionError as exc:
                if args.json:
                    _print_json(_error_json(question, str(exc)))
                    continue
                where = f"line {number}: " if from_stdin else ""
                print(f"meetbot: {where}{exc}", file=sys.stderr)
                failed = True
                continue
            if args.json:
                _print_json(answer.to_json())
            else:
                if from_stdin and number > 1:
                    print()
                print(answer.text, flush=True)
    return EXIT_USAGE if failed else EXIT_OK


def _print_json(obj: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _configure_chat(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--today", type=_parse_day, metavar="YYYY-MM-DD", help="as for ask")


def cmd_chat(args: argparse.Namespace, ctx: Context) -> int:
    """Ask questions one after another at a prompt; quit, exit or Ctrl-D ends it.

    examples:
      meetbot chat
    """
    from bot.core.answering import QuestionError, answer_question

    engine = ctx.engine()
    print("Ask about meetings between officials (quit, exit or Ctrl-D to leave).")
    while True:
        try:
            line = input("? ")
        except (EOFError, KeyboardInterrupt):
            print()
            return EXIT_OK
        if line.strip().casefold() in ("quit", "exit", "q"):
            return EXIT_OK
        if not line.strip():
            continue
        # A session per question: answers see edits made meanwhile by the bot or an import.
        with session_scope(engine) as session:
            try:
                answer = answer_question(line, session=session, today=args.today or ctx.today())
            except QuestionError as exc:
                print(exc)
                continue
        print(answer.text)
        print()


# --- import and export ---------------------------------------------------------------------------


def _configure_import(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help='a YAML or JSON file in the import format; "-" for stdin')
    parser.add_argument(
        "--replace",
        action="store_true",
        help="make each stored meeting exactly what the file says (by default a field the file"
        " leaves out is kept)",
    )


def _read_input(name: str) -> bytes:
    """Read an import file whole, or refuse it with its real size when it is over the limit."""
    try:
        if name == "-":
            return _read_limited(sys.stdin.buffer, "stdin")
        with open(name, "rb") as handle:
            return _read_limited(handle, name)
    except OSError as exc:
        raise CliError(f"Cannot read {name}: {exc.strerror or exc}.") from None


def _read_limited(handle: BinaryIO, label: str) -> bytes:
    from bot.core.interchange import MAX_IMPORT_BYTES

    data = handle.read(MAX_IMPORT_BYTES + 1)
    if len(data) <= MAX_IMPORT_BYTES:
        return data
    # Count the rest without keeping it: memory stays at the limit, and the size is the truth.
    size = len(data)
    while chunk := handle.read(1 << 20):
        size += len(chunk)
    raise CliError(
        f"{label} is too large ({size:,} bytes, at most {MAX_IMPORT_BYTES:,}); nothing was"
        " imported."
    )


def cmd_import(args: argparse.Namespace, ctx: Context) -> int:
    """Import meetings from a YAML or JSON file; a file with any error imports nothing.

    Every error is listed with its path (meetings[3].participants[0].name: required).
    Importing the same file again changes nothing; a meeting's id keeps it one record. A
    meeting already stored keeps every field the file leaves out; a field is cleared only
    when the file gives it empty (location: "", issues: []), or by --replace, which makes
    the file the whole truth. Prints what happened to each meeting; `meetbot undo` takes
    the import back.

    examples:
      meetbot import seeds/000_naghiyev_kauma.yaml
      meetbot import meetings.json
      meetbot import --replace corrected.yaml
    """
    from bot.core.interchange import InvalidImport, apply_import, parse_import
    from bot.core.records import COMMAND_LINE_ACTOR

    data = _read_input(args.file)
    label = "stdin" if args.file == "-" else args.file
    try:
        doc = parse_import(
            data, filename=None if args.file == "-" else args.file, today=ctx.today()
        )
        with session_scope(ctx.engine()) as session:
            result = apply_import(
                doc,
                session=session,
                clock=ctx.clock,
                actor_id=COMMAND_LINE_ACTOR,
                replace=args.replace,
            )
    except InvalidImport as exc:
        for error in exc.errors:
            print(f"{label}: {error}", file=sys.stderr)
        raise CliError(f"{label} has {len(exc.errors)} error(s); nothing was imported.") from None
    for outcome in result.meetings:
        print(f"{label}: {outcome.describe()}")
    undo = " (meetbot undo takes it back)" if result.meeting_ids else ""
    print(f"Imported {label}: {result.describe()}{undo}")
    return EXIT_OK


def _configure_undo(_parser: argparse.ArgumentParser) -> None:
    """undo takes no arguments."""


def cmd_undo(_args: argparse.Namespace, ctx: Context) -> int:
    """Take back the last import made on the command line, as /undo does in the bot.

    Meetings it added are hidden again and meetings it updated get back what they had; refused
    when a meeting changed since, so a later edit is never lost. Each undo takes back one
    more import.

    examples:
      meetbot import meetings.yaml
      meetbot undo
    """
    from bot.core.records import (
        COMMAND_LINE_ACTOR,
        NotFoundError,
        RecordError,
        undo_last_change,
    )

    try:
        with session_scope(ctx.engine()) as session:
            result = undo_last_change(
                session=session, clock=ctx.clock, actor_id=COMMAND_LINE_ACTOR
            )
    except NotFoundError:
        raise CliError("Nothing done on the command line is left to undo.") from None
    except RecordError as exc:
        raise CliError(str(exc)) from None
    print(result.description)
    for change in result.changes:
        print(f"  {change.field}: {change.before or '-'} -> {change.after or '-'}")
    return EXIT_OK


def _configure_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", nargs="?", default="-", help='where to write (default "-": standard output)'
    )
    parser.add_argument(
        "--format",
        choices=("yaml", "json"),
        help="the format (default: json for a .json file, otherwise yaml)",
    )


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    """Export every meeting (not the deleted ones) in the import format, YAML or JSON.

    An export imported into an empty database exports byte for byte the same.

    examples:
      meetbot export > meetings.yaml
      meetbot export backup.json
      meetbot export --format json -
    """
    from bot.core.interchange import export_catalog, format_for

    to_stdout = args.file == "-"
    fmt = args.format or format_for(None if to_stdout else args.file)
    with session_scope(ctx.engine()) as session:
        text = export_catalog(session=session, fmt=fmt)
    if to_stdout:
        sys.stdout.write(text)
        sys.stdout.flush()
        return EXIT_OK
    _write_atomically(Path(args.file), text)
    print(f"Exported to {args.file}.", file=sys.stderr)
    return EXIT_OK


def _write_atomically(path: Path, text: str) -> None:
    """Write text to path through a temporary file, so a failure leaves no half file.

    The file gets the permissions open() would give it (the umask's for a new file, its own
    for one replaced), not the temporary file's private 0600.
    """
    try:
        folder = path.parent if str(path.parent) else Path(".")
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                os.chmod(handle.fileno(), _mode_for(path))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise CliError(f"Cannot write {path}: {exc.strerror or exc}.") from None


def _mode_for(path: Path) -> int:
    """The permission bits a file written at path gets: its own if it exists, else the umask's."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0o022)  # reading the umask means setting it; put it straight back
        os.umask(umask)
        return 0o666 & ~umask


# --- digest --------------------------------------------------------------------------------------


def _configure_digest(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--chat",
        type=int,
        help="the Telegram chat id whose next digest to preview (default: the last 24 hours)",
    )


def cmd_digest(args: argparse.Namespace, ctx: Context) -> int:
    """Preview the next daily digest: what it would hold if it were sent now.

    For a subscribed chat, the meetings added since its last digest; otherwise (or without
    --chat) those added in the last 24 hours.

    examples:
      meetbot digest
      meetbot digest --chat -1001234567890
    """
    from bot.core.digest import format_digest_text
    from bot.core.subscriptions import preview_digest

    with session_scope(ctx.engine()) as session:
        digest = preview_digest(session=session, chat_id=args.chat, now=ctx.clock.now())
    print(format_digest_text(digest))
    return EXIT_OK


# --- health --------------------------------------------------------------------------------------


def _configure_health(_parser: argparse.ArgumentParser) -> None:
    pass


def cmd_health(_args: argparse.Namespace, ctx: Context) -> int:
    """Check that the database answers and can be written; exit 0 if so, else 1 with the reason.

    The Docker image's HEALTHCHECK runs it beside `meetbot run`, with the same settings.

    examples:
      meetbot health
    """
    from storage.repository import count_meetings

    with session_scope(ctx.engine()) as session:
        meetings = count_meetings(session=session, include_deleted=False)
    url = ctx.database_url()
    if url.startswith("sqlite") and "///" in url:
        path = Path(url.split("///", 1)[1])
        target = path if path.exists() else path.parent
        if not os.access(target, os.W_OK):
            raise CliError(
                f"The database {path} is read-only for this user; the bot cannot save changes."
            )
    print(f"ok: the database answers and holds {meetings} meeting(s).")
    return EXIT_OK


# --- run -----------------------------------------------------------------------------------------


def _configure_run(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--webhook",
        action="store_true",
        default=None,
        help="receive updates on a webhook (WEBHOOK_URL) instead of long polling",
    )


def cmd_run(args: argparse.Namespace, _ctx: Context) -> int:
    """Run the Telegram bot (TELEGRAM_BOT_TOKEN from the environment or .env).

    examples:
      meetbot run
      meetbot run --webhook
    """
    # run_bot opens the database and loads the seeds itself, reporting start-up problems as
    # one sentence. Imported here only: `meetbot ask` must never pay for importing telegram.
    from bot.tg.app import run_bot

    run_bot(webhook=args.webhook)  # start-up failures end the process with their status
    return EXIT_OK


# --- the command table ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subcommand:
    """One `meetbot NAME` command: its arguments, its function, and whether seeds load first."""

    name: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Context], int]
    load_seeds: bool = True


# Add a command by appending to this list; its help comes from the function's docstring.
SUBCOMMANDS: list[Subcommand] = [
    Subcommand("ask", _configure_ask, cmd_ask),
    Subcommand("chat", _configure_chat, cmd_chat),
    Subcommand("import", _configure_import, cmd_import, load_seeds=False),
    Subcommand("undo", _configure_undo, cmd_undo, load_seeds=False),
    Subcommand("export", _configure_export, cmd_export),
    Subcommand("digest", _configure_digest, cmd_digest),
    Subcommand("health", _configure_health, cmd_health, load_seeds=False),
    Subcommand("run", _configure_run, cmd_run, load_seeds=False),  # run_bot seeds
]


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one sentence, without the usage block."""

    def error(self, message: str) -> Any:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help).\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of every subcommand, with help taken from docstrings."""
    import bot

    parser = _Parser(
        prog="meetbot",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"meetbot {bot.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for sub in SUBCOMMANDS:
        doc = inspect.getdoc(sub.run) or ""
        child = commands.add_parser(
            sub.name,
            help=doc.splitlines()[0] if doc else None,
            description=doc,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.configure(child)
        child.set_defaults(subcommand=sub)
    return parser


def main(argv: list[str] | None = None, *, clock: Clock | None = None) -> int:
    """Run `meetbot` with argv (default: sys.argv) and return the exit status."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    logging.basicConfig(level=logging.WARNING, format="meetbot: %(message)s")
    args = build_parser().parse_args(argv)
    sub: Subcommand = args.subcommand
    ctx = Context(clock=clock, load_seeds=sub.load_seeds)
    try:
        return sub.run(args, ctx)
    except CliError as exc:
        _say(str(exc))
        return exc.code
    except DatabaseError as exc:
        _say(str(exc))
        return EXIT_FAILED
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        _say(f"The database failed: {reason[0] if reason else type(exc).__name__}")
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (meetbot export | head); the OS would close stdout on exit anyway.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("MEETBOT_DEBUG"):
            raise
        _say(_unexpected(exc))
        return EXIT_FAILED
    finally:
        ctx.close()


def _say(message: str) -> None:
    """Print an error as one sentence on stderr."""
    message = " ".join(message.split())
    if not message.endswith((".", "!", "?", ")")):
        message += "."
    print(f"meetbot: {message}", file=sys.stderr)


def _unexpected(exc: Exception) -> str:
    """One sentence for a failure nobody planned for; MEETBOT_DEBUG=1 shows the traceback."""
    settings_error = _settings_error_type()
    if settings_error is not None and isinstance(exc, settings_error):
        return str(exc)
    detail = str(exc).strip().splitlines()
    return (
        f"Unexpected error ({type(exc).__name__}: {detail[0] if detail else 'no detail'});"
        " set MEETBOT_DEBUG=1 to see the traceback."
    )


def _settings_error_type() -> type[Exception] | None:
    module = sys.modules.get("bot.config")
    return getattr(module, "SettingsError", None) if module else None


if __name__ == "__main__":
    sys.exit(main())
