"""Fraud-type classification of report text (诈骗类型研判): the public names of the text room's classifier.

The work is split by job: :mod:`fanzha.text.features` turns text into hashed n-gram features,
:mod:`fanzha.text.classifier` holds the model, its calibration, its evidence and its file format, and
:mod:`fanzha.text.corpus` the data it is trained on. :func:`default_classifier` loads the model that
``fanzha train --shipped`` (run by ``make``) wrote into the package: nothing is trained when a process starts.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from fanzha.text.classifier import (
    EVIDENCE_TERMS,
    NOT_FRAUD,
    REGULARIZATION_C,
    SUBTYPE_MIN_PROBABILITY,
    Classification,
    FraudClassifier,
)
from fanzha.text.corpus import (
    SIMULATED_PER_TYPE,
    TrainingExample,
    simulated_reports,
    training_corpus,
    training_examples,
)
from fanzha.text.features import MIN_DOCUMENT_FREQUENCY, NGRAM_MAX, Vocabulary

SHIPPED_MODEL = "data/fraud_classifier.npz"
"""The model in the package, made from :func:`training_corpus` by ``fanzha train --shipped``."""

__all__ = [
    "EVIDENCE_TERMS",
    "MIN_DOCUMENT_FREQUENCY",
    "NGRAM_MAX",
    "NOT_FRAUD",
    "REGULARIZATION_C",
    "SHIPPED_MODEL",
    "SIMULATED_PER_TYPE",
    "SUBTYPE_MIN_PROBABILITY",
    "Classification",
    "FraudClassifier",
    "TrainingExample",
    "Vocabulary",
    "default_classifier",
    "simulated_reports",
    "training_corpus",
    "training_examples",
]


class MissingModelError(RuntimeError):
    """The package holds no trained model: ``make`` (or ``fanzha train --shipped``) builds it."""


@lru_cache(maxsize=1)
def default_classifier() -> FraudClassifier:
    """The shipped classifier, loaded once per process (about 0.1 s); raises :class:`MissingModelError` when the
    package was installed without building it."""
    model = resources.files("fanzha.text").joinpath(SHIPPED_MODEL)
    if not model.is_file():
        raise MissingModelError(
            "no fraud-type model in the package: run `make` or `fanzha train --shipped` to build it"
        )
    return FraudClassifier.from_bytes(model.read_bytes())
