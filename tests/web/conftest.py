"""Fixtures of the console's browser tests: the served world, Debian's Chromium through Playwright, and a page
that fails its test when it asks any host but the server, or when the Content-Security-Policy blocks anything.

Chromium is ``$FANZHA_CHROMIUM`` or ``/usr/bin/chromium`` (``scripts/chromium.sh`` installs it; never
``playwright install``). Without it, or without the built console (``make web``), the tests skip, except
under CI, where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from console_pages import CHROMIUM_FLAGS, Watch
from console_world import ConsoleWorld, build_world, serve, warm
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Request,
    Route,
    sync_playwright,
)

from fanzha.web import STATIC_DIR


def _unavailable(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: {message}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium binary."""
    path = os.environ.get("FANZHA_CHROMIUM", "/usr/bin/chromium")
    if not os.access(path, os.X_OK):
        _unavailable(f"{path} is missing (source scripts/chromium.sh && chromium_ensure)")
    if not (STATIC_DIR / "index.html").is_file():
        _unavailable("the console is not built (make web)")
    return path


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[ConsoleWorld]:
    """The tiny demo world served on a free loopback port for the whole session."""
    home = tmp_path_factory.mktemp("console") / "home"
    build_world(home)
    served = serve(home)
    warm(served)
    try:
        yield served
    finally:
        served.process.terminate()
        served.process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser(chromium_path: str, world: ConsoleWorld) -> Iterator[Browser]:
    """Headless Chromium kept off the network; Playwright gives every launch a fresh temporary profile."""
    with sync_playwright() as playwright:
        yield _launch(playwright, chromium_path)


def _launch(playwright: Playwright, path: str) -> Browser:
    return playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)


@pytest.fixture
def watch() -> Watch:
    """The record of the test's pages."""
    return Watch()


@pytest.fixture
def context(browser: Browser, world: ConsoleWorld, watch: Watch) -> Iterator[BrowserContext]:
    """A fresh browser context (cookies, storage) whose every request to another host is refused and recorded."""
    own = urlsplit(world.base_url).netloc
    made = browser.new_context(
        base_url=world.base_url, viewport={"width": 1440, "height": 900}, locale="zh-CN"
    )

    def guard(route: Route, request: Request) -> None:
        target = urlsplit(request.url)
        if target.scheme in ("data", "blob") or target.netloc == own:
            route.continue_()
        else:
            watch.foreign.append(request.url)
            route.abort()

    made.route("**/*", guard)
    yield made
    made.close()
    assert not watch.foreign, f"pages asked hosts other than the server: {watch.foreign}"
    assert not watch.refused, f"the Content-Security-Policy refused: {watch.refused}"


@pytest.fixture
def page(context: BrowserContext, watch: Watch) -> Page:
    """A page of the context; console errors about the security policy fail the test."""
    opened = context.new_page()

    def seen(message: object) -> None:
        text = str(getattr(message, "text", ""))
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            watch.refused.append(text)

    opened.on("console", seen)
    opened.on("pageerror", lambda error: watch.errors.append(str(error)))
    opened.set_default_timeout(15_000)
    return opened
