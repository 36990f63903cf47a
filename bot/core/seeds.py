"""Load the seed records (seeds/*.yaml, *.yml, *.json) into a database that has no meetings.

The folder comes from the caller (Settings.meetbot_seeds_dir, MEETBOT_SEEDS_DIR); without one,
the seeds that ship with the package (bot/seeds in an installed wheel, built from the top-level
seeds/ folder, see pyproject.toml), else seeds/ in the source tree (an editable install).
"""

from __future__ import annotations

import importlib.resources
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlmodel import Session

from storage import repository

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.core.interchange import ImportResult

log = logging.getLogger(__name__)

SEED_SUFFIXES = (".yaml", ".yml", ".json")
# Any constant works; it only has to be the same for every process seeding one database.
_PG_SEED_LOCK = 0x6D656574626F74


def seeds_dir(configured: Path | None = None) -> Path:
    """Return the folder of seed files: configured (MEETBOT_SEEDS_DIR), else the shipped seeds.

    `pip install .` puts seeds/ into the package as bot/seeds; an editable install
    (`pip install -e .`) leaves it next to bot/ in the source tree.
    """
    if configured is not None:
        return Path(configured)
    package = Path(str(importlib.resources.files("bot")))
    installed = package / "seeds"
    return installed if installed.is_dir() else package.parent / "seeds"


def seed_files(folder: Path | None = None) -> list[Path]:
    """Return the seed files in folder (default: seeds/ in the source tree), in name order."""
    folder = folder or seeds_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in SEED_SUFFIXES and p.is_file())


def load_seeds_if_empty(
    *, session: Session, clock: Clock, folder: Path | None = None
) -> ImportResult | None:
    """Import every seed file when the database has no meetings at all (deleted ones count).

    Returns what was imported, or None when the database already had meetings. Idempotent:
    the second call finds the seeded meetings and does nothing. Runs in the caller's
    transaction; raises InvalidImport if a seed file is broken (a bug, not user input).
    """
    if session.get_bind().dialect.name == "postgresql":
        # Two replicas starting on one empty database must not both seed it.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_SEED_LOCK})
    if repository.count_meetings(session=session) > 0:
        return None
    # Imported only now: YAML and pydantic stay off the path of a database that is already full.
    from bot.core.interchange import ImportResult, apply_import, parse_import

    total = ImportResult()
    files = seed_files(folder)
    if not files:
        log.warning("No seed files in %s; starting with an empty database.", folder or seeds_dir())
    for path in files:
        doc = parse_import(path.read_bytes(), filename=path.name)
        result = apply_import(doc, session=session, clock=clock)
        total = ImportResult(
            **{name: getattr(total, name) + getattr(result, name) for name in total.__slots__}
        )
        log.info("Seeded %s: %s", path.name, result.describe())
    return total
