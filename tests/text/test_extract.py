from __future__ import annotations

from datetime import UTC, datetime

import pytest
from corpus import REPORTS, Case

from fanzha.model import Identifier, IdentifierKind, IdentifierRole, Money
from fanzha.text import BankInfo, bank_of_card, extract

REFERENCE = datetime(2024, 5, 10, 4, 0, tzinfo=UTC)  # noon in Shanghai, a Friday


@pytest.mark.parametrize("case", REPORTS, ids=lambda case: case.text[:12])
def test_reports_yield_exactly_their_identifiers(case: Case) -> None:
    found = extract(case.text, reference_time=REFERENCE)
    assert {(f.kind.value, f.value) for f in found.identifiers} == case.expected
    for item in found.identifiers:
        assert case.text[item.start : item.end] == item.raw


def kinds_values(text: str, **kwargs: str) -> set[tuple[str, str]]:
    return {(f.kind.value, f.value) for f in extract(text, reference_time=REFERENCE, **kwargs).identifiers}


@pytest.mark.parametrize(
    "text",
    [
        "订单号13812345678已发货",
        "order no. 13812345678",
        "流水号：213812345678901",
        "转账13812345678元",
        "金额¥13812345678",
        "编号 138 1234 5678",
        "2024-05-03 15:30",
        "20240503138123456789",
        "a13812345678",
        "13812345678.50",
        "身份证11010519491231002X",
        "卡号后面是6222021234567890127",
        "转了95000给他",
        "QQ空间里的照片",
        "wechat transfer 5000",
        "v1.2.3 and 10.0.0.1.5",
        "her name.my life",
    ],
)
def test_near_misses_are_not_phones_or_cards(text: str) -> None:
    found = extract(text)
    assert not [f for f in found.identifiers if f.kind == IdentifierKind.PHONE]
    assert not [f for f in found.identifiers if f.kind == IdentifierKind.BANK_ACCOUNT and f.valid]
    assert not [f for f in found.identifiers if f.kind == IdentifierKind.DOMAIN]


def test_id_number_is_personal_and_masked_in_repr() -> None:
    (found,) = extract("身份证号：11010519491231002x").identifiers
    assert (found.kind, found.value, found.valid, found.personal) == (
        IdentifierKind.ID_NUMBER,
        "11010519491231002X",
        True,
        True,
    )
    assert "11010519491231002X" not in repr(found)


def test_card_after_an_account_word_that_fails_luhn_is_an_invalid_account() -> None:
    (found,) = extract("卡号：6222021234567890127").identifiers
    assert (found.kind, found.valid, found.reason) == (
        IdentifierKind.BANK_ACCOUNT,
        False,
        "after_account_word",
    )
    assert extract("4111111111111112").identifiers == []


def test_a_unionpay_shaped_number_that_fails_luhn_is_still_an_invalid_account() -> None:
    """A 16–19-digit 62… number is a UnionPay card or account whatever its check digit (copied wrongly, or a
    bank account that is no card): a mule's account named without an account word is still named."""
    (found,) = extract("我：6228 4804 5561 3920 776").identifiers
    assert (found.kind, found.valid, found.reason) == (
        IdentifierKind.BANK_ACCOUNT,
        False,
        "unionpay_failing_luhn",
    )
    assert extract("订单号 6228480455613920776").identifiers == []


def test_other_account_numbers_need_an_account_word() -> None:
    assert kinds_values("收款账号：1234567890123") == {("bank_account", "1234567890123")}
    assert kinds_values("account number 12345678901") == {("bank_account", "12345678901")}
    assert kinds_values("1234567890123") == set()


def test_bank_of_card_uses_the_bin_table() -> None:
    bank = bank_of_card("6222 0212 3456 7890 128")
    assert bank == BankInfo("ICBC", "中国工商银行", "Industrial and Commercial Bank of China")
    assert bank_of_card("4111111111111111") is None
    (found,) = extract("卡号 6228480012345678903").identifiers
    assert found.bank == "ABC"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("QQ号：123456789", {("qq", "123456789")}),
        ("123456789", set()),
        ("微信号是 wxid_abc123", {("wechat", "wxid_abc123")}),
        ("vx13812345678", {("wechat", "+8613812345678")}),
        ("WeChat ID: lily_invest", {("wechat", "lily_invest")}),
        ("支付宝账号 13912345678", {("alipay", "+8613912345678")}),
        ("拨打 10086 查询", {("phone", "10086")}),
        ("冒充95588客服", {("phone", "95588")}),
        ("00852 6123 4567", set()),
        ("+852 6123 4567", {("phone", "+85261234567")}),
        ("+8613812345678", {("phone", "+8613812345678")}),
        ("联系 0086 138 1234 5678", {("phone", "+8613812345678")}),
        ("IP 203.0.113.7 和 2001:db8::1", {("ip", "203.0.113.7"), ("ip", "2001:db8::1")}),
        ("邮箱 Scam.Boss@Example.COM", {("email", "scam.boss@example.com")}),
        (
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            {("crypto_wallet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")},
        ),
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", {("crypto_wallet", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2")}),
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", set()),
        (
            "0x52908400098527886e0f7030069857d2e4169ee7",
            {("crypto_wallet", "0x52908400098527886E0F7030069857D2E4169EE7")},
        ),
        (
            "0x52908400098527886E0F7030069857D2e4169EE7",
            {("crypto_wallet", "0x52908400098527886E0F7030069857D2E4169EE7")},
        ),
        ("下载了金鼎财富APP", {("app", "金鼎财富")}),
        ("安装《寶利金融》", {("app", "宝利金融")}),
        ("I installed the Huobi Global app", {("app", "huobiglobal")}),
        ("访问 abc点com 领取", {("domain", "abc.com")}),
        ("t.me/scam_group", {("url", "http://t.me/scam_group"), ("domain", "t.me")}),
    ],
)
def test_identifier_examples(text: str, expected: set[tuple[str, str]]) -> None:
    assert kinds_values(text) == expected


def test_to_identifier_gives_the_model_type() -> None:
    (found,) = extract("電話：138-1234-5678").identifiers
    assert found.to_identifier() == Identifier(
        kind="phone", value="+8613812345678", raw="138-1234-5678", role=IdentifierRole.COUNTERPARTY
    )


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("转了3万元", Money(amount_minor=3_000_000)),
        ("又转了3.5万", Money(amount_minor=3_500_000)),
        ("人民币叁万元", Money(amount_minor=3_000_000)),
        ("共三万五", Money(amount_minor=3_500_000)),
        ("¥30,000", Money(amount_minor=3_000_000)),
        ("30,000元", Money(amount_minor=3_000_000)),
        ("转账5k", Money(amount_minor=500_000)),
        ("sent $500", Money(amount_minor=50_000, currency="USD")),
        ("paid USD 500", Money(amount_minor=50_000, currency="USD")),
        ("500 USDT", Money(amount_minor=50_000, currency="USDT")),
        ("a £1.50 fee", Money(amount_minor=150, currency="GBP")),
        ("轉帳兩萬三千元", Money(amount_minor=2_300_000)),
    ],
)
def test_amounts(text: str, amount: Money) -> None:
    (found,) = extract(text).amounts
    assert found.money == amount
    assert text[found.start : found.end] == found.raw


@pytest.mark.parametrize("text", ["走了1万步", "千万不要转账", "我们一块去", "I owe 4 U", "2024年5月3日"])
def test_non_amounts(text: str) -> None:
    assert extract(text).amounts == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("昨天下午3点", datetime(2024, 5, 9, 7, 0, tzinfo=UTC)),
        ("5月3日晚上8点", datetime(2024, 5, 3, 12, 0, tzinfo=UTC)),
        ("2024年5月3日", datetime(2024, 5, 2, 16, 0, tzinfo=UTC)),
        ("上周三晚上八点半", datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
        ("12月30日", datetime(2023, 12, 29, 16, 0, tzinfo=UTC)),
        ("昨晚11點", datetime(2024, 5, 9, 15, 0, tzinfo=UTC)),
        ("3 May 2024 8pm", datetime(2024, 5, 3, 12, 0, tzinfo=UTC)),
        ("yesterday at 3pm", datetime(2024, 5, 9, 7, 0, tzinfo=UTC)),
        ("on May 3, 2024 at 8:30 pm", datetime(2024, 5, 3, 12, 30, tzinfo=UTC)),
    ],
)
def test_times_resolve_in_shanghai_time(text: str, expected: datetime) -> None:
    (found,) = extract(text, reference_time=REFERENCE).times
    assert found.value == expected
    assert found.value.tzinfo is UTC


def test_relative_times_need_a_reference() -> None:
    assert extract("昨天下午3点").times == []
    assert [t.value for t in extract("2024年5月3日").times] == [datetime(2024, 5, 2, 16, 0, tzinfo=UTC)]
    with pytest.raises(ValueError, match="aware"):
        extract("昨天", reference_time=datetime(2024, 5, 10))


def test_spoken_hour_needs_a_date_or_period() -> None:
    assert extract("快一点", reference_time=REFERENCE).times == []


@pytest.mark.parametrize("text", ["99999999 days ago", "3000000天前", "被骗 36601 days ago 的钱"])
def test_relative_dates_beyond_a_century_date_nothing_and_never_crash(text: str) -> None:
    reference = datetime(2026, 9, 1, tzinfo=UTC)
    assert extract(text, reference_time=reference).times == []
    assert extract("3 days ago", reference_time=datetime(1, 1, 2, tzinfo=UTC)).times == []
