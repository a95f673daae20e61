"""The report–identifier graph (案件—要素关联图): reports on one side, linking keys on the other.

Mentions come in as two parallel arrays, the report index and the ``kind:value`` key of each mention; keys are
factorised with Arrow's ``dictionary_encode`` (no Python object per mention), so a graph of 1M reports and 4M
mentions builds in well under a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fanzha.link.keys import KIND_STRENGTH, LinkStrength, Strengths

IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class ReportGraph:
    """Reports ``0 … n_reports-1`` and identifiers ``0 … len(keys)-1`` joined by mentions.

    ``report``/``identifier`` hold the two ends of each mention, grouped by report; ``keys[i]`` is identifier
    ``i``'s linking key, ``strong[i]`` whether its kind merges campaigns, ``degree[i]`` how many distinct
    reports mention it. Memory: 8 bytes per mention plus the distinct key strings.
    """

    n_reports: int
    report: Int32Array
    identifier: Int32Array
    keys: pa.Array
    strong: BoolArray
    degree: IntArray

    @property
    def n_identifiers(self) -> int:
        """Number of distinct linking keys."""
        return len(self.keys)

    def key(self, identifier: int) -> str:
        """The linking key of one identifier."""
        return str(self.keys[identifier].as_py())

    def index_of(self, keys: Sequence[str]) -> IntArray:
        """Identifier index of each key, -1 for keys not in the graph (one scan of the dictionary)."""
        if not keys:
            return np.zeros(0, dtype=np.int64)
        wanted = pa.array(list(keys), self.keys.type)
        slot = np.asarray(pc.index_in(self.keys, value_set=wanted).fill_null(-1), dtype=np.int64)
        found = np.full(len(wanted), -1, dtype=np.int64)
        present = np.flatnonzero(slot >= 0)
        found[slot[present]] = present
        first = np.asarray(pc.index_in(wanted, value_set=wanted), dtype=np.int64)
        result: IntArray = found[first]
        return result


def build_graph(
    n_reports: int,
    report: npt.ArrayLike,
    keys: pa.Array | Sequence[str],
    strengths: Strengths = KIND_STRENGTH,
) -> ReportGraph:
    """The graph of ``n_reports`` reports where mention ``m`` joins report ``report[m]`` and key ``keys[m]``.

    Mentions are reordered (stably) to be grouped by report when they are not already. Cost: one hash pass
    over the key strings, O(mentions) more for degrees, one sort only when mentions are out of order.
    """
    report_index = np.ascontiguousarray(report, dtype=np.int32)
    key_array = keys if isinstance(keys, pa.Array | pa.ChunkedArray) else pa.array(keys, pa.string())
    if isinstance(key_array, pa.ChunkedArray):
        key_array = key_array.combine_chunks()
    if len(report_index) != len(key_array):
        raise ValueError(f"{len(report_index)} report indices for {len(key_array)} keys")
    if len(report_index) and (report_index.min() < 0 or report_index.max() >= n_reports):
        raise ValueError(f"report indices must lie in 0 … {n_reports - 1}")
    if key_array.null_count:
        raise ValueError("a mention has no key (null)")
    encoded = pc.dictionary_encode(key_array)
    identifier = np.asarray(encoded.indices, dtype=np.int32)
    if len(report_index) > 1 and bool(np.any(report_index[1:] < report_index[:-1])):
        order = np.argsort(report_index, kind="stable")
        report_index, identifier = report_index[order], identifier[order]
    dictionary = encoded.dictionary
    weak = np.zeros(len(dictionary), dtype=bool)
    for prefix in (f"{kind.value}:" for kind, s in strengths.items() if s == LinkStrength.WEAK):
        weak |= np.asarray(pc.starts_with(dictionary, prefix), dtype=bool)
    return ReportGraph(
        n_reports=n_reports,
        report=report_index,
        identifier=identifier,
        keys=dictionary,
        strong=~weak,
        degree=_distinct_degree(report_index, identifier, len(dictionary)),
    )


@numba.njit(cache=True, nogil=True)
def _degree_kernel(report: Any, identifier: Any, n_identifiers: int) -> Any:  # pragma: no cover - compiled
    degree = np.zeros(n_identifiers, dtype=np.int64)
    last = np.full(n_identifiers, -1, dtype=np.int64)
    for m in range(report.shape[0]):
        ident = identifier[m]
        if last[ident] != report[m]:
            last[ident] = report[m]
            degree[ident] += 1
    return degree


def _distinct_degree(report: Int32Array, identifier: Int32Array, n_identifiers: int) -> IntArray:
    """Distinct reports per identifier, for mentions grouped by report."""
    degree: IntArray = _degree_kernel(report, identifier, n_identifiers)
    return degree


def distinct_sorted(values: IntArray) -> IntArray:
    """The distinct values, ascending: one sort and a neighbour comparison. (NumPy 2.4's ``np.unique`` without
    counts takes a hash path about 20× slower on millions of int64 values.)"""
    ordered = np.sort(values)
    if len(ordered) == 0:
        return ordered
    found: IntArray = ordered[np.r_[True, ordered[1:] != ordered[:-1]]]
    return found
