"""Run ``fanzha …`` in a child process and read its peak memory: what the bounded-memory ingest tests check."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

_CHILD = """
import resource, sys
from pathlib import Path
from fanzha.cli import app
def peak_kib():
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
code = 0
try:
    app(args=sys.argv[1:], prog_name="fanzha")
except SystemExit as exit:
    code = exit.code if isinstance(exit.code, int) else 1
finally:
    print(f"MAXRSS_KIB {peak_kib()}", file=sys.stderr)
sys.exit(code)
"""
"""The child reads its peak from ``VmHWM`` where Linux has it: ``getrusage``'s ``ru_maxrss`` keeps, across the
exec, the resident size the forked copy of the parent had, so a child of a large pytest process would report the
parent's memory as its own."""


@dataclass(frozen=True)
class Measured:
    """Exit code, output and peak resident memory (MiB) of one command."""

    code: int
    stdout: str
    stderr: str
    peak_mib: float


def run_fanzha(args: list[str], home: Path, timeout: float = 120, **env: str) -> Measured:
    """``fanzha args…`` with ``FANZHA_HOME=home`` and ``env`` (``FANZHA_…`` settings), in a fresh process."""
    environment = {**os.environ, "FANZHA_HOME": str(home), "COLUMNS": "200", **env}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    lines = done.stderr.splitlines()
    peak = next(int(line.split()[1]) for line in reversed(lines) if line.startswith("MAXRSS_KIB"))
    stderr = "\n".join(line for line in lines if not line.startswith("MAXRSS_KIB"))
    return Measured(done.returncode, done.stdout, stderr, peak / 1024)
