"""A per-client limit on requests (the public risk lookup must not become a way to enumerate the store)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    """Token bucket per client: ``per_minute`` requests a minute, bursts up to the same number.

    Keeps at most ``max_clients`` buckets (least recently seen dropped first), so memory stays bounded.
    """

    def __init__(
        self, per_minute: int, *, max_clients: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, client: str) -> float:
        """0.0 when ``client`` may go ahead (and is charged), else the seconds until it may."""
        now = self.clock()
        with self._lock:
            tokens, seen = self._buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - seen) * self.rate)
            wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate
            self._buckets[client] = (tokens - 1.0 if wait == 0.0 else tokens, now)
            if len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait
