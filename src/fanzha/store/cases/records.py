"""What the case store hands back and the errors it raises; plain frozen values, no database types."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from fanzha.model import Channel, IdentifierKind, IdentifierRole, ReportKind


class Mention(Protocol):
    """An identifier found in a narrative, with its span (``fanzha.text.FoundIdentifier`` fits)."""

    @property
    def kind(self) -> IdentifierKind | str: ...
    @property
    def value(self) -> str: ...
    @property
    def valid(self) -> bool: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def raw(self) -> str | None: ...
    @property
    def role(self) -> IdentifierRole: ...


@dataclass(frozen=True)
class TextMention:
    """A normalised identifier at ``narrative[start:end]``, for callers that do not use ``fanzha.text``."""

    kind: IdentifierKind
    value: str
    start: int
    end: int
    valid: bool = True
    raw: str | None = None
    role: IdentifierRole = IdentifierRole.UNKNOWN


@dataclass(frozen=True)
class AddResult:
    """How many records a batch inserted, found already stored unchanged, or (units only) updated."""

    inserted: int
    unchanged: int
    updated: int = 0


@dataclass(frozen=True)
class ReportSummary:
    """One line of a report list; personal data masked (victim account, phones and cards named)."""

    id: str
    kind: ReportKind
    channel: Channel
    received_at: datetime
    reporter_unit: str
    fraud_type: str | None
    classified: bool
    victim_age_band: str | None
    victim_region: str | None
    victim_account: str | None
    loss: Mapping[str, int]
    identifiers: tuple[str, ...]
    campaign_id: str | None = None
    needs_trace: bool = False
    """It records payments and no stop-payment task has been made for it yet (待止付)."""


@dataclass(frozen=True)
class IdentifierLink:
    """Provenance of one mention that linked a report to an identifier (form entry, payment, or text span)."""

    report_id: str
    received_at: datetime
    source: str
    ordinal: int
    span_start: int | None
    span_end: int | None
    raw: str | None
    role: IdentifierRole = IdentifierRole.UNKNOWN


@dataclass(frozen=True)
class IdentifierActivity:
    """How often and when an identifier was reported: counts and dates only, never who reported it.

    Only mentions in ``roles`` count (by default the other side's and unknown ones, never the victim's own).
    """

    kind: IdentifierKind
    value: str
    valid: bool
    cases: int
    tips: int
    first_reported: datetime | None
    last_reported: datetime | None
    roles: frozenset[IdentifierRole] = frozenset({IdentifierRole.COUNTERPARTY, IdentifierRole.UNKNOWN})


@dataclass(frozen=True)
class CaseCounts:
    """Totals for the summary table (案件概况): reports, cases, tips, loss per currency, identifiers, units."""

    reports: int
    cases: int
    tips: int
    loss: Mapping[str, int] = field(default_factory=dict)
    identifiers: Mapping[str, int] = field(default_factory=dict)
    units: int = 0

    def rows(self) -> list[tuple[str, int]]:
        """``(what, number)`` rows in display order; loss in minor units."""
        rows = [("reports", self.reports), ("cases", self.cases), ("tips", self.tips), ("units", self.units)]
        rows += [(f"loss {currency} (minor units)", total) for currency, total in sorted(self.loss.items())]
        rows += [(f"identifiers {kind}", n) for kind, n in sorted(self.identifiers.items())]
        return rows


class CaseStoreError(ValueError):
    """A batch the case store refused; nothing of it was written."""


class ReportConflictError(CaseStoreError):
    """Reports whose id is already stored (or repeated in the batch) with different content."""

    def __init__(self, report_ids: list[str]) -> None:
        self.report_ids = report_ids
        shown = ", ".join(report_ids[:20]) + (
            f" … and {len(report_ids) - 20} more" if len(report_ids) > 20 else ""
        )
        super().__init__(
            f"{len(report_ids)} report(s) already stored with different content, nothing was written: {shown}"
        )


class UnknownUnitError(CaseStoreError):
    """Records naming a unit code that is neither stored nor in the batch."""

    def __init__(self, missing: Mapping[str, str]) -> None:
        self.missing = dict(missing)
        shown = ", ".join(f"{record} → {unit}" for record, unit in list(self.missing.items())[:20])
        super().__init__(f"unknown unit code(s), add the units first; nothing was written: {shown}")


class ReportNotFoundError(LookupError):
    """No report with that id is stored."""
