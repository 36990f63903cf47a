"""`meetbot digest`: the next digest's preview on the command line, from the injected clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from digest_support import add_meeting, add_subscription, utc

from bot.cli import main
from bot.core.clock import FakeClock
from storage.db import create_db_engine, session_scope

NOW = utc(2024, 1, 15, 12, 0)


def test_digest_preview_for_now_and_for_a_chat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    engine = create_db_engine(url)
    with session_scope(engine) as session:
        add_meeting(session, created_at=NOW - dt.timedelta(hours=30), people=("Old", "Pair"))
        add_meeting(
            session,
            created_at=NOW - dt.timedelta(hours=2),
            people=("Ali Naghiyev", "Pia Kauma"),
            issues=("mine contamination",),
        )
        add_subscription(session, chat_id=-100123, now=NOW - dt.timedelta(days=3))
    engine.dispose()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    clock = FakeClock(NOW)
    assert main(["digest"], clock=clock) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 new meeting\n")
    assert "- Ali Naghiyev (Official)" in out and "Old" not in out
    # The chat subscribed three days ago and has had no digest: both meetings are new to it.
    assert main(["digest", "--chat", "-100123"], clock=clock) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 new meetings\n") and "Old" in out
    clock.set(NOW + dt.timedelta(days=30))
    assert main(["digest"], clock=clock) == 0
    assert capsys.readouterr().out == "No new meetings.\n"
