"""``fanzha demo``: a seeded scenario generated, ingested with progress bars, and served with a demo login."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer

from fanzha.cli.app import app, console, progress_bars
from fanzha.cli.ingest import summary
from fanzha.cli.link import campaigns, link
from fanzha.cli.serve import serve
from fanzha.config import get_settings
from fanzha.store.cases import CaseStore, upgrade

DEMO_USER = "demo"


@app.command()
def demo(
    scale: Annotated[str, typer.Option(help="tiny, small, medium or large")] = "small",
    seed: Annotated[int, typer.Option(help="random seed of the demo scenario")] = 7,
    host: Annotated[str, typer.Option(help="address to serve on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to serve on")] = 8000,
    run_server: Annotated[bool, typer.Option("--serve/--no-serve", help="serve the API afterwards")] = True,
) -> None:
    """Generate a demo scenario, ingest it, link it into campaigns, and serve it with a demo login."""
    from fanzha.intake.pipeline import ingest_path
    from fanzha.sim import generate_scenario
    from fanzha.store.flows import FlowStore

    settings = get_settings()
    folder = settings.home / "demo" / f"{scale}-seed{seed}"
    console.print(f"fanzha home: {settings.home}")
    settings.home.mkdir(parents=True, exist_ok=True)
    upgrade(settings.case_store_url)
    with progress_bars() as progress:
        if not (folder / "manifest.json").exists():
            generate_scenario(folder, scale, seed, progress=progress, overwrite=True)
        with CaseStore(settings.case_store_url) as cases:
            ingest_path(
                folder, cases, FlowStore.from_settings(settings), progress=progress, settings=settings
            )
    summary()
    link(keep=[], suppress=[], actor="demo", show_hubs=5, new_only=False)
    campaigns(campaign_id=None, hubs=False, undo_merge=None, limit=10, min_reports=2, actor="demo")
    password = _demo_login()
    if run_server:
        console.print(f"demo login: user [bold]{DEMO_USER}[/bold], password [bold]{password}[/bold]")
        serve(host=host, port=port, workers=1)


def _demo_login() -> str:
    """A national supervisor-analyst ``demo`` with a fresh random password (there is no default password)."""
    from fanzha.api.security import hash_password
    from fanzha.store.cases.access import add_user, find_user, set_password

    password = secrets.token_urlsafe(12)
    settings = get_settings()
    with CaseStore(settings.case_store_url) as store:
        if find_user(store, DEMO_USER) is None:
            add_user(
                store,
                DEMO_USER,
                "演示用户",
                "CN",
                ["supervisor", "analyst"],
                hash_password(password),
                actor="demo",
            )
        else:
            set_password(store, DEMO_USER, hash_password(password), actor="demo")
    return password
