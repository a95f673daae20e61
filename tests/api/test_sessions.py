"""Sign-in and sessions under misuse (issue 13): tokens checked against the store, sign-in that names no one,
usernames unique without case, a signing key shared by every worker on one home."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_world import PASSWORD, Api
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from pydantic import ValidationError

from fanzha.api import create_app, security
from fanzha.api.cache import TtlCache
from fanzha.config import Settings
from fanzha.ops import Actor
from fanzha.store.cases import CaseStore
from fanzha.store.cases.access import (
    DuplicateAccountError,
    add_user,
    delete_user,
    find_user,
    set_user_active,
    set_user_roles,
)
from fanzha.store.home import forget_home_secrets

ME = "/api/v1/auth/me"


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(api: Api) -> Clock:
    """The clock of the app's account cache (2 s, as by default)."""
    moved = Clock()
    app = api.client.app
    app.state.account_cache = TtlCache[tuple[Actor | None]](2.0, clock=moved)  # type: ignore[attr-defined]
    return moved


def test_a_disabled_users_token_stops_working_once_the_cache_lapses(api: Api, clock: Clock) -> None:
    headers = api.token("sz")
    assert api.client.get(ME, headers=headers).status_code == 200
    set_user_active(api.store, "sz", False, actor="test")
    clock.now += 1.9
    assert api.client.get(ME, headers=headers).status_code == 200  # within the cache's two seconds
    clock.now += 0.2
    assert api.client.get(ME, headers=headers).status_code == 401
    assert api.client.get("/api/v1/reports", headers=headers).status_code == 401
    set_user_active(api.store, "sz", True, actor="test")
    clock.now += 2.1
    assert api.client.get(ME, headers=headers).status_code == 200


def test_a_deleted_users_token_stops_working(api: Api, clock: Clock) -> None:
    headers = api.token("ns")
    assert api.client.get(ME, headers=headers).status_code == 200
    delete_user(api.store, "ns", actor="test")
    clock.now += 2.1
    assert api.client.get(ME, headers=headers).status_code == 401
    assert api.client.post("/api/v1/auth/renew", headers=headers).status_code == 401


def test_a_demoted_user_keeps_only_the_new_roles(api: Api, clock: Clock) -> None:
    headers = api.token("sz")
    assert api.client.get("/api/v1/reports", headers=headers).status_code == 200
    set_user_roles(api.store, "sz", ["public"], actor="test")
    clock.now += 2.1
    assert api.client.get(ME, headers=headers).json()["roles"] == ["public"]
    assert api.client.get("/api/v1/reports", headers=headers).status_code == 403


def test_with_the_cache_off_a_change_takes_effect_at_once(api: Api, case_store: CaseStore) -> None:
    settings = Settings(environment="test", secret_key="k" * 40, account_cache_seconds=0)
    with TestClient(create_app(settings, store=case_store)) as client:
        answer = client.post("/api/v1/auth/token", json={"username": "gd", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        assert client.get(ME, headers=headers).status_code == 200
        set_user_active(case_store, "gd", False, actor="test")
        assert client.get(ME, headers=headers).status_code == 401


def test_the_account_cache_may_not_outlast_five_seconds() -> None:
    with pytest.raises(ValidationError):
        Settings(environment="test", account_cache_seconds=6)


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The hashes every argon2 verification was asked to check, in order."""
    seen: list[str] = []
    verify = PasswordHasher.verify

    def counted(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        seen.append(hash if isinstance(hash, str) else hash.decode())
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    return seen


def _sign_in(api: Api, username: str, password: str) -> int:
    answer = api.client.post("/api/v1/auth/token", json={"username": username, "password": password})
    return answer.status_code


def _parameters(argon2_hash: str) -> str:
    return argon2_hash.rsplit("$", 2)[0]  # $argon2id$v=19$m=…,t=…,p=…


def test_an_unknown_user_costs_the_same_argon2_check_as_a_wrong_password(
    api: Api, verifications: list[str]
) -> None:
    assert _sign_in(api, "nobody", "a wrong password") == 401
    assert _sign_in(api, "sz", "a wrong password") == 401
    assert len(verifications) == 2
    stored = find_user(api.store, "sz")
    assert stored is not None
    dummy, real = verifications
    assert real == stored.secret_hash
    assert dummy != real
    assert _parameters(dummy) == _parameters(security.hash_password("x"))


def test_a_disabled_user_is_refused_after_the_same_check(api: Api, verifications: list[str]) -> None:
    set_user_active(api.store, "gd", False, actor="test")
    assert _sign_in(api, "gd", PASSWORD) == 401
    assert len(verifications) == 1


def test_sign_in_ignores_the_case_of_the_username(api: Api) -> None:
    answer = api.client.post("/api/v1/auth/token", json={"username": "SZ", "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    assert api.client.get(ME, headers=headers).json()["name"] == "sz"


def test_usernames_are_unique_without_case(api: Api, password_hash: str) -> None:
    add_user(api.store, "sz.analyst", "a", "440300", ["analyst"], password_hash, actor="test")
    with pytest.raises(DuplicateAccountError):
        add_user(api.store, "SZ.ANALYST", "b", "440300", ["analyst"], password_hash, actor="test")
    add_user(api.store, "root", "root", "CN", ["admin"], password_hash, actor="test")
    body = {"username": "Sz.Analyst", "display_name": "c", "unit": "440300", "roles": ["analyst"],
            "password": PASSWORD}  # fmt: skip
    answer = api.client.post("/api/v1/users", json=body, headers=api.token("ROOT"))
    assert answer.status_code == 409, answer.text
    assert [account.name for account in [find_user(api.store, "SZ.analyst")] if account] == ["sz.analyst"]


@pytest.fixture
def home_keys() -> Iterator[None]:
    """No signing key remembered from another test (each app below reads its home afresh)."""
    forget_home_secrets()
    yield
    forget_home_secrets()


def _keyless(home: Path) -> Settings:
    return Settings(environment="test", home=home, secret_key=None)


def test_apps_on_one_home_agree_on_tokens_without_a_secret_key(
    api: Api, case_store: CaseStore, tmp_path: Path, home_keys: None
) -> None:
    home = tmp_path / "home"
    with TestClient(create_app(_keyless(home), store=case_store)) as first:
        answer = first.post("/api/v1/auth/token", json={"username": "sz", "password": PASSWORD})
        assert answer.status_code == 200, answer.text
    headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    key_file = home / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    forget_home_secrets()  # as a second worker process would start
    with TestClient(create_app(_keyless(home), store=case_store)) as second:
        assert second.get(ME, headers=headers).status_code == 200
    forget_home_secrets()
    with TestClient(create_app(_keyless(tmp_path / "elsewhere"), store=case_store)) as other:
        assert other.get(ME, headers=headers).status_code == 401


def test_a_key_file_others_may_read_is_refused(tmp_path: Path, home_keys: None) -> None:
    key = security.home_key(tmp_path)
    assert len(key) >= 32
    (tmp_path / "secret_key").chmod(0o644)
    forget_home_secrets()
    with pytest.raises(PermissionError, match="chmod 600"):
        security.home_key(tmp_path)
