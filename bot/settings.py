"""Configuration from the environment, with safe defaults for development.

In production (IOP_ENV=production) the assistant refuses to start while a secret still has its
development default: a shared default token would open the Rasa HTTP API to anyone.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_RASA_TOKEN = "dev-only-rasa-token"


class ConfigError(RuntimeError):
    """Settings that must not be used; the message says which variable to set."""


def _sqlite_url(name: str) -> str:
    return f"sqlite:///{ROOT / 'var' / name}"


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str
    tracker_store_url: str
    program_file: Path
    rasa_auth_token: str

    @property
    def production(self) -> bool:
        return self.env == "production"

    def check(self) -> None:
        """Raise ConfigError when the settings are unsafe for the environment."""
        if self.env not in ("development", "test", "production"):
            raise ConfigError(f"IOP_ENV must be development, test or production, not {self.env!r}")
        if not self.production:
            return
        if self.rasa_auth_token == DEV_RASA_TOKEN or len(self.rasa_auth_token) < 24:
            raise ConfigError("RASA_AUTH_TOKEN must be set to a long random secret in production")


def settings() -> Settings:
    env = os.environ.get
    return Settings(
        env=env("IOP_ENV", "development"),
        database_url=env("DATABASE_URL") or _sqlite_url("app.db"),
        tracker_store_url=env("TRACKER_STORE_URL") or _sqlite_url("tracker.db"),
        program_file=Path(env("IOP_PROGRAM_FILE") or ROOT / "program.yml"),
        rasa_auth_token=env("RASA_AUTH_TOKEN") or DEV_RASA_TOKEN,
    )
