"""Make the README's screenshots of the console (docs/screens/*.png) in Debian's Chromium over the tiny demo world.

    make web && .venv/bin/python scripts/screenshots.py

Uses the browser tests' world (tests/web/console_world.py): a fresh FANZHA_HOME in a temporary folder, the tiny
seeded scenario, uvicorn on a free loopback port. Run it again whenever a screen changes, and commit the PNGs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "web"))

from console_pages import CHROMIUM_FLAGS, sign_in  # noqa: E402
from console_world import ConsoleWorld, build_world, deep_traced_report, serve, traced_report  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

OUT = ROOT / "docs" / "screens"


def _shoot(page: Page, name: str, ready: str) -> None:
    page.locator(ready).first.wait_for()
    page.wait_for_timeout(800)  # charts and the graph layout settle
    page.screenshot(path=str(OUT / f"{name}.png"))
    sys.stdout.write(f"wrote {OUT / name}.png\n")


def shoot_all(world: ConsoleWorld, browser_path: str) -> None:
    """The dashboard, a report, its trace, the largest campaign, the public lookup and the wall display."""
    OUT.mkdir(parents=True, exist_ok=True)
    report = traced_report(world, "sz")
    deep = deep_traced_report(world, "sz")
    campaign = cast(list[dict[str, Any]], world.get("sz", "/campaigns", limit=1))[0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_context(
            base_url=world.base_url, viewport={"width": 1440, "height": 900}
        ).new_page()
        sign_in(page, "sz")
        _shoot(page, "dashboard", "[data-test=figures] canvas, .chart canvas")
        page.goto(f"/reports/{report['id']}")
        _shoot(page, "report", "[data-test=span]")
        page.goto(f"/reports/{deep['id']}/trace")
        _shoot(page, "trace", "[data-test=flow] .chart[data-drawn=true]")
        page.goto(f"/campaigns/{campaign['id']}")
        _shoot(page, "campaign", "[data-test=graph] canvas")
        page.goto("/lookup")
        _shoot(page, "lookup", "[data-test=lookup-value]")
        newest = cast(list[dict[str, Any]], world.get("sz", "/reports", limit=1))[0]
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.goto(f"/wall?day={newest['received_at'][:10]}")
        _shoot(page, "wall", "[data-test=wall]")
        browser.close()


def main() -> int:
    """Build the world, serve it, shoot, stop."""
    browser_path = os.environ.get("FANZHA_CHROMIUM", "/usr/bin/chromium")
    with tempfile.TemporaryDirectory(prefix="fanzha-screens-") as folder:
        home = Path(folder) / "home"
        build_world(home)
        world = serve(home)
        try:
            shoot_all(world, browser_path)
        finally:
            world.process.terminate()
            world.process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
