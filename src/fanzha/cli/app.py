"""The Typer application, its consoles and the Rich progress display shared by every command module."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="fanzha (反诈): anti-scam combined operations."
)
db_app = typer.Typer(no_args_is_help=True, help="The case store.")
app.add_typer(db_app, name="db")
eval_app = typer.Typer(no_args_is_help=True, help="Measure quality against annotated data and ground truth.")
app.add_typer(eval_app, name="eval")
console = Console()
err_console = Console(stderr=True, soft_wrap=True)

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


@contextmanager
def scenario_folder(scenario: Path | None, scale: str, seed: int) -> Iterator[Path]:
    """``scenario`` itself, or a scenario generated for the length of the block (the eval commands' data)."""
    if scenario is not None:
        yield scenario
        return
    from fanzha.sim import generate_scenario

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "scenario"
        generate_scenario(folder, scale, seed)
        yield folder
