"""``fanzha trace``: follow a victim's money and print the freeze list (紧急止付 / 快速冻结) and the flow tree."""

from __future__ import annotations

import getpass
import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table
from rich.tree import Tree

from fanzha.api.routes.trace import issue_stop_payments
from fanzha.cli.app import app, console, err_console
from fanzha.config import get_settings
from fanzha.flow import (
    AttributionPolicy,
    FreezeList,
    FreezeRules,
    Ledger,
    TaintSource,
    TraceLimits,
    TraceResult,
    freeze_list,
    sources_from_payments,
    trace,
)
from fanzha.flow.freeze import KnownAccounts
from fanzha.flow.stored import open_ledger
from fanzha.model import Report, utcnow
from fanzha.ops import Actor, Role, SlaPolicy
from fanzha.store.cases import CaseStore, ReportNotFoundError, upgrade
from fanzha.store.cases.ops import load_tree
from fanzha.store.flows import FlowStore
from fanzha.text import bank_code_of_account

logger = logging.getLogger(__name__)


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(get_settings().timezone))
    return moment.astimezone(UTC)


def _parse_amount(text: str) -> int:
    try:
        minor = Decimal(text.replace(",", "")) * 100
    except InvalidOperation as error:
        raise typer.BadParameter(f"--amount {text!r} is not a number of yuan") from error
    if minor <= 0 or minor != minor.to_integral_value():
        raise typer.BadParameter(f"--amount {text!r} must be positive with at most two decimals")
    return int(minor)


def _report(report_id: str) -> Report:
    with CaseStore(get_settings().case_store_url) as cases:
        try:
            report = cases.get_report(report_id, actor=f"cli:{getpass.getuser()}")
        except ReportNotFoundError:
            err_console.print(f"[red]report {report_id} is not in the case store[/red]")
            raise typer.Exit(1) from None
    if not report.payments:
        err_console.print(f"[yellow]report {report_id} records no payment: nothing to trace[/yellow]")
        raise typer.Exit(1)
    return report


def _known_accounts() -> KnownAccounts:
    url = get_settings().case_store_url
    upgrade(url)
    with CaseStore(url) as cases:
        victims, payees = cases.payment_accounts()
    return KnownAccounts(frozenset(victims), frozenset(payees))


def _create_tasks(report: Report, listed: FreezeList) -> None:
    """Send the freeze list to the bank desks as stop-payment tasks, issued by the report's own unit."""
    with CaseStore(get_settings().case_store_url) as cases:
        tree = load_tree(cases)
        actor = Actor.of(f"cli:{getpass.getuser()}", report.reporter_unit, Role.ANALYST)
        created, updated = issue_stop_payments(cases, tree, actor, listed, report.id, utcnow(), SlaPolicy())
    table = Table(title=f"stop-payment tasks (紧急止付): {len(created)} new, {len(updated)} updated")
    for column in ("task", "bank desk", "accounts", "amount", "due"):
        table.add_column(column, justify="right" if column in ("accounts", "amount") else "left")
    for record in (*created, *updated):
        task = record.task
        amount = task.amount.amount_minor if task.amount else 0
        table.add_row(
            task.id, task.unit, str(len(task.detail["accounts"])), _yuan(amount), _local(task.due_at)
        )
    console.print(table)


@app.command("trace")
def trace_money(
    report: Annotated[str | None, typer.Option(help="report ID in the case store")] = None,
    account: Annotated[str | None, typer.Option(help="account the victim paid into")] = None,
    amount: Annotated[str | None, typer.Option(help="amount paid, in yuan (e.g. 12000.50)")] = None,
    time: Annotated[
        str | None, typer.Option(help="time of the payment, ISO 8601 (local time if no offset)")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option(help="where the money is at this time (default: the report's time, or now)")
    ] = None,
    where_it_went: Annotated[
        bool, typer.Option("--where-it-went", help="follow the money to the end of the window instead")
    ] = False,
    policy: Annotated[
        AttributionPolicy, typer.Option(help="lifo, fifo or proportional")
    ] = AttributionPolicy.LIFO,
    max_hops: Annotated[int, typer.Option(help="transfers followed from the victim's payment")] = 6,
    window_hours: Annotated[float, typer.Option(help="hours followed after the last payment")] = 72.0,
    min_held: Annotated[
        float | None,
        typer.Option(help="smallest holding listed, yuan (default: FANZHA_FREEZE_MIN_HELD_YUAN)"),
    ] = None,
    create_tasks: Annotated[
        bool, typer.Option("--create-tasks", help="send the list to the bank desks as stop-payment tasks")
    ] = False,
    top: Annotated[int, typer.Option(help="freeze-list rows shown")] = 50,
    depth: Annotated[int, typer.Option(help="levels of the flow tree shown")] = 6,
) -> None:
    """Trace a victim's money hop by hop and print the freeze list and the flow (资金穿透 / 止付冻结清单)."""
    now = utcnow()
    case: Report | None = None
    if report is not None:
        case = _report(report)
        sources, report_time = sources_from_payments(case.payments, case.id), case.received_at
    elif account and amount and time:
        report_time = now
        sources = [TaintSource(account.strip(), _parse_amount(amount), _parse_time(time), victim="manual")]
    else:
        raise typer.BadParameter("give --report, or --account with --amount and --time")
    if create_tasks and case is None:
        raise typer.BadParameter("--create-tasks needs --report: tasks belong to a report")
    store = FlowStore.from_settings()
    if not store.files():
        err_console.print(f"[red]the flow store at {store.path} holds no transactions[/red]")
        raise typer.Exit(1)
    ledger = open_ledger(store)
    limits = TraceLimits(max_hops=max_hops, window=timedelta(hours=window_hours), policy=policy)
    horizon = None if where_it_went else _parse_time(as_of) if as_of else report_time
    result = trace(ledger, sources, as_of=horizon, limits=limits)
    minimum = get_settings().freeze_min_held_yuan if min_held is None else min_held
    listed = freeze_list(
        result, ledger, report_time=report_time, now=now, rules=FreezeRules(min_held_minor=round(minimum * 100)),
        bank_of=bank_code_of_account, known=_known_accounts(),
    )  # fmt: skip
    _print_freeze_list(listed, top)
    console.print(_flow_tree(result, ledger, depth))
    if create_tasks and case is not None:
        _create_tasks(case, listed)


def _yuan(minor: int) -> str:
    return f"¥{minor / 100:,.2f}"


def _local(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(get_settings().timezone)).strftime("%m-%d %H:%M")


def _deadline(due: datetime, overdue: bool) -> str:
    return "[red]overdue: at once[/red]" if overdue else _local(due)


LEFT_OUT_WORDS = {
    "victim_account": "victims' own accounts",
    "below_minimum": "holding under the minimum",
    "bona_fide": "bona fide recipients (善意第三人)",
}


def _print_freeze_list(listed: FreezeList, top: int) -> None:
    for source in listed.unmatched:
        err_console.print(
            f"[yellow]payment of {_yuan(source.amount_minor)} to {source.account} at {_local(source.time)} "
            "is not in the bank records[/yellow]"
        )
    held_at = f" at {_local(listed.as_of)}" if listed.as_of else ""
    table = Table(title=f"freeze list (止付冻结清单): {_yuan(listed.total_held_minor)} held{held_at}")
    for column in ("#", "bank", "account", "hop", "held", "victims", "tainted since", "stop by", "freeze by"):
        table.add_column(column, justify="right" if column in ("#", "hop", "held") else "left")
    for target in listed.targets[:top]:
        victims = ", ".join(f"{share.victim} {share.fraction:.0%}" for share in target.shares[:3])
        if len(target.shares) > 3:
            victims += f" +{len(target.shares) - 3}"
        table.add_row(
            str(target.rank), target.bank, target.account, str(target.hop), _yuan(target.held.amount_minor),
            victims, _local(target.first_tainted),
            _deadline(target.stop_payment_due, target.stop_payment_overdue),
            _deadline(target.freeze_due, target.freeze_overdue),
        )  # fmt: skip
    console.print(table)
    if listed.left_out:
        console.print(
            "left out (未列入): "
            + ", ".join(
                f"{LEFT_OUT_WORDS.get(reason, reason)} {n:,}" for reason, n in sorted(listed.left_out.items())
            )
        )
    if len(listed.targets) > top:
        console.print(f"… and {len(listed.targets) - top} more accounts")
    cashed = sum(cash_out.amount_minor for cash_out in listed.cash_outs)
    if cashed:
        console.print(
            f"cashed out (资金出口): {_yuan(cashed)} at {len(listed.cash_outs)} ATM/exchange/merchant points"
        )


def _flow_tree(result: TraceResult, ledger: Ledger, depth: int, fan_out: int = 8) -> Tree:
    """The accounts victim money went through, as a tree from the payments (each account shown once)."""
    carried: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for _, _, amount, from_row, to_row, _ in result.edges.tolist():
        carried[from_row][to_row] += amount
    root = Tree("victim payments (受害人转账)")
    shown: set[int] = set()

    def label(row: int, amount: int) -> str:
        name = ledger.account_name(int(result.account[row]))
        held = int(result.held[row])
        note = f" [green]held {_yuan(held)}[/green]" if held else ""
        if int(result.cashed_out[row]):
            note = " [red]cash-out[/red]"
        return f"{name}  {_yuan(amount)} (hop {int(result.hop[row])}){note}"

    def grow(node: Tree, row: int, level: int) -> None:
        children = sorted(carried.get(row, {}).items(), key=lambda item: -item[1])
        for child, amount in children[:fan_out]:
            if child in shown:
                node.add(f"[dim]{ledger.account_name(int(result.account[child]))} (above)[/dim]")
                continue
            shown.add(child)
            branch = node.add(label(child, amount))
            if level < depth:
                grow(branch, child, level + 1)
        if len(children) > fan_out:
            node.add(f"[dim]… {len(children) - fan_out} more[/dim]")

    grow(root, -1, 1)
    return root
