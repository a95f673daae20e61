"""Fraud-type classification of report text (诈骗类型研判), with calibrated probabilities and evidence.

A report is normalised (:func:`fanzha.text.normalize.normalize`: traditional → simplified, full-width → half-width,
evasions undone), so one model serves simplified Chinese, traditional Chinese and English. Its features are the
character 1- to 3-grams and the Latin words of the normalised text (ASCII lower-cased, every digit read as ``0``),
weighted by sublinear TF-IDF and scaled to unit length; a multinomial logistic regression over the level-1 codes of
the taxonomy (:func:`fanzha.model.taxonomy.fraud_taxonomy`) scores them, and a temperature fitted on
cross-validated scores calibrates the probabilities. A second model over level-2 codes names the subtype when it is
confident.

The evidence behind a decision is the n-grams that added most to the chosen type's score, joined where they
overlap, widened to whole English words and read back from the original text, so an analyst sees ``刷單`` in a
traditional report and ``police`` rather than ``pol``.

The vocabulary is held as 64-bit FNV-1a hashes of n-grams (no strings), looked up in an open-addressing table by
numba kernels: a batch is featurised, scored and explained in a few passes over its characters. A model is saved
as numpy arrays and JSON (:meth:`FraudClassifier.to_bytes`), never as a pickle, so loading one runs no code.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numba
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from fanzha.model.taxonomy import Taxonomy, fraud_taxonomy
from fanzha.text.features import NGRAM_MAX, Features, FloatArray, IntArray, Vocabulary, code_points, is_letter
from fanzha.text.normalize import NormalizedText, normalize

logger = logging.getLogger(__name__)

NOT_FRAUD = "not_fraud"
REGULARIZATION_C = 200.0
"""Inverse L2 strength of the logistic regressions (unit-length TF-IDF rows need little regularisation).

Chosen by 5-fold cross-validation on the shipped reports (5 seeds): macro-F1 0.933 at 50, 0.935 from 200 up."""
UNCERTAIN_BELOW = 0.5
"""Below this probability a classification is flagged ``uncertain``. Chosen on the development set (2026-12-04, 384
messages): with the first model of that day the 14 texts under 0.5 were typed right half the time and the rest 92.7 %
of the time (0.6 flagged twice as many for the same accuracy under it); with the final model, 19 texts under it are
right 74 % of the time, the rest 93.4 %."""
SUBTYPE_MIN_PROBABILITY = 0.6
"""A level-2 subtype is named only when both its type and the subtype within the type are at least this likely."""
EVIDENCE_TERMS = 5
_EVIDENCE_NGRAMS = 12
_CALIBRATION_FOLDS = 3
_FORMAT = "fanzha.text.classify/1"
TELLING_VOICE = "police_warning"
"""The voice of the texts that tell of scams without being one: warnings, case bulletins, news (反诈宣传)."""
TELLING_ABOVE = 0.7
"""From this probability that a text tells of scams (a warning, a case bulletin, news) it is not fraud, whatever
scam it retells. Chosen on the four development blind sets (2026-12-04): at 0.7 genuine messages called fraud
fell from 0.023 / 0.044 / 0.051 / 0.073 to 0.013 / 0.026 / 0.028 / 0.012 and fraud called fraud from 0.932 /
0.991 / 0.996 / 0.978 to 0.925 / 0.989 / 0.996 / 0.972; at 0.5 false alarms were the same and recall lower, at 0.9
warnings came back (a third of the fourth set's false alarms)."""


@dataclass(frozen=True, slots=True)
class Classification:
    """The fraud type of one report (诈骗类型) with its calibrated probability and the evidence for it.

    ``evidence`` holds the terms that pushed the decision most, as written in the original text, with their
    weight (their share of the type's score, in logits); ``probabilities`` covers every level-1 code.
    """

    fraud_type: str
    subtype: str | None
    probability: float
    probabilities: dict[str, float]
    evidence: tuple[tuple[str, float], ...]
    tells_of_scam: bool = False
    """The text tells of a scam without being one (a warning, a case bulletin, news: 反诈宣传); its type is then
    ``not_fraud`` and ``probability`` is that of telling, while ``probabilities`` keep the scam it retells."""

    @property
    def uncertain(self) -> bool:
        """The model is unsure of this text (:data:`UNCERTAIN_BELOW`): an analyst should decide its type."""
        return self.probability < UNCERTAIN_BELOW

    @property
    def no_fraud(self) -> bool:
        """The text reads as no fraud, and the model is sure of it: it names no other side."""
        return self.fraud_type == NOT_FRAUD and not self.uncertain


# --- numba kernels ------------------------------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True)
def _is_separator(code: np.uint32) -> bool:
    """Whitespace or punctuation (ASCII, general punctuation, CJK symbols, full-width and vertical forms)."""
    if code < 0x80:
        return not (0x30 <= code <= 0x39 or 0x61 <= code <= 0x7A or 0x41 <= code <= 0x5A)
    return bool(
        code == 0xA0
        or 0x2000 <= code <= 0x206F
        or 0x3000 <= code <= 0x303F
        or 0xFE30 <= code <= 0xFE4F
        or 0xFF00 <= code <= 0xFF0F
    )


@numba.njit(cache=True, nogil=True)
def _top_contributions(
    begin: int,
    end: int,
    data: FloatArray,
    coefficients: FloatArray,
    top: IntArray,
    top_value: npt.NDArray[np.float64],
) -> int:
    """The entries in ``begin:end`` of largest positive ``data * coefficients``, largest first; their count."""
    k = len(top)
    taken = 0
    for entry in range(begin, end):
        value = data[entry] * coefficients[entry - begin]
        if value <= 0.0 or (taken == k and value <= top_value[k - 1]):
            continue
        place = min(taken, k - 1)
        while place > 0 and top_value[place - 1] < value:
            top[place] = top[place - 1]
            top_value[place] = top_value[place - 1]
            place -= 1
        top[place] = entry
        top_value[place] = value
        taken = min(taken + 1, k)
    return taken


@numba.njit(cache=True, nogil=True)
def _evidence_phrases(
    codes: npt.NDArray[np.uint32],
    bounds: IntArray,
    features: tuple[IntArray, npt.NDArray[np.int32], FloatArray, npt.NDArray[np.int32], npt.NDArray[np.int8]],
    coef_by_feature: FloatArray,
    chosen: IntArray,
    k: int,
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.float64], IntArray]:
    """Per row, the ``k`` n-grams adding most to the chosen class's score as phrases, heaviest first.

    N-grams whose spans overlap are joined, a phrase is widened to whole Latin words and stripped of edge
    punctuation, and a single character or one without a letter is dropped. Returns phrase starts, ends and
    summed weights (rows × k) and the number of phrases per row.
    """
    indptr, indices, data, first, size = features
    rows = len(indptr) - 1
    starts = np.zeros((rows, k), np.int32)
    ends = np.zeros((rows, k), np.int32)
    weights = np.zeros((rows, k), np.float64)
    counts = np.zeros(rows, np.int64)
    top = np.empty(k, np.int64)
    top_value = np.empty(k, np.float64)
    for row in range(rows):
        begin, stop = indptr[row], indptr[row + 1]
        coefficients = np.empty(stop - begin, np.float32)
        for entry in range(begin, stop):
            coefficients[entry - begin] = coef_by_feature[indices[entry], chosen[row]]
        taken = _top_contributions(begin, stop, data, coefficients, top, top_value)
        order = np.argsort(first[top[:taken]])
        phrases = 0
        for index in order:
            start, end = first[top[index]], first[top[index]] + size[top[index]]
            if phrases > 0 and start < ends[row, phrases - 1]:
                ends[row, phrases - 1] = max(ends[row, phrases - 1], end)
                weights[row, phrases - 1] += top_value[index]
            else:
                starts[row, phrases], ends[row, phrases] = start, end
                weights[row, phrases] = top_value[index]
                phrases += 1
        counts[row] = _tidy_phrases(
            codes[bounds[row] : bounds[row + 1]], starts[row], ends[row], weights[row], phrases
        )
    return starts, ends, weights, counts


@numba.njit(cache=True, nogil=True)
def _tidy_phrases(
    codes: npt.NDArray[np.uint32],
    starts: npt.NDArray[np.int32],
    ends: npt.NDArray[np.int32],
    weights: npt.NDArray[np.float64],
    count: int,
) -> int:
    """Widen phrases to whole Latin words, strip edge punctuation, drop single characters and phrases without a
    letter, sort by weight."""
    kept = 0
    for phrase in range(count):
        start, end = starts[phrase], ends[phrase]
        while start > 0 and is_letter(codes[start - 1]) and is_letter(codes[start]):
            start -= 1
        while end < len(codes) and is_letter(codes[end - 1]) and is_letter(codes[end]):
            end += 1
        while start < end and _is_separator(codes[start]):
            start += 1
        while end > start and _is_separator(codes[end - 1]):
            end -= 1
        lettered = False
        for position in range(start, end):
            code = codes[position]
            lettered = lettered or is_letter(code) or (code >= 0x80 and not _is_separator(code))
        if not lettered or end - start < 2:
            continue
        weight = weights[phrase]
        place = kept
        while place > 0 and weights[place - 1] < weight:
            starts[place], ends[place], weights[place] = (
                starts[place - 1],
                ends[place - 1],
                weights[place - 1],
            )
            place -= 1
        starts[place], ends[place], weights[place] = start, end, weight
        kept += 1
    return kept


@numba.njit(cache=True, nogil=True)
def _linear_scores(
    indptr: IntArray,
    indices: npt.NDArray[np.int32],
    data: FloatArray,
    coef_by_feature: FloatArray,
    intercept: FloatArray,
) -> npt.NDArray[np.float64]:
    """``X @ coef.T + intercept`` for CSR rows, with the coefficients stored feature-major."""
    rows, classes = len(indptr) - 1, coef_by_feature.shape[1]
    scores = np.empty((rows, classes), np.float64)
    for row in range(rows):
        for label in range(classes):
            scores[row, label] = intercept[label]
        for entry in range(indptr[row], indptr[row + 1]):
            weight = data[entry]
            column = indices[entry]
            for label in range(classes):
                scores[row, label] += weight * coef_by_feature[column, label]
    return scores


@numba.njit(cache=True, nogil=True)
def _softmax_rows(scores: npt.NDArray[np.float64], temperature: float) -> npt.NDArray[np.float64]:
    """Row-wise softmax of ``scores / temperature``, in place."""
    for row in range(scores.shape[0]):
        top = scores[row].max()
        total = 0.0
        for label in range(scores.shape[1]):
            scores[row, label] = math.exp((scores[row, label] - top) / temperature)
            total += scores[row, label]
        for label in range(scores.shape[1]):
            scores[row, label] /= total
    return scores


@numba.njit(cache=True, nogil=True)
def _subtype_choice(
    scores: npt.NDArray[np.float64],
    type_of_column: IntArray,
    is_subtype: npt.NDArray[np.bool_],
    chosen: IntArray,
    confident: npt.NDArray[np.bool_],
    temperature: float,
    threshold: float,
) -> IntArray:
    """Per row, the subtype column that is at least ``threshold`` likely among the chosen type's columns, or -1."""
    result = np.full(len(chosen), -1, np.int64)
    for row in range(len(chosen)):
        if not confident[row]:
            continue
        top = -np.inf
        best = -1
        for column in range(scores.shape[1]):
            if type_of_column[column] == chosen[row] and scores[row, column] > top:
                top, best = scores[row, column], column
        if best < 0 or not is_subtype[best]:
            continue
        total = 0.0
        for column in range(scores.shape[1]):
            if type_of_column[column] == chosen[row]:
                total += math.exp((scores[row, column] - top) / temperature)
        if 1.0 / total >= threshold:
            result[row] = best
    return result


# --- linear models ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _LinearModel:
    """A multinomial logistic regression as arrays: ``softmax((X @ coef.T + intercept) / temperature)``."""

    labels: tuple[str, ...]
    coef: FloatArray
    intercept: FloatArray
    temperature: float

    @cached_property
    def coef_by_feature(self) -> FloatArray:
        """The coefficients feature-major (features × classes), as the scoring kernels read them."""
        return np.ascontiguousarray(self.coef.T)

    def scores(self, features: Features) -> npt.NDArray[np.float64]:
        result: npt.NDArray[np.float64] = _linear_scores(
            features.indptr, features.indices, features.data, self.coef_by_feature, self.intercept
        )
        return result


def _softmax(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    result: npt.NDArray[np.float64] = shifted / shifted.sum(axis=1, keepdims=True)
    return result


def _regression(seed: int) -> LogisticRegression:
    return LogisticRegression(C=REGULARIZATION_C, solver="newton-cg", max_iter=500, random_state=seed)


def _balanced_weights(
    target: IntArray, weights: npt.NDArray[np.float64], classes: int
) -> npt.NDArray[np.float64]:
    """Each example's weight times its class's balancing factor, so every class weighs the same in all; the
    factor comes from the class's summed weight, so lightly weighted examples do not dilute their class's others
    (scikit-learn's ``class_weight="balanced"`` counts them as whole examples)."""
    per_class = np.bincount(target, weights=weights, minlength=classes)
    factor: npt.NDArray[np.float64] = weights.sum() / (classes * np.where(per_class > 0, per_class, 1.0))
    balanced: npt.NDArray[np.float64] = weights * factor[target]
    return balanced


def _fit_linear(
    matrix: sp.csr_matrix,
    labels: Sequence[str],
    seed: int,
    *,
    calibrate: bool,
    weights: npt.NDArray[np.float64] | None = None,
) -> _LinearModel:
    names = sorted(set(labels))
    target = np.searchsorted(names, labels)
    weights = np.ones(len(target)) if weights is None else weights
    regression = _regression(seed).fit(
        matrix, target, sample_weight=_balanced_weights(target, weights, len(names))
    )
    coef = regression.coef_.astype(np.float32)
    intercept = regression.intercept_.astype(np.float32)
    if len(names) == 2:
        coef = np.vstack([-coef / 2, coef / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2], np.float32)
    temperature = _fitted_temperature(matrix, target, weights, len(names), seed) if calibrate else 1.0
    return _LinearModel(tuple(names), coef, intercept, temperature)


def _fitted_temperature(
    matrix: sp.csr_matrix, target: IntArray, weights: npt.NDArray[np.float64], classes: int, seed: int
) -> float:
    """The temperature minimising the log-loss of out-of-fold scores (temperature scaling; 1.0 when too few)."""
    smallest = int(np.bincount(target, minlength=classes).min())
    folds = min(_CALIBRATION_FOLDS, smallest)
    if folds < 2:
        return 1.0
    scores = np.zeros((len(target), classes))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fit_rows, held_rows in splitter.split(np.zeros(len(target)), target):
        fit_weights = _balanced_weights(target[fit_rows], weights[fit_rows], classes)
        regression = _regression(seed).fit(matrix[fit_rows], target[fit_rows], sample_weight=fit_weights)
        fold_scores = regression.decision_function(matrix[held_rows])
        if classes == 2:
            fold_scores = np.column_stack([-fold_scores / 2, fold_scores / 2])
        scores[np.ix_(held_rows, regression.classes_)] = fold_scores

    def log_loss(temperature: float) -> float:
        probabilities = _softmax(scores / temperature)
        return -float(np.mean(np.log(probabilities[np.arange(len(target)), target] + 1e-12)))

    result = minimize_scalar(log_loss, bounds=(0.05, 20.0), method="bounded")
    return float(result.x)


# --- the classifier ------------------------------------------------------------------------------------------------


class FraudClassifier:
    """Classifies report text into the fraud types of the taxonomy (诈骗类型研判).

    >>> classifier = default_classifier()
    >>> result = classifier.classify("网上兼职刷单，先垫付后返佣金，做了三单就提不了现")
    >>> result.fraud_type
    'brushing_rebate'

    Cost: training builds the vocabulary in one pass over the texts, then fits four logistic regressions for the
    level-1 types (three of them only to calibrate) and one for the subtypes: about 9 s of one core for the
    ~3,700 reports of :func:`training_corpus`. Classifying is linear in the length of the text: in batches about
    33 µs of CPU per simulated narrative (174 characters) once normalised, plus about 0.1 ms per call, so classify
    many reports at once.
    """

    def __init__(
        self,
        vocabulary: Vocabulary,
        types: _LinearModel,
        subtypes: _LinearModel | None,
        trained_on: str | None = None,
        telling: _LinearModel | None = None,
    ) -> None:
        self._vocabulary = vocabulary
        self._types = types
        self._subtypes = subtypes
        self._telling = telling
        self.trained_on = trained_on
        """SHA-256 of the texts and labels the model was trained on (:func:`corpus_digest`), kept in its file."""
        self.labels: tuple[str, ...] = types.labels
        taxonomy_codes = fraud_taxonomy().codes()
        self._reported_codes = (
            *taxonomy_codes,
            *(code for code in self.labels if code not in taxonomy_codes),
        )
        self._reported_columns = np.array([self._column(code) for code in self._reported_codes], np.int64)
        self._unreported_codes = bool((self._reported_columns < 0).any())
        self._type_of_subtype_column = _type_of_subtype_columns(types.labels, subtypes)
        self._is_subtype_column = np.array(
            ["." in label for label in subtypes.labels] if subtypes else [], bool
        )

    def _column(self, code: str) -> int:
        return self.labels.index(code) if code in self.labels else -1

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        weights: Sequence[float] | None = None,
        voices: Sequence[str | None] | None = None,
        seed: int = 0,
    ) -> FraudClassifier:
        """Train on labelled reports; labels are level-1 or level-2 codes of the taxonomy; ``weights`` (default 1)
        say how much each report counts within its type, every type counting the same in all; ``voices`` (who
        speaks: :data:`TELLING_VOICE` for warnings and news) train the second model, which tells the texts that
        tell of scams from the scams and reports of them.

        Raises ``ValueError`` naming the first label the taxonomy does not know, or when the data cannot train a
        classifier (lengths differ, fewer than two level-1 types).
        """
        if len(texts) != len(labels) or (weights is not None and len(weights) != len(texts)):
            raise ValueError(f"{len(texts)} texts but {len(labels)} labels and {len(weights or ())} weights")
        example_weights = np.ones(len(texts)) if weights is None else np.asarray(weights, np.float64)
        if not (np.isfinite(example_weights).all() and (example_weights > 0).all()):
            raise ValueError("training weights must be finite and positive")
        _check_labels(labels, fraud_taxonomy())
        level_one = [label.split(".", 1)[0] for label in labels]
        if len(set(level_one)) < 2:
            raise ValueError("training needs reports of at least two level-1 fraud types")
        normalized = [normalize(text).text for text in texts]
        vocabulary = Vocabulary.fit(normalized)
        matrix = vocabulary.features(normalized).matrix
        types = _fit_linear(matrix, level_one, seed, calibrate=True, weights=example_weights)
        subtypes = _fit_subtypes(matrix, labels, seed, example_weights)
        telling = _fit_telling(matrix, voices, seed, example_weights) if voices is not None else None
        logger.info("trained on %d reports, %d n-grams", len(texts), len(vocabulary.keys))
        return cls(vocabulary, types, subtypes, corpus_digest(texts, labels, weights, voices), telling)

    def classify(self, text: str) -> Classification:
        """The fraud type of one report."""
        return self.classify_many([text])[0]

    def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        """The fraud types of many reports at once (much faster per report than one by one)."""
        return self.classify_normalized([normalize(text) for text in texts])

    def classify_normalized(
        self, texts: Sequence[NormalizedText], *, evidence: bool = True
    ) -> list[Classification]:
        """Like :meth:`classify_many` for reports already normalised (the ingest pipeline normalises once).

        ``evidence=False`` leaves the evidence out (an empty tuple): ingest stores only the type and its probability,
        and the evidence is read when an analyst opens the report; it saves about a third of the cost."""
        if not texts:
            return []
        codes, bounds = code_points([text.text for text in texts])
        features = self._vocabulary.features_of(codes, bounds)
        probabilities = _softmax_rows(self._types.scores(features), self._types.temperature)
        chosen = probabilities.argmax(axis=1)
        chosen_probability = probabilities[np.arange(len(texts)), chosen]
        telling, telling_probability = self._telling_of(features)
        retold = telling & (chosen != self._column(NOT_FRAUD))
        if retold.any():
            chosen[retold] = self._column(NOT_FRAUD)
            chosen_probability[retold] = telling_probability[retold]
        subtypes = self._subtypes_of(features, chosen, chosen_probability)
        reported = probabilities[:, self._reported_columns]
        if self._unreported_codes:
            reported[:, self._reported_columns < 0] = 0.0
        reported_codes, labels = self._reported_codes, self.labels
        if not evidence:
            return [
                Classification(
                    labels[label],
                    subtype,
                    probability,
                    dict(zip(reported_codes, row, strict=True)),
                    (),
                    tells,
                )
                for row, label, probability, subtype, tells in zip(
                    reported.tolist(),
                    chosen.tolist(),
                    chosen_probability.tolist(),
                    subtypes,
                    telling.tolist(),
                    strict=True,
                )
            ]
        starts, ends, weights, counts = _evidence_phrases(
            codes,
            bounds,
            (features.indptr, features.indices, features.data, features.first, features.size),
            self._types.coef_by_feature,
            chosen,
            _EVIDENCE_NGRAMS,
        )
        phrases = zip(
            starts.tolist(), ends.tolist(), np.round(weights, 4).tolist(), counts.tolist(), strict=True
        )
        rows = zip(
            texts,
            reported.tolist(),
            chosen.tolist(),
            chosen_probability.tolist(),
            subtypes,
            phrases,
            telling.tolist(),
            strict=True,
        )
        return [
            Classification(
                fraud_type=labels[label],
                subtype=subtype,
                probability=probability,
                probabilities=dict(zip(reported_codes, row_probabilities, strict=True)),
                evidence=_evidence(text, *evidence),
                tells_of_scam=tells,
            )
            for text, row_probabilities, label, probability, subtype, evidence, tells in rows
        ]

    def _telling_of(self, features: Features) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
        """Which texts tell of scams (:data:`TELLING_ABOVE`) and the probability that they do; none without the
        model (or without a ``not_fraud`` type to give them). Cost: one more sparse product of the features."""
        if self._telling is None or self._column(NOT_FRAUD) < 0:
            rows = len(features.indptr) - 1
            return np.zeros(rows, bool), np.zeros(rows)
        column = self._telling.labels.index(TELLING_VOICE)
        probability: npt.NDArray[np.float64] = _softmax(self._telling.scores(features))[:, column]
        return probability >= TELLING_ABOVE, probability

    def _subtypes_of(
        self, features: Features, chosen: IntArray, probability: npt.NDArray[np.float64]
    ) -> list[str | None]:
        """The level-2 code of each report whose type and subtype are both likely enough, else ``None``."""
        if self._subtypes is None:
            return [None] * len(chosen)
        columns = _subtype_choice(
            self._subtypes.scores(features),
            self._type_of_subtype_column,
            self._is_subtype_column,
            chosen,
            probability >= SUBTYPE_MIN_PROBABILITY,
            self._subtypes.temperature,
            SUBTYPE_MIN_PROBABILITY,
        )
        labels = self._subtypes.labels
        return [labels[column] if column >= 0 else None for column in columns.tolist()]

    def to_bytes(self) -> bytes:
        """The model as a NumPy ``.npz`` archive of arrays and JSON metadata (no pickle)."""
        arrays: dict[str, Any] = {
            "vocabulary": self._vocabulary.keys,
            "idf": self._vocabulary.idf,
            "types_coef": self._types.coef,
            "types_intercept": self._types.intercept,
        }
        meta: dict[str, Any] = {
            "format": _FORMAT,
            "trained_on": self.trained_on,
            "ngram_max": NGRAM_MAX,
            "types": {"labels": list(self._types.labels), "temperature": self._types.temperature},
        }
        if self._subtypes is not None:
            arrays["subtypes_coef"] = self._subtypes.coef
            arrays["subtypes_intercept"] = self._subtypes.intercept
            meta["subtypes"] = {
                "labels": list(self._subtypes.labels),
                "temperature": self._subtypes.temperature,
            }
        if self._telling is not None:
            arrays["telling_coef"] = self._telling.coef
            arrays["telling_intercept"] = self._telling.intercept
            meta["telling"] = {"labels": list(self._telling.labels), "temperature": self._telling.temperature}
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> FraudClassifier:
        """A model saved by :meth:`to_bytes`; raises ``ValueError`` for anything else."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as archive:
                arrays = {name: archive[name] for name in archive.files}
            meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
            raise ValueError(f"not a fanzha fraud-type model: {error}") from error
        if not isinstance(meta, dict) or meta.get("format") != _FORMAT or meta.get("ngram_max") != NGRAM_MAX:
            raise ValueError("unsupported fraud-type model format")
        keys, idf = arrays.get("vocabulary"), arrays.get("idf")
        if keys is None or idf is None or keys.ndim != 1 or idf.shape != keys.shape or (keys == 0).any():
            raise ValueError("fraud-type model: vocabulary and idf do not match")
        vocabulary = Vocabulary.of(keys.astype(np.uint64), idf.astype(np.float32))
        types = _stored_model(meta, arrays, "types", len(keys))
        subtypes = _stored_model(meta, arrays, "subtypes", len(keys)) if "subtypes" in meta else None
        telling = _stored_model(meta, arrays, "telling", len(keys)) if "telling" in meta else None
        trained_on = meta.get("trained_on")
        return cls(vocabulary, types, subtypes, trained_on if isinstance(trained_on, str) else None, telling)


def corpus_digest(
    texts: Sequence[str],
    labels: Sequence[str],
    weights: Sequence[float] | None = None,
    voices: Sequence[str | None] | None = None,
) -> str:
    """SHA-256 of a training corpus, texts and labels (and weights other than 1, and voices) in order: which data
    a model was trained on."""
    digest = hashlib.sha256()
    for index, (text, label) in enumerate(zip(texts, labels, strict=True)):
        weight = 1.0 if weights is None else float(weights[index])
        tag = label if weight == 1.0 else f"{label}*{weight:g}"
        voice = None if voices is None else voices[index]
        tag = tag if voice is None else f"{tag}@{voice}"
        digest.update(f"{tag}\t{text}\n".encode())
    return digest.hexdigest()


def _stored_model(meta: dict[str, Any], arrays: dict[str, Any], name: str, features: int) -> _LinearModel:
    """One linear model of a saved archive, its shapes checked (the kernels index without bounds checks)."""
    try:
        labels = tuple(str(label) for label in meta[name]["labels"])
        temperature = float(meta[name]["temperature"])
        coef, intercept = arrays[f"{name}_coef"], arrays[f"{name}_intercept"]
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"fraud-type model: {name} incomplete ({error})") from error
    if coef.shape != (len(labels), features) or intercept.shape != (len(labels),) or not temperature > 0:
        raise ValueError(f"fraud-type model: {name} coefficients do not match its labels and vocabulary")
    return _LinearModel(labels, coef.astype(np.float32), intercept.astype(np.float32), temperature)


def _check_labels(labels: Sequence[str], taxonomy: Taxonomy) -> None:
    known = taxonomy.all_codes()
    for index, label in enumerate(labels):
        if label not in known:
            raise ValueError(
                f"label {label!r} of training report {index} is not a fraud-type code of the taxonomy "
                f"(known level-1 codes: {', '.join(taxonomy.codes())})"
            )


def _fit_subtypes(
    matrix: sp.csr_matrix, labels: Sequence[str], seed: int, weights: npt.NDArray[np.float64]
) -> _LinearModel | None:
    """A model over the labels of the types that have level-2 examples (a bare level-1 label: no subtype).

    Its scores are not calibrated: they only decide whether a subtype is named, within the type already chosen.
    """
    with_subtypes = {label.split(".", 1)[0] for label in labels if "." in label}
    rows = [index for index, label in enumerate(labels) if label.split(".", 1)[0] in with_subtypes]
    names = {labels[index] for index in rows}
    if len(names) < 2:
        return None
    return _fit_linear(
        matrix[rows], [labels[index] for index in rows], seed, calibrate=False, weights=weights[rows]
    )


def _fit_telling(
    matrix: sp.csr_matrix, voices: Sequence[str | None], seed: int, weights: npt.NDArray[np.float64]
) -> _LinearModel | None:
    """A two-class model: the texts in :data:`TELLING_VOICE` against all the others (scams, reports, alerts,
    look-alikes); ``None`` when the corpus has no such texts."""
    if len(voices) != matrix.shape[0]:
        raise ValueError(f"{len(voices)} voices for {matrix.shape[0]} texts")
    telling = [TELLING_VOICE if voice == TELLING_VOICE else "other" for voice in voices]
    if len(set(telling)) < 2:
        return None
    return _fit_linear(matrix, telling, seed, calibrate=False, weights=weights)


def _type_of_subtype_columns(types: Sequence[str], subtypes: _LinearModel | None) -> IntArray:
    """For each column of the subtype model, the column of its level-1 type in the type model; -1 for the
    columns of a type with a single column in the subtype model (nothing to choose between)."""
    if subtypes is None:
        return np.zeros(0, np.int64)
    tops = [label.split(".", 1)[0] for label in subtypes.labels]
    return np.array(
        [types.index(top) if top in types and tops.count(top) > 1 else -1 for top in tops], np.int64
    )


def _evidence(
    text: NormalizedText, starts: list[int], ends: list[int], weights: list[float], count: int
) -> tuple[tuple[str, float], ...]:
    """The evidence phrases of one report read from the original text, heaviest first (same phrases summed)."""
    found: dict[str, float] = {}
    original, offsets, last = text.original, text.offsets, text.ends
    for index in range(count):
        term = original[offsets[starts[index]] : last[ends[index] - 1]]
        found[term] = found.get(term, 0.0) + weights[index]
    if len(found) < count:
        return tuple(sorted(found.items(), key=lambda item: -item[1])[:EVIDENCE_TERMS])
    return tuple(found.items())[:EVIDENCE_TERMS]
