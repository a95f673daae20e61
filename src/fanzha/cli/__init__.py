"""The ``fanzha`` command line (Typer + Rich): one module per room registers its commands on :data:`app`.

Library code never prints; these modules are where output happens.
"""

from fanzha.cli import demo, ingest, link, ops, serve, sim, text, trace, trace_eval  # noqa: F401  (registers commands)
from fanzha.cli.app import app

__all__ = ["app"]
