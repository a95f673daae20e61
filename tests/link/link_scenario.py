"""The simulator scenario the link tests share: its reports and the true campaign of each report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from fanzha.model import Report
from fanzha.sim import generate_scenario


@dataclass(frozen=True)
class LinkScenario:
    """A scenario folder, its reports and the true campaign of each report (None: not fraud)."""

    path: Path
    reports: list[Report]
    truth: dict[str, str | None]


def make_scenario(path: Path, scale: str = "tiny", seed: int = 7) -> LinkScenario:
    """Generate a scenario into ``path`` and read it back."""
    generate_scenario(path, scale, seed=seed)
    lines = (path / "reports.jsonl").read_text("utf-8").splitlines()
    rows = pq.read_table(path / "truth" / "report_campaign.parquet").to_pylist()
    return LinkScenario(
        path=path,
        reports=[Report.model_validate_json(line) for line in lines],
        truth={row["report_id"]: row["campaign_id"] for row in rows},
    )
