"""One tiny simulator scenario per session for the link tests (seed 7)."""

from __future__ import annotations

import pytest
from link_scenario import LinkScenario, make_scenario


@pytest.fixture(scope="session")
def tiny_scenario(tmp_path_factory: pytest.TempPathFactory) -> LinkScenario:
    """The tiny scenario for seed 7."""
    return make_scenario(tmp_path_factory.mktemp("link-tiny") / "scenario")
