"""Hub identifiers (公共号码/平台要素): numbers and sites unrelated victims mention innocently.

A bank hotline, 10086 or taobao.com named by hundreds of victims of different scams must not glue their reports
into one campaign. Two rules keep them out, and the analyst sees every decision and can override it:

- the allow-list shipped in ``data/hubs.json`` (bank hotlines 955xx, telco services, government hotlines, big
  platforms);
- an adaptive rule: an identifier whose degree (distinct reports) is far above the typical degree of shared
  identifiers *and* whose reports spread over many fraud types (effective number of types ``1 / Σ p²``) is a
  hub. A mule card with 1,654 victims of one campaign has a high degree but one dominant type, so it stays.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numba
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fanzha.link.graph import ReportGraph

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

ALLOW_LIST = "allow_list"
ADAPTIVE = "adaptive"
ANALYST = "analyst"
HIGH_DEGREE = "high_degree"
"""Flagged for the analyst, not suppressed: a high degree but too few typed reports to judge the spread."""
KEPT = "kept_by_analyst"


@lru_cache(maxsize=1)
def shipped_hubs() -> dict[str, str]:
    """The shipped allow-list: ``kind:value`` key → category (bank_hotline, telco_service, …)."""
    text = resources.files("fanzha.link").joinpath("data/hubs.json").read_text("utf-8")
    groups: dict[str, list[str]] = json.loads(text)["hubs"]
    return {key: category for category, keys in groups.items() for key in keys}


@dataclass(frozen=True)
class HubPolicy:
    """How hubs are found: the allow-list, the adaptive thresholds and the analyst's overrides.

    ``keep`` keys always link (an analyst judged them real scam identifiers); ``suppress`` keys never do.
    The adaptive rule needs ``degree >= max(min_degree, degree_factor × typical degree)`` where the typical
    degree is the median over identifiers shared by two or more reports, at least ``min_typed`` of its reports
    with a known fraud type, and an effective number of fraud types of at least ``min_type_spread``. High-degree
    identifiers with too few typed reports are flagged for the analyst (at most ``max_flagged``), not suppressed.
    """

    allow_list: Mapping[str, str] = field(default_factory=shipped_hubs)
    adaptive: bool = True
    min_degree: int = 10
    degree_factor: float = 4.0
    min_typed: int = 8
    min_type_spread: float = 2.5
    keep: Collection[str] = frozenset()
    suppress: Collection[str] = frozenset()
    max_flagged: int = 50


@dataclass(frozen=True)
class HubDecision:
    """One identifier the hub rules looked at: why, how widely it spreads, and whether it was kept out."""

    key: str
    reason: str
    suppressed: bool
    degree: int
    type_spread: float
    region_spread: float
    category: str | None = None


@dataclass(frozen=True)
class Hubs:
    """The identifiers kept out of linking (``suppressed[i]`` per identifier) and every decision made."""

    suppressed: BoolArray
    decisions: tuple[HubDecision, ...]

    @property
    def suppressed_keys(self) -> frozenset[str]:
        """Keys of the identifiers kept out of linking."""
        return frozenset(d.key for d in self.decisions if d.suppressed)


def find_hubs(
    graph: ReportGraph,
    policy: HubPolicy | None = None,
    fraud_type: Sequence[str | None] | None = None,
    region: Sequence[str | None] | None = None,
) -> Hubs:
    """Decide which identifiers of ``graph`` are hubs; ``fraud_type``/``region`` are per report (may be None).

    Cost: one pass over the dictionary for the allow-list, O(mentions of high-degree identifiers) for spreads.
    """
    policy = policy or HubPolicy()
    n = graph.n_identifiers
    suppressed = np.zeros(n, dtype=bool)
    reasons: dict[int, tuple[str, str | None]] = {}
    for keys, reason in ((policy.allow_list, ALLOW_LIST), (policy.suppress, ANALYST)):
        for index in graph.index_of(list(keys)).tolist():
            if index >= 0:
                reasons[index] = (reason, policy.allow_list.get(graph.key(index)))
    candidates = _high_degree(graph, policy) if policy.adaptive else np.zeros(0, dtype=np.int64)
    type_codes = _codes(fraud_type, graph.n_reports)
    which, report = _distinct_pairs(graph, candidates)
    types = _spread(which, type_codes[report], len(candidates))
    regions = _spread(which, _codes(region, graph.n_reports)[report], len(candidates))
    typed = np.bincount(which[type_codes[report] >= 0], minlength=len(candidates))
    flagged = 0
    for i, index in enumerate(candidates.tolist()):
        if index in reasons:
            continue
        if typed[i] >= policy.min_typed:
            if types[i] >= policy.min_type_spread:
                reasons[index] = (ADAPTIVE, None)
        elif flagged < policy.max_flagged:
            reasons[index] = (HIGH_DEGREE, None)
            flagged += 1
    keep = set(graph.index_of(list(policy.keep)).tolist()) - {-1}
    spread_of = dict(
        zip(candidates.tolist(), zip(types.tolist(), regions.tolist(), strict=True), strict=True)
    )
    decisions = []
    for index, (reason, category) in sorted(reasons.items(), key=lambda item: -graph.degree[item[0]]):
        is_hub = reason != HIGH_DEGREE and index not in keep
        suppressed[index] = is_hub
        type_spread, region_spread = spread_of.get(index, (0.0, 0.0))
        decisions.append(
            HubDecision(
                key=graph.key(index),
                reason=KEPT if index in keep and reason != HIGH_DEGREE else reason,
                suppressed=is_hub,
                degree=int(graph.degree[index]),
                type_spread=round(type_spread, 2),
                region_spread=round(region_spread, 2),
                category=category,
            )
        )
    return Hubs(suppressed=suppressed, decisions=tuple(decisions))


def _high_degree(graph: ReportGraph, policy: HubPolicy) -> IntArray:
    shared = graph.degree[graph.degree >= 2]
    typical = float(np.median(shared)) if len(shared) else 1.0
    threshold = max(policy.min_degree, policy.degree_factor * typical)
    found: IntArray = np.flatnonzero(graph.degree >= threshold).astype(np.int64)
    return found


def _codes(labels: Sequence[str | None] | None, n_reports: int) -> IntArray:
    """Small integer codes per report, -1 for unknown."""
    if labels is None:
        return np.full(n_reports, -1, dtype=np.int64)
    if len(labels) != n_reports:
        raise ValueError(f"{len(labels)} labels for {n_reports} reports")
    encoded = pc.dictionary_encode(pa.array(list(labels), pa.string()))
    return np.asarray(encoded.indices.fill_null(-1), dtype=np.int64)


def _distinct_pairs(graph: ReportGraph, candidates: IntArray) -> tuple[IntArray, IntArray]:
    """(candidate position, report) for each distinct report mentioning a candidate."""
    position = np.full(graph.n_identifiers, -1, dtype=np.int64)
    position[candidates] = np.arange(len(candidates))
    pairs: tuple[IntArray, IntArray] = _pairs_kernel(
        graph.report, graph.identifier, position, len(candidates)
    )
    return pairs


@numba.njit(cache=True, nogil=True)
def _pairs_kernel(report: Any, identifier: Any, position: Any, n_candidates: int) -> Any:  # pragma: no cover
    last = np.full(n_candidates, -1, dtype=np.int64)
    count = 0
    for m in range(report.shape[0]):
        p = position[identifier[m]]
        if p >= 0 and last[p] != report[m]:
            last[p] = report[m]
            count += 1
    which = np.empty(count, dtype=np.int64)
    reports = np.empty(count, dtype=np.int64)
    last[:] = -1
    k = 0
    for m in range(report.shape[0]):
        p = position[identifier[m]]
        if p >= 0 and last[p] != report[m]:
            last[p] = report[m]
            which[k] = p
            reports[k] = report[m]
            k += 1
    return which, reports


def _spread(which: IntArray, label: IntArray, n_candidates: int) -> npt.NDArray[np.float64]:
    """Effective number of distinct labels (``1 / Σ p²``) among each candidate's reports with a label."""
    known = label >= 0
    if n_candidates == 0 or not known.any():
        return np.zeros(n_candidates)
    width = int(label.max()) + 1
    counts = np.bincount(which[known] * width + label[known], minlength=n_candidates * width)
    counts = counts.reshape(n_candidates, width).astype(np.float64)
    totals = counts.sum(axis=1)
    squares = (counts**2).sum(axis=1)
    spread: npt.NDArray[np.float64] = np.where(squares > 0, totals**2 / np.maximum(squares, 1), 0.0)
    return spread
