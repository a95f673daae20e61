"""Reading a scenario folder back for the simulator tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from fanzha.model import Report


@dataclass(frozen=True)
class Scenario:
    """A generated scenario folder, its parsed reports and its tables."""

    path: Path
    manifest: dict[str, object]
    reports: list[Report]
    transactions: pa.Table
    paths: pa.Table
    accounts: pa.Table
    campaigns: pa.Table
    report_campaign: pa.Table
    innocent: pa.Table


def load(path: Path) -> Scenario:
    """Read every file of a scenario folder."""
    lines = (path / "reports.jsonl").read_text("utf-8").splitlines()
    return Scenario(
        path=path,
        manifest=json.loads((path / "manifest.json").read_text("utf-8")),
        reports=[Report.model_validate_json(line) for line in lines],
        transactions=ds.dataset(path / "transactions", format="parquet", partitioning="hive").to_table(),
        paths=pq.read_table(path / "truth" / "paths.parquet"),
        accounts=pq.read_table(path / "truth" / "accounts.parquet"),
        campaigns=pq.read_table(path / "truth" / "campaigns.parquet"),
        report_campaign=pq.read_table(path / "truth" / "report_campaign.parquet"),
        innocent=pq.read_table(path / "truth" / "innocent_identifiers.parquet"),
    )
