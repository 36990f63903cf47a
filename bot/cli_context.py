"""What every `meetbot` subcommand shares: exit codes, the one-sentence error, the context."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING

from bot.core.clock import Clock, SystemClock
from storage.db import default_database_url, is_read_only, session_scope

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.config import CoreSettings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def parse_day(value: str) -> dt.date:
    """A YYYY-MM-DD argument (--today, --published) as a date, or argparse's usage error."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (expected YYYY-MM-DD)") from None


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
            # A read-only database is read as it is: the seeds are for an empty, new one.
            if self.load_seeds and not is_read_only(self._engine):
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
