"""Quality of linking against ground truth: B-cubed precision and recall (串并准确率/召回率).

For each report r with predicted campaign C(r) and true campaign T(r): precision(r) = |C(r) ∩ T(r)| / |C(r)|,
recall(r) = |C(r) ∩ T(r)| / |T(r)|, averaged over reports. Reports with no true campaign (not fraud) are each
their own true singleton, so gluing them to anything costs precision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class BCubed:
    """B-cubed precision, recall and their harmonic mean over ``n_reports`` reports."""

    precision: float
    recall: float
    n_reports: int

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def bcubed(predicted: Mapping[str, str], truth: Mapping[str, str | None]) -> BCubed:
    """B-cubed scores of ``predicted`` (report → campaign) against ``truth`` (report → campaign or None).

    Every report in ``truth`` is scored; one missing from ``predicted`` counts as a singleton.
    Cost: O(reports) with a hash of the (predicted, true) pairs.
    """
    reports = list(truth)
    n = len(reports)
    if n == 0:
        return BCubed(1.0, 1.0, 0)
    pred = [predicted.get(r, f"\x00single:{r}") for r in reports]
    true = [t if t is not None else f"\x00single:{r}" for r, t in zip(reports, truth.values(), strict=True)]
    p = np.asarray(pc.dictionary_encode(pa.array(pred)).indices, dtype=np.int64)
    t = np.asarray(pc.dictionary_encode(pa.array(true)).indices, dtype=np.int64)
    cells, cell_of = np.unique(p * n + t, return_inverse=True)
    overlap = np.bincount(cell_of)[cell_of].astype(np.float64)
    precision = float(np.mean(overlap / np.bincount(p)[p]))
    recall = float(np.mean(overlap / np.bincount(t)[t]))
    del cells
    return BCubed(precision, recall, n)
