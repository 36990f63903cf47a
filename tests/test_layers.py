"""Import directions that keep the layers apart (lasting rules, not a one-time clean-up)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The composition root opens the engine, the unit-of-work helper opens sessions; every other
# Telegram module reaches the database through the core.
TG_STORAGE_ALLOWED = {"app.py", "context.py"}


def _imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_only_the_composition_root_and_the_unit_of_work_touch_storage_in_bot_tg() -> None:
    tg = ROOT / "bot" / "tg"
    offenders: dict[str, list[str]] = {}
    for path in sorted(tg.rglob("*.py")):
        if path.parent == tg and path.name in TG_STORAGE_ALLOWED:
            continue
        storage = sorted(m for m in _imported_modules(path) if m.split(".")[0] == "storage")
        if storage:
            offenders[str(path.relative_to(ROOT))] = storage
    assert offenders == {}


def _offenders(folder: Path, banned: tuple[str, ...]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        hits = sorted(
            m
            for m in _imported_modules(path)
            if any(m == b or m.startswith(b + ".") for b in banned)
        )
        if hits:
            found[str(path.relative_to(ROOT))] = hits
    return found


def test_storage_imports_nothing_from_bot() -> None:
    assert _offenders(ROOT / "storage", ("bot",)) == {}


def test_the_core_imports_no_edge_and_no_settings() -> None:
    # The edges (bot/tg, bot/cli.py) read the settings and hand the core plain values.
    assert _offenders(ROOT / "bot" / "core", ("bot.tg", "bot.cli", "bot.config")) == {}


MAX_LINES = 600  # one job per file: a file that grows past this is split by responsibility


def test_no_file_in_bot_or_storage_is_over_the_line_limit() -> None:
    long_files = {
        str(path.relative_to(ROOT)): lines
        for folder in ("bot", "storage")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if (lines := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert long_files == {}
