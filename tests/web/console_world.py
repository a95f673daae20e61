"""The browser tests' world: a tiny seeded demo scenario served by uvicorn on a free loopback port, with users.

Built once per test session (``fanzha demo --scale tiny --no-serve`` in a fresh FANZHA_HOME, about 25 s), then
served by a subprocess the tests wait on through ``/health``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import httpx2 as httpx

from fanzha.api.security import hash_password
from fanzha.config import Settings
from fanzha.store.cases import CaseStore
from fanzha.store.cases.access import add_user

PASSWORD = "correct horse battery staple"
USERS = {
    "sz": ("440300", ["analyst", "investigator"]),  # 深圳市反诈中心
    "bj": ("110100", ["analyst"]),  # 北京市反诈中心: another city
    "national": ("CN", ["supervisor", "analyst"]),
    "icbc": ("BANK-ICBC", ["bank_liaison"]),
    "ccb": ("BANK-CCB", ["bank_liaison"]),
}
SECRET = "console-tests-" + "s" * 40
READY_SECONDS = 60.0


@dataclass
class ConsoleWorld:
    """The served app: its base URL, the home it serves, and a signed-in API client per user."""

    base_url: str
    home: Path
    process: subprocess.Popen[bytes]
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, username: str) -> dict[str, str]:
        """Authorization headers for ``username`` (signed in once)."""
        if username not in self.tokens:
            answer = httpx.post(
                f"{self.base_url}/api/v1/auth/token", json={"username": username, "password": PASSWORD}
            )
            answer.raise_for_status()
            self.tokens[username] = answer.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def get(self, username: str, path: str, **params: object) -> object:
        """GET an API path as ``username``; the JSON answer."""
        answer = httpx.get(
            f"{self.base_url}/api/v1{path}", params=params, headers=self.headers(username), timeout=60
        )  # type: ignore[arg-type]
        answer.raise_for_status()
        return answer.json()

    def post(self, username: str, path: str, body: object) -> object:
        """POST to an API path as ``username``; the JSON answer."""
        answer = httpx.post(
            f"{self.base_url}/api/v1{path}", json=body, headers=self.headers(username), timeout=60
        )
        answer.raise_for_status()
        return answer.json()


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FANZHA_")}
    env.update(FANZHA_HOME=str(home), FANZHA_SECRET_KEY=SECRET, FANZHA_ENVIRONMENT="test")
    return env


def build_world(home: Path) -> None:
    """Generate, ingest and link the tiny demo scenario into ``home``, and add the test users."""
    fanzha = Path(sys.executable).with_name("fanzha")
    subprocess.run(
        [str(fanzha), "demo", "--scale", "tiny", "--seed", "7", "--no-serve"],
        env=_env(home), check=True, capture_output=True,
    )  # fmt: skip
    settings = Settings(home=home, environment="test", secret_key=SECRET)
    secret = hash_password(PASSWORD)
    with CaseStore(settings.case_store_url) as store:
        for username, (unit, roles) in USERS.items():
            add_user(store, username, username, unit, roles, secret, actor="test")


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def warm(world: ConsoleWorld) -> threading.Thread:
    """Read one report in a background thread, so that the server loads its fraud-type classifier (seconds) while
    the first browser test runs rather than in the middle of a later one."""

    def read_one() -> None:
        first = cast(list[dict[str, Any]], world.get("national", "/reports", limit=1))
        if first:
            world.get("national", f"/reports/{first[0]['id']}/reading")

    thread = threading.Thread(target=read_one, name="warm-classifier", daemon=True)
    thread.start()
    return thread


def serve(home: Path) -> ConsoleWorld:
    """uvicorn serving the app over ``home``; returns once ``/health`` answers (no fixed sleep)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "fanzha.api.main:app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        env=_env(home),
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return ConsoleWorld(base_url, home, process)
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"the server did not answer /health within {READY_SECONDS} s")


def traced_report(world: ConsoleWorld, username: str = "sz") -> dict[str, Any]:
    """A case of ``username``'s units whose money the trace finds still held, with identifiers in its narrative:
    its id, freeze list and reading; raises LookupError when the world has none."""
    reports = cast(list[dict[str, Any]], world.get(username, "/reports", kind="case", limit=200))
    for report in reports:
        if not report["loss"]:
            continue
        freeze = cast(dict[str, Any], world.post(username, "/trace", {"report_id": report["id"]}))
        reading = cast(dict[str, Any], world.get(username, f"/reports/{report['id']}/reading"))
        identifiers = [span for span in reading["spans"] if span["kind"] not in ("amount", "time")]
        if freeze["targets"] and identifiers:
            return {"id": report["id"], "freeze": freeze, "reading": reading}
    raise LookupError(f"no traceable case with identifiers in {username}'s units")


def deep_traced_report(world: ConsoleWorld, username: str = "sz") -> dict[str, Any]:
    """A case of ``username``'s units whose money went furthest (most hops, then reaching a cash-out) and is still
    held somewhere: its id and trace answer; raises LookupError when no case's money went past the first hop."""
    reports = cast(list[dict[str, Any]], world.get(username, "/reports", kind="case", limit=200))
    best: tuple[tuple[int, bool], dict[str, Any]] | None = None
    for report in reports:
        if not report["loss"]:
            continue
        freeze = cast(dict[str, Any], world.post(username, "/trace", {"report_id": report["id"]}))
        edges = freeze["flow"]["edges"]
        if not freeze["targets"] or not edges:
            continue
        score = (max(edge["hop"] for edge in edges), bool(freeze["cash_outs"]))
        if score[0] >= 2 and (best is None or score > best[0]):
            best = (score, {"id": report["id"], "freeze": freeze})
    if best is None:
        raise LookupError(f"no case in {username}'s units whose money went past the first hop")
    return best[1]
