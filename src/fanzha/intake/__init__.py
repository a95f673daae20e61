"""fanzha.intake (接警): read reports and transaction records from the files centres receive."""

from fanzha.intake.errors import IngestError, RecordError

__all__ = ["IngestError", "RecordError"]
