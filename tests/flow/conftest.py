"""Fixtures of the flow tests: one tiny simulator scenario per session, read-only."""

from __future__ import annotations

from pathlib import Path

import pytest

from fanzha.sim import generate_scenario


@pytest.fixture(scope="session")
def tiny_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the tiny scenario for seed 7."""
    path = tmp_path_factory.mktemp("flow-tiny") / "scenario"
    generate_scenario(path, "tiny", seed=7)
    return path
