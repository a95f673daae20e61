"""The ``fanzha`` command line (Typer + Rich). Library code never prints; this module is where output happens."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="fanzha (反诈): anti-scam combined operations."
)
db_app = typer.Typer(no_args_is_help=True, help="The case store.")
app.add_typer(db_app, name="db")
console = Console()
err_console = Console(stderr=True)

ProgressCallback = Callable[[str, int, int], None]


@contextmanager
def progress_bars() -> Iterator[ProgressCallback]:
    """A Rich progress display and the ``(stage, done, total)`` callback that library code reports through."""
    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("[bold]{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total or None)
            progress.update(tasks[stage], completed=done, total=total or None)

        yield report


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log at INFO level")] = False) -> None:
    """fanzha (反诈): intake, text, money tracing, case linking, risk and operations for anti-scam centres."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


@app.command()
def sim(
    out: Annotated[Path, typer.Option(help="folder to write the scenario into")] = Path("scenario"),
    scale: Annotated[str, typer.Option(help="tiny, small, medium or large")] = "small",
    seed: Annotated[int, typer.Option(help="random seed; the same seed gives the same files")] = 7,
    overwrite: Annotated[bool, typer.Option(help="replace a scenario already in the folder")] = False,
) -> None:
    """Generate a seeded scam ecosystem with ground truth (模拟诈骗生态)."""
    from fanzha.sim import generate_scenario

    with progress_bars() as progress:
        summary = generate_scenario(out, scale, seed, progress=progress, overwrite=overwrite)
    counts = summary.manifest["counts"]
    table = Table(title=f"scenario {scale} (seed {seed}) in {out}")
    table.add_column("what")
    table.add_column("count", justify="right")
    for name, value in counts.items():
        table.add_row(name, f"{value:,}")
    console.print(table)
