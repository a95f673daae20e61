"""Helpers of the console's browser tests: flags that keep Chromium off the network, signing in, text boxes,
screenshots and load times (tests/web/screens/, git-ignored)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from console_world import PASSWORD
from playwright.sync_api import Locator, Page

SCREENS = Path(__file__).parent / "screens"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
TIMINGS: dict[str, dict[str, float]] = {}


@dataclass
class Watch:
    """What a page asked outside the server, and what its Content-Security-Policy refused."""

    foreign: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def text_box(page: Page, name: str) -> Locator:
    """The text box marked ``data-test=name`` (Element Plus puts the mark on the input or on its wrapper)."""
    return page.locator(
        f"input[data-test={name}], textarea[data-test={name}], [data-test={name}] input"
    ).first


def sign_in(page: Page, username: str) -> None:
    """Sign in through the sign-in page and wait for the dashboard's header."""
    page.goto("/login")
    text_box(page, "username").fill(username)
    text_box(page, "password").fill(PASSWORD)
    page.locator("[data-test=sign-in]").click()
    page.locator("[data-test=user]").filter(has_text=username).wait_for()


def shoot(page: Page, name: str) -> None:
    """Save a screenshot of the page as it is now under tests/web/screens/ (git-ignored)."""
    SCREENS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def loaded_ms(page: Page, name: str) -> float:
    """Milliseconds from the start of the page's load until now (call it once the page shows its content), with
    its first contentful paint; both recorded in tests/web/screens/timings.json."""
    shown: dict[str, float] = page.evaluate(
        "() => ({ready: performance.now(),"
        " paint: (performance.getEntriesByName('first-contentful-paint')[0] || {startTime: -1}).startTime})"
    )
    TIMINGS[name] = {"first_contentful_paint_ms": round(shown["paint"]), "content_ms": round(shown["ready"])}
    SCREENS.mkdir(exist_ok=True)
    (SCREENS / "timings.json").write_text(json.dumps(TIMINGS, indent=2, sort_keys=True), encoding="utf-8")
    return shown["ready"]


def wait_until(check: Callable[[], object], seconds: float = 10.0) -> None:
    """Poll ``check()`` until it is true (for API state a page changed)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")
