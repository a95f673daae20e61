"""Text throughput: normalise + extract (+ classify) in reports per second on one core, beside a plain-regex baseline.

Run: ``.venv/bin/python -m bench.bench_text --repeats 5``. Three corpora: the narratives of a tiny simulated scenario
(``fanzha.sim``, seed 7, generated into a temporary folder), the annotated evaluation set shipped with fanzha
(three scripts), and the real English SMS Spam Collection in ``../shared/data``. The peer is what a centre without fanzha runs: a few ``re.findall`` for phones, URLs and card
numbers, with no normalisation, validation or context. Everything runs in one process on one thread; reports/s per core is
reports over the process CPU time (the machine is shared, so wall time is shown too but is noisier). The classifier is the model ``fanzha train`` saved under ``FANZHA_HOME`` when there is one, else the
default classifier, trained once before timing. Prints a markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.common import machine, markdown_table, today
from fanzha.config import get_settings
from fanzha.sim import generate_scenario
from fanzha.text import extract
from fanzha.text.evaluate import load_eval_set

SMS = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "sms_spam_collection" / "SMSSpamCollection.tsv"
)
MODEL_FILE = Path("models") / "fraud_classifier.bin"

_PEER_PHONE = re.compile(r"(?<!\d)(?:\+?\d[\d -]{7,16}\d)(?!\d)")
_PEER_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_PEER_CARD = re.compile(r"(?<!\d)\d{16,19}(?!\d)")

Texts = Sequence[tuple[str, datetime | None]]


def simulated_reports(seed: int = 7) -> list[tuple[str, datetime | None]]:
    """The narratives of a tiny simulated scenario with the time each was received."""
    with tempfile.TemporaryDirectory() as folder:
        generate_scenario(Path(folder) / "scenario", "tiny", seed)
        lines = (Path(folder) / "scenario" / "reports.jsonl").read_text("utf-8").splitlines()
    reports = [json.loads(line) for line in lines]
    return [
        (report["narrative"], datetime.fromisoformat(report["received_at"]))
        for report in reports
        if report["narrative"]
    ]


def sms_messages(path: Path = SMS) -> list[tuple[str, datetime | None]]:
    """The SMS Spam Collection texts (no report time)."""
    lines = path.read_text("utf-8").splitlines()[1:]
    return [(line.partition("\t")[2], None) for line in lines]


def plain_regex(texts: Texts) -> int:
    """The peer: phones, URLs and 16–19-digit card numbers by ``re.findall`` on the raw text."""
    found = 0
    for text, _ in texts:
        found += len(_PEER_PHONE.findall(text)) + len(_PEER_URL.findall(text)) + len(_PEER_CARD.findall(text))
    return found


def normalise_and_extract(texts: Texts) -> int:
    """fanzha: :func:`fanzha.text.extract` (normalisation included) on every text."""
    return sum(len(extract(text, reference_time=at).identifiers) for text, at in texts)


def _classifier() -> tuple[Any, str] | None:
    try:
        module: ModuleType = importlib.import_module("fanzha.text.classify")
    except ImportError:
        return None
    saved = get_settings().home / MODEL_FILE
    if saved.exists():
        try:
            return module.FraudClassifier.from_bytes(saved.read_bytes()), f"saved model {saved}"
        except ValueError:
            pass
    return module.default_classifier(), "default classifier"


def with_classification(classifier: Any) -> Callable[[Texts], int]:
    """fanzha: extract every text, then classify them all in one batch from the normalised texts, as ingest does
    (type and probability; the evidence is read when an analyst opens a report)."""

    def run(texts: Texts) -> int:
        extractions = [extract(text, reference_time=at) for text, at in texts]
        classified = classifier.classify_normalized(
            [extraction.normalized for extraction in extractions], evidence=False
        )
        return sum(len(e.identifiers) for e in extractions) + len(classified)

    return run


def median_times(run: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median wall time and median process CPU time of ``run`` over ``repeats`` runs."""
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--processes",
        type=int,
        default=5,
        help="run in this many fresh processes, one after another, and report "
        "the median and range of their rates (the machine's speed moves by tens of percent between processes)",
    )
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.processes > 1 and not args.json:
        _across_processes(args.processes, args.repeats)
        return
    corpora: dict[str, Texts] = {
        "simulated narratives (tiny, seed 7)": simulated_reports(),
        "annotated evaluation set": [(m.text, m.reported_at) for m in load_eval_set()],
    }
    if SMS.exists():
        corpora["SMS Spam Collection"] = sms_messages()
    pipelines: dict[str, Callable[[Texts], int]] = {
        "peer: plain regex (phones, URLs, cards)": plain_regex,
        "fanzha normalise + extract": normalise_and_extract,
    }
    loaded = _classifier()
    if loaded is not None:
        pipelines["fanzha normalise + extract + classify"] = with_classification(loaded[0])
    rows = []
    for corpus, texts in corpora.items():
        characters = sum(len(text) for text, _ in texts) / len(texts)
        for pipeline in pipelines.values():
            pipeline(texts[:50])
        peer_wall, peer_cpu = median_times(partial(plain_regex, texts), args.repeats)
        for name, pipeline in pipelines.items():
            wall, cpu = (
                (peer_wall, peer_cpu)
                if pipeline is plain_regex
                else median_times(partial(pipeline, texts), args.repeats)
            )
            rows.append(
                [
                    f"{corpus} ({len(texts):,} texts, {characters:.0f} chars avg)",
                    name,
                    f"{cpu * 1000:,.0f} ms",
                    f"{wall * 1000:,.0f} ms",
                    f"{len(texts) / cpu:,.0f}",
                    f"{cpu / peer_cpu:.1f}×",
                ]
            )
    if args.json:
        print(json.dumps({"rows": rows, "classifier": loaded[1] if loaded else None}))
        return
    print(f"Text throughput, {today()}, {machine()}; median of {args.repeats} runs, one process, one thread.")
    if loaded is None:
        print("Classifier not available (fanzha.text.classify missing): classification not measured.")
    else:
        print(f"Classifier: {loaded[1]} (training not timed).")
    print()
    print(
        markdown_table(
            [
                "corpus",
                "pipeline",
                "median CPU time",
                "median wall time",
                "reports/s/core (target ≥ 5,000)",
                "CPU time vs plain regex",
            ],
            rows,
        )
    )


def _across_processes(processes: int, repeats: int) -> None:
    """The benchmark in ``processes`` fresh interpreters: per corpus and pipeline the median rate and its range."""
    rates: dict[tuple[str, str], list[float]] = {}
    classifier = None
    for _ in range(processes):
        out = subprocess.run(
            [sys.executable, "-m", "bench.bench_text", "--repeats", str(repeats), "--json", "--processes", "1"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        result = json.loads(out.strip().splitlines()[-1])
        classifier = result["classifier"]
        for corpus, pipeline, _cpu, _wall, rate, _ratio in result["rows"]:
            rates.setdefault((corpus, pipeline), []).append(float(rate.replace(",", "")))
    print(
        f"Text throughput, {today()}, {machine()}; {processes} processes one after another, each the median of "
        f"{repeats} runs on one thread; classifier: {classifier} (training not timed)."
    )
    print()
    rows = [
        [corpus, pipeline, f"{statistics.median(values):,.0f}", f"{min(values):,.0f}–{max(values):,.0f}"]
        for (corpus, pipeline), values in rates.items()
    ]
    print(markdown_table(["corpus", "pipeline", "reports/s/core, median (target ≥ 5,000)", "range"], rows))


if __name__ == "__main__":
    main()
