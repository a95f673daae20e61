"""Errors that name the file, the record and the field, so a clerk can fix the source and ingest again."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError


@dataclass(frozen=True)
class RecordError:
    """One bad record: where it is (``line 12``, ``row 7``, ``sheet 流水 row 3``) and which field is wrong."""

    source: str
    location: str
    field: str
    message: str

    def __str__(self) -> str:
        field = f", field {self.field!r}" if self.field else ""
        return f"{self.source}: {self.location}{field}: {self.message}"


class IngestError(ValueError):
    """A batch that was refused as a whole; ``errors`` lists every bad record found (nothing was written)."""

    def __init__(self, errors: list[RecordError]) -> None:
        self.errors = errors
        shown = "\n".join(f"  {error}" for error in errors[:20])
        more = f"\n  … and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} bad record(s), nothing was written:\n{shown}{more}")


def validation_errors(source: str, location: str, error: ValidationError) -> list[RecordError]:
    """Turn a pydantic error on one record into RecordErrors naming each bad field by its dotted path."""
    return [
        RecordError(source, location, ".".join(str(part) for part in item["loc"]), item["msg"])
        for item in error.errors(include_url=False)
    ]
