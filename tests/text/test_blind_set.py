"""The blind evaluation set stays apart: well-formed, every span where it says, no near-duplicate of training."""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources

import pytest

from fanzha.model import IdentifierKind
from fanzha.model.taxonomy import fraud_taxonomy
from fanzha.text.corpus import sms_examples
from fanzha.text.duplicates import grams, near_duplicates

FILES = ("zh_hans.jsonl", "zh_hant.jsonl", "en.jsonl")
ROLES = {"victim", "counterparty", "unknown"}
SETS = {
    "blind": (1_000, 50),
    "blind2": (550, 7),
    "blind3": (440, 5),
    "blind4": (800, 15),
    "blind5": (600, 15),
}
"""Each blind set: its least size, and the least messages of every type."""


def _lines(folder: str, name: str) -> list[dict[str, object]]:
    text = resources.files("fanzha.text").joinpath(f"data/{folder}/{name}").read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module", params=sorted(SETS))
def blind(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, object]]]:
    folder = str(request.param)
    return folder, [record for name in FILES for record in _lines(folder, name)]


def _texts(name: str) -> list[str]:
    text = resources.files("fanzha.text").joinpath(f"data/{name}").read_text("utf-8")
    return [json.loads(line)["text"] for line in text.splitlines() if line.strip()]


def test_the_set_is_large_and_covers_every_script_voice_and_type(
    blind: tuple[str, list[dict[str, object]]],
) -> None:
    folder, records = blind
    size, per_type = SETS[folder]
    assert len(records) >= size
    assert len({r["id"] for r in records}) == len(records)
    assert Counter(r["script"] for r in records).keys() == {"zh-Hans", "zh-Hant", "en"}
    assert len({r["voice"] for r in records}) == 6
    known = set(fraud_taxonomy().codes())
    types = Counter(str(r["fraud_type"]) for r in records)
    assert set(types) <= known
    assert all(types[code] >= per_type for code in known)
    for script in ("zh-Hans", "zh-Hant", "en"):
        assert {str(r["fraud_type"]) for r in records if r["script"] == script} == known, script


def test_every_span_is_in_its_text(blind: tuple[str, list[dict[str, object]]]) -> None:
    kinds = {kind.value for kind in IdentifierKind}
    for record in blind[1]:
        text = str(record["text"])
        for item in record["identifiers"]:  # type: ignore[attr-defined]
            assert item["text"] in text, (record["id"], item)
            assert item["kind"] in kinds, (record["id"], item)
            assert item["role"] in ROLES, (record["id"], item)
        for item in record["amounts"]:  # type: ignore[attr-defined]
            assert item["text"] in text, (record["id"], item)
            assert item["amount_minor"] >= 0, (record["id"], item)  # a nil balance (RM0.00) is written too


def test_no_message_is_a_near_duplicate_of_training_or_the_development_set(
    blind: tuple[str, list[dict[str, object]]],
) -> None:
    texts = [str(r["text"]) for r in blind[1]]
    assert near_duplicates(texts, _texts("training.jsonl")) == []
    assert near_duplicates(texts, _texts("eval_set.jsonl")) == []
    assert near_duplicates(texts, [example.text for example in sms_examples()]) == []


@pytest.mark.parametrize(
    ("later", "earlier"),
    [
        ("blind2", "blind"),
        ("blind3", "blind"),
        ("blind3", "blind2"),
        ("blind4", "blind"),
        ("blind4", "blind2"),
        ("blind4", "blind3"),
        ("blind5", "blind"),
        ("blind5", "blind2"),
        ("blind5", "blind3"),
        ("blind5", "blind4"),
    ],
)
def test_a_later_set_shares_no_message_with_an_earlier_one(later: str, earlier: str) -> None:
    first = [str(r["text"]) for name in FILES for r in _lines(earlier, name)]
    second = [str(r["text"]) for name in FILES for r in _lines(later, name)]
    assert near_duplicates(second, first) == []


def test_near_duplicates_are_found_past_small_edits() -> None:
    original = "您好，您的快递因地址不详无法派送，请点击链接重新填写地址，否则将退回。"
    edited = "您好,您的快遞因地址不詳無法派送,請點擊鏈接重新填寫地址。"
    assert near_duplicates([edited], [original, "今天天气很好，我们去公园散步吧。"])[0][:2] == (0, 0)
    assert grams("ＡＢＣＤ") == grams("abcd")


def test_blind_scoring_matches_spans_amounts_and_labels() -> None:
    from fanzha.text.blind import (
        AnnotatedSpan,
        BlindMessage,
        classification_on_blind_set,
        extraction_on_blind_set,
    )

    text = "对方让我转3万元到卡号6222021234567890128，客服电话13812345678"
    card = text.index("6222")
    message = BlindMessage(
        id="t1", script="zh-Hans", voice="victim_report", fraud_type="fake_loan", text=text,
        identifiers=(AnnotatedSpan(card, card + 19, "bank_account", "counterparty"),
                     AnnotatedSpan(0, 2, "line", "counterparty")),
        amounts=((3_000_000, "CNY"), (100, "USD")),
    )  # fmt: skip
    scored = extraction_on_blind_set([message])
    assert scored.by_kind["bank_account"].hits == 1
    assert scored.by_kind["line"].misses == 1
    assert scored.by_kind["phone"].false_alarms == 1
    assert (scored.amounts.hits, scored.amounts.misses) == (1, 1)
    genuine = BlindMessage("t2", "en", "bank_telco_alert", "not_fraud", "Your OTP is 123456", ())
    result = classification_on_blind_set(
        [message, genuine], lambda texts: ["fake_loan.unfreeze_fee", "phishing"]
    )
    assert result.fraud_recall == 1.0
    assert result.false_alarms == 1.0
    assert result.overall.size == 2
    assert set(result.by_voice) == {"victim_report", "bank_telco_alert"}
