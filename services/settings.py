"""Settings of the store services, in one place: database, keys, request limit, access log.

Read from the environment (``STORETWIN_*``; the database also from
``DATABASE_URL``). The defaults are for a developer's machine: a local SQLite
file, a development member key and one development HQ key; ``storetwin serve``
warns while they are in use. Production sets all three.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_HQ_KEY = "dev-hq-key"
DEV_MEMBER_KEY = "storetwin-development-member-key"


class Role(StrEnum):
    """Who holds an API key: HQ (every store), one store, one device, one member."""

    hq = "hq"
    store = "store"
    device = "device"
    member = "member"


class Principal(BaseModel):
    """The holder of an API key and what it is bound to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Role
    store_id: str | None = None
    member_id: int | None = None
    device_id: str | None = None


class Settings(BaseSettings):
    """Everything the services read from their environment."""

    model_config = SettingsConfigDict(
        env_prefix="STORETWIN_", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(
        "sqlite:///store.db",
        validation_alias=AliasChoices("STORETWIN_DATABASE_URL", "DATABASE_URL"),
    )
    member_key: SecretStr = Field(
        SecretStr(DEV_MEMBER_KEY),
        description="Secret from which member-data encryption and phone-index keys are derived.",
    )
    api_keys: dict[str, Principal] = Field(
        default_factory=lambda: {DEV_HQ_KEY: Principal(role=Role.hq)},
        description='JSON object: key -> {"role": ..., "store_id": ..., "member_id": ...}.',
    )
    max_body_bytes: int = Field(
        4 * 2**20, ge=1024, description="Largest request body accepted; a larger one gets 413."
    )
    access_log: str = Field(
        "-",
        min_length=1,
        description='Where each request is logged: "-" (stderr), a file path, or "off".',
    )
    inject_latency_ms: float = Field(
        0.0,
        ge=0,
        le=60_000,
        description="Fault tests only: every request but /health first waits this long (ms).",
    )

    def development_defaults(self) -> list[str]:
        """Names of the settings still at their development values."""
        dev = []
        if self.member_key.get_secret_value() == DEV_MEMBER_KEY:
            dev.append("STORETWIN_MEMBER_KEY")
        if DEV_HQ_KEY in self.api_keys:
            dev.append("STORETWIN_API_KEYS")
        return dev
