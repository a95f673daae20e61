"""Identifier kinds and the one place their values are normalised and validated (涉案要素).

Every room (text extraction, ingest, linking, risk) calls :func:`normalize_identifier` so that the
same phone, card or wallet always has the same stored value:

- phones: E.164 (``+8613812345678``); short service numbers (``10086``, ``95588``) keep their digits;
- bank accounts: digits only;
- URLs: lower-case scheme and host, no fragment; domains: the registrable domain (``example.com.cn``);
- wallets: BTC base58check as written, bech32 lower-case, ETH in EIP-55 mixed case, TRON base58check;
- resident ID numbers: 18 characters with an upper-case ``X`` check digit.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit

import base58
import phonenumbers
import tldextract
from Crypto.Hash import keccak
from stdnum.au import tfn as au_tfn
from stdnum.cn import ric
from stdnum.my import nric as my_nric
from stdnum.sg import uen as sg_uen
from stdnum.us import ssn as us_ssn


class IdentifierKind(StrEnum):
    """The kinds of identifier a report can name."""

    PHONE = "phone"
    BANK_ACCOUNT = "bank_account"
    URL = "url"
    DOMAIN = "domain"
    IP = "ip"
    EMAIL = "email"
    WECHAT = "wechat"
    QQ = "qq"
    ALIPAY = "alipay"
    APP = "app"
    CRYPTO_WALLET = "crypto_wallet"
    ID_NUMBER = "id_number"
    LINE = "line"
    TELEGRAM = "telegram"


class IdentifierRole(StrEnum):
    """Whose an identifier is, as far as a report tells (涉案要素归属).

    Linking, campaign keys, risk counts and the public lookup read counterparty identifiers (and, where a centre
    configures it, unknown ones); the victim's own stay in the case file, masked.
    """

    VICTIM = "victim"  # the reporter's own: 本人卡号, 我的手机, the paying account
    COUNTERPARTY = (
        "counterparty"  # the other side's: scammer, mule, payee, the scam platform (对方, 客服, 收款)
    )
    UNKNOWN = "unknown"


class NormalizedValue(NamedTuple):
    """A normalised identifier value and whether it passed validation."""

    value: str
    valid: bool


_NON_DIGITS = re.compile(r"\D+")
_SERVICE_NUMBER = re.compile(r"^(?:1\d{2}|1\d{4}|9[56]\d{3}|9[56]\d{5}|12\d{3})$")
_EMAIL = re.compile(r"^[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}$")
_WECHAT = re.compile(r"^[a-z][a-z0-9_\-]{5,19}$")
_QQ = re.compile(r"^[1-9]\d{4,10}$")
_LINE_ID = re.compile(r"^[a-z0-9._\-]{4,20}$")
_TELEGRAM = re.compile(r"^[a-z][a-z0-9_]{4,31}$")
_ETH = re.compile(r"^0x[0-9a-fA-F]{40}$")
_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _fold(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip()


def luhn_valid(digits: str) -> bool:
    """True when a digit string passes the Luhn check used by bank card numbers."""
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def luhn_check_digit(partial: str) -> str:
    """The digit that makes ``partial + digit`` pass Luhn."""
    for candidate in "0123456789":
        if luhn_valid(partial + candidate):
            return candidate
    raise AssertionError("unreachable: one of ten digits always completes a Luhn number")


def is_card_number(digits: str) -> bool:
    """A bank card number: 16 to 19 digits passing Luhn (as opposed to other account numbers)."""
    return 16 <= len(digits) <= 19 and luhn_valid(digits)


def normalize_phone(raw: str, region: str = "CN") -> NormalizedValue:
    """E.164 for dialable numbers, bare digits for short service numbers (10086, 95588, 12315)."""
    text = _fold(raw)
    plus = text.startswith("+")
    digits = _NON_DIGITS.sub("", text)
    if not digits:
        return NormalizedValue(text, False)
    if digits.startswith("00"):
        digits, plus = digits[2:], True
    if not plus and (_SERVICE_NUMBER.match(digits) or _short_number(digits, region)):
        return NormalizedValue(digits, True)
    if not plus and len(digits) == 13 and digits.startswith("86") and digits[2] == "1":
        plus = True
    mobile = _cn_mobile(digits, plus, region)
    if mobile is not None:
        return NormalizedValue("+86" + mobile, True)
    try:
        parsed = phonenumbers.parse(("+" if plus else "") + digits, None if plus else region)
    except phonenumbers.NumberParseException:
        return NormalizedValue(("+" if plus else "") + digits, False)
    formatted = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return NormalizedValue(formatted, phonenumbers.is_valid_number(parsed))


@lru_cache(maxsize=1)
def _cn_mobile_pattern() -> re.Pattern[str]:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    mobile = metadata.mobile if metadata is not None else None
    pattern = mobile.national_number_pattern if mobile is not None else None
    return re.compile(pattern if isinstance(pattern, str) else r"(?!)", re.ASCII)


def _cn_mobile(digits: str, plus: bool, region: str) -> str | None:
    """The national number of a Chinese mobile by phonenumbers' own pattern, without parsing (the common case).

    A number the pattern does not take goes the slow way, so the answer is the same as phonenumbers gives.
    """
    if plus:
        if not digits.startswith("86"):
            return None
        national = digits[2:]
    elif region == "CN":
        national = digits
    else:
        return None
    if len(national) == 11 and _cn_mobile_pattern().fullmatch(national):
        return national
    return None


def _short_number(digits: str, region: str) -> bool:
    """A short code valid in ``region`` (UK premium SMS ``87121``), kept as its digits like a service number."""
    if len(digits) > 6:
        return False
    try:
        parsed = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.shortnumberinfo.is_valid_short_number_for_region(parsed, region))


def normalize_bank_account(raw: str) -> NormalizedValue:
    """Digits only; 9–30 digits, and a number shaped like a bank card (16–19 digits from a card
    network's range: 62 UnionPay, 4 Visa, 5 Mastercard, 3 JCB/Amex) must pass Luhn."""
    digits = _NON_DIGITS.sub("", _fold(raw))
    looks_like_card = 16 <= len(digits) <= 19 and digits[0] in "3456"
    return NormalizedValue(digits, 9 <= len(digits) <= 30 and (not looks_like_card or luhn_valid(digits)))


@lru_cache(maxsize=1)
def _tld_extractor() -> tldextract.TLDExtract:
    # The public suffix list snapshot bundled with tldextract; nothing is downloaded.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registrable_domain(host: str) -> str:
    """The registrable domain of a host name (``a.b.example.com.cn`` → ``example.com.cn``)."""
    parts = _tld_extractor()(host.lower().rstrip("."))
    if parts.domain and parts.suffix:
        return f"{parts.domain}.{parts.suffix}"
    return parts.domain or host.lower()


def normalize_url(raw: str) -> NormalizedValue:
    """Lower-case scheme and host, default scheme ``http``, no fragment, no default port."""
    text = _fold(raw)
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return NormalizedValue(text, False)
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = parts.path if parts.path not in ("", "/") else ""
    value = urlunsplit((parts.scheme.lower(), netloc, path, parts.query, ""))
    return NormalizedValue(value, _host_valid(host))


def _host_valid(host: str) -> bool:
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    return bool(_tld_extractor()(host).suffix) and all(label for label in host.split("."))


def normalize_domain(raw: str) -> NormalizedValue:
    """The registrable domain of a host, URL or domain."""
    text = _fold(raw).lower()
    host = urlsplit(text if "://" in text else "http://" + text).hostname or text
    return NormalizedValue(registrable_domain(host), _host_valid(host))


def normalize_ip(raw: str) -> NormalizedValue:
    """The compressed text form of an IPv4 or IPv6 address."""
    text = _fold(raw)
    try:
        return NormalizedValue(str(ipaddress.ip_address(text)), True)
    except ValueError:
        return NormalizedValue(text, False)


def normalize_email(raw: str) -> NormalizedValue:
    """Lower-cased e-mail address."""
    text = _fold(raw).lower()
    return NormalizedValue(text, bool(_EMAIL.match(text)))


def normalize_wechat(raw: str) -> NormalizedValue:
    """WeChat ID, lower-cased; a WeChat account named by its phone number becomes that phone."""
    text = _fold(raw).lower().replace(" ", "")
    if text.isdigit() or text.startswith("+"):
        return normalize_phone(text)
    return NormalizedValue(text, bool(_WECHAT.match(text)))


def normalize_qq(raw: str) -> NormalizedValue:
    """QQ number: 5 to 11 digits, no leading zero."""
    digits = _NON_DIGITS.sub("", _fold(raw))
    return NormalizedValue(digits, bool(_QQ.match(digits)))


def normalize_line(raw: str) -> NormalizedValue:
    """LINE ID (賴), lower-cased without a leading ``@``: 4 to 20 letters, digits, dots, dashes, underscores."""
    text = _fold(raw).lower().lstrip("@")
    return NormalizedValue(text, bool(_LINE_ID.match(text)))


def normalize_telegram(raw: str) -> NormalizedValue:
    """Telegram username (电报/飞机号), lower-cased without ``@``: a letter, then 4 to 31 letters, digits or ``_``."""
    text = _fold(raw).lower().lstrip("@")
    return NormalizedValue(text, bool(_TELEGRAM.match(text)))


def normalize_alipay(raw: str) -> NormalizedValue:
    """Alipay account: an e-mail address or a phone number."""
    text = _fold(raw)
    return normalize_email(text) if "@" in text else normalize_phone(text)


def normalize_app(raw: str) -> NormalizedValue:
    """App name, case-folded with white space removed."""
    text = re.sub(r"\s+", "", _fold(raw)).casefold()
    return NormalizedValue(text, 0 < len(text) <= 40)


_TAIWAN_ID = re.compile(r"^[A-Z][12]\d{8}$")
_HONG_KONG_ID = re.compile(r"^([A-Z]{1,2})(\d{6})\(?([0-9A])\)?$")
_SINGAPORE_NRIC = re.compile(r"^([STFG])(\d{7})([A-Z])$")
_TAIWAN_LETTERS = "ABCDEFGHJKLMNPQRSTUVXYWZIO"
"""Taiwan's ID letters in the order of their codes 10, 11, …, 35."""


def normalize_id_number(raw: str) -> NormalizedValue:
    """An identity number, upper-cased without spaces: mainland resident ID (居民身份证号, 18 characters), Taiwan
    national ID (身分證字號, A123456789), Hong Kong identity card (香港身份證, A123456(3), kept without brackets) or
    Singapore NRIC/FIN (S1234567D); each checksum checked."""
    text = re.sub(r"[\s\-]+", "", _fold(raw)).upper()
    if _TAIWAN_ID.match(text):
        return NormalizedValue(text, _taiwan_id_valid(text))
    hong_kong = _HONG_KONG_ID.match(text)
    if hong_kong:
        return NormalizedValue("".join(hong_kong.groups()), _hong_kong_id_valid(*hong_kong.groups()))
    singapore = _SINGAPORE_NRIC.match(text)
    if singapore:
        return NormalizedValue(text, _singapore_nric_valid(*singapore.groups()))
    if ric.is_valid(text):
        return NormalizedValue(text, True)
    return NormalizedValue(text, any(number.is_valid(text) for number in _OTHER_ID_NUMBERS))


_OTHER_ID_NUMBERS = (my_nric, us_ssn, au_tfn, sg_uen)
"""Identity numbers a report names after their word (IC, SSN, TFN, UEN), checked by python-stdnum: Malaysia's
MyKad number, the US social security number, Australia's tax file number, a Singapore entity's UEN."""


def _taiwan_id_valid(text: str) -> bool:
    code = _TAIWAN_LETTERS.index(text[0]) + 10
    digits = [int(c) for c in text[1:]]
    total = (
        code // 10 + (code % 10) * 9 + sum(d * w for d, w in zip(digits[:8], range(8, 0, -1), strict=True))
    )
    return (total + digits[8]) % 10 == 0


def _hong_kong_id_valid(letters: str, digits: str, check: str) -> bool:
    values = [36 if c == " " else ord(c) - 55 for c in letters.rjust(2)]
    total = (
        values[0] * 9 + values[1] * 8 + sum(int(d) * w for d, w in zip(digits, range(7, 1, -1), strict=True))
    )
    expected = (11 - total % 11) % 11
    return check == ("A" if expected == 10 else str(expected))


def _singapore_nric_valid(prefix: str, digits: str, check: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits, (2, 7, 6, 5, 4, 3, 2), strict=True)) + (
        4 if prefix in "TG" else 0
    )
    letters = "JZIHGFEDCBA" if prefix in "ST" else "XWUTRQPNMLK"
    return check == letters[total % 11]


def _bech32_polymod(values: list[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for bit, gen in enumerate(generator):
            if (top >> bit) & 1:
                check ^= gen
    return check


def bech32_valid(address: str) -> bool:
    """BIP-173 (bech32) or BIP-350 (bech32m) checksum of a ``bc1…`` address."""
    lowered = address.lower()
    if address not in (lowered, address.upper()) or "1" not in lowered:
        return False
    hrp, _, data = lowered.rpartition("1")
    if hrp != "bc" or not 6 <= len(data) <= 87 or any(c not in _BECH32_CHARSET for c in data):
        return False
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    polymod = _bech32_polymod(expanded + [_BECH32_CHARSET.index(c) for c in data])
    return polymod in (1, 0x2BC830A3)


def base58check_version(address: str) -> int | None:
    """The version byte of a 25-byte base58check address, or None when the checksum fails."""
    try:
        payload = base58.b58decode_check(address)
    except ValueError:
        return None
    return payload[0] if len(payload) == 21 else None


def eip55_checksum(address: str) -> str:
    """The EIP-55 mixed-case form of an Ethereum address."""
    hexpart = address[2:].lower()
    digest = keccak.new(digest_bits=256, data=hexpart.encode("ascii")).hexdigest()
    return "0x" + "".join(
        c.upper() if int(h, 16) >= 8 else c for c, h in zip(hexpart, digest[:40], strict=True)
    )


def normalize_crypto_wallet(raw: str) -> NormalizedValue:
    """BTC (base58check or bech32), ETH (EIP-55) and TRON (base58check) addresses."""
    text = _fold(raw).replace(" ", "")
    if _ETH.match(text):
        checksummed = eip55_checksum(text)
        uniform_case = text[2:] in (text[2:].lower(), text[2:].upper())
        return NormalizedValue(checksummed, uniform_case or checksummed == text)
    if text.lower().startswith("bc1"):
        return NormalizedValue(text.lower(), bech32_valid(text))
    version = base58check_version(text)
    valid = (text[0] in "13" and version in (0x00, 0x05)) or (text.startswith("T") and version == 0x41)
    return NormalizedValue(text, valid)


_NORMALIZERS = {
    IdentifierKind.PHONE: normalize_phone,
    IdentifierKind.BANK_ACCOUNT: normalize_bank_account,
    IdentifierKind.URL: normalize_url,
    IdentifierKind.DOMAIN: normalize_domain,
    IdentifierKind.IP: normalize_ip,
    IdentifierKind.EMAIL: normalize_email,
    IdentifierKind.WECHAT: normalize_wechat,
    IdentifierKind.QQ: normalize_qq,
    IdentifierKind.ALIPAY: normalize_alipay,
    IdentifierKind.APP: normalize_app,
    IdentifierKind.CRYPTO_WALLET: normalize_crypto_wallet,
    IdentifierKind.ID_NUMBER: normalize_id_number,
    IdentifierKind.LINE: normalize_line,
    IdentifierKind.TELEGRAM: normalize_telegram,
}


def normalize_identifier(kind: IdentifierKind | str, raw: str) -> NormalizedValue:
    """Normalise and validate ``raw`` as an identifier of ``kind``.

    >>> normalize_identifier("phone", "+86 138-1234-5678")
    NormalizedValue(value='+8613812345678', valid=True)
    """
    return _NORMALIZERS[IdentifierKind(kind)](raw)


def mask_value(kind: IdentifierKind | str, value: str) -> str:
    """A masked form for lists: the middle of phones, cards and ID numbers is hidden."""
    kind = IdentifierKind(kind)
    if kind in (
        IdentifierKind.PHONE,
        IdentifierKind.BANK_ACCOUNT,
        IdentifierKind.ID_NUMBER,
        IdentifierKind.QQ,
    ):
        keep_head = 3 if kind != IdentifierKind.PHONE or not value.startswith("+") else 6
        if len(value) <= keep_head + 4:
            return value[:2] + "*" * max(len(value) - 2, 0)
        return value[:keep_head] + "*" * (len(value) - keep_head - 4) + value[-4:]
    if kind == IdentifierKind.EMAIL and "@" in value:
        local, _, host = value.partition("@")
        return local[:1] + "***@" + host
    return value
