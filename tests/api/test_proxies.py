"""X-Forwarded-For is believed only from FANZHA_TRUSTED_PROXIES: uvicorn as ``fanzha serve`` configures it, in front
of the app, so the public rate limit keys on the peer uvicorn resolved."""

from __future__ import annotations

import uvicorn
from api_world import Api
from fastapi.testclient import TestClient

from fanzha.api import create_app
from fanzha.cli.serve import uvicorn_options
from fanzha.config import Settings
from fanzha.store.cases import CaseStore

RISK = "/api/v1/identifiers/risk?kind=phone&value=13800138000"


def _served(app: object, settings: Settings) -> object:
    """``app`` wrapped as uvicorn wraps it for ``fanzha serve`` with ``settings`` (proxy headers and all)."""
    options = uvicorn_options(settings, host="127.0.0.1", port=0, workers=1)
    config = uvicorn.Config(app, **options)  # type: ignore[arg-type]
    config.load()
    return config.loaded_app


def _codes(app: object, peer: str, forwarded: list[str]) -> list[int]:
    """Status codes of lookups from ``peer``, each claiming to forward for the next of ``forwarded``."""
    client = TestClient(app, client=(peer, 40_000))  # type: ignore[arg-type]
    return [client.get(RISK, headers={"X-Forwarded-For": address}).status_code for address in forwarded]


def _settings(**changes: object) -> Settings:
    return Settings(environment="test", secret_key="k" * 40, public_lookups_per_minute=3, **changes)  # type: ignore[arg-type]


def test_a_local_client_cannot_lift_the_limit_with_a_new_forwarded_address(
    api: Api, case_store: CaseStore
) -> None:
    settings = _settings()
    app = _served(create_app(settings, store=case_store), settings)
    spoofed = [f"203.0.113.{n}" for n in range(5)]
    assert _codes(app, "127.0.0.1", spoofed) == [200, 200, 200, 429, 429]
    assert _codes(app, "::1", spoofed) == [200, 200, 200, 429, 429]


def test_a_named_proxy_is_believed_and_its_clients_limited_one_by_one(
    api: Api, case_store: CaseStore
) -> None:
    settings = _settings(trusted_proxies="10.0.0.5, 10.0.1.0/24")
    app = _served(create_app(settings, store=case_store), settings)
    assert _codes(app, "10.0.0.5", [f"203.0.113.{n}" for n in range(5)]) == [200] * 5
    assert _codes(app, "10.0.1.7", ["198.51.100.1"] * 4) == [200, 200, 200, 429]
    assert _codes(app, "127.0.0.1", ["198.51.100.2"] * 4) == [200, 200, 200, 429]  # loopback is no proxy now
    assert _codes(app, "127.0.0.1", ["198.51.100.3"]) == [429]


def test_serve_always_names_the_proxies_it_trusts() -> None:
    assert uvicorn_options(_settings(), host="h", port=1, workers=2)["forwarded_allow_ips"] == []
    options = uvicorn_options(_settings(trusted_proxies="10.0.0.5,,10.0.0.6 "), host="h", port=1, workers=2)
    assert options["forwarded_allow_ips"] == ["10.0.0.5", "10.0.0.6"]
    assert options["proxy_headers"] is True
