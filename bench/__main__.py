"""Run every benchmark (``make bench``) with its defaults; the tables go to stdout and ``bench/out/latest.md``.

Copy the tables worth keeping into ``bench/RESULTS.md``. ``python -m bench bench_link`` runs only the named ones.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    """Run the benchmarks named on the command line, or all of them, one process each."""
    names = sys.argv[1:] or sorted(path.stem for path in HERE.glob("bench_*.py"))
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    tables = []
    for name in names:
        print(f"running {name} …", file=sys.stderr, flush=True)
        result = subprocess.run(
            [sys.executable, "-m", f"bench.{name}"],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            tables.append(f"### {name}: failed (exit {result.returncode})\n")
            continue
        print(result.stdout, flush=True)
        tables.append(result.stdout)
    (out / "latest.md").write_text("\n".join(tables), encoding="utf-8")


if __name__ == "__main__":
    main()
