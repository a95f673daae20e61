"""Union-find (并查集) over reports: the bulk kernel in numba and the incremental structure in plain Python.

Both use union by size and path halving, so a sequence of m unions and finds over n reports costs
O(m · α(n)) time and O(n) memory. A component is named by its *founder*, the smallest report index in it; when
report indices follow arrival order, the founder is the oldest report, which keeps campaign names stable.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]


@numba.njit(cache=True, nogil=True)
def _find(parent: Any, node: int) -> int:  # pragma: no cover - compiled
    while parent[node] != node:
        parent[node] = parent[parent[node]]
        node = parent[node]
    return node


@numba.njit(cache=True, nogil=True)
def _founders(
    n_reports: int, report: Any, identifier: Any, active: Any
) -> Any:  # pragma: no cover - compiled
    parent = np.arange(n_reports, dtype=np.int64)
    size = np.ones(n_reports, dtype=np.int64)
    first = np.full(active.shape[0], -1, dtype=np.int64)
    for m in range(report.shape[0]):
        ident = identifier[m]
        if not active[ident]:
            continue
        r = report[m]
        other = first[ident]
        if other < 0:
            first[ident] = r
            continue
        a = _find(parent, r)
        b = _find(parent, other)
        if a == b:
            continue
        if size[a] < size[b]:
            a, b = b, a
        parent[b] = a
        size[a] += size[b]
    founder = np.full(n_reports, -1, dtype=np.int64)
    labels = np.empty(n_reports, dtype=np.int64)
    for r in range(n_reports):
        root = _find(parent, r)
        if founder[root] < 0:
            founder[root] = r
        labels[r] = founder[root]
    return labels


def component_founders(
    n_reports: int, report: Int32Array | IntArray, identifier: Int32Array | IntArray, active: BoolArray
) -> IntArray:
    """For each report, the smallest report index of its connected component (the campaign's founder).

    ``report[m]`` and ``identifier[m]`` are the two ends of mention ``m``; identifiers with ``active`` False
    (weak kinds, suppressed hubs) link nothing. Cost: O(mentions · α(reports)) time, O(reports + identifiers)
    memory; about 0.1 s for 4M mentions.
    """
    labels: IntArray = _founders(n_reports, report, identifier, active)
    return labels


class IncrementalUnionFind:
    """Union-find that grows one report at a time; a component's founder is its smallest (oldest) index."""

    __slots__ = ("_founder", "_parent", "_size")

    def __init__(self) -> None:
        self._parent: list[int] = []
        self._size: list[int] = []
        self._founder: list[int] = []

    def __len__(self) -> int:
        return len(self._parent)

    @classmethod
    def from_founders(cls, founder: IntArray) -> IncrementalUnionFind:
        """The union-find whose components are given by each node's founder (smallest index of its component)."""
        structure = cls()
        structure._parent = founder.tolist()
        structure._size = np.bincount(founder, minlength=len(founder)).tolist()
        structure._founder = list(range(len(founder)))
        return structure

    def add(self) -> int:
        """A new singleton; returns its index."""
        index = len(self._parent)
        self._parent.append(index)
        self._size.append(1)
        self._founder.append(index)
        return index

    def find(self, node: int) -> int:
        """The root of ``node``'s component (path halving)."""
        parent = self._parent
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def founder(self, node: int) -> int:
        """The smallest index in ``node``'s component."""
        return self._founder[self.find(node)]

    def union(self, a: int, b: int) -> tuple[int, int] | None:
        """Join two components; returns ``(surviving founder, absorbed founder)``, or None if already one."""
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return None
        if self._size[root_a] < self._size[root_b]:
            root_a, root_b = root_b, root_a
        self._parent[root_b] = root_a
        self._size[root_a] += self._size[root_b]
        founders = sorted((self._founder[root_a], self._founder[root_b]))
        self._founder[root_a] = founders[0]
        return founders[0], founders[1]

    def size(self, node: int) -> int:
        """Number of reports in ``node``'s component."""
        return self._size[self.find(node)]
