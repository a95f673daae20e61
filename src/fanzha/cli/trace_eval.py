"""``fanzha eval trace``: freeze lists against a scenario's truth — money covered and accounts wrongly listed."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import pyarrow.parquet as pq
import typer
from rich.table import Table

from fanzha.cli.app import console, eval_app, scenario_folder
from fanzha.flow import FreezeRules, Ledger, freeze_list, sources_from_payments, trace
from fanzha.flow.freeze import KnownAccounts
from fanzha.flow.quality import (
    RECALL_TARGET,
    WRONGLY_LISTED_TARGET,
    FreezeQuality,
    freeze_accounts,
    score_freeze_list,
)
from fanzha.flow.trace import to_micros
from fanzha.model import Report
from fanzha.store.flows import FlowStore
from fanzha.text import bank_code_of_account

CASH_OUT_PREFIXES = ("ATM:", "EXCH:", "MCH:")


@dataclass(frozen=True)
class TraceEvaluation:
    """Freeze lists of every case of a scenario, traced as of its report time, and the naive peer: every account
    the trace found holding victim money."""

    fanzha: FreezeQuality
    every_account: FreezeQuality
    seconds: float


def evaluate_scenario_traces(folder: Path, rules: FreezeRules = FreezeRules()) -> TraceEvaluation:
    """Trace every case of the scenario at ``folder`` as of its report time and score the freeze lists.

    The known victims' accounts are every report's payers, as the case store would know them. Cost: one trace
    per case plus one pass over the truth's paths.
    """
    ledger = Ledger.build(FlowStore(folder / "transactions").load_arrays())
    lines = (folder / "reports.jsonl").read_text("utf-8").splitlines()
    reports = [r for r in map(Report.model_validate_json, lines) if r.payments]
    by_id = {r.id: r for r in reports}
    role_of = {
        row["account"]: row["role"]
        for row in pq.read_table(
            folder / "truth" / "accounts.parquet", columns=["account", "role"]
        ).to_pylist()
    }
    holding = _held_at_report_time(folder, by_id)
    truly_held = {
        rid: {a: n for a, n in held.items() if n >= rules.min_held_minor} for rid, held in holding.items()
    }
    victims = {p.from_account for r in reports for p in r.payments} | {
        r.victim.account for r in reports if r.victim and r.victim.account
    }
    known = KnownAccounts(frozenset(victims), frozenset(p.to_account for r in reports for p in r.payments))
    fanzha, every = FreezeQuality(), FreezeQuality()
    started = time.perf_counter()
    for report in reports:
        result = trace(ledger, sources_from_payments(report.payments, report.id), as_of=report.received_at)
        listed = freeze_list(
            result, ledger, report_time=report.received_at, rules=rules,
            bank_of=bank_code_of_account, known=known,
        )  # fmt: skip
        held, holds = truly_held.get(report.id, {}), holding.get(report.id, {}).keys()
        score_freeze_list(fanzha, freeze_accounts(listed), held, role_of, holds)
        touched = sorted(
            (row for row in range(len(result)) if int(result.held[row]) > 0),
            key=lambda row: -int(result.held[row]),
        )
        score_freeze_list(
            every, [ledger.account_name(int(result.account[row])) for row in touched], held, role_of
        )
    return TraceEvaluation(fanzha, every, time.perf_counter() - started)


def _held_at_report_time(folder: Path, reports: dict[str, Report]) -> dict[str, dict[str, int]]:
    """Victim money truly in each account at each report's time, per report (cash-out points excluded); the
    freezable money is what lies in accounts holding at least the centre's minimum of it."""
    table = pq.read_table(
        folder / "truth" / "paths.parquet",
        columns=["report_id", "src_account", "dst_account", "amount_minor", "time"],
    )
    held: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in table.to_pylist():
        report = reports.get(row["report_id"])
        if report is None or to_micros(row["time"]) > to_micros(report.received_at):
            continue
        held[row["report_id"]][row["dst_account"]] += row["amount_minor"]
        held[row["report_id"]][row["src_account"]] -= row["amount_minor"]
    return {
        rid: {a: n for a, n in accounts.items() if n > 0 and not a.startswith(CASH_OUT_PREFIXES)}
        for rid, accounts in held.items()
    }


def _row(name: str, quality: FreezeQuality) -> list[str]:
    recall = f"[{'green' if quality.recall >= RECALL_TARGET else 'red'}]{quality.recall:.3f}[/]"
    wrong = quality.wrongly_listed_share
    share = f"[{'green' if wrong <= WRONGLY_LISTED_TARGET else 'red'}]{wrong:.2%}[/]"
    return [
        name, f"{quality.targets:,}", recall, f"{quality.precision:.3f}", f"{quality.innocents:,}",
        f"{quality.victims:,}", share, f"{quality.top_share:.3f}",
    ]  # fmt: skip


@eval_app.command("trace")
def eval_trace(
    scenario: Annotated[
        Path | None, typer.Option(help="a scenario folder; by default one is generated")
    ] = None,
    scale: Annotated[str, typer.Option(help="scale of the generated scenario")] = "small",
    seed: Annotated[int, typer.Option(help="seed of the generated scenario")] = 7,
    min_held: Annotated[float, typer.Option(help="smallest amount held worth listing, yuan")] = 500.0,
) -> None:
    """Freeze lists of every case, traced as of its report time, against the simulator's truth (止付质量评估)."""
    rules = FreezeRules(min_held_minor=round(min_held * 100))
    with scenario_folder(scenario, scale, seed) as folder:
        evaluation = evaluate_scenario_traces(folder, rules)
    quality = evaluation.fanzha
    table = Table(
        title=f"freeze lists of {quality.lists:,} cases as of report time, {evaluation.seconds:.1f} s "
        f"(targets: recall ≥ {RECALL_TARGET}, innocents + victims ≤ {WRONGLY_LISTED_TARGET:.0%} of targets)"
    )
    for column in (
        "list",
        "targets",
        "recall",
        "precision",
        "innocents",
        "victims",
        "wrongly listed",
        "top-10",
    ):
        table.add_column(column, justify="left" if column == "list" else "right")
    table.add_row(*_row("fanzha freeze list", quality))
    table.add_row(*_row("every account holding victim money", evaluation.every_account))
    console.print(table)
    console.print(
        f"freezable victim money at report time ¥{quality.freezable_minor / 100:,.0f}, "
        f"covered ¥{quality.covered_minor / 100:,.0f}; targets by true role: "
        + ", ".join(f"{role} {n:,}" for role, n in sorted(quality.by_role.items()))
    )
    if not quality.meets_targets():
        raise typer.Exit(1)
