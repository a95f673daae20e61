"""The per-client rate limit and the public answer cache, on a fake clock."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fanzha.api.cache import TtlCache
from fanzha.api.ratelimit import RateLimiter


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_one_request_per_interval() -> None:
    clock = Clock()
    limiter = RateLimiter(60, clock=clock)
    assert all(limiter.allow("a") == 0.0 for _ in range(60))
    assert limiter.allow("a") > 0.0
    assert limiter.allow("b") == 0.0
    clock.now += 1.0
    assert limiter.allow("a") == 0.0
    assert limiter.allow("a") > 0.0


@given(st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=200), st.integers(1, 120))
def test_never_more_than_the_rate_allows(gaps: list[float], per_minute: int) -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute, clock=clock)
    allowed = 0
    for gap in gaps:
        clock.now += gap
        allowed += limiter.allow("c") == 0.0
    assert allowed <= per_minute + clock.now * per_minute / 60 + 1e-9


def test_client_buckets_are_bounded() -> None:
    limiter = RateLimiter(10, max_clients=3, clock=Clock())
    for client in "abcdef":
        limiter.allow(client)
    assert len(limiter._buckets) == 3


def test_cache_forgets_stale_and_least_recent_answers() -> None:
    clock = Clock()
    cache: TtlCache[int] = TtlCache(10, max_items=2, clock=clock)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    clock.now += 10.5
    assert cache.get("a") is None
