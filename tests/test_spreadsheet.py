"""CSV out: one row per participation, a BOM for spreadsheets, formula-like cells defused."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from answering_support import load_yaml
from sqlalchemy import Engine
from sqlmodel import Session
from test_cli import meetbot

from bot.core.interchange import export_catalog, export_csv, format_for
from bot.core.interchange.spreadsheet import COLUMNS, safe_cell

CATALOG = """\
meetings:
  - id: c1
    date: 2024-05-02
    location: Baku, Azerbaijan
    title: =HYPERLINK("http://evil.example","click")
    participants:
      - {name: Günay Məmmədova, title: Speaker, organization: Milli Majlis, country: Azerbaijan}
      - {name: Ольга Смирнова, title: "-Senator", organization: "@Senate", country: Kazakhstan}
    issues: [energy, "+transit"]
    source: [https://example.org/a, https://example.org/b]
  - date: 2023-01-09
    participants:
      - {name: Ann Example}
      - {name: Bo Example}
"""


def rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_one_row_per_participation_with_formulas_defused(engine: Engine) -> None:
    load_yaml(CATALOG, engine=engine)
    with Session(engine) as session:
        table = rows(export_csv(session=session))
    assert table[0] == list(COLUMNS)
    body = table[1:]
    assert len(body) == 4
    first, second = (row for row in body if row[1] == "c1")
    assert first[2:6] == [
        "2024-05-02",
        "Baku, Azerbaijan",
        '\'=HYPERLINK("http://evil.example","click")',
        "Günay Məmmədova",
    ]
    assert first[6:9] == ["Speaker", "Milli Majlis", "Azerbaijan"]
    assert first[9:] == ["energy; +transit", "https://example.org/a https://example.org/b"]
    assert second[5:9] == ["Ольга Смирнова", "'-Senator", "'@Senate", "Kazakhstan"]
    assert first[0] == second[0] and first[0].isdigit()  # the meeting's number
    assert [row[1] for row in body].count("") == 2  # no import id: empty, not "None"
    with Session(engine) as session:
        assert export_catalog(session=session, fmt="csv") == export_csv(session=session)


def test_safe_cell_quotes_what_a_spreadsheet_would_run() -> None:
    for cell in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(cell) == "'" + cell
    assert safe_cell("Baku") == "Baku"
    assert safe_cell(None) == ""
    assert format_for("meetings.CSV") == "csv" and format_for("m.json") == "json"


def test_export_format_csv_on_the_command_line(sqlite_url: str, tmp_path: Path) -> None:
    out = tmp_path / "meetings.csv"
    done = meetbot("export", "--format", "csv", str(out), database_url=sqlite_url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfmeeting,import_id,date,")
    table = rows(data.decode("utf-8"))
    assert [row[5] for row in table[1:]] == ["Ali Naghiyev", "Pia Kauma"]  # the seed meeting
    by_name = meetbot("export", str(tmp_path / "x.csv"), database_url=sqlite_url, cwd=tmp_path)
    assert by_name.returncode == 0
    assert (tmp_path / "x.csv").read_bytes() == data
