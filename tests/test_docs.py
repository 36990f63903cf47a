"""The docs name only code that exists: every path and module in README.md and ARCHITECTURE.md.

A file renamed or a module split without updating the docs fails here, so a reader who follows
"the code is in bot/core/questions.py" or "`bot.core.answering.answer_question`" finds it.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ("README.md", "docs/ARCHITECTURE.md")

# A repository path: bot/..., storage/..., tests/..., bench/..., docs/..., seeds/..., scripts/...
# (not the tail of a URL or of another path, hence the look-behind).
PATH = re.compile(r"(?<![\w/.:-])((?:bot|storage|tests|bench|docs|seeds|scripts)/[\w./*-]*)")
# A dotted name in the code: bot.core.questions.parse_question, storage.repository, bot.config.
MODULE = re.compile(r"(?<![\w./-])((?:bot|storage)(?:\.[A-Za-z_]\w*)+)")
# bot/seeds exists only inside a built wheel (pyproject.toml maps seeds/ there).
ONLY_IN_THE_WHEEL = {"bot/seeds"}


def _named(pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for doc in DOCS:
        text = (ROOT / doc).read_text("utf-8")
        for match in pattern.finditer(text):
            found.append((doc, match.group(1).rstrip(".*/")))
    return sorted(set(found))


def _resolves(dotted: str) -> bool:
    """A module, or an attribute of one (a function, a class, a constant), however deep."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            if not hasattr(value, name):
                return False
            value = getattr(value, name)
        return True
    return False


def test_the_docs_name_paths() -> None:
    paths = _named(PATH)
    assert len(paths) > 40  # the pattern still finds what the docs name
    missing = [
        f"{doc}: {path}"
        for doc, path in paths
        if path not in ONLY_IN_THE_WHEEL and not (ROOT / path).exists()
    ]
    assert missing == []


def test_the_docs_name_modules_and_functions_that_exist() -> None:
    modules = _named(MODULE)
    assert len(modules) > 20
    missing = [f"{doc}: {dotted}" for doc, dotted in modules if not _resolves(dotted)]
    assert missing == []


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("the parser is in `bot/core/question.py`", "bot/core/question.py"),
        ("see `bot.core.answering.answer_questions`", "bot.core.answering.answer_questions"),
    ],
)
def test_a_wrong_name_is_caught(text: str, wrong: str) -> None:
    # The checks above would fail on a misspelt file or function, not pass over it.
    [named] = [
        m.group(1) for m in (PATH.finditer(text) if "/" in wrong else MODULE.finditer(text))
    ]
    assert named == wrong
    assert not (ROOT / named).exists() if "/" in wrong else not _resolves(named)


def _layer_diagram() -> dict[str, set[str]]:
    """The module names the Layers diagram of ARCHITECTURE.md gives each folder."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text("utf-8")
    block = text.split("## Layers", 1)[1].split("```", 2)[1]
    lines = block.splitlines()
    cli_line = next(line for line in lines if "bot/cli.py" in line)
    # The terminal's column, from bot/cli.py up to the arrow that explains the edges.
    cli_column, arrow_column = cli_line.index("bot/cli.py"), cli_line.index("◀")
    named: dict[str, set[str]] = {
        "bot/tg": set(),
        "bot": set(),
        "bot/core": set(),
        "storage": set(),
    }
    folder = ""
    for line in lines:
        head = line.split()[0] if line.split() else ""
        if head in ("bot/tg/", "bot/core/", "storage/"):
            folder = head.rstrip("/")
            line = line.replace(head, " " * len(head), 1)
        elif not line.startswith(" " * 12) or "│" in line:
            folder = ""
        if not folder:
            continue
        parts = {folder: line.split("◀", 1)[0]}
        if folder == "bot/tg":
            cli = line[cli_column:arrow_column].replace("bot/cli.py", "cli.py")
            parts = {"bot/tg": line[:cli_column], "bot": cli}
        for where, words in parts.items():
            words = re.sub(r"\([a-z ]+\)", "", words)  # "(composition root)"
            named[where].update(re.findall(r"[a-z_]+(?:\.py|/)?", words))
    return named


def test_the_layer_diagram_names_every_module_and_only_modules() -> None:
    named = _layer_diagram()
    for folder, words in named.items():
        assert words, folder
        modules = {w.removesuffix(".py").removesuffix("/") for w in words}
        on_disk = {
            p.stem if p.suffix == ".py" else p.name
            for p in (ROOT / folder).iterdir()
            if (p.suffix == ".py" and p.stem not in ("__init__", "__main__"))
            or (p.is_dir() and (p / "__init__.py").exists())
            or p.name == "migrations"
        }
        if folder == "bot":
            on_disk -= {"config", "core", "tg"}  # settings and the two layers, not CLI modules
        assert sorted(modules - on_disk) == [], f"{folder}: named but missing"
        assert sorted(on_disk - modules) == [], f"{folder}: on disk but not in the diagram"
