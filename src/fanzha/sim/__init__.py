"""fanzha.sim: a seeded generator of a realistic scam ecosystem with ground truth (模拟诈骗生态).

>>> from fanzha.sim import generate_scenario
>>> generate_scenario("scenario", scale="tiny", seed=7)  # doctest: +SKIP
"""

from fanzha.sim.scales import LARGE, MEDIUM, SCALES, SMALL, TINY, Scale, get_scale
from fanzha.sim.scenario import ProgressCallback, ScenarioSummary, generate_scenario

__all__ = [
    "LARGE",
    "MEDIUM",
    "SCALES",
    "SMALL",
    "TINY",
    "ProgressCallback",
    "Scale",
    "ScenarioSummary",
    "generate_scenario",
    "get_scale",
]
