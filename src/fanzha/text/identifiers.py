"""Extraction of identifiers, amounts and times from report text (涉案要素提取).

:func:`extract` normalises the text (:func:`fanzha.text.normalize.normalize`), finds phones, bank cards and
accounts, resident ID numbers, URLs and domains, IPs, e-mails, QQ/WeChat/Alipay accounts, crypto wallets, app names,
money amounts and times, and reports every one with its span in the ORIGINAL text. Values are normalised and
validated by :func:`fanzha.model.normalize_identifier`, the one home of identifier normalisation.

Precision comes before recall, since what is extracted may be frozen: numbers that are part of a longer digit run,
follow an order-number word, carry a currency or unit, or fail their checksum are not reported as phones or cards;
QQ, WeChat, Alipay and non-card account numbers are taken only after the words that introduce them.

Speed: patterns open with the character class they consume and check the character before it from there
(``X(?<!Y.)`` rather than ``(?<!Y)X``): a pattern that starts with a class lets the regex engine skip straight to
candidate characters instead of trying every position, which halves the cost of a pass over a report.
"""

from __future__ import annotations

import csv
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import NamedTuple
from zoneinfo import ZoneInfo

import phonenumbers

from fanzha.model import (
    Identifier,
    IdentifierKind,
    IdentifierRole,
    Money,
    luhn_valid,
    mask_value,
    normalize_identifier,
)
from fanzha.model.identifiers import normalize_phone
from fanzha.text.amounts import find_amounts
from fanzha.text.normalize import NormalizedText, normalize
from fanzha.text.roles import role_at
from fanzha.text.times import Precision, find_times

logger = logging.getLogger(__name__)

# Pure, and the same phones, hosts and apps recur across reports: parsing them once saves most of the cost.
_identifier_value = lru_cache(maxsize=65_536)(normalize_identifier)
_phone_value = lru_cache(maxsize=65_536)(normalize_phone)

DEFAULT_TIMEZONE = "Asia/Shanghai"
ENGLISH_REGIONS = ("GB", "US", "AU")
"""Regions tried, in order, for a national-format number (leading 0) in text that is not Chinese."""
_DEFAULT_ENGLISH = (*ENGLISH_REGIONS, "CN")
CHINESE_REGIONS = ("CN", "TW", "HK")
"""Regions tried, in order, for a national-format number in Chinese text (Taiwan 02-/09xx, Hong Kong)."""

K = IdentifierKind


class FoundIdentifier(NamedTuple):
    """An identifier found in text: normalised value, validity and where it was written.

    ``start``/``end`` index the original text and ``raw`` is that slice; ``matched`` is the normalised text the
    value was made from. ``personal`` marks data about a person (resident ID numbers): mask it, never log it.
    """

    kind: IdentifierKind
    value: str
    valid: bool
    start: int
    end: int
    raw: str
    matched: str
    confidence: float
    reason: str
    region: str | None = None
    bank: str | None = None
    personal: bool = False
    role: IdentifierRole = IdentifierRole.UNKNOWN

    def __repr__(self) -> str:
        shown = mask_value(self.kind, self.value) if self.personal else self.value
        return f"FoundIdentifier({self.kind.value}:{shown}, valid={self.valid}, {self.start}:{self.end}, {self.reason})"

    def to_identifier(self) -> Identifier:
        """The :class:`fanzha.model.Identifier` for storing and linking."""
        return Identifier(
            kind=self.kind,
            value=self.value,
            valid=self.valid,
            raw=None if self.raw == self.value else self.raw,
            role=self.role,
        )


class FoundAmount(NamedTuple):
    """A money amount found in text, with its span in the original."""

    money: Money
    start: int
    end: int
    raw: str
    reason: str


class FoundTime(NamedTuple):
    """A time found in text, resolved to an aware UTC datetime, with its span in the original."""

    value: datetime
    precision: Precision
    start: int
    end: int
    raw: str


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything :func:`extract` found in one text."""

    normalized: NormalizedText
    identifiers: list[FoundIdentifier] = field(default_factory=list)
    amounts: list[FoundAmount] = field(default_factory=list)
    times: list[FoundTime] = field(default_factory=list)

    def of_kind(self, kind: IdentifierKind | str) -> list[FoundIdentifier]:
        """The identifiers of one kind, in text order."""
        wanted = IdentifierKind(kind)
        return [found for found in self.identifiers if found.kind == wanted]


class BankInfo(NamedTuple):
    """The issuing bank of a card number (发卡行)."""

    code: str
    name_zh: str
    name_en: str


@lru_cache(maxsize=1)
def _bank_bins() -> dict[str, BankInfo]:
    table = resources.files("fanzha.model").joinpath("data/bank_bins.csv")
    with table.open(encoding="utf-8") as handle:
        return {
            row["bin"]: BankInfo(row["bank_code"], row["bank_zh"], row["bank_en"])
            for row in csv.DictReader(handle)
        }


@lru_cache(maxsize=65_536)
def bank_of_card(number: str) -> BankInfo | None:
    """The issuing bank (发卡行) of a card number, from its BIN, when the BIN table knows it."""
    digits = "".join(c for c in number if c.isdigit())
    bins = _bank_bins()
    for width in (8, 6):
        bank = bins.get(digits[:width])
        if bank is not None:
            return bank
    return None


def bank_code_of_account(account: str) -> str | None:
    """The issuing bank's code of an account that is a card number (digits only), else None."""
    bank = bank_of_card(account) if account.isdigit() else None
    return bank.code if bank else None


# --- the extraction context ----------------------------------------------------------------------------------


class _Scan:
    """One text being scanned: the normalised text, what has been found and which spans are taken."""

    def __init__(self, normalized: NormalizedText, chinese: bool, region: str | None) -> None:
        self.normalized = normalized
        self.text = normalized.text
        self.lowered = normalized.text.lower()
        self.chinese = chinese
        self.regions: tuple[str, ...] = (
            (region,) if region else CHINESE_REGIONS if chinese else _DEFAULT_ENGLISH
        )
        self.found: list[FoundIdentifier] = []
        self.spans: list[tuple[int, int]] = []
        self.taken: list[tuple[int, int]] = []

    def free(self, start: int, end: int) -> bool:
        for first, stop in self.taken:  # noqa: SIM110 - a loop, not any(), on this hot path: no generator
            if start < stop and first < end:
                return False
        return True

    def take(self, start: int, end: int) -> None:
        self.taken.append((start, end))

    def add(
        self,
        kind: IdentifierKind,
        start: int,
        end: int,
        value: str,
        valid: bool,
        confidence: float,
        reason: str,
        *,
        region: str | None = None,
        bank: str | None = None,
        personal: bool = False,
        take: bool = True,
    ) -> None:
        if not self.normalized.on_boundaries(start, end):
            return
        first, last = self.normalized.to_original(start, end)
        self.found.append(
            FoundIdentifier(
                kind=kind,
                value=value,
                valid=valid,
                start=first,
                end=last,
                raw=self.normalized.original[first:last],
                matched=self.text[start:end],
                confidence=confidence,
                reason=reason,
                region=region,
                bank=bank,
                personal=personal,
            )
        )
        self.spans.append((start, end))
        if take:
            self.take(start, end)


# --- URLs, domains, e-mails, IPs -------------------------------------------------------------------------------

_STOP = r"\s<>\"'`，。、；：！？（）【】《》「」“”‘’\u4e00-\u9fff"
_URL = re.compile(rf"[hHwW](?i:(?<=h)ttps?://|(?<=w)ww\.)(?i:[^{_STOP}]+)")
_URL_TRAILING = ".,;:!?)]}'\""
_HOST = re.compile(r"(?:https?://)?(?:[^/?#@\s]*@)?([^/?#:\s]+)", re.IGNORECASE)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)
_COMMON_TLDS = frozenset(
    [
        "com",
        "net",
        "org",
        "cn",
        "top",
        "xyz",
        "vip",
        "cc",
        "io",
        "info",
        "co",
        "me",
        "tk",
        "ml",
        "ga",
        "cf",
        "gq",
        "shop",
        "site",
        "online",
        "club",
        "app",
        "live",
        "pro",
        "biz",
        "tv",
        "ws",
        "asia",
        "icu",
        "fun",
        "link",
        "win",
        "bid",
        "loan",
        "work",
        "ltd",
        "store",
        "tech",
        "cloud",
        "wang",
        "ren",
        "hk",
        "tw",
        "mo",
        "sg",
        "uk",
        "jp",
        "kr",
        "ru",
        "my",
        "ph",
        "th",
        "vn",
        "la",
        "kh",
        "mm",
        "cyou",
        "buzz",
        "bet",
        "games",
        "team",
        "life",
        "world",
        "today",
        "email",
        "space",
        "website",
        "host",
        "press",
        "help",
        "click",
        "bond",
        "gov",
        "edu",
        "au",
        "nz",
        "ca",
        "us",
    ]
)
_WORD_TLDS = frozenset(
    ["my", "me", "life", "win", "today", "team", "world", "games", "bet", "fun", "link", "work", "store", "live",
     "pro", "space", "email", "host", "press", "website", "tech", "cloud", "club", "shop", "site", "online", "app",
     "info", "la", "ph", "th", "mo", "ltd", "loan", "bid", "tv", "co", "ws"]
)  # fmt: skip
_BARE_DOMAIN = re.compile(
    r"([A-Za-z0-9](?<![A-Za-z0-9@._/-].)(?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"([A-Za-z]{2,18}))(?![A-Za-z0-9-])"
    rf"(/[^{_STOP}]*)?"
)
_SITE_WORDS = re.compile(
    r"(?:网址|网站|链接|域名|登录|登陆|打开|访问|website|site|link|visit|go\s+to)\s*[:：]?\s*$", re.IGNORECASE
)
_IPV4 = re.compile(r"(?=\d)(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(
    r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}:){2,7}:?[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{1,4})*(?![0-9A-Fa-f:])"
)


def _urls(scan: _Scan) -> None:
    text = scan.text
    if "://" not in text and "www." not in scan.lowered:
        return
    for match in _URL.finditer(text):
        url = match.group().rstrip(_URL_TRAILING)
        start, end = match.start(), match.start() + len(url)
        value, valid = _identifier_value(K.URL, url)
        if not valid or not scan.free(start, end):
            continue
        scan.add(K.URL, start, end, value, valid, 0.95, "url")
        host = _HOST.match(url)
        if host is not None:
            domain, domain_valid = _identifier_value(K.DOMAIN, host.group(1))
            if domain_valid:
                host_start, host_end = start + host.start(1), start + host.end(1)
                scan.add(K.DOMAIN, host_start, host_end, domain, True, 0.95, "host_of_url", take=False)


_ALIPAY_BEFORE = re.compile(r"(?:支付宝|alipay)[^\n@。;；]{0,30}$", re.IGNORECASE)


def _emails(scan: _Scan) -> None:
    if "@" not in scan.text:
        return
    for match in _EMAIL.finditer(scan.text):
        value, valid = _identifier_value(K.EMAIL, match.group())
        if not valid or not scan.free(*match.span()):
            continue
        if _ALIPAY_BEFORE.search(scan.text, max(0, match.start() - 40), match.start()):
            scan.add(K.ALIPAY, match.start(), match.end(), value, valid, 0.85, "email_after_alipay")
        else:
            scan.add(K.EMAIL, match.start(), match.end(), value, valid, 0.95, "email")


def _bare_domains(scan: _Scan) -> None:
    if "." not in scan.text:
        return
    for match in _BARE_DOMAIN.finditer(scan.text):
        host, tld, path = match.group(1), match.group(2).lower(), match.group(3)
        if not scan.free(*match.span()) or host.replace(".", "").isdigit():
            continue
        introduced = _SITE_WORDS.search(scan.text, max(0, match.start() - 12), match.start()) is not None
        written = match.group(2)
        known = (tld in _COMMON_TLDS or _SECOND_LEVEL.search(host) is not None) and (
            written.islower() or host.isupper()
        )  # a capital after the dot (home.Ca va) is a sentence run on, not a domain
        linked = bool(path and len(path) > 1 and path[1].isalnum())
        if not introduced and not linked and (not known or _word_like(scan, host, tld)):
            continue
        domain, valid = _identifier_value(K.DOMAIN, host)
        if not valid:
            continue
        confidence = 0.9 if introduced else 0.8
        if path and len(path) > 1:
            url, url_valid = _identifier_value(K.URL, match.group().rstrip(_URL_TRAILING))
            end = match.start() + len(match.group().rstrip(_URL_TRAILING))
            scan.add(K.URL, match.start(), end, url, url_valid, confidence, "bare_url")
            scan.add(
                K.DOMAIN, match.start(1), match.end(1), domain, valid, confidence, "host_of_url", take=False
            )
        else:
            scan.add(K.DOMAIN, match.start(1), match.end(1), domain, valid, confidence, "bare_domain")


_SECOND_LEVEL = re.compile(r"\.(?:com|net|org|gov|edu|co|ac)\.[a-z]{2}$", re.IGNORECASE)
"""A country's second-level suffix (gov.au, com.my, co.uk): a domain whatever the country's code."""


def _word_like(scan: _Scan, host: str, tld: str) -> bool:
    """English prose with a missing space (``her name.my life``) looks like a domain under a word-like TLD: a
    short lower-case word before the dot. A brand's capital (``Mudah.my``) or a compound name longer than prose
    words (``shoptrendyhome.store``) reads as a site."""
    if tld not in _WORD_TLDS or scan.chinese or host.count(".") > 1:
        return False
    label = host.rsplit(".", 2)[-2]
    return label.isalpha() and label.islower() and len(label) <= 10 and host != "t.me"


def _ips(scan: _Scan) -> None:
    text = scan.text
    if text.count(".") >= 3:
        for match in _IPV4.finditer(text):
            _add_ip(scan, match)
    if "::" in text or text.count(":") >= 7:
        for match in _IPV6.finditer(text):
            if ":" in match.group().strip(":"):
                _add_ip(scan, match)


def _add_ip(scan: _Scan, match: re.Match[str]) -> None:
    value, valid = _identifier_value(K.IP, match.group())
    if valid and scan.free(*match.span()):
        scan.add(K.IP, match.start(), match.end(), value, valid, 0.9, "ip")


# --- crypto wallets and resident ID numbers ----------------------------------------------------------------------

_WALLET = re.compile(
    r"[0bB13T](?<![0-9A-Za-z].)(?:(?<=0)x[0-9a-fA-F]{40}|(?<=[bB])[cC]1[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87}"
    r"|(?<=[13])[1-9A-HJ-NP-Za-km-z]{25,34}|(?<=T)[1-9A-HJ-NP-Za-km-z]{33})(?![0-9A-Za-z])"
)
_ID_NUMBER = re.compile(
    r"[1-9](?<![0-9A-Za-z].)\d{5}(?P<gap>[ -]?)(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?P=gap)\d{3}"
    r"[\dXx](?![0-9A-Za-z])"
)
"""A resident ID number, whole or in its three groups (310104 19880315 2615: region, birth date, sequence)."""
_ID_WORDS = re.compile(
    r"(?:(?:身[份分]证|证件)(?:字号|号码|号)?|字号)\s*(?:写(?:住|着))?[:：是为系]?\s*$"
    r"|(?:ID\s*(?:card|number|no\.?)|NRIC|HKID|FIN)\s*(?:number|no\.?)?\s*(?:is|[:：])?\s*$",
    re.IGNORECASE,
)
_FOREIGN_ID = re.compile(
    r"[A-Z](?<![0-9A-Za-z].)(?:[12]\d{8}|[A-Z]?\d{6}\s?\([0-9A]\)|\d{7}[A-Z])(?![0-9A-Za-z])"
)
"""A Taiwan ID (A123456789), a Hong Kong identity card (A123456(3)) or a Singapore NRIC/FIN (S1234567D)."""


def _wallets(scan: _Scan) -> None:
    """Wallet addresses: any BTC, ETH or TRON address whose checksum holds, and an ETH (``0x`` + 40 hex), TRON
    (``T`` + 33) or bech32 (``bc1``) address whose checksum fails, since those shapes are nothing else and a victim
    who copies an address wrongly still names the scammer's wallet (valid is false)."""
    for match in _WALLET.finditer(scan.text):
        value, valid = _identifier_value(K.CRYPTO_WALLET, match.group())
        distinctive = match.group()[0] in "0TbB"
        if (valid or distinctive) and scan.free(*match.span()):
            reason = "checksum" if valid else "wallet_shape"
            scan.add(
                K.CRYPTO_WALLET, match.start(), match.end(), value, valid, 0.98 if valid else 0.7, reason
            )


_NAMED_ID_SHAPE = re.compile(
    r"[0-9A-Z](?<![0-9A-Za-z].)(?:(?<=[A-Z])[A-Z]?\d{6,8}|(?<=[TSR])\d{2}[A-Z]{2}\d{4}[A-Z]|(?<=\d)(?:\d{5}-\d{2}-\d{4}"
    r"|\d{2}-\d{2}-\d{4}|\d{2} ?\d{3} ?\d{3}|\d{7,8}[A-Z]|\d{11}))(?![0-9A-Za-z])"
)
"""The shapes of identity numbers that their word names: a Malaysian IC (910823-08-6642), a US SSN (512-48-7730),
an Australian TFN (123 456 782), a passport (A38291746), a Singapore UEN (202312345K, T09LL0001B)."""
_ID_NAME_BEFORE = re.compile(
    r"(?:(?<![A-Za-z])(?i:my\s*kad|n?ric|ic|ssn|social\s+security|tfn|tax\s+file|passport|uen)(?i:\s*(?:number|no\.?))?"
    r"(?i:\s*(?:is|was|[:：]))?|护照(?:号码?)?[:：是为]?)\s*$"
)
_MYKAD = re.compile(r"\d(?<![\d-].)\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])-\d{2}-\d{4}(?![\d-])")
"""A Malaysian MyKad number in its printed form (YYMMDD-PB-###G): that shape is nothing else."""


def _named_id_numbers(scan: _Scan) -> None:
    """Identity numbers after the word that names them (IC, SSN, TFN, passport, UEN, 护照), and MyKad numbers in
    their printed form anywhere. Cost: one pass for the shapes, a look-back only at each candidate."""
    text = scan.text
    for match in _NAMED_ID_SHAPE.finditer(text):
        start, end = match.span()
        named = _MYKAD.fullmatch(match.group()) or _ID_NAME_BEFORE.search(text, max(0, start - 24), start)
        if named and scan.free(start, end):
            value, valid = _identifier_value(K.ID_NUMBER, match.group())
            scan.add(K.ID_NUMBER, start, end, value, valid, 0.85, "after_id_word", personal=True)


def _foreign_id_numbers(scan: _Scan) -> None:
    """Identity numbers of Taiwan, Hong Kong and Singapore: where the checksum holds, or after an ID word."""
    for match in _FOREIGN_ID.finditer(scan.text):
        value, valid = _identifier_value(K.ID_NUMBER, match.group())
        introduced = _ID_WORDS.search(scan.text, max(0, match.start() - 12), match.start()) is not None
        numbered = _NOT_PHONE_BEFORE.search(scan.text, max(0, match.start() - 14), match.start()) is not None
        if (introduced or (valid and not numbered)) and scan.free(*match.span()):
            reason = "checksum" if valid else "after_id_word"
            scan.add(K.ID_NUMBER, match.start(), match.end(), value, valid, 0.9, reason, personal=True)


def _id_numbers(scan: _Scan) -> None:
    for match in _ID_NUMBER.finditer(scan.text):
        value, valid = _identifier_value(K.ID_NUMBER, match.group())
        introduced = _ID_WORDS.search(scan.text, max(0, match.start() - 10), match.start()) is not None
        if (valid or introduced) and scan.free(*match.span()):
            reason = "checksum" if valid else "after_id_word"
            scan.add(K.ID_NUMBER, match.start(), match.end(), value, valid, 0.95, reason, personal=True)


# --- accounts introduced by words: QQ, WeChat, Alipay, bank accounts ---------------------------------------------

_LINK = r"\s*(?:[:：#]|是|为|系|号是|is|was|:)?\s*"
_QQ = re.compile(
    rf"[qQ](?i:q(?:号码|号|群号?|账号)?(?:\s*(?:number|no\.?))?{_LINK}([1-9](?:[ -]?\d){{4,10}})(?!\d|[.,]\d))"
)
_WECHAT = re.compile(
    rf"(?P<intro>[微wWvV](?:(?<=微)信|(?<=[wW])(?i:echat|eixin)|(?<=加[vV])))(?i:\s*[(（]?(?:\s*(?:号|账号|号码|id|account))?{_LINK}"
    r"(?P<id>[A-Za-z][A-Za-z0-9_-]{5,19}|\+?\d(?:[ -]?\d){6,14})(?![A-Za-z0-9_-]))"
)
_ALIPAY = re.compile(
    rf"(?:支付宝|alipay)(?:\s*(?:账号|账户|帐号|号|account))?(?:转账?给|付款给|转到|to)?{_LINK}"
    r"([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}|(?:\+?86)?1[3-9]\d{9})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_ACCOUNT_WORDS = (
    r"账号|帐号|卡号|账户|帐户|银行卡号?|account\s*(?:number|no\.?)?|a/c\s*(?:no\.?)?|acct\.?\s*(?:no\.?)?"
)
_ACCOUNT = re.compile(
    rf"[收账帐卡银户Aa](?i:(?<!微信.)(?<!QQ.)(?<!支付宝.)(?:(?<=收)款(?:{_ACCOUNT_WORDS})|(?<=账)号|(?<=帐)号|(?<=卡)号"
    r"|(?<=账)户|(?<=帐)户|(?<=银)行卡号?|(?<=a)ccount\s*(?:number|no\.?)?|(?<=a)/c\s*(?:no\.?)?|(?<=a)cct\.?\s*(?:no\.?)?"
    r"|(?<=a)cc\.?\s*(?:number|no\.?)|(?<=户)口(?:号码?)?)"
    rf"[”」』]?(?:\s*[（(][^）)\d]{{1,10}}[）)])?{_LINK}(\d(?:[ -]?\d){{8,29}})(?!\d|[.,]\d))"
)
"""A bank account after the words that introduce it (收款账户, 卡号, account no.). Like the QQ, WeChat and URL
patterns it opens with the character it consumes, the words that may follow it picked by looking back at it,
and ignores case only after that first character: a pattern that starts with a case-insensitive word cannot
skip ahead to candidates."""
_ENGLISH_WORDS = frozenset(
    [
        "transfer",
        "transferred",
        "account",
        "payment",
        "wallet",
        "group",
        "official",
        "number",
        "friend",
        "friends",
        "contact",
        "message",
        "messages",
        "chatted",
        "chatting",
        "moments",
        "video",
        "called",
        "pay",
    ]
)
_UNIT_AFTER = re.compile(r"\s*(?:元|块|圆|万|千|百|亿|美元|USDT|RMB|CNY|%|岁|年|月|日|号楼|次|个|人(?!工))")
"""A unit right after a number says it counts or costs something (3万, 5次, 2人); 人工 (a human operator after a
hotline number) is no count."""


def _amount_follows(scan: _Scan, end: int) -> bool:
    return _UNIT_AFTER.match(scan.text, end) is not None


_MESSENGER = re.compile(
    r"(?P<intro>LINE|Line|line|赖|telegram|Telegram|TELEGRAM|TG|tg|电报|纸飞机|飞机)\s*[(（]?"
    r"(?:(?P<word>\s*(?:ID|Id|id|官方帐号|官方账号|帐号|账号|号码|号|username|handle|用户名))?[吧啦呀哦喔啊]?"
    r"\s*(?P<colon>[:：]|是|为|系|is)?\s*|(?P<filler>[^\n@]{1,8}?)(?=@))"
    r"(?P<at>@)?(?P<id>[A-Za-z0-9][A-Za-z0-9._-]{3,31})(?![A-Za-z0-9._-])"
)
"""A LINE ID (加LINE ID: job88, 加赖 @abc) or a Telegram username (TG: @otc_king, 飞机号 abc_123) after its app's
name. Where that name is also a word (line, 飞机, Telegram group) an explicit ``@``, ``ID`` or colon must follow."""
_NOT_HANDLES = frozenset(
    {"pay", "group", "official", "chat", "call", "app", "channel", "account", "and", "the", "points"}
)


def _messengers(scan: _Scan) -> None:
    lowered = scan.lowered
    if not any(word in lowered for word in ("line", "赖", "tg", "telegram", "电报", "飞机")):
        return
    for match in _MESSENGER.finditer(scan.text):
        intro, handle = match.group("intro"), match.group("id")
        telegram = intro.lower() in ("telegram", "tg", "电报", "纸飞机", "飞机")
        explicit = match.group("at") or match.group("colon") or match.group("word")
        if not explicit and (
            intro in ("line", "Line", "飞机", "tg") or intro.lower() == "telegram" or not scan.chinese
        ):
            continue
        if (
            handle.lower() in _NOT_HANDLES
            or handle.lower() in _ENGLISH_WORDS
            or (telegram and not handle[0].isalpha())
        ):
            continue
        if (
            match.start()
            and scan.text[match.start() - 1].isascii()
            and scan.text[match.start() - 1].isalnum()
        ):
            continue  # online, airline, mytg
        kind = K.TELEGRAM if telegram else K.LINE
        start, end = match.start("at" if match.group("at") else "id"), match.end("id")
        value, valid = _identifier_value(kind, handle)
        if valid and scan.free(start, end) and not _amount_follows(scan, end):
            scan.add(kind, start, end, value, valid, 0.85, "after_messenger_word")


_AT_HANDLE = re.compile(
    r"@(?<![A-Za-z0-9._%+-]@)(?P<id>[A-Za-z][A-Za-z0-9_]{4,31})(?![A-Za-z0-9_@]|\.[A-Za-z0-9])"
)
_TELEGRAM_NAMED = re.compile(r"telegram|(?<![A-Za-z])tg(?![A-Za-z])|电报|飞机|電報", re.IGNORECASE)
_OTHER_HANDLE_APPS = re.compile(
    r"instagram|(?<![A-Za-z])ig(?![A-Za-z])|twitter|threads|tiktok|抖音|小红书|微博|facebook|(?<![A-Za-z])x\.com",
    re.IGNORECASE,
)
_HANDLE_CUE = re.compile(
    r"(?:客服|联系|私信|找|加|老师|助理|导师|经理|(?i:admin|handler|contact|receptionist|agent|support|dm|message"
    r"|mentor|manager|assistant|guy\s+is|is))[^\n@]{0,6}$"
)


_ID_IS = re.compile(
    r"(?<![A-Za-z])(?:ID|Id|id)\s*(?:[:：]|是|为|系|(?i:is|was))\s*@?(?P<id>[A-Za-z0-9][A-Za-z0-9._-]{3,31})(?![A-Za-z0-9._-])"
)
_MESSENGER_BEFORE = re.compile(r"(?P<line>LINE|Line|赖)|(?P<telegram>(?i:telegram)|TG|电报|纸飞机)")


def _ids_after_messenger(scan: _Scan) -> None:
    """An ID named a few words after its messenger (加LINE吗?ID是 mentor.lin520; on LINE, my ID is amy_0915)."""
    if "id" not in scan.lowered:
        return
    for match in _ID_IS.finditer(scan.text):
        start, end = match.span("id")
        window = scan.text[max(0, match.start() - 40) : match.start()]
        named = list(_MESSENGER_BEFORE.finditer(window))
        if not named or not scan.free(start, end) or match.group("id").rstrip(".").lower() in _ENGLISH_WORDS:
            continue
        kind = K.TELEGRAM if named[-1].group("telegram") else K.LINE
        handle = match.group("id").rstrip(".")
        value, valid = _identifier_value(kind, handle)
        if valid:
            scan.add(kind, start, start + len(handle), value, valid, 0.8, "id_after_messenger")


def _at_handles(scan: _Scan) -> None:
    """Telegram usernames written with their ``@`` and no app word right before (客服 @binance_cs): where the text
    names Telegram anywhere, or a contact word stands before and no other app that has @-names is named."""
    if "@" not in scan.text:
        return
    telegram = _TELEGRAM_NAMED.search(scan.text) is not None
    if not telegram and _OTHER_HANDLE_APPS.search(scan.text):
        return
    for match in _AT_HANDLE.finditer(scan.text):
        start, end = match.span()
        cued = _HANDLE_CUE.search(scan.text, max(0, start - 16), start) is not None
        if not (telegram or cued) or not scan.free(start, end):
            continue
        value, valid = _identifier_value(K.TELEGRAM, match.group("id"))
        if valid:
            scan.add(K.TELEGRAM, start, end, value, valid, 0.8 if telegram else 0.6, "at_handle")


def _qq(scan: _Scan) -> None:
    if "qq" not in scan.lowered:
        return
    for match in _QQ.finditer(scan.text):
        start, end = match.span(1)
        value, valid = _identifier_value(K.QQ, match.group(1))
        if valid and scan.free(start, end) and not _amount_follows(scan, end):
            scan.add(K.QQ, start, end, value, valid, 0.9, "after_qq_word")


def _wechat(scan: _Scan) -> None:
    text = scan.text
    if "微信" not in text and "we" not in scan.lowered and "加v" not in scan.lowered:
        return
    for match in _WECHAT.finditer(text):
        start, end = match.span("id")
        candidate = match.group("id")
        english_intro = match.group("intro").isascii()
        explicit = ":" in match.group() or "id" in match.group().lower()
        if english_intro and (candidate.lower() in _ENGLISH_WORDS or (candidate.isalpha() and not explicit)):
            continue
        value, valid = _identifier_value(K.WECHAT, candidate)
        if valid and scan.free(start, end) and not _amount_follows(scan, end):
            scan.add(K.WECHAT, start, end, value, valid, 0.9, "after_wechat_word")


def _alipay(scan: _Scan) -> None:
    if "支付宝" not in scan.text and "alipay" not in scan.lowered:
        return
    for match in _ALIPAY.finditer(scan.text):
        start, end = match.span(1)
        value, valid = _identifier_value(K.ALIPAY, match.group(1))
        if valid and scan.free(start, end):
            scan.add(K.ALIPAY, start, end, value, valid, 0.9, "after_alipay_word")


def _accounts(scan: _Scan) -> None:
    for match in _ACCOUNT.finditer(scan.text):
        start, end = match.span(1)
        digits = re.sub(r"\D", "", match.group(1))
        if not scan.free(start, end) or _amount_follows(scan, end):
            continue
        if _is_card(digits):
            _add_card(scan, start, end, digits, "card_after_account_word")
            continue
        value, valid = _identifier_value(K.BANK_ACCOUNT, digits)
        scan.add(K.BANK_ACCOUNT, start, end, value, valid, 0.8, "after_account_word")


_LONG_NUMBER = re.compile(r"\d(?<![\d.,].)(?:[ -]?\d){8,19}(?!\d|[.,]\d)")
_TOLL_FREE = ("1800", "1300", "0800", "0808", "400", "800")
_SORT_CODE = re.compile(
    r"(?i:sort\s*code|bsb)\s*(?i:no\.?|number)?\s*(?i:is\s+)?[:：]?\s*(?P<sort>\d{2}[- ]?\d{2}[- ]?\d{2}|\d{3}[- ]?\d{3})"
    r"[\s,;]*(?:(?i:and|&)\s+)?(?i:a/c|acct?|account)\.?\s*(?:(?i:no\.?|number)\s*)?[:：]?\s*(?P<account>\d(?: ?\d){5,9})(?!\d)"
)
"""A UK sort code or an Australian BSB with the account number after it: the account is named by both."""


@lru_cache(maxsize=1)
def _bank_name_before() -> re.Pattern[str]:
    """A bank's name (from ``data/bank_names.txt``, or any ``…银行``) ending right before an account number,
    with the account words that may stand between (汇丰户口, 中国信托(822), DBS savings account no.)."""
    text = resources.files("fanzha.text").joinpath("data/bank_names.txt").read_text("utf-8")
    names = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    han = sorted((name for name in names if not name.isascii()), key=len, reverse=True)
    latin = sorted((name for name in names if name.isascii()), key=len, reverse=True)
    latin_names = "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in latin)
    banks = "|".join(
        [
            r"[\u4e00-\u9fff]银行",
            *map(re.escape, han),
            rf"(?<![A-Za-z])(?i:{latin_names})(?![A-Za-z])",
            r"(?<![A-Za-z])(?:[A-Z][a-z]+\s+Bank|Bank\s+(?:of\s+)?[A-Z][a-z]+)(?![A-Za-z])",
        ]
    )
    words = rf"(?:{_ACCOUNT_WORDS}|户口|卡|(?i:acc(?:oun)?t?\.?))\s*(?:号码?|(?i:no\.?|number))?"
    return re.compile(
        rf"(?:{banks})(?:\s*[（(](?:亚洲|香港|国际|中国|台湾|澳门)[）)])?\s*的?\s*(?:(?i:savings?|current|checking)\s+)?"
        rf"(?:{words})?\s*[:：#]?\s*(?:[（(]\d{{3}}[）)]\s*)?$"
    )


def _bank_named_accounts(scan: _Scan) -> None:
    """Account numbers right after a bank's name, with no account word of their own (汇丰 004-123-456789-001)."""
    for match in _LONG_NUMBER.finditer(scan.text):
        start, end = match.span()
        digits = re.sub(r"\D", "", match.group())
        if not scan.free(start, end) or _amount_follows(scan, end) or _hotline_shaped(digits, scan.chinese):
            continue
        window = scan.text[max(0, start - 40) : start]
        if (
            _bank_name_before().search(window) is None
            or _PHONE_INTRO_ZH.search(window)
            or _DIAL_BEFORE.search(window)
        ):
            continue
        if _is_card(digits) or (16 <= len(digits) <= 19 and digits[0] in "3456"):
            _add_card(scan, start, end, digits, "card_after_bank_name")
            continue
        value, valid = _identifier_value(K.BANK_ACCOUNT, digits)
        if valid:
            scan.add(K.BANK_ACCOUNT, start, end, value, valid, 0.8, "after_bank_name")


_FPS_ID = re.compile(r"(?:转数快|(?i:fps))\s*(?i:id|识别码|编号)\s*(?i:is|[:：])?\s*(\d{7,9})(?!\d|[.,]\d)")
"""A Hong Kong FPS ID (转数快识别码), the number a payee registers in place of an account."""


def _fps_ids(scan: _Scan) -> None:
    if "转数快" not in scan.text and "fps" not in scan.lowered:
        return
    for match in _FPS_ID.finditer(scan.text):
        start, end = match.span(1)
        if scan.free(start, end):
            scan.add(K.BANK_ACCOUNT, start, end, match.group(1), True, 0.85, "fps_id")


def _hotline_shaped(digits: str, chinese: bool) -> bool:
    """A toll-free or shared-cost number's length and prefix (招商银行 400 820 5555, 1800 123 456): no bank
    account. The mainland's 400/800 numbers have ten digits and stand after a bank's name in Chinese text only
    (CIMB 8009 6612 34 is an account)."""
    if digits.startswith(("400", "800")):
        return chinese and len(digits) == 10
    return digits.startswith(_TOLL_FREE) and len(digits) <= 11


_DASHED_SORT_CODE = re.compile(r"\d(?<![\d-].)\d-\d{2}-\d{2}\s*(?P<account>\d{8})(?![\d-])")
"""A UK sort code in its dashed form with an eight-digit account after it (20-32-06 93157720): nothing else looks
like that."""


def _sort_code_accounts(scan: _Scan) -> None:
    for match in _DASHED_SORT_CODE.finditer(scan.text):
        if scan.free(*match.span()):
            digits = re.sub(r"\D", "", match.group())
            value, valid = _identifier_value(K.BANK_ACCOUNT, digits)
            scan.add(K.BANK_ACCOUNT, *match.span(), value, valid, 0.8, "dashed_sort_code")
    if "sort" not in scan.lowered and "bsb" not in scan.lowered:
        return
    for match in _SORT_CODE.finditer(scan.text):
        start, end = match.start("sort"), match.end("account")
        digits = re.sub(r"\D", "", match.group("sort") + match.group("account"))
        if scan.free(start, end):
            value, valid = _identifier_value(K.BANK_ACCOUNT, digits)
            scan.add(K.BANK_ACCOUNT, start, end, value, valid, 0.85, "after_sort_code")


def _is_card(digits: str) -> bool:
    return 16 <= len(digits) <= 19 and digits[0] in "3456" and luhn_valid(digits)


def _add_card(scan: _Scan, start: int, end: int, digits: str, reason: str) -> None:
    value, valid = _identifier_value(K.BANK_ACCOUNT, digits)
    bank = bank_of_card(value)
    scan.add(
        K.BANK_ACCOUNT,
        start,
        end,
        value,
        valid,
        0.95 if bank else 0.85,
        reason,
        bank=bank.code if bank else None,
    )


# --- apps ------------------------------------------------------------------------------------------------------

_OPEN_QUOTE, _CLOSE_QUOTE = "「《“\"'【『", "」》”\"'】』"
_QUOTED_TEXT = rf"[^{_CLOSE_QUOTE}\n]{{1,24}}"
"""What a name in quotes may be, without its quotes."""
_APP_WORD = r"(?:APP|App|app|软件|平台|客户端|应用)"
_INSTALLING = (
    r"(?:(?<=下)载|(?<=安)装|(?<=注)册|(?<=登)[录陆])(?:了)?(?:一个|一款|个)?(?:名为|叫做?|名叫)?\s*"
)
"""下载/安装/注册/登录 and what may follow them up to a name, after the first character, which :data:`_APP` has
consumed."""
_APP = re.compile(
    rf"[{_OPEN_QUOTE}下安注登DdIiAaP软平]"
    rf"(?:(?<=[{_OPEN_QUOTE}])(?P<q>{_QUOTED_TEXT})[{_CLOSE_QUOTE}]\s*(?:的)?\s*{_APP_WORD}"
    r"|(?<![A-Za-z].)(?:(?<=A)(?:PP|pp)|(?<=a)pp|(?<=软)件|(?<=平)台)\s*(?:名称|名字|叫做?|名为)?\s*[:：]?\s*"
    rf"[{_OPEN_QUOTE}](?P<n>{_QUOTED_TEXT})[{_CLOSE_QUOTE}]"
    r"|(?<![A-Za-z].)(?:(?<=[Aa])(?i:pp|pplication)|(?<=P)(?i:latform))\s+(?:(?i:called|named)\s+)?"
    r"[\"“](?P<a>[^\"”\n]{1,30})[\"”]"
    rf"|{_INSTALLING}[{_OPEN_QUOTE}](?P<i>{_QUOTED_TEXT})[{_CLOSE_QUOTE}]"
    rf"|{_INSTALLING}(?P<u>[A-Za-z0-9\u4e00-\u9fff]{{2,12}}?)(?:的)?\s*(?:APP|App|app)(?![A-Za-z])"
    r"|(?:(?<=[Dd])(?i:ownload(?:ed|ing)?)|(?<=[Ii])(?i:nstall(?:ed|ing)?))\s+(?:(?i:the|an?)\s+)?(?:(?i:app)\s+)?"
    r"(?:(?i:called|named)\s+)?(?:[\"“'](?P<e>[^\"”'\n]{1,30})[\"”']|(?P<c>[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,2})\s+(?i:app)\b))"
)
"""An app named where it is installed or called an app (``下载「云会议」APP``, ``app called "X"``). It opens with
the character it consumes and looks back at it for the forms that may follow; an app word can open a form only
with ``A``, ``a``, ``软`` or ``平`` (the plain form's look-ahead never let ``客户端`` or ``应用`` start one)."""
_NOT_APP_NAMES = frozenset(
    {
        "app",
        "软件",
        "平台",
        "这个",
        "那个",
        "一个",
        "客户端",
        "the",
        "this",
        "that",
        "手机",
        "官方",
        "我们的",
        "我哋嘅",
    }
)
_VAGUE_APP = re.compile(
    r"^(?:不明|陌生|来历不明|可疑|非法|未知|虚假|假|境外|其他|任何|指定|特定|正规|所谓|我们的|专属|直播$|投资$|视频聊天$)"
)
"""What a warning says of an app it does not name (下载不明APP, 陌生的App): no app's name."""
_NAMED_PLATFORM_ZH = re.compile(
    rf"[叫名在](?:(?<=叫)做?|(?<=名)(?:为|叫|称为?)|(?<=在))\s*[{_OPEN_QUOTE}](?P<name>{_QUOTED_TEXT})[{_CLOSE_QUOTE}]"
    r"\s*(?:的|嘅)?\s*(?:网站|交易平台|平台|APP|App|app|软件|网页|应用|程式|程序|上|里)"
)
_NAMED_PLATFORM_EN = re.compile(
    r"(?i:platform|app|website|site|application|exchange|program)\s+(?i:called|named)\s+"
    r"(?P<name>[A-Z][\w-]*(?:\.[\w-]+)*(?:\s+[A-Z][\w-]*(?:\.[\w-]+)*){0,2})"
)
"""A platform or app named where the text says what it is (叫「华创证券」的网站, 在“金沙娱乐”上, a platform called
ShopMaxx)."""


def _apps(scan: _Scan) -> None:
    text = scan.text
    if not any(
        word in text
        for word in ("APP", "App", "app", "软件", "平台", "下载", "安装", "注册", "登", "ownload", "nstall")
    ):
        return
    for match in _APP.finditer(text):
        group = next(name for name in "qnaiuec" if match.group(name) is not None)
        _add_app(scan, match, group, 0.85 if group in "qnaie" else 0.7, "app_" + group)


def _add_app(scan: _Scan, match: re.Match[str], group: str, confidence: float, reason: str) -> None:
    """The app a match names in ``group``, stripped of spaces, unless it names none (这个, 不明) or is taken."""
    name = match.group(group).strip()
    start = match.start(group) + match.group(group).index(name[:1]) if name else match.start(group)
    end = start + len(name)
    if not name or name.casefold() in _NOT_APP_NAMES or _VAGUE_APP.match(name) or not scan.free(start, end):
        return
    value, valid = _identifier_value(K.APP, name)
    if valid:
        scan.add(K.APP, start, end, value, valid, confidence, reason)


def _named_platforms(scan: _Scan) -> None:
    patterns = []
    if any(quote in scan.text for quote in _OPEN_QUOTE):
        patterns.append(_NAMED_PLATFORM_ZH)
    if "called" in scan.lowered or "named" in scan.lowered:
        patterns.append(_NAMED_PLATFORM_EN)
    for pattern in patterns:
        for match in pattern.finditer(scan.text):
            _add_app(scan, match, "name", 0.75, "named_platform")


@lru_cache(maxsize=1)
def known_apps() -> frozenset[str]:
    """App names shipped in ``data/known_apps.txt``, folded (lower case, no spaces)."""
    text = resources.files("fanzha.text").joinpath("data/known_apps.txt").read_text("utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(_fold_app(line) for line in lines if line and not line.startswith("#"))


def _fold_app(name: str) -> str:
    return re.sub(r"\s+", "", name).casefold()


_QUOTED_NAME = re.compile(rf"[{_OPEN_QUOTE}](?P<q>{_QUOTED_TEXT})[{_CLOSE_QUOTE}]")
_INSTALLED_NAME = re.compile(
    r"(?i:install(?:ed|ing)?|download(?:ed|ing)?)\s+(?:(?i:the|an?)\s+)?(?:(?i:official)\s+)?"
    r"(?P<q>[A-Z][\w-]*(?:\s+(?!App\b)[A-Z][\w-]*)?)"
)


def _sender_tag(scan: _Scan, match: re.Match[str]) -> bool:
    """A name in 【】 that opens or closes the message signs it (【国家反诈中心】提醒您…): the sender, not an app
    the report names."""
    return match.group().startswith("【") and (
        not scan.text[: match.start()].strip() or not scan.text[match.end() :].strip()
    )


def _known_apps(scan: _Scan) -> None:
    """Names of known apps in quotes or after install/download, with no app word beside them."""
    installing = "nstall" in scan.lowered or "ownload" in scan.lowered
    for pattern in (_QUOTED_NAME, _INSTALLED_NAME) if installing else (_QUOTED_NAME,):
        for match in pattern.finditer(scan.text):
            name = match.group("q").strip()
            start = match.start("q") + match.group("q").index(name[:1]) if name else match.start("q")
            end = start + len(name)
            if (
                name
                and _fold_app(name) in known_apps()
                and scan.free(start, end)
                and not _sender_tag(scan, match)
            ):
                value, valid = _identifier_value(K.APP, name)
                scan.add(K.APP, start, end, value, valid, 0.8, "known_app")


# --- phones and cards from digit runs ---------------------------------------------------------------------------

_DIGIT_RUN = re.compile(r"\d(?<!\d.)\d{2,}")
_RECORD_WORDS = (
    r"订单|单号|流水|交易|编号|工号|快递|运单|批次|券码|验证码|身份证|合同|保单|备案|案件|发票|票号"
    r"|order|ref|reference|invoice|tracking|code|(?<![A-Za-z])id|ticket"
)
"""Words that number a record, not an account or a line: an order, a parcel, a case."""
_NUMBERED_AFTER = r"\s*(?:号码?|编号|number|no\.?)?\s*[:：#]?\s*(?:是|为)?\s*$"
_NOT_PHONE_BEFORE = re.compile(
    rf"(?:{_RECORD_WORDS}|卡号|账号|帐号|账户|尾号|no\.|#){_NUMBERED_AFTER}", re.IGNORECASE
)
_NOT_CARD_BEFORE = re.compile(rf"(?:{_RECORD_WORDS}){_NUMBERED_AFTER}", re.IGNORECASE)
"""Before a card-sized number only a record's words say it is no card: 卡号 and card no. name one."""
_CURRENCY_BEFORE = frozenset("¥$£€")
_PHONE_INTRO_EN = re.compile(
    r"(?:\b(?:text|txt|send|reply|sms|forward)\b[^\n]{0,40}?\bto\b|\b(?:call(?:ed|ing)?|r[ai]ng|dial(?:l?ed|l?ing)?|phone[ds]?|tel|helpline|hotline)\b(?:\s+(?:us|now|free))?(?:\s+(?:on|at))?)"
    r"[\s:>]*(?:No[:.]?\s*)?$",
    re.IGNORECASE,
)
_PHONE_INTRO_ZH = re.compile(
    r"(?:拨打?|致电|电话|热线|客服|联系|联络|回拨|来电|号码|短信|简讯|发送到|发到)[”」』\"]?\s*[:：]?\s*(?:系|是|为)?\s*$"
)
_DIAL_BEFORE = re.compile(
    r"(?:拨打?|致电|热线|call|dial|ring|phone|text|txt|send|reply|sms)[^\n]{0,12}$", re.IGNORECASE
)
_MONEY_VERB_BEFORE = re.compile(
    r"(?:转|付|汇|(?<!冒)充|存|取|共|计|骗|损失|金额|余额|价|赔|还|借|贷)[了过给入到]?\s*$"
)
_INTERNATIONAL = re.compile(r"(?<![0-9A-Za-z])\+\s?\d[\d \-().]{5,20}\d(?!\d)")


_DOUBLE_ZERO = re.compile(r"0(?<![0-9A-Za-z+].)0[1-9]\d{0,2}[ -]?\d[\d -]{5,16}\d(?!\d)")
"""An international number dialled with 00 instead of + (来电00852-6628-3105): taken only when valid and after a
word that calls or dials it (alone, 00852 6123 4567 may be any record's number)."""


def _international(scan: _Scan) -> None:
    if "00" in scan.text:
        for match in _DOUBLE_ZERO.finditer(scan.text):
            window = scan.text[max(0, match.start() - 12) : match.start()]
            dialled = (
                _PHONE_INTRO_ZH.search(window)
                or _DIAL_BEFORE.search(window)
                or _PHONE_INTRO_EN.search(window)
            )
            value, valid = _phone_value("+" + match.group()[2:])
            if dialled and valid and scan.free(*match.span()):
                scan.add(
                    K.PHONE, *match.span(), value, valid, 0.9, "international_00", region=_region_of(value)
                )
    if "+" not in scan.text:
        return
    for match in _INTERNATIONAL.finditer(scan.text):
        candidate = match.group()
        while candidate and scan.free(match.start(), match.start() + len(candidate)):
            value, valid = _phone_value(candidate)
            if valid or _possible(value):
                end = match.start() + len(candidate)
                scan.add(
                    K.PHONE, match.start(), end, value, valid, 0.95 if valid else 0.6, "international",
                    region=_region_of(value),
                )  # fmt: skip
                break
            candidate = _drop_last_group(candidate)


@lru_cache(maxsize=65_536)
def _possible(e164: str) -> bool:
    """A number in international form of a length its country dials, though not in a range known to be allocated:
    a spoofed or mistyped caller is still the number the victim saw."""
    try:
        return bool(phonenumbers.is_possible_number(phonenumbers.parse(e164, None)))
    except phonenumbers.NumberParseException:
        return False


def _drop_last_group(candidate: str) -> str:
    cut = max(candidate.rfind(" "), candidate.rfind("-"))
    return candidate[:cut].rstrip(" -(") if cut > 2 else ""


@lru_cache(maxsize=65_536)
def _region_of(e164: str) -> str | None:
    region: str | None = phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    return region


_NEVER_A_NUMBER = frozenset({8, 9, 14})
"""Lengths of digit run that are neither a card nor any phone number :func:`_phone` reads, in any region."""


_CARD_BEFORE = re.compile(
    r"(?:卡|账户|帐户|户口|户名|转到|转入|转至|汇到|汇入|打到|(?i:card|account|a/c|to))[^\n\d]{0,4}[:：]?\s*$"
)
"""Words before a card-shaped number that fails the Luhn check but is still the card the report names: a victim
who copies a mule's card wrongly still names it (valid is false)."""


def _digit_runs(scan: _Scan) -> None:
    text = scan.text
    for match in _DIGIT_RUN.finditer(text):
        start, end = match.span()
        size = end - start
        if size in _NEVER_A_NUMBER or size > 19:
            continue
        if not scan.free(start, end):
            continue
        digits = match.group()
        if 16 <= size <= 19:
            if not _not_a_card_context(scan, start, end):
                _card_sized(scan, start, end, digits)
            continue
        if not _not_a_phone_context(scan, start, end):
            _phone(scan, start, end, digits)


def _card_sized(scan: _Scan, start: int, end: int, digits: str) -> None:
    """A 16–19-digit run: a card when its Luhn check holds; a UnionPay card or account (62…) or a number after a
    card word when it fails (valid false): victims and scammers copy numbers wrongly, and 62… is nothing else."""
    if _is_card(digits):
        _add_card(scan, start, end, digits, "luhn")
    elif digits.startswith("62"):
        _add_card(scan, start, end, digits, "unionpay_failing_luhn")
    elif digits[0] in "3456" and _CARD_BEFORE.search(scan.text, max(0, start - 12), start):
        _add_card(scan, start, end, digits, "card_failing_luhn")


def _not_a_card_context(scan: _Scan, start: int, end: int) -> bool:
    text = scan.text
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if before in _CURRENCY_BEFORE or (before.isascii() and before.isalpha()) or after in "Xx":
        return True
    return _amount_follows(scan, end) or _NOT_CARD_BEFORE.search(text, max(0, start - 14), start) is not None


def _not_a_phone_context(scan: _Scan, start: int, end: int) -> bool:
    text = scan.text
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if (
        before in _CURRENCY_BEFORE
        or before == "+"
        or (before.isascii() and before.isalpha())
        or after in "Xx"
    ):
        return True
    if before in ".," and start > 1 and text[start - 2].isdigit():
        return True
    if after in ".," and end + 1 < len(text) and text[end + 1].isdigit():
        return True
    return _amount_follows(scan, end) or _NOT_PHONE_BEFORE.search(text, max(0, start - 14), start) is not None


def _phone(scan: _Scan, start: int, end: int, digits: str) -> None:
    size = len(digits)
    if not scan.chinese and "US" in scan.regions and _nanp(scan, start, end, digits):
        return
    if size == 15 and digits.startswith("00861") and digits[5] in "3456789":
        value, valid = _phone_value(digits, "CN")
        if valid:
            scan.add(K.PHONE, start, end, value, valid, 0.9, "cn_mobile", region="CN")
        return
    if (size == 11 and digits[0] == "1" and digits[1] in "3456789") or (
        size == 13 and digits.startswith("861") and digits[3] in "3456789"
    ):
        if "CN" not in scan.regions and _national(scan, start, end, digits, scan.regions, "national"):
            return  # Singapore's 1800 111 1111 where the centre is in Singapore
        value, valid = _phone_value(digits, "CN")
        if valid:
            scan.add(K.PHONE, start, end, value, valid, 0.9, "cn_mobile", region="CN")
        return
    if size == 10 and digits[:3] in ("400", "800") and "CN" in scan.regions:
        _national(scan, start, end, digits, ("CN",), "cn_hotline")
        return
    if digits[0] == "0" and 10 <= size <= 12:
        _national(scan, start, end, digits, scan.regions, "national")
        return
    if size <= 7:
        _short_number(scan, start, end, digits)
        return
    if not scan.chinese and 11 <= size <= 13 and digits[0] != "0":
        value, valid = _phone_value("+" + digits)
        if valid:
            scan.add(
                K.PHONE, start, end, value, valid, 0.6, "international_without_plus", region=_region_of(value)
            )


_NANP_GROUPS = re.compile(r"^1(?:[\s.-]+\(?\d{3}\)?|\s*\(\d{3}\))[\s.-]*\d{3}[\s.-]+\d{4}$")


def _nanp(scan: _Scan, start: int, end: int, digits: str) -> bool:
    """A North American number written with separators: ``(213) 555-0187``, ``1-866-290-4731``."""
    size = len(digits)
    if not (size == 10 and digits[0] in "23456789") and not (size == 11 and digits[0] == "1"):
        return False
    written = scan.normalized.original_slice(start, end)
    if size == 10 and written.isdigit():
        return False
    if size == 11 and not _NANP_GROUPS.match(unicodedata.normalize("NFKC", written)):
        return False  # 13812345678 or 138-1234-5678: a Chinese mobile, not +1 381…
    value, valid = _phone_value("+1" + digits[-10:])
    if valid:
        scan.add(K.PHONE, start, end, value, valid, 0.8, "nanp", region="US")
    return valid


def _national(scan: _Scan, start: int, end: int, digits: str, regions: tuple[str, ...], reason: str) -> bool:
    for region in regions:
        value, valid = _phone_value(digits, region)
        if valid:
            scan.add(K.PHONE, start, end, value, valid, 0.85, reason, region=region)
            return True
    return False


def _short_number(scan: _Scan, start: int, end: int, digits: str) -> None:
    """Service numbers (95588, 10086) and SMS short codes (87121): only after a word that dials or texts them,
    except the Chinese 95xxx/96xxx service numbers, which are taken on their own."""
    window = scan.text[max(0, start - 50) : start]
    introduced = (
        _PHONE_INTRO_ZH.search(window) is not None
        if scan.chinese
        else _PHONE_INTRO_EN.search(window) is not None or _PHONE_INTRO_ZH.search(window) is not None
    )
    service = (
        scan.chinese
        and digits[:2] in ("95", "96")
        and len(digits) in (5, 7)
        and _MONEY_VERB_BEFORE.search(scan.text, max(0, start - 6), start) is None
    )
    if not (introduced or service) or (len(digits) < 5 and _DIAL_BEFORE.search(window) is None):
        return
    for region in scan.regions:
        value, valid = _phone_value(digits, region)
        if valid and value == digits:
            scan.add(
                K.PHONE, start, end, value, valid, 0.8 if introduced else 0.7, "short_number", region=region
            )
            return


_EIGHT_DIGIT_REGIONS = ("HK", "SG", "MO")
"""Where phone numbers have eight digits and no trunk prefix: a bare ``9218 3746`` is a number there."""
_LOCAL_EIGHT = re.compile(
    r"[235689](?<![\d-].)(?<!\d[ .,-].)(?:\d{3}[ -]?\d{4}|(?P<spelt>(?: \d){7}))(?![ -]?\d|[.,]\d)"
)
"""Eight digits, whole or read out one by one, that are not the tail of a longer number (``9 3 1 5 1 2 3 2 8 3 9``
holds no Hong Kong number)."""
_LOCAL_DIAL = re.compile(
    r"(?:(?i:(?<![A-Za-z])(?:whatsapp|wa|paynow|paylah|payme|fps|duitnow|helpline|hotline|number|contact|mobile|hp|tel"
    r"|phone|call|sms|text|signal)(?![A-Za-z]))[^\n\d]{0,12}|(?:打(?:俾|畀|去|比|给)?|搵|转数快|号码|电话|手机|联络|联系)[^\n\d]{0,6})$"
)


_LOCAL_PAYMENT = re.compile(
    r"(?i:(?<![A-Za-z])(?:paynow|paylah|payme|fps|whatsapp|duitnow)(?![A-Za-z]))[^\n\d]{0,20}$"
)
"""Words that only Singapore's and Hong Kong's eight-digit numbers follow: where no region is known, they name one."""


def _eight_digit_local(scan: _Scan) -> None:
    """Eight-digit numbers of Hong Kong, Singapore and Macao (``9218 3746``, or read out ``9 2 1 8 3 7 4 6``), after
    a word that dials, pays or messages them; read out digit by digit they are a number on their own. In English
    text of no known region only after the payment and chat apps of those places (PayNow, FPS, WhatsApp)."""
    regions = tuple(region for region in scan.regions if region in _EIGHT_DIGIT_REGIONS)
    unplaced = not regions and scan.regions == _DEFAULT_ENGLISH
    if not regions and not unplaced:
        return
    for match in _LOCAL_EIGHT.finditer(scan.text):
        start, end = match.span()
        window = scan.text[max(0, start - 24) : start]
        if unplaced:
            dialled = _LOCAL_PAYMENT.search(window) is not None
        else:
            dialled = bool(
                match.group("spelt")
                or _PHONE_INTRO_ZH.search(window)
                or _DIAL_BEFORE.search(window)
                or _LOCAL_DIAL.search(window)
            )
        if scan.free(start, end) and dialled:
            digits = re.sub(r"\D", "", match.group())
            _national(scan, start, end, digits, regions or ("SG", "HK"), "local_eight_digits")


_SERVICE_NUMBER = re.compile(r"1(?<![\d+-].)[ -]?[38]00(?:[ -]?\d){6,7}(?![\d-])")
_SERVICE_REGIONS = ("AU", "MY", "SG")


def _service_numbers(scan: _Scan) -> None:
    """Shared-cost and toll-free numbers written in groups (1300 975 708, 1-300-88-5465, 1800 123 4567) of
    Australia, Malaysia and Singapore, in the text's region or, with none known, the first where it is valid."""
    if scan.chinese or ("300" not in scan.text and "800" not in scan.text):
        return
    regions = scan.regions if scan.regions != _DEFAULT_ENGLISH else _SERVICE_REGIONS
    for match in _SERVICE_NUMBER.finditer(scan.text):
        start, end = match.span()
        if scan.free(start, end) and not _not_a_phone_context(scan, start, end):
            _national(scan, start, end, re.sub(r"\D", "", match.group()), regions, "service_number")


_EXTRACTORS = (
    _urls,
    _alipay,
    _emails,
    _messengers,
    _ids_after_messenger,
    _at_handles,
    _wallets,
    _ips,
    _bare_domains,
    _id_numbers,
    _foreign_id_numbers,
    _named_id_numbers,
    _wechat,
    _qq,
    _sort_code_accounts,
    _fps_ids,
    _accounts,
    _international,
    _eight_digit_local,
    _service_numbers,
    _digit_runs,
    _bank_named_accounts,
    _apps,
    _named_platforms,
    _known_apps,
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{2}")


def extract(
    text: str,
    *,
    reference_time: datetime | None = None,
    region: str | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> Extraction:
    """Find the identifiers, amounts and times in a report (涉案要素提取); spans index the original ``text``.

    ``reference_time`` (aware) anchors relative times (昨天, yesterday, 15:30); ``region`` is the dialling region
    of national-format numbers (by default CN for Chinese text, else the first of :data:`ENGLISH_REGIONS` in which
    the number is valid); ``timezone`` is the local time of the text.

    >>> found = extract("昨天下午3点，对方用微信 zhang_san88 让我转账3万元到卡号6222021234567890128")
    >>> [(f.kind.value, f.value) for f in found.identifiers]
    [('wechat', 'zhang_san88'), ('bank_account', '6222021234567890128')]
    >>> found.amounts[0].money.amount_minor
    3000000

    Cost: O(length of text) regular-expression passes; phone and domain libraries are called only on candidates
    that already have the right shape.
    """
    if reference_time is not None and reference_time.tzinfo is None:
        raise ValueError("reference_time must be timezone-aware")
    normalized = normalize(text)
    norm = normalized.text
    chinese = _HAN.search(norm) is not None
    scan = _Scan(normalized, chinese, region)
    for extractor in _EXTRACTORS:
        extractor(scan)
    identifiers = sorted(
        (
            found._replace(role=role_at(scan.lowered, start, end, found.kind, chinese=chinese))
            for found, (start, end) in zip(scan.found, scan.spans, strict=True)
        ),
        key=lambda found: (found.start, found.kind.value),
    )
    amounts = [
        FoundAmount(a.money, *_span(normalized, a.start, a.end), a.reason)
        for a in find_amounts(norm, chinese=chinese, region=region)
        if scan.free(a.start, a.end) and normalized.on_boundaries(a.start, a.end)
    ]
    times = [
        FoundTime(t.value, t.precision, *_span(normalized, t.start, t.end))
        for t in find_times(
            norm,
            reference=reference_time,
            zone=ZoneInfo(timezone),
            chinese=chinese,
            english=_LATIN.search(norm) is not None,
        )
        if scan.free(t.start, t.end) and normalized.on_boundaries(t.start, t.end)
    ]
    return Extraction(normalized=normalized, identifiers=identifiers, amounts=amounts, times=times)


def _span(normalized: NormalizedText, start: int, end: int) -> tuple[int, int, str]:
    first, last = normalized.to_original(start, end)
    return first, last, normalized.original[first:last]
