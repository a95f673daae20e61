"""``fanzha eval text`` and ``fanzha train`` with the classifier present, absent and replaced by a stand-in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

import fanzha.cli.text as cli_text
from fanzha.cli.app import app

SMALL_SET = (
    '{"id": "s1", "script": "zh-Hans", "text": "对方QQ 123456789 让我贷款", "fraud_type": "fake_loan", '
    '"identifiers": [{"kind": "qq", "value": "123456789"}], "reported_at": "2026-11-03T08:00:00Z"}\n'
    '{"id": "s2", "script": "en", "text": "Call 020 7946 0958 about your order", "fraud_type": "not_fraud", '
    '"identifiers": [], "reported_at": "2026-11-03T08:00:00Z"}\n'
)


@dataclass(frozen=True)
class _Result:
    fraud_type: str
    probability: float


class _Classifier:
    """Predicts ``fake_loan`` for everything; stands in for ``fanzha.text.classify.FraudClassifier``."""

    trained_on: int = 0

    def classify_many(self, texts: Sequence[str]) -> list[_Result]:
        return [_Result("fake_loan", 0.7) for _ in texts]

    def to_bytes(self) -> bytes:
        return b"model:" + str(self.trained_on).encode()

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        weights: Sequence[float] | None = None,
        voices: Sequence[str | None] | None = None,
    ) -> _Classifier:
        model = cls()
        model.trained_on = len(texts)
        return model

    @classmethod
    def from_bytes(cls, data: bytes) -> _Classifier:
        if not data.startswith(b"model:"):
            raise ValueError("unsupported fraud-type model format")
        return cls()


def _stand_in() -> SimpleNamespace:
    return SimpleNamespace(
        FraudClassifier=_Classifier,
        default_classifier=_Classifier,
        training_corpus=lambda: (
            ["a", "b", "c"],
            ["fake_loan", "romance", "not_fraud"],
            [1.0, 1.0, 1.0],
            [None] * 3,
        ),
    )


@pytest.fixture
def small_set(tmp_path: Path) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text(SMALL_SET, "utf-8")
    return path


def test_eval_text_without_a_classifier(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_text, "_classify_module", lambda: None)
    result = CliRunner().invoke(app, ["eval", "text"])
    assert result.exit_code == 0, result.output
    assert "all kinds" in result.output
    assert "crypto_wallet" in result.output
    assert "classifier not available" in result.output


def test_eval_text_with_a_classifier_and_errors(monkeypatch: pytest.MonkeyPatch, small_set: Path) -> None:
    monkeypatch.setattr(cli_text, "_classify_module", _stand_in)
    result = CliRunner().invoke(
        app, ["eval", "text", "--set", str(small_set), "--show-errors"], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    for expected in ("macro average", "confusion matrix", "misclassified messages (1)", "s2", "not_fraud"):
        assert expected in result.output
    assert "shipped classifier" in result.output


def test_train_writes_the_model_that_eval_then_uses(
    monkeypatch: pytest.MonkeyPatch, small_set: Path, fanzha_home: Path
) -> None:
    monkeypatch.setattr(cli_text, "_classify_module", _stand_in)
    result = CliRunner().invoke(app, ["train"])
    assert result.exit_code == 0, result.output
    assert (fanzha_home / "models" / "fraud_classifier.bin").read_bytes() == b"model:3"
    result = CliRunner().invoke(app, ["eval", "text", "--set", str(small_set)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "fraud_classifier.bin" in result.output


def test_an_unreadable_saved_model_falls_back_to_the_default(
    monkeypatch: pytest.MonkeyPatch, small_set: Path, fanzha_home: Path
) -> None:
    monkeypatch.setattr(cli_text, "_classify_module", _stand_in)
    (fanzha_home / "models").mkdir(parents=True)
    (fanzha_home / "models" / "fraud_classifier.bin").write_bytes(b"old format")
    result = CliRunner().invoke(app, ["eval", "text", "--set", str(small_set)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "shipped classifier" in result.output


def test_train_to_a_chosen_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(cli_text, "_classify_module", _stand_in)
    target = tmp_path / "deep" / "model.bin"
    result = CliRunner().invoke(app, ["train", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == b"model:3"
    assert not target.with_name("model.bin.partial").exists()


def test_train_without_a_classifier_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_text, "_classify_module", lambda: None)
    result = CliRunner().invoke(app, ["train"])
    assert result.exit_code == 1
