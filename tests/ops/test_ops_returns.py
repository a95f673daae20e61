from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fanzha.model import Money
from fanzha.ops import InvalidOperationError, allocate_return, split_largest_remainder


def _reference_split(amount: int, weights: dict[str, int]) -> dict[str, int]:
    """Largest remainder by exact fractions: floors first, then one unit each to the largest fractional parts."""
    total = sum(weights.values())
    exact = {key: Fraction(amount * weight, total) for key, weight in weights.items()}
    parts = {key: int(share) for key, share in exact.items()}
    order = sorted(
        weights, key=lambda key: (-(exact[key] - parts[key]), -weights[key], list(weights).index(key))
    )
    for key in order[: amount - sum(parts.values())]:
        parts[key] += 1
    return parts


def test_a_return_splits_pro_rata_and_sums_exactly() -> None:
    parts = split_largest_remainder(100, {"V1": 1, "V2": 1, "V3": 1})
    assert parts == {"V1": 34, "V2": 33, "V3": 33}
    assert split_largest_remainder(1_000, {"A": 700, "B": 200, "C": 100}) == {"A": 700, "B": 200, "C": 100}
    assert split_largest_remainder(5, {"A": 0, "B": 3}) == {"A": 0, "B": 5}


def test_allocation_goes_to_one_victim_when_traced_to_one() -> None:
    money = Money(amount_minor=30_000, currency="CNY")
    assert allocate_return(money, {"V1": 50_000, "V2": 50_000}, traced_to="V2") == {"V2": 30_000}
    assert allocate_return(money, {"V1": 40_000}) == {"V1": 30_000}
    assert allocate_return(money, {"V1": 20_000, "V2": 40_000, "V3": 0}) == {"V1": 10_000, "V2": 20_000}


def test_returns_beyond_the_traced_money_or_to_strangers_are_refused() -> None:
    money = Money(amount_minor=30_000, currency="CNY")
    with pytest.raises(InvalidOperationError, match="exceeds"):
        allocate_return(money, {"V1": 10_000, "V2": 10_000})
    with pytest.raises(InvalidOperationError, match="exceeds"):
        allocate_return(money, {"V1": 10_000, "V2": 40_000}, traced_to="V1")
    with pytest.raises(InvalidOperationError, match="no traced share"):
        allocate_return(money, {"V1": 40_000}, traced_to="V9")
    with pytest.raises(InvalidOperationError, match="negative"):
        split_largest_remainder(10, {"V1": -1, "V2": 3})
    with pytest.raises(InvalidOperationError, match="zero"):
        split_largest_remainder(10, {"V1": 0})


_WEIGHTS = st.dictionaries(
    st.text(alphabet="ABCDEFGHIJ", min_size=1, max_size=3),
    st.integers(min_value=0, max_value=10**12),
    min_size=1,
    max_size=30,
).filter(lambda weights: sum(weights.values()) > 0)


@given(st.integers(min_value=0, max_value=10**14), _WEIGHTS)
def test_parts_sum_to_the_amount_and_stay_within_one_minor_unit(amount: int, weights: dict[str, int]) -> None:
    parts = split_largest_remainder(amount, weights)
    total = sum(weights.values())
    assert sum(parts.values()) == amount
    assert list(parts) == list(weights)
    for key, weight in weights.items():
        assert parts[key] >= 0
        assert abs(parts[key] - Fraction(amount * weight, total)) < 1
    assert parts == _reference_split(amount, weights)
