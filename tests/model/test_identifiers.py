from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fanzha.model import (
    Identifier,
    IdentifierKind,
    luhn_check_digit,
    luhn_valid,
    mask_value,
    normalize_identifier,
)
from fanzha.model.identifiers import normalize_phone


@pytest.mark.parametrize(
    ("kind", "raw", "value", "valid"),
    [
        ("phone", "+86 138-1234-5678", "+8613812345678", True),
        ("phone", "138 1234 5678", "+8613812345678", True),
        ("phone", "008613812345678", "+8613812345678", True),
        ("phone", "8613812345678", "+8613812345678", True),
        ("phone", "010-6512 3456", "+861065123456", True),
        ("phone", "400-812-3456", "+864008123456", True),
        ("phone", "10086", "10086", True),
        ("phone", "95588", "95588", True),
        ("phone", "+1 (650) 253-0000", "+16502530000", True),
        ("phone", "12345", "12345", True),
        ("phone", "2384", "+862384", False),
        ("bank_account", "6222 0212 3456 7890 127", "6222021234567890127", False),
        ("url", "HTTP://WWW.Example.COM/Path#frag", "http://www.example.com/Path", True),
        ("url", "abc-invest.top/app", "http://abc-invest.top/app", True),
        ("url", "http://nosuffix/", "http://nosuffix", False),
        ("domain", "https://a.b.example.com.cn/x", "example.com.cn", True),
        ("ip", "010.1.1.1", "010.1.1.1", False),
        ("ip", "2001:db8:0:0::1", "2001:db8::1", True),
        ("email", "Scam.Boss@Example.COM", "scam.boss@example.com", True),
        ("wechat", "Wxid_Abc123", "wxid_abc123", True),
        ("wechat", "13812345678", "+8613812345678", True),
        ("qq", "1234 5678", "12345678", True),
        ("qq", "0123456", "0123456", False),
        ("alipay", "a@b.cn", "a@b.cn", True),
        ("app", "  Huobi  Pro ", "huobipro", True),
        ("id_number", "11010519491231002x", "11010519491231002X", True),
        ("id_number", "110105194912310021", "110105194912310021", False),
        ("crypto_wallet", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", True),
        ("crypto_wallet", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", False),
        (
            "crypto_wallet",
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            True,
        ),
        (
            "crypto_wallet",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
            False,
        ),
        (
            "crypto_wallet",
            "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            True,
        ),
        (
            "crypto_wallet",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            False,
        ),
        ("crypto_wallet", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", True),
    ],
)
def test_normalize_identifier(kind: str, raw: str, value: str, valid: bool) -> None:
    assert normalize_identifier(kind, raw) == (value, valid)


def test_card_numbers_need_luhn() -> None:
    partial = "622202123456789012"
    card = partial + luhn_check_digit(partial)
    assert normalize_identifier("bank_account", card).valid
    wrong = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert not normalize_identifier("bank_account", wrong).valid
    assert normalize_identifier("bank_account", "1100 2233 4455 6677 889").valid  # corporate account, no Luhn


@given(st.text(alphabet="0123456789", min_size=1, max_size=25))
def test_luhn_check_digit_completes(partial: str) -> None:
    assert luhn_valid(partial + luhn_check_digit(partial))


def test_identifier_parse_keeps_raw_when_changed() -> None:
    ident = Identifier.parse("phone", "138 1234 5678")
    assert ident.key == "phone:+8613812345678"
    assert ident.raw == "138 1234 5678"
    assert Identifier.parse(IdentifierKind.QQ, "12345678").raw is None


def test_masking_hides_the_middle() -> None:
    assert mask_value("phone", "+8613812345678") == "+86138****5678"
    assert mask_value("id_number", "11010519491231002X") == "110***********002X"
    assert mask_value("email", "boss@example.com") == "b***@example.com"
    assert mask_value("url", "http://x.top") == "http://x.top"


@given(st.from_regex(r"\A(?:\+86|0086|86)?1[3-9]\d{9}\Z"), st.sampled_from(["CN", "US", "GB"]))
def test_the_chinese_mobile_shortcut_agrees_with_phonenumbers(raw: str, region: str) -> None:
    import phonenumbers

    found = normalize_phone(raw, region)
    digits = raw.lstrip("+")
    plus = raw.startswith(("+", "00")) or (len(digits) == 13 and digits.startswith("861"))
    parsed = phonenumbers.parse(("+" if plus else "") + digits.removeprefix("00"), None if plus else region)
    assert found.value == phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    assert found.valid == phonenumbers.is_valid_number(parsed)
