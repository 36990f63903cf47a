"""`meetbot import`, `undo` and `export`: records in and out of files on the command line."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

from bot.cli_context import EXIT_OK, CliError, Context
from storage.db import session_scope

# --- import and export ---------------------------------------------------------------------------


def configure_import(parser: argparse.ArgumentParser) -> None:
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


def configure_undo(_parser: argparse.ArgumentParser) -> None:
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


def configure_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", nargs="?", default="-", help='where to write (default "-": standard output)'
    )
    parser.add_argument(
        "--format",
        choices=("yaml", "json", "csv"),
        help="the format (default: json for a .json file, csv for a .csv file, otherwise yaml);"
        " csv is one row per participant, for spreadsheets, and cannot be imported",
    )


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    """Export every meeting (not the deleted ones) in the import format, YAML or JSON, or as CSV.

    An export imported into an empty database exports byte for byte the same. CSV (UTF-8 with a
    BOM, one row per participant, formula-like cells quoted) is for spreadsheets only.

    examples:
      meetbot export > meetings.yaml
      meetbot export backup.json
      meetbot export --format json -
      meetbot export --format csv meetings.csv
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
    write_atomically(Path(args.file), text)
    print(f"Exported to {args.file}.", file=sys.stderr)
    return EXIT_OK


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write data (text as UTF-8, or bytes) to path through a temporary file, so a failure
    leaves no half file.

    The file gets the permissions open() would give it (the umask's for a new file, its own
    for one replaced), not the temporary file's private 0600.
    """
    try:
        folder = path.parent if str(path.parent) else Path(".")
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data.encode("utf-8") if isinstance(data, str) else data)
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
