"""Synthetic identities: bank cards with real BINs and valid Luhn digits, phones, sites, apps, social IDs, wallets."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import base58
import numpy as np

from fanzha.model import Identifier, IdentifierKind

# Relative number of cards per bank: the big four hold most accounts.
_BANK_WEIGHT = {"ICBC": 9.0, "ABC": 8.0, "CCB": 8.0, "BOC": 6.0, "PSBC": 6.0, "BOCOM": 3.0, "CMB": 3.0}
_OTHER_BANK_WEIGHT = 1.5

_CN_MOBILE_PREFIXES = np.array(
    [130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155, 156, 157, 158, 159, 166, 170, 171, 173,
     176, 177, 180, 181, 182, 183, 185, 186, 187, 188, 189, 198, 199]
)  # fmt: skip
_SYLLABLES = (
    "hui", "tou", "jin", "cai", "bao", "fu", "xin", "da", "tong", "yun", "hua", "rong", "li", "ying", "an",
    "sheng", "shun", "tian", "hong", "wan", "jia", "kai", "long", "mei", "ping", "xing", "zhi", "qian", "hao",
)  # fmt: skip
_TLDS = ("com", "cc", "top", "vip", "xyz", "net", "cn", "shop", "app", "club", "com.cn", "live")
_SUBDOMAINS = ("www.", "m.", "h5.", "app.", "")
_PATHS = ("", "/download", "/h5/", "/register", "/invite", "/index.html", "/kefu", "/login")
_APP_HEADS = "汇鑫盈财富泰恒金融银信宝达腾瑞鼎安诚"
_APP_TAILS = ("理财", "证券", "资本", "pro", "国际", "投资", "商城", "钱包", "贷", "金服", "交易所", "优选")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文海波辉鹏飞宇浩然"


@dataclass(frozen=True)
class BankTable:
    """Card BINs (from ``fanzha.model`` data) and the banks that issue them."""

    bins: tuple[str, ...]
    bank_of_bin: np.ndarray  # index into ``banks``
    card_length: np.ndarray
    bin_weight: np.ndarray
    banks: tuple[str, ...]


@lru_cache(maxsize=1)
def bank_table() -> BankTable:
    """The bank-card BIN table shipped with :mod:`fanzha.model`."""
    text = resources.files("fanzha.model").joinpath("data/bank_bins.csv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    banks = tuple(dict.fromkeys(row["bank_code"] for row in rows))
    bank_of_bin = np.array([banks.index(row["bank_code"]) for row in rows], dtype=np.int16)
    per_bank = np.bincount(bank_of_bin, minlength=len(banks))
    weight = np.array([_BANK_WEIGHT.get(banks[b], _OTHER_BANK_WEIGHT) / per_bank[b] for b in bank_of_bin])
    return BankTable(
        bins=tuple(row["bin"] for row in rows),
        bank_of_bin=bank_of_bin,
        card_length=np.array([int(row["card_length"]) for row in rows]),
        bin_weight=weight / weight.sum(),
        banks=banks,
    )


def _luhn_complete(digits: np.ndarray) -> np.ndarray:
    """Append the Luhn check digit to each row of a digit matrix."""
    length = digits.shape[1] + 1
    doubled = ((length - 1 - np.arange(length - 1)) % 2) == 1
    values = digits.astype(np.int64)
    values[:, doubled] *= 2
    values[:, doubled] -= 9 * (values[:, doubled] > 9)
    check = (10 - values.sum(axis=1) % 10) % 10
    return np.concatenate([digits, check[:, None].astype(digits.dtype)], axis=1)


def _cards_of_bin(rng: np.random.Generator, bin_code: str, length: int, n: int) -> list[str]:
    head = np.tile(np.frombuffer(bin_code.encode("ascii"), dtype=np.uint8) - 48, (n, 1))
    body = rng.integers(0, 10, size=(n, length - 7), dtype=np.uint8)
    digits = _luhn_complete(np.concatenate([head, body], axis=1)) + 48
    cards: list[str] = np.ascontiguousarray(digits).view(f"S{length}").ravel().astype(str).tolist()
    return cards


def card_numbers(rng: np.random.Generator, n: int) -> tuple[list[str], np.ndarray]:
    """``n`` distinct bank card numbers (real BINs, valid Luhn) and the bank index of each.

    Cost: O(n) vectorised; duplicates (possible on 16-digit BINs) are redrawn.
    """
    table = bank_table()
    which = rng.choice(len(table.bins), size=n, p=table.bin_weight)
    cards: list[str] = [""] * n
    for b, bin_code in enumerate(table.bins):
        positions = np.flatnonzero(which == b)
        for position, card in zip(
            positions, _cards_of_bin(rng, bin_code, int(table.card_length[b]), len(positions)), strict=True
        ):
            cards[position] = card
    seen: set[str] = set()
    for index, card in enumerate(cards):
        while card in seen:
            redraw = int(which[index])
            card = _cards_of_bin(rng, table.bins[redraw], int(table.card_length[redraw]), 1)[0]
        cards[index] = card
        seen.add(card)
    return cards, table.bank_of_bin[which]


def _identifier(kind: IdentifierKind, raw: str) -> Identifier:
    parsed = Identifier.parse(kind, raw)
    return Identifier(kind=parsed.kind, value=parsed.value, valid=parsed.valid)


def _digits(rng: np.random.Generator, n: int) -> str:
    return "".join(str(d) for d in rng.integers(0, 10, size=n))


def scam_phone(rng: np.random.Generator) -> Identifier:
    """A scammer's phone: mostly Chinese mobiles (many on virtual operators 170/171), some from abroad."""
    roll = rng.random()
    if roll < 0.08:
        return _identifier(
            IdentifierKind.PHONE, "+639" + str(rng.choice([17, 18, 20, 27, 77])) + _digits(rng, 7)
        )
    if roll < 0.14:
        return _identifier(IdentifierKind.PHONE, "+855" + str(rng.choice([12, 15, 69, 97])) + _digits(rng, 6))
    prefix = int(rng.choice(_CN_MOBILE_PREFIXES))
    return _identifier(IdentifierKind.PHONE, f"+86{prefix}{_digits(rng, 8)}")


def _site_label(rng: np.random.Generator) -> str:
    label = "".join(rng.choice(_SYLLABLES, size=int(rng.integers(2, 4))))
    if rng.random() < 0.5:
        label += str(int(rng.integers(1, 999)))
    return label


def scam_url(rng: np.random.Generator) -> Identifier:
    """A scam site's URL (normalised): a pinyin-like domain on a cheap TLD, often with an invite code."""
    host = f"{rng.choice(_SUBDOMAINS)}{_site_label(rng)}.{rng.choice(_TLDS)}"
    path = str(rng.choice(_PATHS))
    query = f"?code={_digits(rng, 6)}" if rng.random() < 0.3 else ""
    return _identifier(IdentifierKind.URL, f"https://{host}{path}{query}")


def domain_of(url: Identifier) -> Identifier:
    """The registrable domain of a URL identifier."""
    return _identifier(IdentifierKind.DOMAIN, url.value)


def scam_app(rng: np.random.Generator) -> Identifier:
    """A scam app's name, such as 鑫盈理财."""
    head = "".join(rng.choice(list(_APP_HEADS), size=2))
    return _identifier(IdentifierKind.APP, head + str(rng.choice(_APP_TAILS)))


def scam_wechat(rng: np.random.Generator) -> Identifier:
    """A WeChat ID."""
    if rng.random() < 0.4:
        return _identifier(IdentifierKind.WECHAT, "wxid_" + _site_label(rng)[:8] + _digits(rng, 4))
    return _identifier(IdentifierKind.WECHAT, _site_label(rng)[:10] + _digits(rng, int(rng.integers(2, 6))))


def scam_qq(rng: np.random.Generator) -> Identifier:
    """A QQ number."""
    return _identifier(
        IdentifierKind.QQ, str(int(rng.integers(1, 10))) + _digits(rng, int(rng.integers(7, 10)))
    )


def scam_wallet(rng: np.random.Generator) -> Identifier:
    """A crypto wallet: mostly TRON (USDT-TRC20), some Ethereum."""
    payload = rng.integers(0, 256, size=20, dtype=np.uint8).tobytes()
    if rng.random() < 0.8:
        return _identifier(
            IdentifierKind.CRYPTO_WALLET, base58.b58encode_check(b"\x41" + payload).decode("ascii")
        )
    return _identifier(IdentifierKind.CRYPTO_WALLET, "0x" + payload.hex())


def holder_name(rng: np.random.Generator) -> str:
    """A synthetic account-holder name (surname and one or two given characters)."""
    given = "".join(rng.choice(list(_GIVEN), size=int(rng.integers(1, 3))))
    return str(rng.choice(list(_SURNAMES))) + given


def bank_account(card: str) -> Identifier:
    """A bank account identifier for a card number."""
    return _identifier(IdentifierKind.BANK_ACCOUNT, card)
