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
  meetbot plot graph "Pia Kauma" -o kauma.png
  meetbot draft https://news.example/ministers-meet | meetbot import -
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sqlalchemy.exc import SQLAlchemyError

from bot.core.clock import Clock
from storage.db import DatabaseError, session_scope

if TYPE_CHECKING:
    pass

from bot.cli_context import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CliError, Context, parse_day
from bot.cli_drafts import cmd_draft, configure_draft
from bot.cli_records import (
    cmd_export,
    cmd_import,
    cmd_undo,
    configure_export,
    configure_import,
    configure_undo,
    write_atomically,
)

log = logging.getLogger("meetbot")

# --- ask and chat --------------------------------------------------------------------------------


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
        type=parse_day,
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
    parser.add_argument("--today", type=parse_day, metavar="YYYY-MM-DD", help="as for ask")


def cmd_chat(args: argparse.Namespace, ctx: Context) -> int:
    """Ask questions one after another at a prompt; /quit, /exit or Ctrl-D ends it.

    A question may follow up the previous answer: "what did they talk about?", "and when?",
    "where was that?". At a terminal the prompt has line editing and a history (kept in
    MEETBOT_DATA_DIR/chat_history).

    examples:
      meetbot chat
    """
    from bot.core.answering import QuestionError, answer_question
    from bot.core.followups import AnswerContext

    engine = ctx.engine()
    save_history = (
        line_editing(ctx.settings.meetbot_data_dir / CHAT_HISTORY) if sys.stdin.isatty() else None
    )
    print("Ask about meetings between officials (/quit, /exit or Ctrl-D to leave).")
    previous: AnswerContext | None = None
    try:
        while True:
            try:
                line = input("? ")
            except (EOFError, KeyboardInterrupt):
                print()
                return EXIT_OK
            if line.strip().casefold().lstrip("/") in ("quit", "exit", "q"):
                return EXIT_OK
            if not line.strip():
                continue
            # A session per question: answers see edits made meanwhile by the bot or an import.
            with session_scope(engine) as session:
                try:
                    answer = answer_question(
                        line, session=session, today=args.today or ctx.today(), context=previous
                    )
                except QuestionError as exc:
                    print(exc)
                    continue
            previous = AnswerContext.of(answer) or previous
            print(answer.text)
            print()
    finally:
        if save_history is not None:
            save_history()


CHAT_HISTORY = "chat_history"
CHAT_HISTORY_LENGTH = 1000


def line_editing(history: Path) -> Callable[[], None]:
    """Give input() line editing and the history in file history; return what saves it.

    Uses the standard readline module, which Python lacks on Windows: there the prompt is
    plain and nothing is saved. A history that cannot be read or written is skipped.
    """
    try:
        import readline
    except ImportError:
        return lambda: None
    readline.set_history_length(CHAT_HISTORY_LENGTH)
    with contextlib.suppress(OSError):  # none yet, or unreadable: start a new one
        readline.read_history_file(history)

    def save() -> None:
        try:
            history.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(history)
        except OSError as exc:
            log.info("Cannot save the chat history in %s: %s", history, exc)

    return save


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


# --- plot --------------------------------------------------------------------------------------


def _configure_plot(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=("graph", "timeline"), help="which picture to draw")
    parser.add_argument(
        "query", nargs="+", help="a person, organisation or topic, and a time window if wanted"
    )
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE.png", help="where to write the PNG"
    )
    parser.add_argument("--today", type=parse_day, metavar="YYYY-MM-DD", help="as for ask")


def cmd_plot(args: argparse.Namespace, ctx: Context) -> int:
    """Draw who met whom (graph) or meetings over time (timeline) as a PNG file.

    The query is read like a question: a name, a title, an organisation or a topic, and a time
    window. Prints the caption the bot would send with the picture.

    examples:
      meetbot plot graph "Pia Kauma" -o kauma.png
      meetbot plot timeline Kauma since 2023 -o kauma-timeline.png
      meetbot plot graph election observation in 2024 -o topic.png
    """
    from bot.core.pictures import PictureError, PictureKind, make_picture

    output = Path(args.output)
    if output.suffix.lower() != ".png":
        # Pictures are drawn as PNG only; a PNG written under another name misleads viewers.
        raise CliError(
            f"The picture is a PNG: give a file name ending in .png, not “{output.name}”."
        )
    query = " ".join(args.query)
    try:
        with session_scope(ctx.engine()) as session:
            picture = make_picture(
                PictureKind(args.kind), query, session=session, today=args.today or ctx.today()
            )
    except PictureError as exc:
        raise CliError(str(exc)) from None
    write_atomically(output, picture.png)
    print(picture.caption)
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
    Subcommand("import", configure_import, cmd_import, load_seeds=False),
    Subcommand("undo", configure_undo, cmd_undo, load_seeds=False),
    Subcommand("export", configure_export, cmd_export),
    Subcommand("digest", _configure_digest, cmd_digest),
    Subcommand("plot", _configure_plot, cmd_plot),
    Subcommand("draft", configure_draft, cmd_draft, load_seeds=False),  # writes nothing
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


# SQLite's and PostgreSQL's words for a write refused by a read-only file, mode or server.
_READ_ONLY = re.compile(r"readonly database|read-only transaction|read-only", re.IGNORECASE)


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
        if reason and _READ_ONLY.search(reason[0]):
            _say(f"The database is read-only, so `meetbot {args.command}` cannot change it.")
        else:
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
