"""The API test world: the users the fixtures create and a client that signs them in."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient

from fanzha.store.cases import CaseStore

PASSWORD = "correct horse battery staple"
USERS = {
    "national": ("CN", ["supervisor"]),
    "gd": ("440000", ["analyst"]),
    "sz": ("440300", ["analyst", "investigator"]),
    "ns": ("440305", ["investigator"]),
    "sh": ("310000", ["analyst"]),
    "citizen": ("440305", ["public"]),
}


@dataclass
class Api:
    """A test client, the store behind it, and the bank's API key."""

    client: TestClient
    store: CaseStore
    bank_key: str

    def token(self, username: str) -> dict[str, str]:
        """Authorization headers for ``username``."""
        answer = self.client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}
