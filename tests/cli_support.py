"""Running `meetbot` in tests as a user runs it: a clean environment, folder and streams."""

from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bot.cli import main
from storage.models import Meeting

# Settings a developer may have exported; a run sees none of them unless a test sets it.
_SETTINGS = ("TELEGRAM_", "MEETBOT_", "ADMIN_IDS", "DEFAULT_TIMEZONE", "BOT_MODE", "WEBHOOK_")


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.upper().startswith(_SETTINGS)}


@dataclass(frozen=True, slots=True)
class Ran:
    """What a run of `meetbot` left: its exit status and what it wrote."""

    returncode: int
    stdout: str
    stderr: str


def meetbot(
    *args: str,
    database_url: str,
    cwd: Path,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> Ran:
    """Run `meetbot ARGS` in process, in cwd (so no stray .env is read), against database_url."""
    streams = [io.TextIOWrapper(io.BytesIO(), encoding="utf-8") for _ in range(2)]
    source = io.TextIOWrapper(io.BytesIO((stdin or "").encode("utf-8")), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        for key in set(os.environ) - set(clean_env()):
            patch.delenv(key)
        for key, value in {"DATABASE_URL": database_url, **(env or {})}.items():
            patch.setenv(key, value)
        patch.chdir(cwd)
        patch.setattr(sys, "stdin", source)
        patch.setattr(sys, "stdout", streams[0])
        patch.setattr(sys, "stderr", streams[1])
        try:
            status = main(list(args))
        except SystemExit as exit_:  # argparse: --help and usage errors
            status = exit_.code if isinstance(exit_.code, int) else 1
        out, err = (_read(stream) for stream in streams)
    return Ran(status, out, err)


def _read(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8")


def one_sentence(stderr: str) -> str:
    """Assert stderr is one line without a traceback, and return it."""
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def count_meetings(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Meeting)).one())
