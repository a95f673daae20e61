"""An API over a fresh case store (SQLite and PostgreSQL) with a small unit tree, users in it and a bank key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_world import PASSWORD, USERS, Api
from fastapi.testclient import TestClient

from case_reports import UNITS
from fanzha.api import create_app
from fanzha.api.security import api_key_hash, hash_password, new_api_key
from fanzha.config import Settings
from fanzha.model import Unit, UnitLevel
from fanzha.store.cases import CaseStore
from fanzha.store.cases.access import add_api_key, add_user


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One argon2 hash for every test user (hashing is deliberately slow)."""
    return hash_password(PASSWORD)


@pytest.fixture
def api(case_store: CaseStore, password_hash: str) -> Iterator[Api]:
    """The API app over ``case_store``, with the units, users and a bank key above."""
    case_store.add_units(
        [*UNITS, Unit(code="BANK-ICBC", name="工商银行反诈专席", level=UnitLevel.BANK, parent="CN")]
    )
    for username, (unit, roles) in USERS.items():
        add_user(case_store, username, username, unit, roles, password_hash, actor="test")
    key, key_id = new_api_key()
    add_api_key(case_store, key_id, api_key_hash(key), "ICBC", "BANK-ICBC", ["bank_liaison"], actor="test")
    settings = Settings(environment="test", secret_key="k" * 40, public_lookups_per_minute=5)
    with TestClient(create_app(settings, store=case_store)) as client:
        yield Api(client, case_store, key)
