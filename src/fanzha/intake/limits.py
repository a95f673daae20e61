"""How much of a file an ingest will read: caps that keep a hostile or broken file from exhausting memory.

Each cap is a setting (``FANZHA_INGEST_MAX_…``); a file past one is refused with an error naming the file, where
in it the cap was passed and the setting to raise, and nothing of it is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from fanzha.config import Settings, get_settings
from fanzha.intake.errors import IngestError, RecordError


@dataclass(frozen=True)
class FileLimits:
    """The caps of one ingest, in bytes (characters for text already decoded), rows, columns and cells."""

    record_bytes: int = 4 * 1024 * 1024
    field_bytes: int = 1024 * 1024
    columns: int = 1_000
    rows: int = 1_048_576
    cells: int = 2_000_000
    xlsx_bytes: int = 256 * 1024 * 1024
    flow_csv_bytes: int = 128 * 1024 * 1024

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> FileLimits:
        """The caps the settings name."""
        s = settings or get_settings()
        return cls(
            record_bytes=s.ingest_max_record_bytes, field_bytes=s.ingest_max_field_bytes,
            columns=s.ingest_max_columns, rows=s.ingest_max_rows, cells=s.ingest_max_cells,
            xlsx_bytes=s.ingest_max_xlsx_bytes, flow_csv_bytes=s.ingest_max_flow_csv_bytes,
        )  # fmt: skip


def too_large(
    source: str, location: str, what: str, limit: int, setting: str, field: str = ""
) -> IngestError:
    """The refusal of a file that passes a cap: where, what, and the setting that would let it through."""
    message = f"{what}, more than the limit of {limit:,} (FANZHA_{setting})"
    return IngestError([RecordError(source, location, field, message)])
