"""Money amounts in report text (涉案金额): ``3万元``, ``3.5万``, ``人民币叁万元``, ``三万五``, ``¥30,000``, ``$500``,
``USD 500``, ``500 USDT``, ``5k``, ``£1.50``, ``150p``.

Works on normalised text (:mod:`fanzha.text.normalize`); amounts come out as :class:`fanzha.model.Money` in minor
units. USDT is counted in cents like the dollar it tracks.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

from fanzha.model import MAX_AMOUNT_MINOR, Money

_CN_DIGIT = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
    "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
_SMALL_UNIT = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNIT = {"万": 10_000, "亿": 100_000_000}
_NUMERAL_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?|\D")

_CN_DIGITS = "".join(_CN_DIGIT)
_UNITS = "十拾百佰千仟万亿"
_ARABIC = r"(?>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
_CN_CHARS = f"[{_CN_DIGITS}{_UNITS}]"
_NUMERAL = rf"(?:{_ARABIC}|[{_CN_DIGITS}十拾])(?:{_CN_CHARS}|(?<={_CN_CHARS}){_ARABIC})*+"
_SLANG = r"(?:[kKwW](?![A-Za-z]))"
_PREFIX_CURRENCY = r"USDT|US\$|USD|HK\$|HKD|RMB|CNY|人民币|GBP|EUR|¥|\$|£|€"
_SUFFIX_CURRENCY = (
    r"元|块钱|块|圆|人民币|RMB|CNY|美元|美金|USDT|USD|U(?![A-Za-z])|港币|港元|HKD|英镑|GBP|pounds?|dollars?"
    r"|欧元|EUR|euros?|yuan"
)
_NOT_MONEY_AFTER = (
    r"(?![多余]?(?:步|人|次|个|名|字|条|公里|米|斤|粉|年|件|张|份|股|积分|分|单|家|户|台|部|辆|倍|天|小时|套|平|起|宗|位|例|笔"
    r"|所|处|项|宗|架|间))"
)
_ARABIC_AFTER_FIRST = r"(?>(?:\d{0,2}(?:,\d{3})+|\d*)(?:\.\d+)?)"
_NUMERAL_AFTER_FIRST = (
    rf"(?:(?<=\d){_ARABIC_AFTER_FIRST}|(?<=[{_CN_DIGITS}十拾]))(?:{_CN_CHARS}|(?<={_CN_CHARS}){_ARABIC})*+"
)
_PREFIX_CURRENCY_AFTER_FIRST = r"(?i:(?<=u)(?:sdt|s\$|sd)|(?<=h)(?:k\$|kd)|(?<=r)mb|(?<=c)ny)|(?<=人)民币|(?i:(?<=g)bp|(?<=e)ur)|(?<=[¥$£€])"
_AMOUNT = re.compile(
    rf"[\d{_CN_DIGITS}十拾¥$£€UuRrCcHhGgEe人](?<![\dA-Za-z.,].)"
    rf"(?:(?P<pcur>{_PREFIX_CURRENCY_AFTER_FIRST})\s*(?P<pnum>{_NUMERAL})(?P<pslang>{_SLANG})?(?:\s*(?P<punit>元|块))?"
    r"|(?<=\d)(?P<pence>\d{0,3})[pP](?![A-Za-z0-9])"
    rf"|(?P<num>{_NUMERAL_AFTER_FIRST})(?:\s*(?P<sslang>{_SLANG})?\s*(?P<scur>(?i:{_SUFFIX_CURRENCY}))"
    rf"|(?P<bslang>{_SLANG})?{_NOT_MONEY_AFTER}))"
)
"""A currency before the number, pence, or a number with a currency after it or bare (``bslang``).

The pattern opens with the character it consumes (the regex engine then skips straight to candidates), so the
groups ``pcur``, ``pence`` and ``num``, which start there, hold all but that first character:
:func:`_from_start` reads them whole. The numeral is matched once for both of its readings (it is possessive, so
both would read the same one); pence, which no number with a currency after it can be, is tried first. Only the
currency words ignore case."""


def _from_start(match: re.Match[str], group: str) -> str | None:
    """A group that starts where the match does, with the first character the pattern consumed before it."""
    end = match.end(group)
    return None if end < 0 else match.string[match.start() : end]


_CURRENCY_CODES = {
    "¥": "CNY", "rmb": "CNY", "cny": "CNY", "人民币": "CNY", "元": "CNY", "块": "CNY", "块钱": "CNY",
    "圆": "CNY", "$": "USD", "us$": "USD", "usd": "USD", "美元": "USD", "美金": "USD", "dollar": "USD",
    "dollars": "USD", "usdt": "USDT", "u": "USDT", "hk$": "HKD", "hkd": "HKD", "港币": "HKD", "港元": "HKD",
    "£": "GBP", "gbp": "GBP", "英镑": "GBP", "pound": "GBP", "pounds": "GBP", "€": "EUR", "eur": "EUR",
    "欧元": "EUR", "euro": "EUR", "euros": "EUR", "yuan": "CNY", "nt$": "TWD", "ntd": "TWD", "twd": "TWD", "新台币": "TWD",
    "台币": "TWD", "s$": "SGD", "sgd": "SGD", "新币": "SGD", "新加坡元": "SGD", "rm": "MYR", "myr": "MYR",
    "令吉": "MYR", "马币": "MYR", "ringgit": "MYR", "a$": "AUD", "aud": "AUD", "澳元": "AUD", "澳币": "AUD",
    "蚊": "HKD", "港纸": "HKD",
}  # fmt: skip
_LOCAL_YUAN = {"TW": "TWD", "HK": "HKD", "MO": "MOP"}
"""What 元 (and a bare 万) counts in a region other than the mainland: 新臺幣 in Taiwan, 港幣 in Hong Kong."""
_LOCAL_DOLLAR = {"HK": "HKD", "TW": "TWD", "SG": "SGD", "AU": "AUD", "NZ": "NZD", "CA": "CAD"}
"""What a bare ``$`` counts in a region (US dollars elsewhere)."""
_YUAN_WORDS = frozenset({"元", "块", "块钱", "圆"})
_REGIONAL_HINT = ("NT$", "S$", "A$", "RM", "NTD", "TWD", "SGD", "MYR", "AUD", "inggit", "台币", "新币", "港币", "港元",
                  "令吉", "马币", "澳元", "澳币", "蚊", "港纸")  # fmt: skip
"""The regional currencies' names: texts without one skip :data:`_REGIONAL_AMOUNT`."""
_REGIONAL_AMOUNT = re.compile(
    rf"(?<![A-Za-z])(?P<pcur>NT\$|S\$|A\$|RM|(?i:NTD|TWD|SGD|MYR|AUD)|新台币|台币|新币|港币|港元|马币|澳元)\s*"
    rf"(?P<pnum>{_NUMERAL})(?P<pslang>{_SLANG})?(?:\s*(?:元|块|蚊))?"
    rf"|(?<![\dA-Za-z.,])(?P<num>{_NUMERAL})\s*(?P<sslang>{_SLANG})?\s*"
    r"(?P<scur>新台币|台币|新加坡元|新币|令吉|马币|澳元|澳币|蚊|港纸|(?i:ringgit|SGD|MYR|AUD|TWD|NTD)(?![A-Za-z]))"
)
"""Amounts in the currencies of Taiwan, Singapore, Malaysia and Australia, and 港币 or 港元 before the number:
rarer than the rest, so matched by a second pattern only in texts that name one (:data:`_REGIONAL_HINT`)."""
_SUM_FORM = re.compile(
    r"\d(?<![\d.,].)(?:\d{0,2}(?:,\d{3})+(?:\.\d{1,2})?|\d*\.\d{2})(?![\d.,%]|\s*[A-Za-z])"
)
"""A number written as a sum is (thousands separators or cents)."""
_MONEY_WORD_BEFORE = re.compile(
    r"(?:余额|金额|转账|转入|转出|汇款|付款|支付|扣款|入账|消费|还款|存入|支出|收入|(?i:balance|amount))"
    r"(?:为|是|了|共|约|达)?\s*[:：]?\s*$"
)
"""A word that names money right before a number: the number is a sum even without its currency (余额28,911.46,
金额:5,000.00), when it is written as one, so a count or a date after such a word is never read as money."""
_BARE_SUM = re.compile(
    rf"[\d{_CN_DIGITS}十](?<![\dA-Za-z.,:：/\-{_CN_DIGITS}十百千万].)"
    rf"(?:(?<=\d)\d{{1,6}}(?:\.\d{{1,2}})?|(?<=[{_CN_DIGITS}十])[{_CN_DIGITS}十百千万]{{1,5}})"
    rf"(?![\d:：/\-A-Za-z%{_CN_DIGITS}十百千万亿]|[.,]\d)"
)
"""A number with neither currency nor magnitude word after it: ``3000``, ``三千八``, ``两百``."""
_SUM_CUE = re.compile(
    r"(?:转|付|缴|交了|先交|要交|给|借|还|赔|退|返|骗|收|花|赚|亏|充|押|垫|急出|出价|开价|卖|价|要|费|共|计|额|扣|打了|汇|存|取"
    r"|欠|售|首付|月供|利息|才|仅|只)[^，。；;,!?！？\n\d]{0,2}$"
)
"""A word about paying, owing or pricing right before a bare number: in a chat or a report the number is money
(你先转3000过来, 优化费是三千八, 一张只要980)."""
_NOT_SUM_AFTER = re.compile(
    r"\s*[多余]?(?:步|人|次|个|名|字|条|公里|米|斤|粉|年|月|日|号|点|时|分|秒|件|张|份|股|积分|单|家|户|台|部|辆|倍|天"
    r"|套|平|起|宗|位|例|笔|所|处|项|架|间|岁|折|楼|层|页|度|克|升|周|期|届|级|等|场|集|首|遍|两|粒|盒|瓶|箱|包|斤|条|元|块"
    r"|万|亿|千|百)"
)
_NUMBERED_BEFORE = re.compile(r"(?:尾号|尾数|末[四五]?[码位]|号码|编号|代号|代码|序号|第)\s*$")
"""Words that make the number after them a label, not a sum (尾号4417, 第3000)."""
_MONEY_CUE = re.compile(
    r"(?:骗|转|汇|付|损失|金额|涉案|余额|价|赔|借|贷|充|提现|投|赚|收益|亏|花|交|缴|退|返|欠|还|值|资金|流水|赃款|钱|款|额|费"
    r"|薪|工资|市值|营收|利润|收入|罚)[^，。；;,\n]{0,6}$"
)
_MONEY_FOLLOW = frozenset("的给到进过被元块左右现额")
_MINOR_DIGITS = 2


class AmountMatch(NamedTuple):
    """An amount found in normalised text: its span there, the money and the form it was written in."""

    start: int
    end: int
    money: Money
    reason: str


@lru_cache(maxsize=8192)
def parse_numeral(numeral: str) -> Decimal | None:
    """The value of a numeral in Arabic digits, Chinese numerals (大写 included) or a mix of them.

    Colloquial forms count the trailing digit in the unit below the last one: ``三万五`` is 35,000, ``两千五`` is
    2,500, ``1万2`` is 12,000.

    >>> parse_numeral("人民币叁万伍仟"[3:]), parse_numeral("三万五"), parse_numeral("3.5万"), parse_numeral("一百零五")
    (Decimal('35000'), Decimal('35000'), Decimal('35000.0'), Decimal('105'))
    """
    total = Decimal(0)
    section = Decimal(0)
    number: Decimal | None = None
    last_unit = 1
    after_zero = False
    single_digit = False
    for token in _NUMERAL_TOKEN.findall(numeral):
        if token[0].isdigit():
            if number is not None:
                return None
            try:
                number = Decimal(token.replace(",", ""))
            except InvalidOperation:
                return None
            single_digit = len(token) == 1
        elif token in _CN_DIGIT:
            value = _CN_DIGIT[token]
            if value == 0:
                after_zero = True
                continue
            if number is not None:
                return None
            number, single_digit = Decimal(value), True
        elif token in _SMALL_UNIT:
            unit = _SMALL_UNIT[token]
            if number is None and unit != 10:
                return None
            section += (number if number is not None else 1) * unit
            number, last_unit, after_zero = None, unit, False
        elif token in _BIG_UNIT:
            unit = _BIG_UNIT[token]
            section += number or 0
            if section == 0:
                return None
            total = (total + section) * unit if unit == _BIG_UNIT["亿"] else total + section * unit
            section, number, last_unit, after_zero = Decimal(0), None, unit, False
        else:
            return None
    if number is not None:
        if last_unit > 1 and single_digit and not after_zero:
            number *= last_unit // 10
        section += number
    return total + section


def _minor_units(value: Decimal) -> int | None:
    minor = int((value * 10**_MINOR_DIGITS).to_integral_value())
    return minor if 0 < minor <= MAX_AMOUNT_MINOR else None


def find_amounts(text: str, *, chinese: bool, region: str | None = None) -> list[AmountMatch]:
    """Money amounts in normalised text, with their spans there.

    A number with only a magnitude (``3.5万``, ``三万五``, ``5k``, ``5w``) is taken as money in Chinese text when
    a word about money stands before it or nothing but a money word follows it (``1.12亿司机`` counts drivers),
    and skipped elsewhere; a bare number with neither currency nor magnitude is an amount only after a money word
    and written as a sum (``余额28,911.46``). ``region`` decides what 元 and ``$`` count: 新臺幣 in Taiwan, 港幣 in
    Hong Kong, Singapore dollars in Singapore.
    """
    found: list[AmountMatch] = []
    for match in _AMOUNT.finditer(text):
        bare = _from_start(match, "num") if match.group("scur") is None else None
        if bare is not None and not (chinese and (match.group("bslang") or "万" in bare or "亿" in bare)):
            continue  # most numbers in a report are bare: refused here before their groups are read
        if bare is not None and not _magnitude_is_money(text, match.start(), match.end()):
            continue
        amount = _amount_of(match, chinese, region)
        if amount is not None:
            found.append(AmountMatch(match.start(), match.end(), amount[0], amount[1]))
    if _names_regional_currency(text):
        found = _with_regional(text, found)
    if chinese or "alance" in text or "mount" in text:
        found = _with_money_words(text, found, region)
    if chinese:
        found = _with_bare_sums(text, found, region)
    return found


def _names_regional_currency(text: str) -> bool:
    for name in _REGIONAL_HINT:  # noqa: SIM110 - a loop, not any(), on this hot path: no generator
        if name in text:
            return True
    return False


def _magnitude_is_money(text: str, start: int, end: int) -> bool:
    after = text[end : end + 1]
    if after in ("多", "余"):
        after = text[end + 1 : end + 2]
    if not after or not "\u4e00" <= after <= "\u9fff" or after in _MONEY_FOLLOW:
        return True
    return _MONEY_CUE.search(text, max(0, start - 10), start) is not None


def _overlaps(found: list[AmountMatch], start: int, end: int) -> bool:
    return any(a.start < end and start < a.end for a in found)


def _with_regional(text: str, found: list[AmountMatch]) -> list[AmountMatch]:
    """``found`` with the regional currencies' amounts, which win where they overlap (新台币45万元 is not CNY)."""
    regional = []
    for match in _REGIONAL_AMOUNT.finditer(text):
        prefix = match.group("pnum") is not None
        numeral = match.group("pnum") if prefix else match.group("num")
        slang = match.group("pslang") if prefix else match.group("sslang")
        currency = _CURRENCY_CODES[(match.group("pcur") if prefix else match.group("scur")).lower()]
        money = _money(numeral, slang or "", currency)
        if money is not None:
            reason = "currency_before" if prefix else "currency_after"
            regional.append(AmountMatch(match.start(), match.end(), money, reason))
    kept = [a for a in found if not _overlaps(regional, a.start, a.end)]
    return sorted(kept + regional, key=lambda a: a.start)


def _with_money_words(text: str, found: list[AmountMatch], region: str | None) -> list[AmountMatch]:
    added = []
    for match in _SUM_FORM.finditer(text):
        start, end = match.span()
        if _overlaps(found, start, end) or _MONEY_WORD_BEFORE.search(text, max(0, start - 10), start) is None:
            continue
        money = _money(match.group(), "", _LOCAL_YUAN.get(region or "", "CNY"))
        if money is not None:
            added.append(AmountMatch(start, end, money, "after_money_word"))
    return sorted(found + added, key=lambda a: a.start) if added else found


def _with_bare_sums(text: str, found: list[AmountMatch], region: str | None) -> list[AmountMatch]:
    """``found`` with the bare numbers a money word stands right before, in Chinese text (转了3000, 三千八).

    A Chinese numeral counts only with 百, 千 or 万 in it (一个 is no sum); a number followed by a unit of anything
    else (3次, 8折, 2000年) is not one."""
    added = []
    for match in _BARE_SUM.finditer(text):
        start, end = match.span()
        numeral = match.group()
        if not numeral[0].isdigit() and not any(unit in numeral for unit in "百千万"):
            continue
        if _NOT_SUM_AFTER.match(text, end) or _overlaps(found, start, end):
            continue
        window = max(0, start - 6)
        if _SUM_CUE.search(text, window, start) is None or _NUMBERED_BEFORE.search(text, window, start):
            continue
        money = _money(numeral, "", _LOCAL_YUAN.get(region or "", "CNY"))
        if money is not None:
            added.append(AmountMatch(start, end, money, "after_money_verb"))
    return sorted(found + added, key=lambda a: a.start) if added else found


def _amount_of(match: re.Match[str], chinese: bool, region: str | None) -> tuple[Money, str] | None:
    groups = match.groupdict()
    pence = _from_start(match, "pence")
    if pence:
        minor = int(pence)
        return (Money(amount_minor=minor, currency="GBP"), "pence") if minor > 0 else None
    if groups["pnum"]:
        numeral, slang, currency, reason = (
            groups["pnum"],
            groups["pslang"],
            _from_start(match, "pcur"),
            "currency_before",
        )
    elif groups["scur"]:
        numeral, slang, currency, reason = (
            _from_start(match, "num"),
            groups["sslang"],
            groups["scur"],
            "currency_after",
        )
    else:
        numeral, slang, currency, reason = _from_start(match, "num"), groups["bslang"], None, "magnitude"
    if currency and not chinese and currency.lower() == "u":
        return None
    if currency in ("块", "块钱") and numeral in ("一", "两"):
        return None
    code = _currency_code(currency, region)
    money = _money(numeral, slang or "", code)
    return None if money is None else (money, reason)


def _currency_code(currency: str | None, region: str | None) -> str:
    """The ISO code of a currency as written; 元 and a bare magnitude in the region's yuan, ``$`` its dollar."""
    if currency is None or currency in _YUAN_WORDS:
        return _LOCAL_YUAN.get(region or "", "CNY")
    if currency == "$":
        return _LOCAL_DOLLAR.get(region or "", "USD")
    return _CURRENCY_CODES.get(currency.lower(), "CNY")


@lru_cache(maxsize=8192)
def _money(numeral: str, slang: str, currency: str) -> Money | None:
    """The amount a numeral with its slang magnitude (``k``, ``w``) names, once per distinct spelling: the same
    amounts recur across reports, and building the validated :class:`Money` is the dearest step."""
    value = parse_numeral(numeral)
    if value is None:
        return None
    if slang:
        value *= 1000 if slang in "kK" else 10_000
    minor_units = _minor_units(value)
    return None if minor_units is None else Money(amount_minor=minor_units, currency=currency)
