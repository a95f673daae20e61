"""Settings from the environment (``FANZHA_*``); production settings fail closed."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_data_path
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from fanzha.model.limits import InputLimits, set_input_limits


class Settings(BaseSettings):
    """Where fanzha keeps its data and how it runs.

    ``FANZHA_HOME`` holds the embedded case store (``cases.db``) and the flow store (``flows/``);
    ``FANZHA_DATABASE_URL`` points the case store at PostgreSQL instead.
    """

    model_config = SettingsConfigDict(env_prefix="FANZHA_", extra="ignore")

    home: Path = Field(default_factory=lambda: user_data_path("fanzha"))
    database_url: str | None = None
    environment: Literal["development", "test", "production"] = "development"
    secret_key: str | None = None
    timezone: str = Field(default="Asia/Shanghai", description="local time of records that carry no offset")
    stop_payment_minutes: int = 30
    freeze_min_held_yuan: float = Field(
        default=500.0,
        ge=0,
        description="smallest amount held that a freeze list names (FANZHA_FREEZE_MIN_HELD_YUAN)",
    )
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    account_cache_seconds: float = Field(
        default=2.0,
        ge=0,
        le=5,
        description="how long a signed-in user's account is trusted before it is read again (disabling takes effect)",
    )
    trusted_proxies: str = Field(
        default="",
        description="comma-separated addresses or networks of proxies whose X-Forwarded-For is believed; none by default",
    )
    public_lookups_per_minute: int = Field(default=60, ge=1, description="risk lookups per client per minute")
    public_cache_seconds: float = Field(
        default=30.0, ge=0, description="how stale a public risk answer may be"
    )
    risk_unknown_roles: bool = Field(
        default=True,
        description="count identifiers of unknown role (not only the other side's) in risk lookups",
    )
    link_unknown_roles: bool = Field(
        default=True,
        description="whether identifiers of unknown role link reports (the other side's always do, the victim's never)",
    )
    max_body_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1024, description="largest request body; a larger one answers 413 unread"
    )
    max_json_depth: int = Field(default=16, ge=1, le=64, description="deepest nesting of free-form JSON")
    max_json_bytes: int = Field(
        default=64 * 1024, ge=2, description="largest free-form JSON field (a task's detail), compact UTF-8"
    )
    audit_key: str | None = Field(
        default=None,
        min_length=32,
        description="keys the audit chain (HMAC); default: a random key made once in FANZHA_HOME/audit_key",
    )
    audit_checkpoint_every: int = Field(
        default=100, ge=1, description="audit events between two signed checkpoints (and one at shutdown)"
    )
    ingest_chunk_reports: int = Field(
        default=1_000,
        ge=1,
        description="reports read, analysed and written at a time inside a file's one transaction",
    )
    ingest_text_workers: int = Field(
        default=1,
        ge=0,
        le=1,
        description="worker processes for an ingest's text work (0: in the ingest's own)",
    )
    ingest_max_record_bytes: int = Field(
        default=4 * 1024 * 1024,
        ge=1024,
        description="longest line of a JSON-lines or CSV file an ingest reads",
    )
    ingest_max_field_bytes: int = Field(
        default=1024 * 1024, ge=64, description="largest cell of a CSV file or a workbook an ingest reads"
    )
    ingest_max_columns: int = Field(
        default=1_000, ge=1, description="most columns of a sheet an ingest reads"
    )
    ingest_max_rows: int = Field(default=1_048_576, ge=1, description="most rows of one sheet or CSV file")
    ingest_max_cells: int = Field(
        default=2_000_000,
        ge=1,
        description="most non-empty cells of one CSV file or workbook (bounds memory)",
    )
    ingest_max_flow_csv_bytes: int = Field(
        default=128 * 1024 * 1024,
        ge=1024,
        description="largest CSV of transaction records (read whole; Parquet, or several files, for more)",
    )
    ingest_max_xlsx_bytes: int = Field(
        default=256 * 1024 * 1024, ge=1024, description="largest inflated size of an .xlsx workbook's parts"
    )
    earliest_year: int = Field(default=2000, gt=1, description="earliest year of a time a client may send")
    latest_year: int = Field(default=2100, lt=9999, description="latest year of a time a client may send")

    @model_validator(mode="after")
    def _fail_closed(self) -> Settings:
        if self.environment == "production" and (not self.secret_key or len(self.secret_key) < 32):
            raise ValueError("FANZHA_SECRET_KEY of at least 32 characters is required in production")
        if self.earliest_year > self.latest_year:
            raise ValueError("FANZHA_EARLIEST_YEAR is after FANZHA_LATEST_YEAR")
        return self

    @property
    def input_limits(self) -> InputLimits:
        """The limits on client data these settings name."""
        return InputLimits(
            earliest_year=self.earliest_year,
            latest_year=self.latest_year,
            json_depth=self.max_json_depth,
            json_bytes=self.max_json_bytes,
        )

    @property
    def trusted_proxy_list(self) -> list[str]:
        """The proxies of ``FANZHA_TRUSTED_PROXIES``, one per entry (empty: trust no one's X-Forwarded-For)."""
        return [proxy.strip() for proxy in self.trusted_proxies.split(",") if proxy.strip()]

    @property
    def case_store_url(self) -> str:
        """SQLAlchemy URL of the case store."""
        return self.database_url or f"sqlite:///{self.home / 'cases.db'}"

    @property
    def classifier_path(self) -> Path:
        """The fraud-type classifier written by ``fanzha train`` (absent: the one trained on shipped data)."""
        return self.home / "models" / "fraud_classifier.bin"

    @property
    def flow_store_path(self) -> Path:
        """Folder of the Parquet flow store."""
        return self.home / "flows"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once from the environment; their limits on client data are put in force in this process."""
    settings = Settings()
    set_input_limits(settings.input_limits)
    return settings
