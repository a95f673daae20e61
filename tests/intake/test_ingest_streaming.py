"""Ingest at scale (issue 13): a report file streams in chunks inside its one transaction, memory does not grow
with the file, a re-ingest does no text work on stored reports, a Parquet folder of transactions can be named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ingest_measure import run_fanzha

from fanzha.intake import IngestError
from fanzha.intake import pipeline as pipeline_module
from fanzha.intake.pipeline import ingest_path
from fanzha.model import Report
from fanzha.sim import generate_scenario
from fanzha.store.cases import CaseStore, ReportConflictError
from fanzha.store.flows import FlowStore


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("streaming") / "scenario"
    generate_scenario(path, "tiny", seed=5)
    return path


@pytest.fixture
def chunks_of(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set the chunk size (and keep the text work in this process) for the test."""

    def chunk(size: int) -> None:
        monkeypatch.setenv("FANZHA_INGEST_CHUNK_REPORTS", str(size))
        monkeypatch.setenv("FANZHA_INGEST_TEXT_WORKERS", "0")
        pipeline_module.get_settings.cache_clear()

    yield chunk
    pipeline_module.get_settings.cache_clear()


def _records(scenario: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (scenario / "reports.jsonl").read_text("utf-8").splitlines()]


def _copies(scenario: Path, path: Path, times: int) -> Path:
    """The scenario's reports ``times`` over under fresh ids, as one JSON-lines file."""
    records = _records(scenario)
    with path.open("w", encoding="utf-8") as out:
        for copy in range(times):
            for record in records:
                out.write(json.dumps({**record, "id": f"{record['id']}-{copy}"}, ensure_ascii=False) + "\n")
    return path


@pytest.mark.slow
def test_peak_memory_does_not_grow_with_the_file(scenario: Path, tmp_path: Path) -> None:
    small, large = (
        _copies(scenario, tmp_path / "small.jsonl", 4),
        _copies(scenario, tmp_path / "large.jsonl", 24),
    )
    peaks = []
    for name, path in (("small", small), ("large", large)):
        home = tmp_path / name
        assert run_fanzha(["ingest", str(scenario / "units.jsonl")], home).code == 0
        done = run_fanzha(["ingest", str(path)], home, timeout=300, FANZHA_INGEST_CHUNK_REPORTS="200")
        assert done.code == 0, done.stderr
        assert "reports added" in done.stdout
        peaks.append(done.peak_mib)
    # 6,000 more reports held at once cost about 125 MB before (21 kB each); a stream holds one chunk.
    assert peaks[1] - peaks[0] < 40, peaks
    assert peaks[1] < 1024, peaks


def test_reingest_does_no_text_work_on_stored_reports(
    scenario: Path, case_store: CaseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunks_of: Any
) -> None:
    chunks_of(50)
    flows = FlowStore(tmp_path / "flows")
    ingest_path(scenario / "units.jsonl", case_store, flows)
    analysed: list[int] = []
    real = pipeline_module.TextWork.submit

    def counting(self: Any, reports: list[Report]) -> Any:
        analysed.append(len(reports))
        return real(self, reports)

    monkeypatch.setattr(pipeline_module.TextWork, "submit", counting)
    first = ingest_path(scenario / "reports.jsonl", case_store, flows)
    assert first.reports_inserted == sum(analysed) == len(_records(scenario))
    assert len(analysed) == -(-first.reports_inserted // 50)
    analysed.clear()
    counts = case_store.counts()
    again = ingest_path(scenario / "reports.jsonl", case_store, flows)
    assert (again.reports_inserted, again.reports_unchanged, again.classified) == (
        0,
        first.reports_inserted,
        0,
    )
    assert sum(analysed) == 0
    assert case_store.counts() == counts


def test_a_bad_record_in_the_last_chunk_writes_nothing(
    scenario: Path, case_store: CaseStore, tmp_path: Path, chunks_of: Any
) -> None:
    chunks_of(20)
    flows = FlowStore(tmp_path / "flows")
    ingest_path(scenario / "units.jsonl", case_store, flows)
    lines = (scenario / "reports.jsonl").read_text("utf-8").splitlines()
    bad = json.loads(lines[-1]) | {"channel": "carrier pigeon"}
    path = tmp_path / "reports.jsonl"
    path.write_text("\n".join([*lines[:-1], json.dumps(bad, ensure_ascii=False)]) + "\n", "utf-8")
    with pytest.raises(IngestError, match=rf"line {len(lines)}, field 'channel'"):
        ingest_path(path, case_store, flows)
    assert case_store.counts().reports == 0
    assert case_store.verify_audit_chain() is None


def test_an_id_repeated_in_a_later_chunk(
    scenario: Path, case_store: CaseStore, tmp_path: Path, chunks_of: Any
) -> None:
    chunks_of(10)
    flows = FlowStore(tmp_path / "flows")
    ingest_path(scenario / "units.jsonl", case_store, flows)
    records = _records(scenario)[:60]
    same = tmp_path / "same.jsonl"
    same.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [*records, records[3]]), "utf-8"
    )
    summary = ingest_path(same, case_store, flows)
    assert (summary.reports_inserted, summary.reports_unchanged) == (60, 0)
    changed = records[5] | {"narrative": records[5]["narrative"] + "（补充）", "id": "R-NEW-ONE"}
    other = records[7] | {"narrative": records[7]["narrative"] + "（改）"}
    lines = [changed, *_records(scenario)[60:75], changed | {"narrative": "又一次"}]
    path = tmp_path / "conflict.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), "utf-8")
    with pytest.raises(IngestError, match=r"line 17, field 'id'.*again with different content"):
        ingest_path(path, case_store, flows)
    stored = tmp_path / "stored.jsonl"
    stored.write_text(json.dumps(other, ensure_ascii=False) + "\n", "utf-8")
    with pytest.raises(ReportConflictError):
        ingest_path(stored, case_store, flows)
    assert case_store.counts().reports == 60


def test_reports_stored_without_text_work_get_it_on_ingest(
    scenario: Path, case_store: CaseStore, tmp_path: Path
) -> None:
    from fanzha.intake.reports import read_reports

    flows = FlowStore(tmp_path / "flows")
    ingest_path(scenario / "units.jsonl", case_store, flows)
    reports = read_reports(scenario / "reports.jsonl")
    case_store.add_reports(reports[:30])
    summary = ingest_path(scenario / "reports.jsonl", case_store, flows)
    assert summary.reports_inserted == len(reports) - 30
    assert summary.classified == len([r for r in reports if r.narrative])
    told = [r for r in reports[:30] if r.narrative]
    assert all(summary.fraud_type is not None for summary in case_store.list_reports(limit=1000)
               if summary.id in {r.id for r in told})  # fmt: skip


def test_a_parquet_folder_of_transactions_is_ingested_by_naming_it(
    scenario: Path, case_store: CaseStore, tmp_path: Path
) -> None:
    manifest = json.loads((scenario / "manifest.json").read_text("utf-8"))
    flows = FlowStore(tmp_path / "flows")
    assert sorted(p.name for p in (scenario / "transactions").iterdir())[0].startswith("day=")
    summary = ingest_path(scenario / "transactions", case_store, flows)
    assert summary.transactions_inserted == manifest["counts"]["transactions"]
    assert len(summary.files) == len(list((scenario / "transactions").rglob("*.parquet")))
    one_day = sorted((scenario / "transactions").iterdir())[0]
    assert ingest_path(one_day, case_store, flows).transactions_inserted == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(IngestError, match=r"no units\.jsonl, reports\.jsonl, transactions/ or Parquet files"):
        ingest_path(empty, case_store, flows)
