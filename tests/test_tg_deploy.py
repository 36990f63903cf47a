"""Deployment files: the Dockerfile's promises and .env.example's Telegram keys.

No Docker daemon is needed: the Dockerfile is read as text for what the README promises
(multi-stage slim image, dependencies before source, non-root user, a data volume, `meetbot
run`), and .env.example is loaded as a real settings file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_image_is_multi_stage_on_python_311_slim(dockerfile: list[str]) -> None:
    stages = [line for line in dockerfile if line.startswith("FROM ")]
    assert len(stages) == 2
    assert all(line.split()[1] == "python:3.11-slim" for line in stages)
    assert any(line.startswith("COPY --from=build ") for line in dockerfile)


def test_dependencies_install_before_the_source_is_copied(dockerfile: list[str]) -> None:
    def index(pattern: str) -> int:
        return next(i for i, line in enumerate(dockerfile) if re.search(pattern, line))

    assert (
        index(r"^COPY pyproject\.toml")
        < index(r"pip install -r requirements")
        < index(r"^COPY bot ")
    )


def test_runs_as_a_non_root_user_with_a_data_volume(dockerfile: list[str]) -> None:
    users = [line.split()[1] for line in dockerfile if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert 'VOLUME ["/data"]' in dockerfile
    env = " ".join(line for line in dockerfile if "MEETBOT_DATA_DIR" in line)
    assert "MEETBOT_DATA_DIR=/data" in env
    assert dockerfile[-1] == 'CMD ["meetbot", "run"]'


def test_matplotlib_gets_a_font_cache_the_bot_may_write(dockerfile: list[str]) -> None:
    # The user's home (/app) is not theirs: without MPLCONFIGDIR matplotlib would warn and
    # rebuild its font cache in every process that draws a picture.
    env = " ".join(line for line in dockerfile if "MPLCONFIGDIR=" in line)
    assert "MPLCONFIGDIR=/opt/matplotlib" in env
    built = next(
        i for i, line in enumerate(dockerfile) if "import matplotlib.font_manager" in line
    )
    assert "chown -R meetbot:meetbot /opt/matplotlib" in dockerfile[built + 1]
    assert built < dockerfile.index("USER meetbot")


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".env", ".venv", "data", ".git"):
        assert entry in ignored


def test_env_example_loads_and_its_placeholder_token_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "BOT_MODE"):
        monkeypatch.delenv(key, raising=False)
    settings = load_settings(ROOT / ".env.example")
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.bot_mode == "polling"
    with pytest.raises(SettingsError, match="does not look like a bot token"):
        settings.bot_token()
    keys = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    for key in (
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_BASE_URL",
        "ADMIN_IDS",
        "DEFAULT_TIMEZONE",
        "WEBHOOK_URL",
        "WEBHOOK_LISTEN",
        "WEBHOOK_PORT",
        "WEBHOOK_SECRET_TOKEN",
    ):
        assert key in keys


def test_healthcheck_asks_meetbot_whether_its_database_answers(dockerfile: list[str]) -> None:
    checks = [line for line in dockerfile if line.startswith("HEALTHCHECK ")]
    assert len(checks) == 1
    assert checks[0].endswith('CMD ["meetbot", "health"]')
    # Declared in the final stage, where the user it runs as is the non-root one.
    final_stage = max(i for i, line in enumerate(dockerfile) if line.startswith("FROM "))
    assert dockerfile.index(checks[0]) > final_stage


def test_the_image_uses_the_seeds_shipped_in_the_package(dockerfile: list[str]) -> None:
    install = next(
        i for i, line in enumerate(dockerfile) if line.startswith("RUN pip install --no-deps .")
    )
    assert "COPY seeds ./seeds" in dockerfile[:install]
    assert not any("MEETBOT_SEEDS_DIR" in line for line in dockerfile)
    assert "seeds" not in (ROOT / ".dockerignore").read_text().split()


def test_a_copied_env_example_keeps_the_images_data_folder() -> None:
    """docker run --env-file .env makes every uncommented key an environment variable, which
    wins over the image's MEETBOT_DATA_DIR=/data; the example must not set it."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    set_keys = {
        line.split("=", 1)[0].strip() for line in lines if "=" in line and not line.startswith("#")
    }
    assert "MEETBOT_DATA_DIR" not in set_keys
    assert "# MEETBOT_DATA_DIR=data" in lines  # still documented
