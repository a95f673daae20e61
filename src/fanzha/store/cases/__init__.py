"""The case store (案件库): reports, units, identifiers with provenance, and the hash-chained audit log.

SQLite in WAL mode by default, PostgreSQL through ``FANZHA_DATABASE_URL``; the schema is migrated by the Alembic
revisions shipped in ``migrations/``:

>>> from fanzha.config import get_settings
>>> url = get_settings().case_store_url  # doctest: +SKIP
>>> upgrade(url)  # doctest: +SKIP
>>> with CaseStore(url) as store:  # doctest: +SKIP
...     store.add_units(units)
...     store.add_reports(reports)
"""

from fanzha.store.cases.migrate import current_revision, head_revision, schema_drift, upgrade
from fanzha.store.cases.records import (
    AddResult,
    CaseCounts,
    CaseStoreError,
    IdentifierActivity,
    IdentifierLink,
    Mention,
    ReportConflictError,
    ReportNotFoundError,
    ReportSummary,
    TextMention,
    UnknownUnitError,
)
from fanzha.store.cases.store import CaseStore

__all__ = [
    "AddResult",
    "CaseCounts",
    "CaseStore",
    "CaseStoreError",
    "IdentifierActivity",
    "IdentifierLink",
    "Mention",
    "ReportConflictError",
    "ReportNotFoundError",
    "ReportSummary",
    "TextMention",
    "UnknownUnitError",
    "current_revision",
    "head_revision",
    "schema_drift",
    "upgrade",
]
