"""``fanzha ingest``, ``fanzha summary`` and ``fanzha db upgrade``: getting data in and seeing what is there."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from fanzha.cli.app import app, console, db_app, err_console, progress_bars
from fanzha.config import get_settings
from fanzha.intake import IngestError
from fanzha.store.cases import CaseStore, CaseStoreError, upgrade
from fanzha.store.flows import FlowStore


def _counts_table(title: str, rows: list[tuple[str, int]]) -> Table:
    table = Table(title=title)
    table.add_column("what")
    table.add_column("count", justify="right")
    for name, value in rows:
        table.add_row(name, f"{value:,}")
    return table


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the case store or migrate it to the newest schema (a no-op when it is current)."""
    settings = get_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    upgrade(settings.case_store_url)
    console.print(f"case store at {_shown_url(settings.case_store_url)} is up to date")


def _shown_url(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def ingest(
    path: Annotated[
        Path, typer.Argument(help="a scenario folder, or a file of reports, units or transactions")
    ],
    statement: Annotated[bool, typer.Option(help="the file is a bank statement export (银行流水)")] = False,
    mapping: Annotated[
        Path | None, typer.Option(help="mapping file (.json/.toml) for an unusual statement layout")
    ] = None,
) -> None:
    """Ingest reports, units, transactions or a bank statement (接警入库 / 流水入库); all or nothing per file."""
    from fanzha.intake.pipeline import ingest_path

    settings = get_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    upgrade(settings.case_store_url)
    try:
        with CaseStore(settings.case_store_url) as cases, progress_bars() as progress:
            summary = ingest_path(
                path, cases, FlowStore.from_settings(settings), statement=statement, mapping=mapping,
                progress=progress, settings=settings,
            )  # fmt: skip
    except (IngestError, CaseStoreError) as error:
        err_console.print(f"[red]refused:[/red] {error}", markup=True, highlight=False)
        raise typer.Exit(code=2) from error
    console.print(_counts_table(f"ingested {path}", summary.rows()))
    for note in summary.notes:
        err_console.print(f"[yellow]note:[/yellow] {note}", markup=True, highlight=False)


@app.command()
def summary() -> None:
    """What the stores hold: reports, losses, identifiers, units, transactions (案件与流水概况)."""
    settings = get_settings()
    upgrade(settings.case_store_url)
    with CaseStore(settings.case_store_url) as cases:
        counts = cases.counts()
    table = _counts_table("case store", [row for row in counts.rows() if not row[0].startswith("loss")])
    for currency, total in sorted(counts.loss.items()):
        table.add_row(f"loss {currency}", f"{total / 100:,.2f}")
    console.print(table)
    stats = FlowStore.from_settings(settings).stats()
    rows = [("transactions", stats.rows), ("days", stats.days), ("accounts", stats.accounts)]
    rows += [("files", stats.files), ("bytes on disk", stats.bytes)]
    table = _counts_table("flow store", rows)
    if stats.first_time is not None and stats.last_time is not None:
        table.caption = f"{stats.first_time:%Y-%m-%d %H:%M} – {stats.last_time:%Y-%m-%d %H:%M} UTC"
    console.print(table)
