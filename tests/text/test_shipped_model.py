"""The shipped classifier: made from the corpus in the package by ``fanzha train --shipped``, loaded, never
trained, when a process starts, and loaded without the simulator."""

from __future__ import annotations

import subprocess
import sys

from fanzha.text.classifier import corpus_digest
from fanzha.text.classify import default_classifier, training_corpus


def test_the_shipped_model_was_trained_on_the_corpus_in_the_package() -> None:
    texts, labels, weights, voices = training_corpus()
    assert default_classifier().trained_on == corpus_digest(texts, labels, weights, voices)


def test_loading_the_classifier_imports_no_simulator_and_trains_nothing() -> None:
    code = (
        "import sys\n"
        "import fanzha.text.classifier as model\n"
        "model.FraudClassifier.train = None\n"
        "from fanzha.text.classify import default_classifier\n"
        "result = default_classifier().classify('网上兼职刷单，先垫付后返佣金，做了三单就提不了现')\n"
        "assert result.fraud_type == 'brushing_rebate', result\n"
        "assert not [m for m in sys.modules if m.startswith('fanzha.sim')], 'simulator imported'\n"
    )
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert finished.returncode == 0, finished.stderr


def test_corpus_digest_changes_with_any_text_or_label() -> None:
    base = corpus_digest(["a", "b"], ["x", "y"])
    assert base != corpus_digest(["a", "b"], ["x", "z"])
    assert base != corpus_digest(["a", "c"], ["x", "y"])
    assert base != corpus_digest(["b", "a"], ["y", "x"])
    assert base == corpus_digest(["a", "b"], ["x", "y"], [1.0, 1.0])
    assert base != corpus_digest(["a", "b"], ["x", "y"], [1.0, 0.5])
