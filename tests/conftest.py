"""Shared fixtures: a private FANZHA_HOME per test, so no test sees another's data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fanzha.config import get_settings


@pytest.fixture(autouse=True)
def fanzha_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point FANZHA_HOME at a fresh folder and drop cached settings around each test."""
    home = tmp_path / "fanzha-home"
    monkeypatch.setenv("FANZHA_HOME", str(home))
    monkeypatch.delenv("FANZHA_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()
