"""The fast forms of the extraction patterns find exactly what their plain forms found.

Most patterns of the text room were rewritten for speed: they open with the character they consume and look back
at it (``X(?<!Y.)`` for ``(?<!Y)X``), dispatch on it, and ignore case only after it. ``data/reference_patterns.json``
holds the plain forms they replaced, as they stood before; here both run on the same text and must agree on every
span and group.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from corpus import REPORTS
from hypothesis import given, settings
from hypothesis import strategies as st

import fanzha.text
from fanzha.text.evaluate import load_eval_set

_REFERENCE = json.loads((Path(__file__).parent / "data" / "reference_patterns.json").read_text("utf-8"))
_MODULES = {
    name: sys.modules[f"fanzha.text.{name}"] for name in ("identifiers", "normalize", "amounts", "times")
}
normalize = fanzha.text.normalize

Projection = Callable[[re.Match[str]], Any]


def _spans_and_groups(match: re.Match[str]) -> Any:
    return match.span(), match.groups()


def _span_and_kind(match: re.Match[str]) -> Any:
    return match.span(), match.lastgroup


def _old_amount(match: re.Match[str]) -> Any:
    number = match.group("snum") or match.group("bnum")
    named = ("pcur", "pnum", "pslang", "punit", "pence", "sslang", "scur", "bslang")
    return match.span(), number, *(match.group(name) for name in named)


def _new_amount(match: re.Match[str]) -> Any:
    from_start = _MODULES["amounts"]._from_start
    number = from_start(match, "num")
    return (
        match.span(),
        number,
        from_start(match, "pcur"),
        match.group("pnum"),
        match.group("pslang"),
        match.group("punit"),
        from_start(match, "pence"),
        match.group("sslang"),
        match.group("scur"),
        match.group("bslang"),
    )


_CASES: dict[str, tuple[Projection, Projection]] = {
    "identifiers._WALLET": (_spans_and_groups, _spans_and_groups),
    "identifiers._ID_NUMBER": (_spans_and_groups, _spans_and_groups),
    "identifiers._DIGIT_RUN": (_spans_and_groups, _spans_and_groups),
    "identifiers._LOCAL_EIGHT": (_spans_and_groups, _spans_and_groups),
    "identifiers._BARE_DOMAIN": (_spans_and_groups, _spans_and_groups),
    "identifiers._WECHAT": (_spans_and_groups, _spans_and_groups),
    "identifiers._QQ": (_spans_and_groups, _spans_and_groups),
    "identifiers._URL": (_spans_and_groups, _spans_and_groups),
    "identifiers._ACCOUNT": (_spans_and_groups, _spans_and_groups),
    "identifiers._APP": (_spans_and_groups, _spans_and_groups),
    "normalize._CN_DIGIT_RUN": (_spans_and_groups, _spans_and_groups),
    "normalize._EVASION": (_span_and_kind, _span_and_kind),
    "amounts._AMOUNT": (_old_amount, _new_amount),
    "times._ZH_ANCHOR": (_spans_and_groups, _spans_and_groups),
}


def _pair(name: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    pattern, flags = _REFERENCE[name]
    module, attribute = name.split(".")
    current: re.Pattern[str] = getattr(_MODULES[module], attribute)
    return re.compile(pattern, flags), current


def _found(pattern: re.Pattern[str], text: str, project: Projection) -> list[Any]:
    return [project(match) for match in pattern.finditer(text)]


def _assert_same(texts: Iterable[str]) -> None:
    for name, (old_projection, new_projection) in _CASES.items():
        plain, fast = _pair(name)
        for text in texts:
            assert _found(fast, text, new_projection) == _found(plain, text, old_projection), (name, text)
    _assert_same_split_digits(texts)


def _assert_same_split_digits(texts: Iterable[str]) -> None:
    """The split-digit pattern now refuses groups of fewer than ten digits itself: the rewrite must not change."""
    module = _MODULES["normalize"]
    plain, fast = _pair("normalize._SPLIT_DIGITS")
    for text in texts:
        track = module._Track(text, range(len(text)), range(1, len(text) + 1))
        assert module._rewrite(track, fast, module._join_digits) == module._rewrite(
            track, plain, module._join_digits
        ), text


def _corpus() -> list[str]:
    texts = [message.text for message in load_eval_set()] + [case.text for case in REPORTS]
    return texts + [normalize(text).text for text in texts]


def test_the_fast_patterns_agree_with_the_plain_ones_on_the_written_corpora() -> None:
    _assert_same(_corpus())


_PIECES = [
    "微信", "微 信", "v信", "vx", "V X", "wx", "Wei信", "薇信", "威信县", "扣扣", "企鹅号", "q q", "QQ号:", "hxxps://",
    "abc", "点", "。", "[.]", "(dot)", " dot ", "com", "cn", "www.", "http://", "HTTPS://", "a.b", "-x.top/p",
    "账户", "收款账号", "卡号", "银行卡号", "account no.", "A/C", "acct", "微信号", "支付宝", "WeChat ID:",
    "下载", "安装了一款", "注册", "登陆", "「", "」", "《云聚》", "APP", "app called ", '"X"', "Application",
    "PLATFORM ", "download the ", "Installed ", "软件", "平台", "客户端", "叫", "名为",
    "138", "1234", "5678", "6222", " ", "-", "(", ")", ",", ".", "0x", "bc1q", "1Bv", "T", "X", "11010519491231002",
    "元", "块", "万", "亿", "千", "十", "三", "五", "两", "一", "零", "叁", "¥", "$", "£", "€", "USD", "usdt", "Rmb",
    "HK$", "人民币", "GBP", "eur", "p", "P", "k", "w", "U", "个", "次", "年", "月", "日", "号", "点", "时", "天前",
    "今天", "昨晚", "大前天", "上上周", "星期三", "礼拜天", "下午", "凌晨", "早上", "半夜", "2024", "5", "12", ":30",
]  # fmt: skip
_TEXT = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)), max_size=20).map("".join)


@settings(max_examples=400)
@given(_TEXT)
def test_the_fast_patterns_agree_with_the_plain_ones_on_any_text(text: str) -> None:
    _assert_same([text])


@pytest.mark.parametrize("name", sorted(_CASES))
def test_every_rewritten_pattern_has_its_plain_form(name: str) -> None:
    plain, fast = _pair(name)
    assert plain.pattern != fast.pattern
