"""The commands that give access and run the server: users add, keys add, serve (a real uvicorn on loopback)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from case_reports import UNITS
from fanzha.cli import app
from fanzha.config import get_settings
from fanzha.store.cases import CaseStore, upgrade
from fanzha.store.cases.access import find_user

PASSWORD = "a long enough password"


@pytest.fixture
def units(fanzha_home: Path) -> None:
    """The embedded case store at FANZHA_HOME, migrated, with the test units."""
    fanzha_home.mkdir(parents=True, exist_ok=True)
    url = get_settings().case_store_url
    upgrade(url)
    with CaseStore(url) as store:
        store.add_units(UNITS)


def test_users_and_keys_are_added(units: None) -> None:
    runner = CliRunner()
    added = runner.invoke(
        app,
        ["users", "add", "sz", "--unit", "440300", "--role", "analyst", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.output
    with CaseStore(get_settings().case_store_url) as store:
        account = find_user(store, "sz")
    assert account is not None
    assert PASSWORD not in account.secret_hash
    short = runner.invoke(
        app,
        ["users", "add", "x", "--unit", "440300", "--role", "analyst", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code == 2
    unknown_role = runner.invoke(
        app, ["users", "add", "y", "--unit", "440300", "--role", "king", "--password-stdin"], input=PASSWORD
    )
    assert unknown_role.exit_code == 2
    again = runner.invoke(
        app,
        ["users", "add", "sz", "--unit", "440300", "--role", "analyst", "--password-stdin"],
        input=PASSWORD,
    )
    assert again.exit_code == 2
    assert runner.invoke(app, ["users", "disable", "SZ"]).exit_code == 0
    with CaseStore(get_settings().case_store_url) as store:
        disabled = find_user(store, "sz")
    assert disabled is not None
    assert not disabled.active
    assert runner.invoke(app, ["users", "enable", "sz"]).exit_code == 0
    assert runner.invoke(app, ["users", "delete", "sz"]).exit_code == 0
    assert runner.invoke(app, ["users", "delete", "sz"]).exit_code == 2
    key = runner.invoke(app, ["keys", "add", "ICBC desk", "--unit", "440300", "--role", "bank_liaison"])
    assert key.exit_code == 0, key.output
    assert "fzk_" in key.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get(url: str, data: bytes | None = None) -> dict[str, object]:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        body: dict[str, object] = json.loads(answer.read())
        return body


@pytest.mark.slow
def test_serve_answers_on_loopback(units: None, fanzha_home: Path) -> None:
    CliRunner().invoke(
        app,
        ["users", "add", "sz", "--unit", "440300", "--role", "analyst", "--password-stdin"],
        input=PASSWORD,
    )
    port = _free_port()
    env = {**os.environ, "FANZHA_HOME": str(fanzha_home), "FANZHA_SECRET_KEY": "s" * 40}
    server = subprocess.Popen(
        [sys.executable, "-m", "fanzha.cli.main", "serve", "--port", str(port)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                assert _get(f"{base}/health") == {"status": "ok"}
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        token = _get(
            f"{base}/api/v1/auth/token", json.dumps({"username": "sz", "password": PASSWORD}).encode()
        )
        assert token["unit"] == "440300"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_demo_without_serving(fanzha_home: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--scale", "tiny", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "flow store" in result.output
    with CaseStore(get_settings().case_store_url) as store:
        assert find_user(store, "demo") is not None
        assert store.counts().reports > 0
