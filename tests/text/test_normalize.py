from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fanzha.text import NormalizedText, normalize


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("ＡＢＣ１２３，：（）", "ABC123,:()"),
        ("電話號碼與銀行帳戶", "电话号码与银行帐户"),
        ("微\u200b信\ufeff号", "微信号"),
        ("進(jìn)步 微(wēi)信", "进步 微信"),
        ("公司(abc)", "公司(abc)"),
        ("加微 信、v信、VX、薇信、威信、徽信", "加微信、微信、微信、微信、微信、微信"),
        ("威信县", "威信县"),
        ("扣扣 企鹅号 企鹅很可爱", "QQ QQ号 企鹅很可爱"),
        ("138 1234 5678|138-1234-5678|138.1234.5678", "13812345678|13812345678|13812345678"),
        ("一三八一二三四五六七八", "13812345678"),
        ("幺三九洞洞幺三九洞洞幺", "13900139001"),
        ("6222 0212 3456 7890 128", "6222021234567890128"),
        ("(021) 5432 1987", "(02154321987"),
        ("2024-05-03 3.5万 192.168.1.10", "2024-05-03 3.5万 192.168.1.10"),
        ("abc-invest[.]top hxxps://x点com", "abc-invest.top https://x.com"),
        ("<p>微<b>信</b>&nbsp;abc</p><script>var a=1;</script>", "\n微信 abc\n "),
        ("京ICP备12345678号 客服", "  客服"),
        ("e\u0301te", "\u00e9te"),
        ("plain ascii stays", "plain ascii stays"),
    ],
)
def test_normalize(raw: str, text: str) -> None:
    assert normalize(raw).text == text


def test_offsets_point_back_to_the_original_span() -> None:
    normalized = normalize("電話：１３８ １２３４ ５６７８ 轉帳")
    start = normalized.text.index("13812345678")
    assert normalized.original_slice(start, start + 11) == "１３８ １２３４ ５６７８"
    assert normalized.to_original(0, 0) == (0, 0)


def test_replacement_spans_all_its_source_characters() -> None:
    normalized = normalize("加扣扣&amp;好友")
    assert normalized.text == "加QQ&好友"
    assert normalized.original_slice(1, 3) == "扣扣"
    assert normalized.original_slice(3, 4) == "&amp;"


def test_span_outside_the_text_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        normalize("abc").to_original(2, 5)


def _check_map(normalized: NormalizedText) -> None:
    size = len(normalized.original)
    assert len(normalized.offsets) == len(normalized.ends) == len(normalized.text)
    previous_start = previous_end = 0
    for start, end in zip(normalized.offsets, normalized.ends, strict=True):
        assert 0 <= start < end <= size
        assert start >= previous_start
        assert end >= previous_end
        previous_start, previous_end = start, end


_PIECES = st.sampled_from(
    ["微 信", "扣扣", "１３８", " 1234 ", "5678", "一三八", "<b>", "</p>", "&amp;", "\u200b", "(jìn)", "進", "[.]",
     "e\u0301", "㈱", "½", "\r\n", "VX", "点com", "0755-", "-"]
)  # fmt: skip


@given(st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=14).map("".join))
def test_offset_map_is_monotone_and_in_range(raw: str) -> None:
    _check_map(normalize(raw))


@given(st.text())
def test_offset_map_holds_for_arbitrary_unicode(raw: str) -> None:
    _check_map(normalize(raw))
