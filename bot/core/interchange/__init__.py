"""The import format of the README (YAML or JSON): parse and validate, apply, export.

parse_import (parse.py) checks a whole file against the meeting schema (bot/core/schema.py) and
names the path of every error before anything is written; apply_import (apply.py) writes a valid
document in the caller's transaction, touching only rows that differ, so importing the same file
twice changes nothing; a stored meeting keeps what the file leaves out unless the import
replaces; it returns what happened to each meeting; export_catalog (export.py)
writes the same format back, and an export imported into an empty database exports byte for
byte the same; export_csv (spreadsheet.py) writes one CSV row per participation, for
spreadsheets (export only).
"""

from bot.core.interchange.apply import apply_import
from bot.core.interchange.export import build_export, export_catalog, format_for
from bot.core.interchange.outcome import ImportResult, MeetingOutcome
from bot.core.interchange.parse import (
    MAX_ERRORS,
    MAX_IMPORT_BYTES,
    ImportDoc,
    InvalidImport,
    parse_import,
)
from bot.core.interchange.spreadsheet import export_csv

__all__ = [
    "MAX_ERRORS",
    "MAX_IMPORT_BYTES",
    "ImportDoc",
    "ImportResult",
    "InvalidImport",
    "MeetingOutcome",
    "apply_import",
    "build_export",
    "export_catalog",
    "export_csv",
    "format_for",
    "parse_import",
]
