from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fanzha.model import IdentifierKind, is_card_number, normalize_identifier
from fanzha.model.identifiers import normalize_crypto_wallet, normalize_phone
from fanzha.text import FoundIdentifier, extract, normalize
from fanzha.text.evaluate import load_eval_set

_FRAGMENTS = [
    "电话", "電話：", "138 1234 5678", "1 3 9 0 0 1 3 9 0 0 1", "一三八一二三四五六七八", "０７５５-８６００１２３４",
    "卡号", "6222 0212 3456 7890 128", "6228480012345678903", "6222021234567890127", "订单号", "2024年5月3日",
    "QQ", "扣扣：", "987654321", "微 信", "vx", "kefu_2024", "支付宝", "a@b.cn", "下载「", "金鼎财富", "」APP",
    "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "0x52908400098527886E0F7030069857D2E4169EE7",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "11010519491231002X",
    "http://", "abc-invest", "[.]", "top", "www.", "/x?q=1", "+44 7911 123456", "call", " 09061701461", "txt to",
    " 87121", "95588", "3.5万", "¥30,000", "<b>", "</p>", "&amp;", "\u200b", "，", " ", "\n", "192.168.1.1",
    "账号", "1234567890123", "身份证",
]  # fmt: skip
_REPORTS = st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=4)), max_size=16).map("".join)


def _value_from_span(found: FoundIdentifier) -> str:
    """Normalise the original text behind the span on its own and make the value from it again."""
    text = normalize(found.raw).text.strip()
    if found.kind == IdentifierKind.PHONE:
        if found.reason == "international_without_plus":
            text = "+" + text
        return normalize_phone(text, found.region or "CN").value
    return normalize_identifier(found.kind, text).value


def _check(text: str) -> None:
    result = extract(text)
    for found in result.identifiers:
        assert 0 <= found.start < found.end <= len(text)
        assert text[found.start : found.end] == found.raw
        assert _value_from_span(found) == found.value, found
        if found.kind == IdentifierKind.BANK_ACCOUNT and found.valid and 16 <= len(found.value) <= 19:
            assert is_card_number(found.value) or found.value[0] not in "3456"
        if found.kind == IdentifierKind.CRYPTO_WALLET:
            assert normalize_crypto_wallet(found.value).valid == found.valid
            assert found.valid or found.value[0] in "0Tb"  # only the shapes that are nothing else
    spans = [(a.start, a.end, a.raw) for a in result.amounts] + [
        (t.start, t.end, t.raw) for t in result.times
    ]
    for start, end, raw in spans:
        assert 0 <= start < end <= len(text)
        assert text[start:end] == raw


@settings(max_examples=300)
@given(_REPORTS)
def test_spans_are_in_the_text_and_renormalise_to_the_value(text: str) -> None:
    _check(text)


@settings(max_examples=300)
@given(st.text())
def test_extraction_never_raises_on_arbitrary_unicode(text: str) -> None:
    _check(text)


@given(
    st.lists(
        st.sampled_from(["6222 0212 3456 7890 12", "6228 4800 1234 5678 90", "4111 1111 1111 111"]),
        min_size=1,
        max_size=3,
    ),
    st.integers(0, 9),
)
def test_every_card_passes_luhn(prefixes: list[str], last: int) -> None:
    text = "卡号" + "，".join(prefix + str(last) for prefix in prefixes)
    for found in extract(text).identifiers:
        if found.reason in ("luhn", "card_after_account_word"):
            assert is_card_number(found.value)


_EVAL_TEXTS = [message.text for message in load_eval_set()]
_CUT_EVAL_TEXTS = st.lists(
    st.tuples(st.sampled_from(_EVAL_TEXTS), st.integers(0, 400), st.integers(0, 400)), min_size=1, max_size=3
).map(lambda pieces: "".join(text[min(a, b) : max(a, b)] for text, a, b in pieces))


@settings(max_examples=200)
@given(_CUT_EVAL_TEXTS)
def test_realistic_texts_cut_anywhere_keep_spans_cards_and_wallets_valid(text: str) -> None:
    """Pieces of the annotated evaluation set, cut at any character (inside numbers, entities, obfuscations)."""
    _check(text)
    for found in extract(text).identifiers:
        if found.kind == IdentifierKind.BANK_ACCOUNT and found.reason in ("luhn", "card_after_account_word"):
            assert is_card_number(found.value)
