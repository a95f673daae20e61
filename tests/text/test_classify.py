"""The fraud-type classifier: its features against a plain-Python reference, its model contract, its accuracy
cross-validated on its training data and held out on the annotated evaluation set it never trains on."""

from __future__ import annotations

import io
import math
import random
import re
from collections import Counter

import numpy as np
import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from fanzha.model import Language
from fanzha.model.taxonomy import fraud_taxonomy
from fanzha.text import normalize
from fanzha.text.classify import (
    MIN_DOCUMENT_FREQUENCY,
    NGRAM_MAX,
    Classification,
    FraudClassifier,
    Vocabulary,
    default_classifier,
    simulated_reports,
    training_corpus,
    training_examples,
)
from fanzha.text.evaluate import classify_eval_set, load_eval_set

# --- a plain-Python reference of the features ------------------------------------------------------------------

_MASK = 2**64 - 1
_BASIS = 0xCBF29CE484222325
_WORD_BASIS = 0x84222325CBF29CE4
_PRIME = 0x100000001B3


def _reference_code(char: str) -> int:
    code = ord(char)
    if 0x41 <= code <= 0x5A:
        return code + 0x20
    if 0x30 <= code <= 0x39:
        return 0x30
    if 0x09 <= code <= 0x0D:
        return 0x20
    return code


def _fnv(codes: list[int], basis: int) -> int:
    value = basis
    for code in codes:
        value = ((value ^ code) * _PRIME) & _MASK
    return value or 1


def _reference_terms(text: str) -> list[tuple[int, int, int]]:
    """Every feature occurrence of ``text`` as (hash, start, length): character n-grams and Latin words."""
    codes = [_reference_code(char) for char in text]
    terms = [
        (_fnv(codes[start : start + n], _BASIS), start, n)
        for start in range(len(codes))
        for n in range(1, NGRAM_MAX + 1)
        if start + n <= len(codes)
    ]
    lowered = "".join(map(chr, codes))
    for word in re.finditer(r"[a-z]+", lowered):
        if 2 <= len(word.group()) <= 40:
            terms.append(
                (_fnv(codes[word.start() : word.end()], _WORD_BASIS), word.start(), len(word.group()))
            )
    return terms


def _reference_vocabulary(texts: list[str]) -> tuple[dict[int, int], list[float]]:
    frequency = Counter(key for text in texts for key in {key for key, _, _ in _reference_terms(text)})
    keys = sorted(key for key, count in frequency.items() if count >= MIN_DOCUMENT_FREQUENCY)
    idf = [math.log((1 + len(texts)) / (1 + frequency[key])) + 1 for key in keys]
    return {key: column for column, key in enumerate(keys)}, idf


def _reference_row(
    text: str, columns: dict[int, int], idf: list[float] | np.ndarray
) -> dict[int, tuple[float, int, int]]:
    """column → (unit-length sublinear TF-IDF weight, first start, length) for one text."""
    counts: Counter[int] = Counter()
    first: dict[int, tuple[int, int]] = {}
    for key, start, size in _reference_terms(text):
        if key in columns:
            column = columns[key]
            counts[column] += 1
            if column not in first or start < first[column][0]:
                first[column] = (start, size)
    weights = {column: (1 + math.log(count)) * float(idf[column]) for column, count in counts.items()}
    norm = math.sqrt(sum(weight * weight for weight in weights.values())) or 1.0
    return {column: (weight / norm, *first[column]) for column, weight in weights.items()}


def _kernel_row(vocabulary: Vocabulary, text: str) -> dict[int, tuple[float, int, int]]:
    features = vocabulary.features([text])
    matrix = features.matrix
    return {
        int(column): (float(weight), int(start), int(size))
        for column, weight, start, size in zip(
            matrix.indices, matrix.data, features.first, features.size, strict=True
        )
    }


_ALPHABET = "刷单返利兼職投资账户abcXYZ 0189，。\n"
_rng = random.Random(7)
_SMALL_CORPUS = ["".join(_rng.choice(_ALPHABET) for _ in range(_rng.randint(0, 40))) for _ in range(60)]
_TEXTS = st.text(alphabet=_ALPHABET + "é漢", max_size=60)


def test_vocabulary_matches_the_reference() -> None:
    columns, idf = _reference_vocabulary(_SMALL_CORPUS)
    vocabulary = Vocabulary.fit(_SMALL_CORPUS)
    assert [int(key) for key in vocabulary.keys] == sorted(columns)
    np.testing.assert_allclose(vocabulary.idf, idf, rtol=1e-6)


@settings(max_examples=200, deadline=None)
@given(_TEXTS)
def test_features_match_the_reference(text: str) -> None:
    vocabulary = Vocabulary.fit(_SMALL_CORPUS)
    columns = {int(key): column for column, key in enumerate(vocabulary.keys)}
    expected = _reference_row(text, columns, vocabulary.idf)
    found = _kernel_row(vocabulary, text)
    assert found.keys() == expected.keys()
    for column, (weight, start, size) in expected.items():
        assert found[column][1:] == (start, size)
        assert found[column][0] == pytest.approx(weight, rel=1e-5, abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(st.lists(_TEXTS, max_size=6))
def test_batched_features_equal_one_by_one(texts: list[str]) -> None:
    vocabulary = Vocabulary.fit(_SMALL_CORPUS)
    batch = vocabulary.features(texts)
    for row, text in enumerate(texts):
        single = vocabulary.features([text])
        span = slice(batch.matrix.indptr[row], batch.matrix.indptr[row + 1])
        assert batch.matrix.indices[span].tolist() == single.matrix.indices.tolist()
        assert batch.first[span].tolist() == single.first.tolist()
        np.testing.assert_array_equal(batch.matrix.data[span], single.matrix.data)


# --- the trained model --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def classifier() -> FraudClassifier:
    """Trained on the shipped reports only, so no test depends on the simulator's wording."""
    texts, labels, weights, voices = training_corpus(simulated_per_type=0)
    return FraudClassifier.train(texts, labels, weights=weights, voices=voices)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([example.text for example in training_examples()]), min_size=1, max_size=3))
def test_probabilities_match_a_reference_softmax(classifier: FraudClassifier, pieces: list[str]) -> None:
    text = "".join(pieces)
    vocabulary, types = classifier._vocabulary, classifier._types
    columns = {int(key): column for column, key in enumerate(vocabulary.keys)}
    row = _reference_row(normalize(text).text, columns, vocabulary.idf)
    scores = [
        float(types.intercept[label])
        + sum(weight * float(types.coef[label, column]) for column, (weight, _, _) in row.items())
        for label in range(len(types.labels))
    ]
    exponentials = [math.exp((score - max(scores)) / types.temperature) for score in scores]
    expected = {
        label: value / sum(exponentials) for label, value in zip(types.labels, exponentials, strict=True)
    }
    found = classifier.classify(text).probabilities
    for label, probability in expected.items():
        assert found[label] == pytest.approx(probability, abs=2e-5)


def test_probabilities_cover_the_taxonomy_and_sum_to_one(classifier: FraudClassifier) -> None:
    for result in classifier.classify_many(["", "hello", "刷单返利", "警察说我涉嫌洗钱", "x" * 5000]):
        assert list(result.probabilities) == fraud_taxonomy().codes()
        assert sum(result.probabilities.values()) == pytest.approx(1.0)
        assert result.probability == max(result.probabilities.values())
        assert result.probabilities[result.fraud_type] == result.probability


def test_evidence_is_read_from_the_original_text(classifier: FraudClassifier) -> None:
    texts = [
        "網上兼職刷單，先墊付後返佣金，做了三單就提不了現",
        "Ｐｏｌｉｃｅ said my account was used for MONEY LAUNDERING; move it to a safe account",
        "对方自称公安局民警，说我涉嫌洗钱，让我把钱转到安全账户",
    ]
    for text, result in zip(texts, classifier.classify_many(texts), strict=True):
        assert result.evidence, text
        weights = [weight for _, weight in result.evidence]
        assert weights == sorted(weights, reverse=True)
        assert all(weight > 0 for weight in weights)
        for term, _ in result.evidence:
            assert term
            assert term in text


def test_english_evidence_is_whole_words(classifier: FraudClassifier) -> None:
    text = (
        "A police officer said my account was linked to money laundering and told me to use a safe account."
    )
    words = set(re.findall(r"[A-Za-z]+", text))
    for term, _ in classifier.classify(text).evidence:
        assert all(part in words for part in re.findall(r"[A-Za-z]+", term)), term
        assert re.fullmatch(r"[A-Za-z]+(?:\W+[A-Za-z]+)*", term), term


_SIMPLIFIED = [
    "网上找兼职，对方让我刷单垫付，说返佣金，结果钱提不出来",
    "自称检察院的人说我涉嫌洗钱，要求把存款转到安全账户接受资金审查",
    "在交友软件认识的男朋友说要来看我，让我先给他转路费和办证费",
    "快递客服打电话说我的包裹丢了要理赔，让我下载会议软件共享屏幕",
    "游戏里有人低价卖装备，我转账以后他就把我拉黑了",
    "有人说能帮我消除征信逾期记录，先收了三千块服务费",
]


def test_traditional_and_simplified_get_the_same_class(classifier: FraudClassifier) -> None:
    traditional = [opencc.OpenCC("s2t").convert(text) for text in _SIMPLIFIED]
    assert traditional != _SIMPLIFIED
    for simplified_result, traditional_result in zip(
        classifier.classify_many(_SIMPLIFIED), classifier.classify_many(traditional), strict=True
    ):
        assert traditional_result.fraud_type == simplified_result.fraud_type
        assert traditional_result.probability == pytest.approx(simplified_result.probability, abs=1e-3)


@pytest.mark.parametrize(
    ("text", "fraud_type"),
    [
        ("网上兼职刷单，先垫付货款再返佣金，做了三单就提现不了", "brushing_rebate"),
        ("網路兼職刷單，先墊付貨款再返佣金，做了三單就無法提領", "brushing_rebate"),
        (
            "A caller claiming to be the police said my bank account was involved in money laundering.",
            "impersonate_authority",
        ),
        ("【中国银行】您尾号1234的账户11月1日工资入账8,000.00元。", "not_fraud"),
        ("Your parcel has been delivered to your porch. Thank you for shopping with us.", "not_fraud"),
    ],
)
def test_clear_reports_in_every_script(classifier: FraudClassifier, text: str, fraud_type: str) -> None:
    assert classifier.classify(text).fraud_type == fraud_type


def test_level_two_labels_roll_up(classifier: FraudClassifier) -> None:
    assert set(classifier.labels) <= set(fraud_taxonomy().codes())
    assert all("." not in label for label in classifier.labels)
    texts = [example.text for example in training_examples()][:80]
    for result in classifier.classify_many(texts):
        assert result.subtype is None or result.subtype.startswith(result.fraud_type + ".")
        assert result.subtype is None or result.subtype in fraud_taxonomy().all_codes()
    named = [result.subtype for result in classifier.classify_many(texts)]
    assert any(named)


def test_batches_classify_like_single_reports(classifier: FraudClassifier) -> None:
    texts = [*(example.text for example in training_examples()[::40]), "", "  "]
    assert classifier.classify_many(texts) == [classifier.classify(text) for text in texts]
    assert classifier.classify_many([]) == []
    normalized = [normalize(text) for text in texts]
    assert classifier.classify_normalized(normalized) == classifier.classify_many(texts)


def test_round_trip_through_bytes_gives_identical_results(classifier: FraudClassifier) -> None:
    data = classifier.to_bytes()
    restored = FraudClassifier.from_bytes(data)
    assert restored.labels == classifier.labels
    texts = [example.text for example in training_examples()][::25]
    assert restored.classify_many(texts) == classifier.classify_many(texts)
    assert restored.to_bytes() == data


def test_bytes_that_are_not_a_model_are_refused() -> None:
    with pytest.raises(ValueError, match="fraud-type model"):
        FraudClassifier.from_bytes(b"not a model")
    with pytest.raises(ValueError, match="fraud-type model"):
        FraudClassifier.from_bytes(b"PK\x03\x04" + b"\x00" * 40)


def test_archives_with_mismatched_arrays_are_refused(classifier: FraudClassifier) -> None:
    with np.load(io.BytesIO(classifier.to_bytes()), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    for name, broken in [("types_coef", arrays["types_coef"][:, :-1]), ("idf", arrays["idf"][:-1])]:
        buffer = io.BytesIO()
        np.savez(buffer, **{**arrays, name: broken})
        with pytest.raises(ValueError, match="fraud-type model"):
            FraudClassifier.from_bytes(buffer.getvalue())


def test_result_is_a_classification(classifier: FraudClassifier) -> None:
    result = classifier.classify("刷单")
    assert isinstance(result, Classification)
    assert isinstance(result.evidence, tuple)


# --- training -----------------------------------------------------------------------------------------------------

_SMALL = [example for example in training_examples() if example.language == Language.ZH_HANS][::3]


def test_training_is_deterministic() -> None:
    texts, labels = [example.text for example in _SMALL], [example.label for example in _SMALL]
    first = FraudClassifier.train(texts, labels, seed=3)
    second = FraudClassifier.train(texts, labels, seed=3)
    assert first.to_bytes() == second.to_bytes()
    assert first.classify_many(texts) == second.classify_many(texts)


def test_unknown_labels_are_named() -> None:
    with pytest.raises(ValueError, match=r"'pig_butcher' of training report 1"):
        FraudClassifier.train(["a", "b", "c"], ["romance", "pig_butcher", "not_fraud"])
    with pytest.raises(ValueError, match=r"'romance\.nope'"):
        FraudClassifier.train(["a", "b"], ["romance.nope", "not_fraud"])


def test_training_data_must_be_usable() -> None:
    with pytest.raises(ValueError, match="2 texts but 1 labels"):
        FraudClassifier.train(["a", "b"], ["romance"])
    with pytest.raises(ValueError, match="at least two level-1"):
        FraudClassifier.train(["a", "b"], ["romance", "romance.gambling_site"])


def test_two_types_are_enough() -> None:
    texts = ["刷单返利兼职", "兼职刷单佣金", "刷单垫付返利", "快递到了取件码", "您的快递已签收", "取件码驿站"]
    labels = ["brushing_rebate"] * 3 + ["not_fraud"] * 3
    result = FraudClassifier.train(texts, labels).classify("兼职刷单返利")
    assert result.fraud_type == "brushing_rebate"
    assert set(result.probabilities) == set(fraud_taxonomy().codes())
    assert sum(result.probabilities.values()) == pytest.approx(1.0)


def test_shipped_training_data_covers_every_type_in_every_script() -> None:
    examples = training_examples()
    assert len(examples) >= 500
    known = fraud_taxonomy().all_codes()
    assert all(example.label in known for example in examples)
    assert len({example.text for example in examples}) == len(examples)
    covered = {(example.label.split(".")[0], example.language) for example in examples}
    assert covered == {(code, language) for code in fraud_taxonomy().codes() for language in Language}


def test_simulated_reports_are_seeded_and_labelled() -> None:
    texts, labels = simulated_reports(4, seed=1)
    assert (texts, labels) == simulated_reports(4, seed=1)
    assert len(texts) == len(labels) <= 4 * len(fraud_taxonomy().types)
    assert set(labels) <= fraud_taxonomy().all_codes()
    for text, label in zip(texts, labels, strict=True):
        assert text.split(" ", 1)[0] != label


@pytest.mark.slow
def test_cross_validated_macro_f1_per_script() -> None:
    """5-fold cross-validation over the shipped reports. Since 2026-12-03 they hold every voice (scammers' own
    messages, alerts, warnings, short genuine texts) and 15 types: macro-F1 0.899, zh-Hans 0.915, zh-Hant 0.960,
    en 0.855 then (0.936 over the 3,103 victim reports before); the floors sit just under."""
    examples = training_examples()
    texts = [example.text for example in examples]
    labels = [example.label for example in examples]
    truth = np.array([label.split(".")[0] for label in labels])
    predicted = np.empty(len(texts), dtype=object)
    for fit, held in StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(texts, truth):
        model = FraudClassifier.train([texts[i] for i in fit], [labels[i] for i in fit])
        predicted[held] = [result.fraud_type for result in model.classify_many([texts[i] for i in held])]
    predicted = predicted.astype(str)
    assert f1_score(truth, predicted, average="macro") >= 0.88
    scripts = np.array([example.language for example in examples])
    for language in Language:
        chosen = scripts == language
        assert f1_score(truth[chosen], predicted[chosen], average="macro") >= 0.84, language


# --- held out: the annotated evaluation set -----------------------------------------------------------------------


def test_no_message_of_the_evaluation_set_is_trained_on() -> None:
    held_out = {normalize(message.text).text for message in load_eval_set()}
    texts = training_corpus().texts
    assert not held_out & {normalize(text).text for text in texts}
    assert not held_out & {normalize(example.text).text for example in training_examples()}


THIN_TYPES = {"sextortion", "prize_lottery"}
"""Types the development set holds too few messages of to score (1 and 5)."""


@pytest.mark.slow
def test_development_set_figures_hold() -> None:
    """The shipped classifier on the 384 annotated messages it never trains on, after the older training reports
    were relabelled to the 15-type taxonomy and 2,218 messages in the other voices were added (2026-12-04): macro-F1
    0.921, scripts 0.923 / 0.932 / 0.895; floors just under, every type the set holds enough of at F1 ≥ 0.6."""
    report = classify_eval_set(load_eval_set(), default_classifier())
    assert report.overall.macro_f1 >= 0.89, report.overall.per_class
    for script, scores in report.per_script.items():
        assert scores.macro_f1 >= 0.86, (script, scores.per_class)
    for score in report.overall.per_class:
        if score.label not in THIN_TYPES:
            assert score.f1 >= 0.6, score


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "macro", "script", "recall", "false_alarms"),
    [
        # Figures of 2026-12-04, end: macro-F1 over 15 types, the lowest script, fraud called fraud, genuine called
        # fraud. The first four sets were read after their scoring and are development sets: the first 0.895 /
        # 0.852 / 0.918 / 0.018, the second 0.945 / 0.929 / 0.986 / 0.031, the third 0.956 / 0.926 / 0.991 / 0.028,
        # the fourth (on which the telling model's threshold was chosen) 0.940 / 0.929 / 0.966 / 0.012.
        ("blind", 0.88, 0.83, 0.90, 0.03),
        ("blind2", 0.93, 0.91, 0.97, 0.045),
        ("blind3", 0.94, 0.90, 0.97, 0.04),
        ("blind4", 0.92, 0.91, 0.95, 0.025),
        # The fifth, scored once at the end (held out): 0.907, scripts en 0.884 / zh-Hans 0.897 / zh-Hant 0.931,
        # 0.954, 0.012 (the targets: 0.90, every script 0.87, 0.95, 0.02).
        ("blind5", 0.89, 0.87, 0.94, 0.025),
    ],
)
def test_blind_set_figures_hold(
    name: str, macro: float, script: float, recall: float, false_alarms: float
) -> None:
    """The blind sets, written by readers who never saw the training data; floors just under the figures above."""
    from fanzha.text.blind import classification_on_blind_set, load_blind_set

    classifier = default_classifier()
    result = classification_on_blind_set(
        load_blind_set(name), lambda texts: [c.fraud_type for c in classifier.classify_many(texts)]
    )
    assert result.overall.macro_f1 >= macro
    assert min(scores.macro_f1 for scores in result.by_script.values()) >= script
    assert result.fraud_recall >= recall
    assert result.false_alarms <= false_alarms


def test_a_classification_below_the_threshold_says_it_is_uncertain() -> None:
    from fanzha.text.classifier import UNCERTAIN_BELOW, Classification

    unsure = Classification("fake_loan", None, UNCERTAIN_BELOW - 0.01, {}, ())
    sure = Classification("fake_loan", None, UNCERTAIN_BELOW, {}, ())
    assert unsure.uncertain
    assert not sure.uncertain
    assert Classification("not_fraud", None, UNCERTAIN_BELOW, {}, ()).no_fraud
    assert not Classification("not_fraud", None, UNCERTAIN_BELOW - 0.01, {}, ()).no_fraud
    assert not sure.no_fraud


@pytest.mark.slow
def test_uncertain_texts_are_the_ones_the_model_gets_wrong() -> None:
    """On the development set (where the threshold was chosen): the 19 texts under it typed right 0.74 of the
    time with the final model of 2026-12-04 (0.50 with the first), the rest 0.934."""
    messages = load_eval_set()
    results = default_classifier().classify_many([m.text for m in messages])
    right = [
        r.fraud_type.split(".")[0] == m.fraud_type.split(".")[0]
        for r, m in zip(results, messages, strict=True)
    ]
    unsure = [ok for ok, r in zip(right, results, strict=True) if r.uncertain]
    sure = [ok for ok, r in zip(right, results, strict=True) if not r.uncertain]
    assert unsure
    assert sum(unsure) / len(unsure) <= 0.8
    assert sum(sure) / len(sure) >= 0.91


def test_classifying_without_evidence_gives_the_same_types(classifier: FraudClassifier) -> None:
    texts = [normalize(message.text) for message in load_eval_set()[:60]]
    full = classifier.classify_normalized(texts)
    bare = classifier.classify_normalized(texts, evidence=False)
    assert [(c.fraud_type, c.subtype, c.probability, c.probabilities) for c in bare] == [
        (c.fraud_type, c.subtype, c.probability, c.probabilities) for c in full
    ]
    assert all(c.evidence == () for c in bare)
    assert any(c.evidence for c in full)


# --- texts that tell of scams ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("warning", "scam"),
    [
        (
            "【警方提醒】近期有骗子冒充快递客服来电，称“您的包裹丢失，可为您办理三倍理赔，请下载会议软件共享屏幕”。"
            "快递理赔不会要求共享屏幕或转账，接到此类电话请立即挂断并拨打96110。",
            "您好，我是快递客服，您的包裹丢失了，可以三倍理赔，请下载会议软件共享屏幕，我教您操作领取理赔款。",
        ),
        (
            "Police advisory: scammers are texting 'Your parcel is on hold, pay the $2.99 redelivery fee at the link'. "
            "Couriers never ask for fees by SMS link. 14 victims lost a total of $38,000 last month.",
            "Your parcel is on hold due to an unpaid fee. Pay the $2.99 redelivery fee now at parcel-hold-fee.top",
        ),
    ],
)
def test_a_warning_that_retells_a_scam_is_no_fraud_and_the_scam_is(warning: str, scam: str) -> None:
    told, real = default_classifier().classify_many([warning, scam])
    assert (told.fraud_type, told.tells_of_scam) == ("not_fraud", True)
    assert real.fraud_type != "not_fraud"
    assert not real.tells_of_scam


def test_the_telling_model_is_trained_from_voices_and_kept_in_the_file() -> None:
    texts = [
        "警方提醒：骗子冒充客服要求转账到安全账户，切勿相信",
        "反诈宣传：凡是要求下载会议软件共享屏幕的都是诈骗",
        "民警提示：刷单返利都是诈骗，近期已有多人被骗",
        "客服说要我转账到安全账户",
        "对方让我下载会议软件共享屏幕然后转账",
        "做刷单任务被骗了五千元",
        "今晚一起吃饭吗",
        "你的快递到了，取件码 1234",
    ]
    labels = ["not_fraud"] * 3 + ["fake_customer_service", "fake_customer_service", "brushing_rebate"]
    labels += ["not_fraud"] * 2
    voices = ["police_warning"] * 3 + [None] * 5
    trained = FraudClassifier.train(texts, labels, voices=voices)
    reloaded = FraudClassifier.from_bytes(trained.to_bytes())
    assert reloaded._telling is not None
    assert trained._telling is not None
    np.testing.assert_array_equal(reloaded._telling.coef, trained._telling.coef)
    assert FraudClassifier.train(texts, labels)._telling is None
    assert FraudClassifier.from_bytes(FraudClassifier.train(texts, labels).to_bytes())._telling is None
