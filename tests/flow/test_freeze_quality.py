"""Freeze lists against the simulator's truth: the freezable money covered, almost no innocent or victim listed,
and the naive list of every account holding victim money fails the same targets."""

from __future__ import annotations

from pathlib import Path

import pytest

from fanzha.cli.trace_eval import evaluate_scenario_traces
from fanzha.flow.quality import FreezeQuality, score_freeze_list
from fanzha.sim import generate_scenario


def test_scores_count_both_sides() -> None:
    quality = FreezeQuality()
    truly = {"M1": 700, "M2": 300}
    roles = {"M1": "mule", "M2": "mule", "S": "merchant", "V": "victim"}
    score_freeze_list(quality, ["M1", "S", "V"], truly, roles)
    assert quality.recall == 0.7
    assert quality.precision == pytest.approx(1 / 3)
    assert (quality.innocents, quality.victims) == (1, 1)
    assert quality.wrongly_listed_share == pytest.approx(2 / 3)
    assert not quality.meets_targets()
    score_freeze_list(quality, [], {}, roles)
    assert quality.lists == 2


@pytest.mark.slow
def test_freeze_lists_on_the_small_scenario_meet_the_targets(tmp_path: Path) -> None:
    """A development figure: the LIFO default and the bona fide share were chosen on this scenario, and the
    pass-through senders developed on it."""
    folder = tmp_path / "small"
    generate_scenario(folder, "small", seed=7)
    evaluation = evaluate_scenario_traces(folder)
    quality = evaluation.fanzha
    assert quality.lists > 1_000
    assert quality.recall >= 0.97
    assert quality.wrongly_listed_share <= 0.01
    assert quality.victims == 0
    assert quality.precision >= 0.9
    assert not evaluation.every_account.meets_targets()
    assert evaluation.every_account.wrongly_listed_share > 0.02
