"""``fanzha eval text`` (quality of extraction and classification) and ``fanzha train`` (the fraud classifier)."""

from __future__ import annotations

import importlib
import os
import time
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer
from rich.table import Table

from fanzha.cli.app import app, console, err_console, eval_app
from fanzha.text.blind import (
    BLIND_SETS,
    classification_on_blind_set,
    extraction_on_blind_set,
    load_blind_set,
    roles_on_blind_set,
)
from fanzha.text.evaluate import (
    EXTRACTION_PRECISION_TARGET,
    EXTRACTION_RECALL_TARGET,
    MACRO_F1_TARGET,
    ROLE_ACCURACY_TARGET,
    ROLES,
    SCRIPTS,
    ClassificationReport,
    ClassificationScores,
    Counts,
    ExtractionReport,
    TextClassifier,
    classify_eval_set,
    confusion_lines,
    evaluate_extraction,
    load_eval_set,
)
from fanzha.text.sms_collection import HAM_FALSE_ALARM_TARGET, load_sms_collection, score_sms_collection

MODEL_FILE = Path("models") / "fraud_classifier.bin"
"""Where ``fanzha train`` writes the classifier, relative to ``FANZHA_HOME``."""


def _classify_module() -> ModuleType | None:
    """``fanzha.text.classify`` when it is installed; the commands degrade without it."""
    try:
        return importlib.import_module("fanzha.text.classify")
    except ImportError:
        return None


def _mark(value: float, target: float) -> str:
    colour = "green" if value >= target else "red"
    return f"[{colour}]{value:.3f}[/{colour}]"


def _counts_row(name: str, counts: Counts) -> list[str]:
    return [
        name,
        str(counts.expected),
        str(counts.found),
        str(counts.hits),
        _mark(counts.precision, EXTRACTION_PRECISION_TARGET),
        _mark(counts.recall, EXTRACTION_RECALL_TARGET),
        f"{counts.f1:.3f}",
    ]


def _counts_table(title: str, first: str) -> Table:
    table = Table(title=title)
    for header in (first, "expected", "found", "hits"):
        table.add_column(header, justify="left" if header == first else "right")
    for header in ("precision", "recall", "F1"):
        table.add_column(header, justify="right")
    return table


def _print_extraction(report: ExtractionReport) -> None:
    kinds = _counts_table(
        f"identifier extraction on {report.messages} messages "
        f"(targets: precision ≥ {EXTRACTION_PRECISION_TARGET}, recall ≥ {EXTRACTION_RECALL_TARGET})",
        "kind",
    )
    for kind, counts in report.by_kind().items():
        kinds.add_row(*_counts_row(kind, counts))
    kinds.add_row(*_counts_row("[bold]all kinds[/bold]", report.overall()), end_section=True)
    kinds.add_row(*_counts_row("amounts", report.amounts))
    console.print(kinds)
    scripts = _counts_table("identifier extraction per script", "script")
    for script, counts in report.by_script().items():
        scripts.add_row(*_counts_row(script, counts))
    console.print(scripts)
    _print_role_table(report.roles, "")


def _print_role_table(roles: Counter[tuple[str, str]], where: str) -> None:
    """Whose each identifier is, read against the annotation: accuracy and the confusion of roles."""
    total = sum(roles.values())
    if not total:
        return
    accuracy = sum(n for (want, got), n in roles.items() if want == got) / total
    table = Table(
        title=f"identifier roles on {total} found, annotated identifiers{where}: accuracy "
        f"{_mark(accuracy, ROLE_ACCURACY_TARGET)} (target ≥ {ROLE_ACCURACY_TARGET}); rows annotated, columns read"
    )
    table.add_column("annotated")
    for role in ROLES:
        table.add_column(role, justify="right")
    for want in ROLES:
        table.add_row(want, *(str(roles.get((want, got), 0)) for got in ROLES))
    console.print(table)


def _print_blind(name: str) -> None:
    messages = load_blind_set(name)
    where = f" of the {name} set ({len(messages):,} messages)"
    extraction = extraction_on_blind_set(messages)
    kinds = _counts_table(f"identifier extraction{where}, matched where they stand", "kind")
    for kind, counts in sorted(extraction.by_kind.items()):
        kinds.add_row(*_counts_row(kind, counts))
    kinds.add_row(*_counts_row("[bold]all kinds[/bold]", extraction.identifiers))
    kinds.add_row(*_counts_row("partial numbers (tails, masked)", extraction.partial))
    kinds.add_row(*_counts_row("[bold]whole identifiers[/bold]", extraction.whole), end_section=True)
    kinds.add_row(*_counts_row("amounts (value and currency)", extraction.amounts))
    console.print(kinds)
    module = _classify_module()
    if module is None:
        _print_role_table(roles_on_blind_set(messages), where)
        return
    classifier, source = _classifier(module)
    classified = dict(
        zip((m.text for m in messages), classifier.classify_many([m.text for m in messages]), strict=True)
    )
    _print_role_table(
        roles_on_blind_set(messages, genuine=lambda texts: [classified[text].no_fraud for text in texts]),
        where,
    )
    result = classification_on_blind_set(
        messages, lambda texts: [classified[text].fraud_type for text in texts]
    )
    _print_scores(f"fraud types{where}, {source}", result.overall)
    for line in confusion_lines(result.overall):
        console.print(line, highlight=False)
    table = Table(title=f"macro-F1 by script and voice{where}")
    for column in ("part", "messages", "macro-F1", "accuracy"):
        table.add_column(column, justify="left" if column == "part" else "right")
    for name, scores in (*result.by_script.items(), *result.by_voice.items()):
        table.add_row(
            name, str(scores.size), _mark(scores.macro_f1, MACRO_F1_TARGET), f"{scores.accuracy:.3f}"
        )
    console.print(table)
    console.print(
        f"fraud called fraud: {result.fraud_recall:.3f} (target ≥ 0.95); genuine messages called fraud: "
        f"{result.false_alarms:.3f} (target ≤ 0.02)"
    )


def _print_sms_collection(path: Path) -> None:
    module = _classify_module()
    if module is None:
        err_console.print("[red]the classifier is not available[/red]")
        raise typer.Exit(1)
    classifier, source = _classifier(module)
    scores = score_sms_collection(
        load_sms_collection(path), lambda texts: [c.fraud_type for c in classifier.classify_many(texts)]
    )
    table = Table(title=f"the SMS Spam Collection ({path.name}), {source}: messages called fraud")
    for column in ("messages", "count", "called fraud", "share"):
        table.add_column(column, justify="left" if column == "messages" else "right")
    for name, size, hits in (
        ("scam-like spam (prizes, claims, premium rate)", scores.scam_like, scores.scam_like_called_fraud),
        ("other spam (adverts, clubs, chat lines)", scores.other_spam, scores.other_spam_called_fraud),
        (f"ham (target ≤ {HAM_FALSE_ALARM_TARGET})", scores.ham, scores.ham_called_fraud),
    ):
        table.add_row(name, f"{size:,}", f"{hits:,}", f"{hits / size:.3f}" if size else "-")
    console.print(table)


def _print_extraction_errors(report: ExtractionReport) -> None:
    table = Table(title=f"extraction errors ({len(report.errors)})")
    for header in ("message", "error", "kind", "value", "text"):
        table.add_column(header, overflow="fold")
    for error in report.errors:
        table.add_row(error.message_id, error.error, error.kind, error.value, error.text)
    console.print(table)


def _print_scores(title: str, scores: ClassificationScores) -> None:
    per_class = Table(title=title)
    for header in ("fraud type", "precision", "recall", "F1", "support"):
        per_class.add_column(header, justify="left" if header == "fraud type" else "right")
    for score in scores.per_class:
        per_class.add_row(
            score.label,
            f"{score.precision:.3f}",
            f"{score.recall:.3f}",
            f"{score.f1:.3f}",
            str(score.support),
        )
    per_class.add_row(
        "[bold]macro average[/bold]", "", "", _mark(scores.macro_f1, MACRO_F1_TARGET), str(scores.size)
    )
    console.print(per_class)


def _print_confusion(scores: ClassificationScores) -> None:
    console.print("[bold]confusion matrix[/bold] (rows: annotated, columns: predicted)")
    for line in confusion_lines(scores):
        console.print(line, markup=False, highlight=False, no_wrap=True, overflow="ignore", crop=False)


def _print_classification(report: ClassificationReport, source: str, seconds: float) -> None:
    overall = report.overall
    _print_scores(
        f"fraud-type classification on {overall.size} held-out messages by the {source} "
        f"(accuracy {overall.accuracy:.3f}; target macro-F1 ≥ {MACRO_F1_TARGET}; {seconds:.1f} s)",
        overall,
    )
    scripts = Table(title="classification per script")
    for header in ("script", "messages", "accuracy", "macro-F1"):
        scripts.add_column(header, justify="left" if header == "script" else "right")
    for script in SCRIPTS:
        scores = report.per_script.get(script)
        if scores is not None:
            scripts.add_row(
                script, str(scores.size), f"{scores.accuracy:.3f}", _mark(scores.macro_f1, MACRO_F1_TARGET)
            )
    console.print(scripts)
    _print_confusion(overall)


def _print_classification_errors(report: ClassificationReport) -> None:
    table = Table(title=f"misclassified messages ({len(report.errors)})")
    for header in ("message", "annotated", "predicted", "probability", "text"):
        table.add_column(header, overflow="fold")
    for error in report.errors:
        probability = "" if error.probability is None else f"{error.probability:.2f}"
        table.add_row(error.message_id, error.expected, error.predicted, probability, error.text)
    console.print(table)


def _classifier(module: ModuleType) -> tuple[TextClassifier, str]:
    """The model saved by ``fanzha train`` when there is one, else the shipped classifier."""
    from fanzha.config import get_settings

    saved = get_settings().home / MODEL_FILE
    if saved.exists():
        try:
            classifier: TextClassifier = module.FraudClassifier.from_bytes(saved.read_bytes())
        except ValueError as error:
            err_console.print(f"[yellow]cannot read {saved} ({error}); run `fanzha train` again[/yellow]")
        else:
            return classifier, f"model in {saved}"
    return module.default_classifier(), "the shipped classifier"


@eval_app.command("text")
def eval_text(
    show_errors: Annotated[
        bool, typer.Option("--show-errors", help="list every miss, false alarm and misclassification")
    ] = False,
    eval_set: Annotated[
        str | None,
        typer.Option(
            "--set",
            help="'blind' or 'blind2' for a blind set, the SMS Spam Collection's .tsv file, or a JSON lines "
            "evaluation set instead of the shipped one",
        ),
    ] = None,
) -> None:
    """Extraction precision/recall per kind and classification macro-F1 on the annotated set (要素提取质量评估).

    ``--set blind`` (or ``blind2``) scores a blind set, written by readers who never saw the training data, per
    script, voice and type, with the roles of the identifiers found (``blind2`` is the held-out figure)."""
    if eval_set in BLIND_SETS:
        _print_blind(eval_set)
        return
    if eval_set and eval_set.endswith(".tsv"):
        _print_sms_collection(Path(eval_set))
        return
    messages = load_eval_set(Path(eval_set) if eval_set else None)
    extraction = evaluate_extraction(messages)
    _print_extraction(extraction)
    if show_errors:
        _print_extraction_errors(extraction)
    module = _classify_module()
    if module is None:
        console.print("[yellow]classifier not available[/yellow] (fanzha.text.classify is not installed)")
        return
    started = time.perf_counter()
    classifier, source = _classifier(module)
    classification = classify_eval_set(messages, classifier)
    _print_classification(classification, source, time.perf_counter() - started)
    if show_errors:
        _print_classification_errors(classification)


@app.command()
def train(
    out: Annotated[
        Path | None, typer.Option(help="file to write the model to; default <FANZHA_HOME>/models/…")
    ] = None,
    shipped: Annotated[
        bool, typer.Option("--shipped", help="write the model the package ships (make runs this)")
    ] = False,
) -> None:
    """Train the fraud-type classifier (诈骗类型分类模型) on its training corpus and save it."""
    from importlib import resources

    from fanzha.config import get_settings

    module = _classify_module()
    if module is None:
        err_console.print("[red]classifier not available[/red]: fanzha.text.classify is not installed")
        raise typer.Exit(1)
    target = out if out is not None else get_settings().home / MODEL_FILE
    if shipped:
        target = Path(str(resources.files("fanzha.text").joinpath(module.SHIPPED_MODEL)))
    started = time.perf_counter()
    texts, labels, weights, voices = module.training_corpus()
    model: bytes = module.FraudClassifier.train(texts, labels, weights=weights, voices=voices).to_bytes()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(model)
    os.replace(partial, target)
    console.print(
        f"trained on {len(texts):,} texts in {time.perf_counter() - started:.1f} s; "
        f"wrote {len(model):,} bytes to {target}"
    )
