"""One tiny scenario per test session, shared read-only by the simulator tests."""

from __future__ import annotations

import pytest
from sim_scenario import Scenario, load

from fanzha.sim import generate_scenario


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """The tiny scenario for seed 7."""
    path = tmp_path_factory.mktemp("tiny") / "scenario"
    generate_scenario(path, "tiny", seed=7)
    return load(path)
