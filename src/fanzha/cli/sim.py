"""``fanzha sim``: generate a seeded scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from fanzha.cli.app import app, console, progress_bars


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
