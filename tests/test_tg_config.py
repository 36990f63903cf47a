"""Settings: read from the environment and .env, refused with one sentence when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_bot_api import DEFAULT_TOKEN

from bot.config import Settings, SettingsError, load_core_settings, load_settings

KEYS = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "DATABASE_URL",
    "ADMIN_IDS",
    "DEFAULT_TIMEZONE",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET_TOKEN",
    "BOT_MODE",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in KEYS:
        monkeypatch.delenv(key, raising=False)


def test_core_settings_ignore_the_bot_only_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "abc")
    monkeypatch.setenv("BOT_MODE", "carrier-pigeon")
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Asia/Baku")
    core = load_core_settings(None)
    assert core.default_timezone == "Asia/Baku"
    assert not hasattr(core, "admin_ids")
    with pytest.raises(SettingsError, match="ADMIN_IDS"):
        load_settings(None)


def test_values_come_from_the_env_file_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"TELEGRAM_BOT_TOKEN={DEFAULT_TOKEN}\nADMIN_IDS=12345, 67890\n"
        "DEFAULT_TIMEZONE=Asia/Baku\nTELEGRAM_API_BASE_URL=http://127.0.0.1:8081/bot\n"
    )
    monkeypatch.setenv("ADMIN_IDS", "111")  # the environment wins over the file
    settings = load_settings(env_file)
    assert settings.bot_token() == DEFAULT_TOKEN
    assert settings.admin_ids == (111,)
    assert str(settings.default_zone) == "Asia/Baku"
    assert settings.telegram_api_base_url == "http://127.0.0.1:8081/bot"
    assert DEFAULT_TOKEN not in repr(settings)  # the token is a secret


@pytest.mark.parametrize(
    ("token", "sentence"),
    [
        (None, "TELEGRAM_BOT_TOKEN is not set"),
        ("", "TELEGRAM_BOT_TOKEN is not set"),
        ("PASTE-YOUR-TOKEN-FROM-BOTFATHER", "does not look like a bot token"),
        ("123456:short", "does not look like a bot token"),
    ],
)
def test_a_missing_or_placeholder_token_is_refused(token: str | None, sentence: str) -> None:
    settings = Settings(_env_file=None, telegram_bot_token=token)  # type: ignore[call-arg]
    with pytest.raises(SettingsError, match=sentence):
        settings.bot_token()


@pytest.mark.parametrize(
    ("key", "value", "sentence"),
    [
        ("ADMIN_IDS", "12, bob", "ADMIN_IDS must be Telegram user ids separated by commas"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus", "'Mars/Olympus' is not an IANA time zone"),
        ("WEBHOOK_URL", "http://example.org/hook", "WEBHOOK_URL must be a public https://"),
        ("TELEGRAM_API_BASE_URL", "api.telegram.org", "must start with http:// or https://"),
        ("WEBHOOK_SECRET_TOKEN", "has spaces!", "may hold only letters, digits"),
        ("BOT_MODE", "carrier-pigeon", "Setting BOT_MODE is invalid"),
    ],
)
def test_bad_values_are_one_sentence_naming_the_key(
    monkeypatch: pytest.MonkeyPatch, key: str, value: str, sentence: str
) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(None)
    message = str(caught.value)
    assert message.startswith(f"Setting {key} is invalid: ")
    assert sentence in message
    assert message.endswith(".") and "\n" not in message


def test_webhook_path_comes_from_the_url() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, webhook_url="https://bot.example.org/telegram/hook"
    )
    assert settings.webhook_path() == "telegram/hook"
    with pytest.raises(SettingsError, match="Webhook mode needs WEBHOOK_URL"):
        Settings(_env_file=None).webhook_path()  # type: ignore[call-arg]
