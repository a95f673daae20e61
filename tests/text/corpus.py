"""Hand-written victim reports (simplified, traditional, English) with the identifiers each one names.

Shared by the example tests and the throughput test. Card numbers pass Luhn, wallets their checksums, and the
resident ID number is the standard's own example; none belongs to a real person.
"""

from __future__ import annotations

from typing import NamedTuple


class Case(NamedTuple):
    text: str
    expected: frozenset[tuple[str, str]]
    """(kind, value) pairs the report names; extraction must find exactly these."""


def _pairs(*pairs: tuple[str, str]) -> frozenset[tuple[str, str]]:
    return frozenset(pairs)


REPORTS: tuple[Case, ...] = (
    Case(
        "报案人称：2024年5月3日晚上8点左右，接到自称京东客服的电话（来电号码 138-1234-5678），称我的金条额度异常需要注销，"
        "否则影响征信。对方让我下载「云会议」APP开启屏幕共享，随后按其指示向对方提供的账户转账。第一笔转到卡号"
        "6222 0212 3456 7890 128（工商银行），共计人民币叁万元；第二笔通过支付宝转给 zhangwei_pay@163.com 5000元。"
        "后来对方又让我加他的薇信：kefu_jd2024 继续操作，我才发觉被骗。订单号20240503123456789。",
        _pairs(
            ("phone", "+8613812345678"),
            ("app", "云会议"),
            ("bank_account", "6222021234567890128"),
            ("alipay", "zhangwei_pay@163.com"),
            ("wechat", "kefu_jd2024"),
        ),
    ),
    Case(
        "受害人于昨天下午3点在抖音看到兼职刷单广告，加了对方扣扣：一二三四五六七八九，对方发来网址 hxxps://shua-dan[.]top/task "
        "让其注册。先做了两单小额任务返利成功，之后被要求做“联单任务”，分三次向对方指定账户 6217 0012 3456 7890 11 转账3.5万、"
        "2万、三万五，对方以操作失误为由拒绝返款。对方客服电话 0755-86001234，另有一个联系人手机 1 3 9 0 0 1 3 9 0 0 1。",
        _pairs(
            ("qq", "123456789"),
            ("bank_account", "621700123456789011"),
            ("url", "https://shua-dan.top/task"),
            ("domain", "shua-dan.top"),
            ("phone", "+8675586001234"),
            ("phone", "+8613900139001"),
        ),
    ),
    Case(
        "在婚戀網站認識一名自稱在香港做投資的男子，他教我在「寶利金融」平台買黃金，平台網址 www.baoli-gold.vip ，"
        "入金要把錢轉到他給的USDT地址 TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t 。我前後轉了 500 USDT 和人民幣 ¥30,000，"
        "現在平台無法提現，客服說要先交20%保證金。他的WhatsApp是 +852 6123 4567。",
        _pairs(
            ("app", "宝利金融"),
            ("url", "http://www.baoli-gold.vip"),
            ("domain", "baoli-gold.vip"),
            ("crypto_wallet", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
            ("phone", "+85261234567"),
        ),
    ),
    Case(
        "冒充公检法：对方自称上海市公安局民警，警号 031245，称我涉嫌洗钱案，要求我把资金转到“安全账户”进行核查。"
        "对方用座机 (021) 5432 1987 打来，又让我登录 http://www.gov-safe.cc/check 填写银行卡信息和身份证号码，"
        "我填了卡号 6228480012345678903 和验证码。后来银行95599来电提醒我才报警。",
        _pairs(
            ("phone", "+862154321987"),
            ("url", "http://www.gov-safe.cc/check"),
            ("domain", "gov-safe.cc"),
            ("bank_account", "6228480012345678903"),
            ("phone", "95599"),
        ),
    ),
    Case(
        'I met a man on a dating app who said he was an engineer in Dubai. He asked me to download the app "CoinMax Pro" '
        "and invest. Yesterday at 3pm I sent $500 and then USD 2,000 to his ETH wallet "
        "0x52908400098527886E0F7030069857D2E4169EE7. His number is +44 7911 123456 and his email is "
        "david.miller.eng@gmail.com. The site was coinmax-pro.xyz. Order ref 18812345678901 is not his phone.",
        _pairs(
            ("app", "coinmaxpro"),
            ("crypto_wallet", "0x52908400098527886E0F7030069857D2E4169EE7"),
            ("phone", "+447911123456"),
            ("email", "david.miller.eng@gmail.com"),
            ("domain", "coinmax-pro.xyz"),
        ),
    ),
    Case(
        "网购退款诈骗：5月3日我在淘宝买了衣服，随后有人自称客服，来电号码为400-820-8820，称快递丢失要理赔，"
        "让我加微(wēi)信 tb_kefu_01 并扫码进入“理赔中心”，按要求在备用金平台借款后转给对方，共转账两万三千元。"
        "快递单号 SF1234567890123，对方转账用的是 ٢ 号卡。",
        _pairs(
            ("phone", "+864008208820"),
            ("wechat", "tb_kefu_01"),
        ),
    ),
    Case(
        "虚假贷款：看到短信说可以无抵押贷款20万，点开链接 http://dai-kuan.shop/reg?id=88 下载了名为“速贷通”的软件，"
        "申请贷款后被告知银行卡号填错导致资金冻结，需要交解冻金。我通过银行转账到对方个人账户 6214830212345671，"
        "户名王某，转了 8,800元。对方QQ号 987654321，电话 15012345678。我的身份证号码 11010519491231002X。",
        _pairs(
            ("url", "http://dai-kuan.shop/reg?id=88"),
            ("domain", "dai-kuan.shop"),
            ("app", "速贷通"),
            ("bank_account", "6214830212345671"),
            ("qq", "987654321"),
            ("phone", "+8615012345678"),
            ("id_number", "11010519491231002X"),
        ),
    ),
    Case(
        'Someone texted me saying my parcel was held: "Royal Mail: pay the £1.99 fee at royalmail-redelivery.com '
        'or call 0800 169 6031". I paid and gave my card 4111 1111 1111 1111. Later they called from 020 7946 0958 '
        "pretending to be my bank and I moved £2,400 to a 'safe account', sort code 20-00-00 account number 12345678.",
        _pairs(
            ("domain", "royalmail-redelivery.com"),
            ("phone", "+448001696031"),
            ("bank_account", "4111111111111111"),
            ("phone", "+442079460958"),
            ("bank_account", "20000012345678"),
        ),
    ),
)
"""Reports whose identifiers are known."""
