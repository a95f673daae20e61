"""Helpers shared by the benchmarks: the machine, repeated timing with medians, markdown tables."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path


def machine() -> str:
    """One line naming the machine: CPU model, cores, memory, Python."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB"
    return f"{model}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}"


def today() -> str:
    """The date of the run, UTC."""
    return datetime.now(UTC).strftime("%Y-%m-%d")


def median_seconds(
    run: Callable[[], object], repeats: int = 5, setup: Callable[[], object] | None = None
) -> float:
    """Median wall time of ``run`` over ``repeats`` runs (``setup`` runs before each, untimed)."""
    samples = []
    for _ in range(repeats):
        if setup is not None:
            setup()
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
