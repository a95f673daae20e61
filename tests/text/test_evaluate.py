"""The scoring in fanzha.text.evaluate equals scikit-learn and a plain per-pair count; the confusion matrix prints
every count in full."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
from typer.testing import CliRunner

import fanzha.cli.text as cli_text
from fanzha.cli.app import app
from fanzha.model import IdentifierKind
from fanzha.model.taxonomy import fraud_taxonomy
from fanzha.text import extract
from fanzha.text.evaluate import (
    Counts,
    EvalMessage,
    EvalSetError,
    confusion_lines,
    evaluate_classification,
    evaluate_extraction,
    load_eval_set,
    parse_eval_message,
    score_amounts,
    score_classification,
    score_pairs,
)

_LABELS = st.sampled_from(["fake_loan", "romance", "not_fraud", "other_fraud", "game_trading"])
_PAIRS = st.sets(st.tuples(st.sampled_from(["phone", "qq", "url"]), st.sampled_from(["1", "2", "3", "4"])))


@pytest.mark.filterwarnings("ignore:A single label was found:UserWarning")
@settings(max_examples=60)
@given(st.lists(st.tuples(_LABELS, _LABELS), min_size=1, max_size=40))
def test_classification_scores_equal_sklearn(pairs: list[tuple[str, str]]) -> None:
    expected = [truth for truth, _ in pairs]
    predicted = [guess for _, guess in pairs]
    scores = score_classification(expected, predicted)
    labels = list(scores.labels)
    assert set(labels) == set(expected) | set(predicted)
    assert scores.accuracy == pytest.approx(accuracy_score(expected, predicted))
    assert scores.macro_f1 == pytest.approx(
        f1_score(expected, predicted, labels=labels, average="macro", zero_division=0)
    )
    assert [list(row) for row in scores.confusion] == confusion_matrix(
        expected, predicted, labels=labels
    ).tolist()
    precision, recall, f1, support = precision_recall_fscore_support(
        expected, predicted, labels=labels, zero_division=0
    )
    for index, score in enumerate(scores.per_class):
        assert (score.precision, score.recall, score.f1) == pytest.approx(
            (precision[index], recall[index], f1[index])
        )
        assert score.support == support[index]


def _reference_pair_counts(expected: set[tuple[str, str]], found: set[tuple[str, str]]) -> dict[str, Counts]:
    counts: dict[str, list[int]] = {}
    for pair in expected | found:
        row = counts.setdefault(pair[0], [0, 0, 0])
        if pair in expected and pair in found:
            row[0] += 1
        elif pair in found:
            row[1] += 1
        else:
            row[2] += 1
    return {kind: Counts(*row) for kind, row in counts.items()}


@given(_PAIRS, _PAIRS)
def test_pair_scores_equal_a_plain_count(expected: set[tuple[str, str]], found: set[tuple[str, str]]) -> None:
    assert score_pairs(expected, found) == _reference_pair_counts(expected, found)


@given(st.lists(st.integers(1, 5), max_size=8), st.lists(st.integers(1, 5), max_size=8))
def test_amounts_match_as_multisets(expected: list[int], found: list[int]) -> None:
    counts = score_amounts(expected, found)
    remaining = list(found)
    hits = 0
    for amount in expected:
        if amount in remaining:
            remaining.remove(amount)
            hits += 1
    assert counts == Counts(hits, len(found) - hits, len(expected) - hits)


def test_counts_follow_the_zero_division_convention() -> None:
    assert (Counts().precision, Counts().recall, Counts().f1) == (0.0, 0.0, 0.0)
    counts = Counts(3, 1, 2)
    assert (counts.precision, counts.recall) == (0.75, 0.6)
    assert counts.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)


def _message(
    identifier: str, text: str, script: str = "zh-Hans", fraud_type: str = "fake_loan"
) -> EvalMessage:
    return EvalMessage(
        id=identifier,
        script=script,
        text=text,
        fraud_type=fraud_type,
        identifiers=frozenset({("phone", "+8613812345678"), ("qq", "123456789")}),
        reported_at=datetime(2026, 11, 3, tzinfo=UTC),
        amounts=(3_000_000,),
    )


def test_extraction_report_counts_hits_misses_and_false_alarms() -> None:
    messages = [
        _message("a", "电话 138 1234 5678，转了3万元，卡号 6222021234567890128"),
        _message("b", "Call 020 7946 0958", script="en"),
    ]
    report = evaluate_extraction(messages)
    assert report.by_kind()["phone"] == Counts(1, 1, 1)
    assert report.by_kind()["qq"] == Counts(0, 0, 2)
    assert report.by_kind()["bank_account"] == Counts(0, 1, 0)
    assert report.by_script()["en"] == Counts(0, 1, 2)
    assert report.amounts == Counts(1, 0, 1)
    assert {(error.message_id, error.error, error.kind) for error in report.errors} == {
        ("a", "miss", "qq"),
        ("a", "false_alarm", "bank_account"),
        ("b", "miss", "phone"),
        ("b", "miss", "qq"),
        ("b", "false_alarm", "phone"),
    }


def test_extraction_report_uses_the_given_extractor() -> None:
    message = _message("a", "无关文本")
    report = evaluate_extraction([message], lambda m: extract("QQ 123456789"))
    assert report.by_kind() == {"phone": Counts(0, 0, 1), "qq": Counts(1, 0, 0)}


def test_classification_report_per_script_and_errors() -> None:
    messages = [
        _message("a", "x"),
        _message("b", "y", script="en", fraud_type="romance"),
        _message("c", "z", script="en", fraud_type="not_fraud"),
    ]
    report = evaluate_classification(messages, ["fake_loan", "romance", "romance"], [0.9, 0.8, 0.55])
    assert report.overall.accuracy == pytest.approx(2 / 3)
    assert report.per_script["zh-Hans"].accuracy == 1.0
    assert report.per_script["en"].labels == ("romance", "not_fraud")
    assert [(e.message_id, e.expected, e.predicted, e.probability) for e in report.errors] == [
        ("c", "not_fraud", "romance", 0.55)
    ]
    with pytest.raises(ValueError, match="3 messages but 2 predictions"):
        evaluate_classification(messages, ["fake_loan", "romance"])


def test_shipped_set_loads() -> None:
    messages = load_eval_set()
    assert messages[0].id
    assert all(kind in set(IdentifierKind) for m in messages for kind, _ in m.identifiers)


def test_a_file_can_replace_the_shipped_set(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(
        '{"id": "x1", "script": "en", "text": "Call 020 7946 0958", "fraud_type": "not_fraud", '
        '"identifiers": [{"kind": "phone", "value": "+442079460958"}], "reported_at": "2026-11-03T08:00:00Z"}\n\n',
        "utf-8",
    )
    (message,) = load_eval_set(path)
    assert message.identifiers == {("phone", "+442079460958")}
    assert message.amounts is None


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("not json", "not JSON"),
        ("[1]", "JSON object"),
        ('{"script": "fr"}', "'script'"),
        ('{"script": "en", "reported_at": "2026-11-03T08:00:00"}', "'reported_at'"),
        ('{"script": "en", "reported_at": "2026-11-03T08:00:00Z", "identifiers": {}}', "'identifiers'"),
        (
            '{"script": "en", "reported_at": "2026-11-03T08:00:00Z", "identifiers": [{"kind": "fax", "value": "1"}]}',
            "unknown kind",
        ),
        (
            '{"script": "en", "reported_at": "2026-11-03T08:00:00Z", "identifiers": [], "amounts": ["5"]}',
            "'amounts'",
        ),
        ('{"script": "en", "reported_at": "2026-11-03T08:00:00Z", "identifiers": []}', "'id'"),
    ],
)
def test_bad_lines_name_the_line_and_field(line: str, field: str) -> None:
    with pytest.raises(EvalSetError, match=r"set\.jsonl line 7") as raised:
        parse_eval_message(line, "set.jsonl line 7")
    assert field in str(raised.value)


# --- the confusion matrix as printed -----------------------------------------------------------------------------


def _many_counts() -> tuple[list[str], list[str]]:
    """Every level-1 type, with diagonal counts of one, two and three digits and off-diagonal tens."""
    codes = fraud_taxonomy().codes()
    expected: list[str] = []
    predicted: list[str] = []
    for position, code in enumerate(codes):
        hits = (7, 12, 140)[position % 3]
        expected += [code] * (hits + 10)
        predicted += [code] * hits + [codes[(position + 1) % len(codes)]] * 10
    return expected, predicted


def test_confusion_lines_write_every_count_in_full() -> None:
    scores = score_classification(*_many_counts())
    lines = confusion_lines(scores)
    assert len(lines) == len(scores.labels) + 1
    assert len({len(line) for line in lines}) == 1
    assert lines[0].split() == [str(position + 1) for position in range(len(scores.labels))]
    for label, row, line in zip(scores.labels, scores.confusion, lines[1:], strict=True):
        assert label in line
        assert "…" not in line
        cells = line.split()[2:]
        assert cells == [str(count) if count else "·" for count in row]


def test_eval_text_prints_every_count_on_a_narrow_terminal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    expected, predicted = _many_counts()
    path = tmp_path / "set.jsonl"
    path.write_text(
        "".join(
            f'{{"id": "m{index}", "script": "en", "text": "{guess}", "fraud_type": "{truth}", '
            f'"identifiers": [], "reported_at": "2026-11-03T08:00:00Z"}}\n'
            for index, (truth, guess) in enumerate(zip(expected, predicted, strict=True))
        ),
        "utf-8",
    )

    class _Echo:
        """Predicts the text itself (each message's text is the label to predict), with probability one."""

        def classify_many(self, texts: list[str]) -> list[SimpleNamespace]:
            return [SimpleNamespace(fraud_type=text, probability=1.0) for text in texts]

    stand_in = SimpleNamespace(default_classifier=_Echo, FraudClassifier=_Echo)
    monkeypatch.setattr(cli_text, "_classify_module", lambda: stand_in)
    result = CliRunner().invoke(app, ["eval", "text", "--set", str(path)], terminal_width=80)
    assert result.exit_code == 0, result.output
    matrix = result.output[result.output.index("confusion matrix") :].splitlines()[1:]
    scores = score_classification(expected, predicted)
    assert matrix[: len(scores.labels) + 1] == confusion_lines(scores)
    assert "…" not in "\n".join(matrix)
