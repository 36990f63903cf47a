"""Write the live catalog as CSV for spreadsheets: one row per participation.

UTF-8 with a byte order mark, so spreadsheet programs open Cyrillic and Azerbaijani names
correctly. Records come from articles, so a cell that a spreadsheet would run as a formula
(starting with = + - @, a tab or a carriage return) gets a leading single quote, as OWASP
advises against CSV injection. CSV is an export only: the import format stays YAML or JSON.
"""

from __future__ import annotations

import csv
import io

from sqlmodel import Session

from bot.core.interchange.export import live_meetings

BOM = "\ufeff"
COLUMNS = (
    "meeting",
    "import_id",
    "date",
    "place",
    "title",
    "person",
    "role",
    "organization",
    "country",
    "issues",
    "source",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str | None) -> str:
    """A cell's text, with a leading quote when a spreadsheet would read it as a formula."""
    text = value or ""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def export_csv(*, session: Session) -> str:
    """Every live meeting as CSV text (with its BOM): one row per participant, in order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    meetings, _orgs, _issues = live_meetings(session=session)
    for meeting, rows, issues in meetings:
        common = [
            str(meeting.id),
            safe_cell(meeting.external_id),
            meeting.date.isoformat(),
            safe_cell(meeting.location),
            safe_cell(meeting.title),
        ]
        tail = [safe_cell("; ".join(issues)), safe_cell(" ".join(meeting.sources or ()))]
        people = [
            [
                safe_cell(person.name),
                safe_cell(title),
                safe_cell(org.name if org is not None else None),
                safe_cell(country),
            ]
            for person, title, org, country in rows
        ] or [["", "", "", ""]]  # a meeting without people still gets its row
        for person_cells in people:
            writer.writerow([*common, *person_cells, *tail])
    return BOM + buffer.getvalue()
