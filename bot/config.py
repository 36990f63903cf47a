"""Settings from the environment and .env, validated once at start-up.

Every key is documented in .env.example. Two loaders, one per kind of process:

- load_core_settings() reads only what every command needs (the database, the data and seeds
  folders, the time zone). The CLI's offline commands (ask, chat, import, export, digest) use
  it, so a Telegram-only setting that is wrong (ADMIN_IDS=abc, BOT_MODE=x) never breaks them.
- load_settings() reads those plus the bot's own (admins, webhook, Bot API, log level), for
  `meetbot run`. The token is not checked at load: Settings.bot_token() refuses a missing or
  placeholder token with one clear sentence when the bot asks for it.
"""

from __future__ import annotations

import re
import zoneinfo
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"

# BotFather's tokens are "<bot id>:<35 url-safe characters>"; a looser pattern still rejects the
# placeholders people leave in .env ("PASTE-YOUR-TOKEN-HERE", "changeme", "<token>").
_TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")


class SettingsError(Exception):
    """The settings cannot be used; the message is one sentence naming the key to fix."""


class CoreSettings(BaseSettings):
    """What every command needs; field names match the environment variables, in any case."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url: str | None = None
    meetbot_data_dir: Path = Path("data")
    # None: the seeds shipped in the package, or seeds/ in the source tree (bot/core/seeds.py).
    meetbot_seeds_dir: Path | None = None
    default_timezone: str = "UTC"

    @field_validator("default_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{value!r} is not an IANA time zone; use a name like Europe/Berlin or UTC"
            ) from None
        return value

    @property
    def default_zone(self) -> zoneinfo.ZoneInfo:
        """The DEFAULT_TIMEZONE as a ZoneInfo."""
        return zoneinfo.ZoneInfo(self.default_timezone)


class Settings(CoreSettings):
    """The bot's settings: the core ones plus Telegram's, webhook and logging."""

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = DEFAULT_API_BASE_URL
    # Seconds for connecting to and reading from the Bot API (long polls add their own timeout).
    telegram_timeout: float = Field(default=10.0, gt=0, le=300)
    admin_ids: Annotated[tuple[int, ...], NoDecode] = ()
    bot_mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret_token: SecretStr | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: object) -> object:
        """Accept "1, 2,3" as well as a list of ints."""
        if isinstance(value, int):
            return (value,)
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            try:
                return tuple(int(part) for part in parts)
            except ValueError:
                raise ValueError(
                    "ADMIN_IDS must be Telegram user ids separated by commas, e.g. 12345,67890"
                ) from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("TELEGRAM_API_BASE_URL must start with http:// or https://")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        if value is not None and not value.startswith("https://"):
            # Telegram delivers webhooks over HTTPS only.
            raise ValueError("WEBHOOK_URL must be a public https:// address")
        return value

    @field_validator("webhook_secret_token")
    @classmethod
    def _check_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError(
                "WEBHOOK_SECRET_TOKEN may hold only letters, digits, _ and -, at most 256"
            )
        return value

    def bot_token(self) -> str:
        """Return the bot token, or raise SettingsError when it is missing or a placeholder."""
        token = (
            self.telegram_bot_token.get_secret_value().strip() if self.telegram_bot_token else ""
        )
        if not token:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token "
                "in the environment or in .env."
            )
        if not _TOKEN_PATTERN.match(token):
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token (it should look like "
                "123456789:AAH...); paste the token @BotFather gave you."
            )
        return token

    def webhook_path(self) -> str:
        """Return the path part of WEBHOOK_URL, where the bot's web server listens."""
        if not self.webhook_url:
            raise SettingsError(
                "Webhook mode needs WEBHOOK_URL, the public https:// address Telegram posts to."
            )
        after_host = self.webhook_url.split("://", 1)[1]
        return after_host.split("/", 1)[1] if "/" in after_host else ""


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    """Read the bot's settings from the environment and env_file (None: environment only).

    Raises SettingsError with one sentence naming the first bad key.
    """
    return _load(Settings, env_file)


def load_core_settings(env_file: str | Path | None = ".env") -> CoreSettings:
    """Read only the settings every command needs; Telegram's are not even looked at.

    Raises SettingsError with one sentence naming the first bad key.
    """
    return _load(CoreSettings, env_file)


_S = TypeVar("_S", bound=CoreSettings)


def _load(kind: type[_S], env_file: str | Path | None) -> _S:
    try:
        return kind(_env_file=env_file)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = str(error["loc"][0]).upper() if error.get("loc") else "settings"
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ").rstrip(".")
        raise SettingsError(f"Setting {key} is invalid: {message}.") from None
