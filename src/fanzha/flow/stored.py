"""The ledger of the flow store on disk (资金流水索引): built on first use, kept up to date as days arrive.

This is the one place the flow room touches storage; the engines themselves take a :class:`Ledger`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from fanzha.flow.ledger import Ledger
from fanzha.store.flows import FlowStore

LEDGER_SUFFIX = "-ledger"
_FILES_RECORD = "files.json"


def open_ledger(store: FlowStore) -> Ledger:
    """The store's ledger, built on first use and brought up to date with new days.

    It lives beside the store (``flows-ledger/`` next to ``flows/``), so readers of the Parquet folder never see
    it. Days newer than every indexed day are appended to the ledger's delta; anything else rebuilds it.
    """
    folder = ledger_folder(store)
    files = [str(file.relative_to(store.path)) for file in store.files()]
    record = folder / _FILES_RECORD
    known: list[str] = json.loads(record.read_text("utf-8")) if record.exists() else []
    if known and known == files:
        return Ledger.open(folder)
    new = sorted(set(files) - set(known))
    if known and set(known) <= set(files) and min(map(_day, new)) > max(map(_day, known)):
        first_new_day = datetime.fromisoformat(min(map(_day, new))).replace(tzinfo=UTC)
        ledger = Ledger.open(folder).append(store.load_arrays(start=first_new_day))
    else:
        ledger = Ledger.build(store.load_arrays())
    ledger.save(folder)
    record.write_text(json.dumps(files), encoding="utf-8")
    return Ledger.open(folder)


def ledger_folder(store: FlowStore) -> Path:
    """Where the ledger of ``store`` is kept."""
    return store.path.with_name(store.path.name + LEDGER_SUFFIX)


def _day(relative: str) -> str:
    return relative.split("/", 1)[0].removeprefix("day=")
