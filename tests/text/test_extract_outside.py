"""Identifiers and amounts as people outside the mainland and outside the project write them (issue 11).

Each case is a form that was missed or misread before: grouped ID numbers, accounts after a bank's name or 戶口,
Hong Kong numbers read out digit by digit, LINE and Telegram handles, sender tags, the currencies of Taiwan, Hong
Kong, Singapore, Malaysia and Australia, sums without a currency after a money word, and counts that are not money.
"""

from __future__ import annotations

import pytest

from fanzha.model import IdentifierKind, normalize_identifier
from fanzha.text import extract


def _identifiers(text: str, region: str | None = None) -> set[tuple[str, str]]:
    return {(f.kind.value, f.value) for f in extract(text, region=region).identifiers}


def _amounts(text: str, region: str | None = None) -> list[tuple[int, str]]:
    return [(a.money.amount_minor, a.money.currency) for a in extract(text, region=region).amounts]


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("身份证号 310104 19880315 2615，对方让我报给他", None, {("id_number", "310104198803152615")}),
        (
            "請匯款到帳戶：中國信託 822-1234-5678-9012，戶名王小明",
            "TW",
            {("bank_account", "822123456789012")},
        ),
        ("將錢轉入匯豐戶口 004-123-456789-001，之後佢就冇回覆", "HK", {("bank_account", "004123456789001")}),
        ("佢叫我打 9 1 2 3 4 5 6 7 搵佢", "HK", {("phone", "+85291234567")}),
        ("Please transfer to DBS 012-345678-9 immediately", "SG", {("bank_account", "0123456789")}),
        ("sort code 20-45-67 account 12345678", None, {("bank_account", "20456712345678")}),
        ("BSB 062-000 account 1234 5678", "AU", {("bank_account", "06200012345678")}),
        ("加LINE ID: job_happy888 詢問，名額有限", "TW", {("line", "job_happy888")}),
        ("請加賴 @abc_123 領取", "TW", {("line", "abc_123")}),
        ("Someone added me on LINE (ID: lucky_rose_77) last week", None, {("line", "lucky_rose_77")}),
        ("Add me on Telegram @crypto_mentor88 for signals", None, {("telegram", "crypto_mentor88")}),
        ("TG：@usdt_otc_king 私聊", None, {("telegram", "usdt_otc_king")}),
        ("I waited in line for an hour, then joined the Telegram group", None, set()),
        ("【国家反诈中心】提醒您：公检法机关不会通过电话办案", None, set()),
        ("陌生来电请勿轻信，遇到可疑情况请拨打96110。【国家反诈中心】", None, {("phone", "96110")}),
        ("请下载【国家反诈中心】", None, {("app", "国家反诈中心")}),
        ("DBS hotline 1800 111 1111", "SG", {("phone", "+6518001111111")}),
        ("拨打9 3 1 5 1 2 3 2 8 3 9问过相关部门", "HK", set()),
    ],
)
def test_identifiers_as_written_outside(
    text: str, region: str | None, expected: set[tuple[str, str]]
) -> None:
    assert _identifiers(text, region) >= expected if expected else _identifiers(text, region) == expected


def test_a_sender_tag_is_still_an_app_where_the_text_installs_it() -> None:
    assert ("app", "国家反诈中心") in _identifiers("民警让我下载「国家反诈中心」APP，开启来电预警")


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("新臺幣45萬元", "TW", [(45_000_000, "TWD")]),
        ("新臺幣45萬元", None, [(45_000_000, "TWD")]),
        ("我被騙了NT$3,000", None, [(300_000, "TWD")]),
        ("對方要我先匯3萬元", "TW", [(3_000_000, "TWD")]),
        ("轉了港幣2萬俾佢", "HK", [(2_000_000, "HKD")]),
        ("俾咗5千蚊訂金", None, [(500_000, "HKD")]),
        ("已經轉咗$8,000俾佢", "HK", [(800_000, "HKD")]),
        ("您尾号1234的账户余额28,911.46", None, [(2_891_146, "CNY")]),
        ("转账人民币15,320.00", None, [(1_532_000, "CNY")]),
        ("合同款 48 万元", None, [(48_000_000, "CNY")]),
        ("I sent S$4,500 to them", None, [(450_000, "SGD")]),
        ("she paid $300 for the tickets", "SG", [(30_000, "SGD")]),
        ("transferred RM 3,000 to him", None, [(300_000, "MYR")]),
        ("paid A$1,200 via PayID", None, [(120_000, "AUD")]),
        ("my mother sent 20,000 yuan to the card", None, [(2_000_000, "CNY")]),
        ("涉案金额1.12亿", None, [(11_200_000_000, "CNY")]),
    ],
)
def test_amounts_keep_their_currency(text: str, region: str | None, expected: list[tuple[int, str]]) -> None:
    assert _amounts(text, region) == expected


@pytest.mark.parametrize(
    "text",
    [
        "今年破获电诈案件40万起，抓获1.12亿名",
        "全市共有1.12億司機",
        "共破案3万余宗",
        "账户尾号1234",
        "余额查询请拨95588",
    ],
)
def test_counts_are_not_money(text: str) -> None:
    assert _amounts(text) == []


def test_messenger_handles_normalise_without_their_at_sign() -> None:
    assert normalize_identifier(IdentifierKind.TELEGRAM, "@Crypto_King").value == "crypto_king"
    assert normalize_identifier(IdentifierKind.LINE, "@Shop.TW-88") == ("shop.tw-88", True)
    assert not normalize_identifier(IdentifierKind.TELEGRAM, "@1abc").valid


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("身分證 A123456789", None, {("id_number", "A123456789")}),
        ("佢嘅身份證號碼係 A123456(3)", "HK", {("id_number", "A1234563")}),
        ("his IC S1234567D", None, {("id_number", "S1234567D")}),
        ("order A123456789 shipped", None, set()),
        ("你转到6214 8365 0012 7748，户名张国华", None, {("bank_account", "6214836500127748")}),
        (
            "把U打到这个地址 TiWRs5K4BrLKnEqtaXVKUNWv4UN5PzS4bN 就行",
            None,
            {("crypto_wallet", "TiWRs5K4BrLKnEqtaXVKUNWv4UN5PzS4bN")},
        ),
        ("我爸說他在一個叫「華創證券」的網站買了新股", None, {("app", "华创证券")}),
        ("crypto on an app called BitPrime and I made", None, {("app", "bitprime")}),
        ("警方提醒：不要下载不明APP", None, set()),
        ("你加我LINE吧：lily_0923tw，我在台北", "TW", {("line", "lily_0923tw")}),
        ("經Telegram群組 @hk_easyjob 接觸", "HK", {("telegram", "hk_easyjob")}),
        ("有意者加V：zhl_8826 备注", None, {("wechat", "zhl_8826")}),
        ("你先加我微信 wx-shanghai_jf2026，我发照片给你", None, {("wechat", "wx-shanghai_jf2026")}),
        ("PayNow to 8123 4567 and send the slip", "SG", {("phone", "+6581234567")}),
        ("對方個WhatsApp號碼係 5398 1207。", "HK", {("phone", "+85253981207")}),
        ("對方解凍帳戶是華南銀行(008) 1182-0045-7361。", "TW", {("bank_account", "118200457361")}),
        ("RM 5,000 into Bank Rakyat 1102 9875 4411 or they", "MY", {("bank_account", "110298754411")}),
    ],
)
def test_more_forms_written_outside(text: str, region: str | None, expected: set[tuple[str, str]]) -> None:
    assert _identifiers(text, region) == expected


def test_a_card_or_wallet_that_fails_its_checksum_is_kept_as_invalid() -> None:
    (card,) = extract("你转到6214 8365 0012 7748，户名张国华").identifiers
    assert not card.valid
    assert card.reason == "unionpay_failing_luhn"
    (wallet,) = extract("地址 TiWRs5K4BrLKnEqtaXVKUNWv4UN5PzS4bN").identifiers
    assert not wallet.valid
    assert wallet.reason == "wallet_shape"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("你先转3000过来", [(300_000, "CNY")]),
        ("先给您做一个征信优化，优化费是三千八。", [(380_000, "CNY")]),
        ("一张只要980，比官网便宜一半", [(98_000, "CNY")]),
        ("充值100返130", [(10_000, "CNY"), (13_000, "CNY")]),
        ("转入尾号4417的账户", []),
        ("转了3次", []),
        ("给你打8折", []),
        ("价值投资交流18群", []),
        ("平台上显示已经赚到200多万", []),
    ],
)
def test_bare_sums_after_a_money_word(text: str, expected: list[tuple[int, str]]) -> None:
    assert _amounts(text) == expected


def test_partial_numbers_are_told_apart_in_scoring() -> None:
    from fanzha.text.blind import is_partial

    assert is_partial("4417", "bank_account")
    assert is_partial("6217****3341", "bank_account")
    assert not is_partial("6217 0000 1234 5678 904", "bank_account")
    assert not is_partial("abc_123", "line")


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        # eight-digit numbers after the apps that pay or message them, also where no region is known
        ("pls PayNow the deposit to 9345 1287 tonight", None, {("phone", "+6593451287")}),
        ("佢叫我加WhatsApp 6734 2210 再傾", "HK", {("phone", "+85267342210")}),
        # shared-cost and toll-free numbers in groups
        ("ring the hotline on 1300 555 019 if unsure", "AU", {("phone", "+611300555019")}),
        ("Sila hubungi 1-300-88-1234 untuk pertanyaan", "MY", {("phone", "+601300881234")}),
        ("请拨打 400 612 7788 人工服务", None, {("phone", "+864006127788")}),
        # international numbers dialled with 00 after a word that names the call
        ("您接听的来电00852-6612-3456为境外号码", None, {("phone", "+85266123456")}),
        # accounts after a bank's name: a region in brackets, a 400… account that is no hotline
        ("入錢去 中國銀行(香港) 012-885-1-234567-8 就得", "HK", {("bank_account", "01288512345678")}),
        ("過數到 滙豐 400-771234-838 先", "HK", {("bank_account", "400771234838")}),
        ("先過數去轉數快ID 1234567，收到即寄", "HK", {("bank_account", "1234567")}),
        # Telegram names with their @ and no app word right before; LINE and Telegram IDs a few words on
        ("截图后发给客服 @coin_helpdesk 激活账户", None, {("telegram", "coin_helpdesk")}),
        ("Slots are limited. Admin: @AlphaYield_Desk", None, {("telegram", "alphayield_desk")}),
        ("她說用LINE聊比較方便，ID是 sunny.lin0915，加我喔", "TW", {("line", "sunny.lin0915")}),
        # identity numbers after their word
        ("my IC 880412-10-5521 and bank details", "MY", {("id_number", "880412105521")}),
        ("the caller already had my SSN 219-09-9999", "US", {("id_number", "219099999")}),
        ("he kept my passport K12345678 for the visa", None, {("id_number", "K12345678")}),
        # domains under second-level and newer suffixes, a brand's capital before a word-like suffix
        ("Report it at scamwatch.gov.au or call us", "AU", {("domain", "scamwatch.gov.au")}),
        ("finish your claim at parcel-refunds.help now", None, {("domain", "parcel-refunds.help")}),
        ("Bought it on Mudah.my from a stranger", "MY", {("domain", "mudah.my")}),
    ],
)
def test_numbers_handles_and_sites_written_outside_the_project(
    text: str, region: str | None, expected: set[tuple[str, str]]
) -> None:
    assert expected <= _identifiers(text, region)


@pytest.mark.parametrize(
    "text",
    [
        "【福利彩票】开奖号码：红球 03 11 17 22 26 31 蓝球 09",
        "Then we went home.Ca va bien",
        "使用 LINE POINTS 折抵 12點",
        "Follow us on Instagram @shop_daily_sg for deals",
        "订单号 6228480455613920776 已发货",
    ],
)
def test_look_alikes_of_those_forms_are_left_alone(text: str) -> None:
    assert _identifiers(text) == set()
