"""Fraud-type classification: speed and cross-validated macro-F1, beside a scikit-learn TF-IDF pipeline.

The peer is what one would write first: ``TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True,
min_df=2)`` and the same logistic regression, on the same normalised texts. It gives no evidence and no subtype.

Cross-validation scores held-out folds of the hand-written training data only (simulated narratives, when added,
go to the training folds). Wall and CPU time are both shown, since the machine is shared.

Run: ``.venv/bin/python -m bench.bench_classify --reports 5000 --repeats 5``. Prints markdown tables for
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline

from bench.common import machine, markdown_table, median_seconds, today
from fanzha.model import Language
from fanzha.text import normalize
from fanzha.text.classify import (
    REGULARIZATION_C,
    SIMULATED_PER_TYPE,
    FraudClassifier,
    simulated_reports,
    training_examples,
)


def _median_cpu_seconds(run: Callable[[], object], repeats: int) -> float:
    """Median process CPU time of ``run`` (the machine is shared: wall time also counts other people's work)."""
    samples = []
    for _ in range(repeats):
        start = time.process_time()
        run()
        samples.append(time.process_time() - start)
    return statistics.median(samples)


def _peer(texts: list[str], labels: list[str]) -> Pipeline:
    vectorizer = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2, lowercase=True
    )
    regression = LogisticRegression(
        C=REGULARIZATION_C, solver="newton-cg", max_iter=500, class_weight="balanced", random_state=0
    )
    return make_pipeline(vectorizer, regression).fit([normalize(text).text for text in texts], labels)


def _cross_validated(folds: int) -> list[list[str]]:
    """Macro-F1 of fanzha and of the peer by script, out of fold on the shipped training data."""
    examples = training_examples()
    texts = [example.text for example in examples]
    labels = [example.label for example in examples]
    truth = np.array([label.split(".")[0] for label in labels])
    ours = np.empty(len(texts), dtype=object)
    with_simulated = np.empty(len(texts), dtype=object)
    peer = np.empty(len(texts), dtype=object)
    simulated_texts, simulated_labels = simulated_reports(SIMULATED_PER_TYPE)
    for fit, held in StratifiedKFold(n_splits=folds, shuffle=True, random_state=0).split(texts, truth):
        fit_texts, held_texts = [texts[i] for i in fit], [texts[i] for i in held]
        fit_labels = [labels[i] for i in fit]
        model = FraudClassifier.train(fit_texts, fit_labels)
        ours[held] = [result.fraud_type for result in model.classify_many(held_texts)]
        model = FraudClassifier.train(fit_texts + simulated_texts, fit_labels + simulated_labels)
        with_simulated[held] = [result.fraud_type for result in model.classify_many(held_texts)]
        peer[held] = _peer(fit_texts, list(truth[fit])).predict([normalize(text).text for text in held_texts])
    scripts = np.array([example.language.value for example in examples])
    rows = []
    for name, chosen in [("all", np.ones(len(texts), bool))] + [
        (language.value, scripts == language.value) for language in Language
    ]:
        rows.append(
            [
                name,
                str(int(chosen.sum())),
                *(
                    f"{f1_score(truth[chosen], predicted[chosen].astype(str), average='macro'):.3f}"
                    for predicted in (ours, with_simulated, peer)
                ),
            ]
        )
    return rows


def main() -> None:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    examples = training_examples()
    texts = [example.text for example in examples]
    labels = [example.label for example in examples]
    rng = random.Random(0)
    reports = [rng.choice(texts) for _ in range(args.reports)]
    normalized = [normalize(text) for text in reports]
    normalized_texts = [text.text for text in normalized]

    train_time = median_seconds(
        lambda: FraudClassifier.train(texts, labels), repeats=max(1, args.repeats // 2)
    )
    peer_train_time = median_seconds(lambda: _peer(texts, labels), repeats=max(1, args.repeats // 2))
    model = FraudClassifier.train(texts, labels)
    peer = _peer(texts, labels)
    model.classify_many(reports[:10])
    count = len(reports)
    timed: dict[str, tuple[float, float]] = {}
    for name, run in [
        ("prepared", lambda: model.classify_normalized(normalized)),
        ("raw", lambda: model.classify_many(reports)),
        ("normalize", lambda: [normalize(text) for text in reports]),
        ("peer", lambda: peer.predict_proba(normalized_texts)),
        ("single", lambda: [model.classify(text) for text in reports[:500]]),
    ]:
        timed[name] = (median_seconds(run, args.repeats), _median_cpu_seconds(run, args.repeats))

    mean_length = sum(map(len, reports)) / count
    print(f"### Fraud-type classifier ({count:,} reports, mean {mean_length:.0f} characters)\n")
    print(f"{machine()}; {today()}; median of {args.repeats} runs\n")
    peer_time = timed["peer"][0]

    def row(label: str, name: str, reports_timed: int = count, peer_ratio: bool = True) -> list[str]:
        wall, cpu = timed[name]
        return [
            label,
            f"{wall * 1e6 / reports_timed:.1f} µs",
            f"{cpu * 1e6 / reports_timed:.1f} µs",
            f"{reports_timed / wall:,.0f}/s",
            f"{peer_time / wall:.2f}" if peer_ratio else "",
        ]

    rows = [
        [
            "fanzha: train on the shipped data",
            f"{train_time:.2f} s",
            "",
            f"{len(texts)} reports",
            f"{peer_train_time / train_time:.2f}",
        ],
        [
            "peer: train (TF-IDF + LR, no calibration)",
            f"{peer_train_time:.2f} s",
            "",
            f"{len(texts)} reports",
            "1.00",
        ],
        row("fanzha: classify_normalized (with evidence, subtype)", "prepared"),
        row("fanzha: classify_many (normalise + classify)", "raw"),
        row("of which normalize()", "normalize", peer_ratio=False),
        row("fanzha: classify() one report at a time", "single", 500, peer_ratio=False),
        row("peer: predict_proba on normalised text (no evidence)", "peer"),
    ]
    print(markdown_table(["step", "wall / report", "CPU / report", "rate (wall)", "speed vs peer"], rows))
    if args.folds > 1:
        print(f"\n{args.folds}-fold cross-validated macro-F1 on the shipped training data (level-1 types)\n")
        headers = [
            "script",
            "held-out reports",
            "fanzha",
            f"fanzha + {SIMULATED_PER_TYPE} simulated/type",
            "peer",
        ]
        print(markdown_table(headers, _cross_validated(args.folds)))


if __name__ == "__main__":
    main()
