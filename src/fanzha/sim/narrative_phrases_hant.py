"""Traditional-Chinese phrasebook of victim reports (繁體中文報案話術): Taiwan and Hong Kong usage.

The simplified phrasebook is converted once, at import, with OpenCC's Taiwan-phrase table (``s2twp``: 軟體, 簡訊,
螢幕, 網路) and fixed up where Taiwan writes otherwise (帳戶, 轉帳, 註銷, 平台); lines only a Taiwan or Hong Kong
victim would write (臉書, LINE, 詐騙集團, 超商) are added per fraud type. Nothing is converted per narrative: the
renderer translates its own few amount and time characters with :data:`HANT_CHARACTERS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import opencc

from fanzha.model import AgeBand, IdentifierKind, Language
from fanzha.sim.narrative_book import FraudScript, Phrasebook
from fanzha.sim.narrative_phrases_zh import BOOK as SIMPLIFIED

K = IdentifierKind

FIXUPS: tuple[tuple[str, str], ...] = (
    ("賬", "帳"), ("登出", "註銷"), ("平臺", "平台"), ("質量", "品質"), ("提現", "提領"), ("“", "「"), ("”", "」"),
    ("視頻", "影片"), ("點贊", "按讚"), ("微訊號", "微信號"), ("短視頻", "短影音"), ("小紅書", "IG"), ("抖音", "TikTok"),
)  # fmt: skip
"""Where Taiwan usage differs from what the phrase table gives."""

HANT_CHARACTERS = str.maketrans(
    {
        "万": "萬", "块": "塊", "币": "幣", "贰": "貳", "陆": "陸", "两": "兩", "点": "點", "礼": "禮", "周": "週",
        "号": "號", "个": "個", "钱": "錢", "汇": "匯", "财": "財", "资": "資", "际": "際", "证": "證", "贷": "貸",
        "优": "優", "选": "選", "银": "銀", "宝": "寶", "达": "達", "腾": "騰", "诚": "誠", "讯": "訊", "会": "會",
        "议": "議", "国": "國", "鑫": "鑫", "融": "融", "门": "門", "长": "長", "东": "東", "庆": "慶", "顺": "順",
    }
)  # fmt: skip
"""Simplified → traditional for the characters the renderer writes itself (amounts, times, app names)."""

EXTRA: dict[str, FraudScript] = {
    "brushing_rebate": FraudScript(
        openings=(
            "我在臉書上看到在家打工的廣告，加了LINE以後對方說按讚就有錢賺",
            "朋友傳給我一個LINE群組說做任務可以領佣金",
        ),
        realised=("我才發現遇到詐騙集團了",),
    ),
    "fake_investment": FraudScript(
        openings=(
            "我在臉書看到一個投資老師的廣告，點進去加了LINE群組",
            "有個自稱分析師的人在LINE上帶我們操作股票",
        ),
        steps=("群組裡的助理說這是內線消息，叫我們把錢匯進去",),
        realised=("我去問了證券公司，才知道是假投資詐騙",),
    ),
    "fake_shopping": FraudScript(
        openings=("我在臉書社團看到有人賣二手iPhone，價錢很便宜", "在蝦皮以外的地方跟賣家私下交易"),
        steps=("賣家叫我先匯款，說收到錢就寄出",),
    ),
    "fake_customer_service": FraudScript(
        openings=(
            "接到自稱網購客服的電話，說我的訂單被設定成分期付款，要幫我解除",
            "自稱購物網站的客服打來，說工作人員疏失把我升級成批發商，每個月會自動扣款",
            "有人打來說是宅配公司，說我的包裹弄丟了要賠償我",
        ),
        steps=(
            "對方叫我去提款機操作解除分期",
            "銀行專員又打來，叫我照著指示匯款",
            "對方叫我去超商買遊戲點數，說是要驗證帳戶",
            "他說要先確認我的帳戶有沒有被盜用，叫我用網路銀行轉一筆錢過去",
        ),
        realised=("我打去購物網站的官方客服，對方說根本沒有這筆訂單",),
        tips=("這個號碼假冒網購客服，說要解除分期付款，叫人去提款機操作",),
    ),
    "fake_loan": FraudScript(
        openings=("我在臉書看到免保人快速借款的廣告",), steps=("對方說要先匯保證金才能撥款",)
    ),
    "fake_credit": FraudScript(openings=("接到電話說我的信用紀錄有問題，要幫我處理",)),
    "impersonate_acquaintance": FraudScript(
        openings=("有人用LINE傳訊息給我，大頭貼是我姪子，說他換了新帳號",),
        steps=("他說急著要付貨款，叫我先幫他匯款",),
    ),
    "impersonate_authority": FraudScript(
        openings=(
            "接到自稱健保局的電話，說我的健保卡被盜用",
            "對方說是警察局的，說我的帳戶被詐騙集團當成人頭帳戶",
        ),
        steps=("他說要監管我的帳戶，叫我把錢領出來交給專員",),
    ),
    "romance": FraudScript(
        openings=("在交友軟體上認識一個自稱在外國當醫生的人", "IG上有個外國人私訊我，後來都用LINE聊天"),
    ),
    "game_trading": FraudScript(openings=("在遊戲裡有人說要高價買我的帳號",)),
    "other_fraud": FraudScript(
        openings=(
            "在網路上租屋，房東說人在國外，叫我先匯訂金再寄鑰匙給我",
            "有人在LINE上說可以幫我追回被騙的錢，要先付律師費",
            "收到簡訊說我的電信點數快到期了，可以兌換現金",
        ),
        realised=("匯完錢對方就封鎖我了",),
    ),
    "not_fraud": FraudScript(
        openings=(
            "房東租約到期不退押金，說要扣清潔費",
            "我在超商取貨付款，東西跟網頁上寫的不一樣，賣家說可以退貨但一直沒處理",
            "我的機車停在巷口被偷了",
        ),
        steps=("我有打去店家的門市確認，是正常的售後流程",),
        tips=(
            "收到簡訊說我的包裹配送失敗，後來問了才知道是真的",
            "收到中華郵政的包裹招領通知，我到郵局領了，沒有問題",
            "收到電費帳單的簡訊，我用官方網站查過金額一樣",
        ),
    ),
}
"""Lines only a Taiwan or Hong Kong victim would write, added to the converted scripts."""

VOICE: Mapping[AgeBand, tuple[str, ...]] = {
    AgeBand.A60_PLUS: ("我年紀大了不太會用手機，都是照著對方說的做",),
    AgeBand.A18_25: ("我還是學生，這是我打工存的錢",),
}

_TW_PLEAS = ("請幫我追回被騙的錢", "拜託警察幫幫我", "麻煩幫我查一下")
_TW_TIP_OPENERS = ("我要檢舉", "檢舉詐騙", "提供線索")


def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("s2twp")


def _convert_all(book: Phrasebook) -> Phrasebook:
    converter = _converter()

    def one(text: str) -> str:
        converted: str = converter.convert(text)
        for old, new in FIXUPS:
            converted = converted.replace(old, new)
        return converted

    def many(texts: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(one(t) for t in texts)

    def script(s: FraudScript) -> FraudScript:
        return FraudScript(
            names=many(s.names),
            openings=many(s.openings),
            steps=many(s.steps),
            pressure=many(s.pressure),
            realised=many(s.realised),
            tips=many(s.tips),
            mentions={k: many(v) for k, v in s.mentions.items()},
        )

    scripts = {code: script(s) for code, s in book.scripts.items()}
    for code, extra in EXTRA.items():
        scripts[code] = extra.extended_by(scripts[code])
    return replace(
        book,
        language=Language.ZH_HANT,
        scripts=scripts,
        mentions={k: many(v) for k, v in book.mentions.items()},
        innocent={k: many(v) for k, v in book.innocent.items()},
        rails={k: many(v) for k, v in book.rails.items()},
        paid=many(book.paid),
        paid_again=many(book.paid_again),
        paid_untimed=many(book.paid_untimed),
        paid_to_card=many(book.paid_to_card),
        paid_total=many(book.paid_total),
        lead=many(book.lead),
        short=many(book.short),
        fear=many(book.fear),
        pleas=many(book.pleas) + _TW_PLEAS,
        tip_openers=many(book.tip_openers) + _TW_TIP_OPENERS,
        tip_closers=many(book.tip_closers),
        voice={band: many(lines) + VOICE.get(band, ()) for band, lines in book.voice.items()},
        typos=(("帳", "賬"), ("在", "再"), ("的", "得"), ("已經", "以經"), ("裡", "裏")),
        bank_names={code: one(name) for code, name in book.bank_names.items()},
        platform_names={key: one(name) for key, name in book.platform_names.items()},
        omitted={k: many(v) for k, v in book.omitted.items()},
        holder=(),
        unnamed_bank="銀行",
    )


BOOK = _convert_all(SIMPLIFIED)
"""The traditional-Chinese phrasebook."""
