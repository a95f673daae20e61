"""The messy ways victims write identifiers, amounts and times (涉案要素的书写形式), for the narrative renderer.

Every form here is one a victim could type and :func:`fanzha.text.extract` reads back to the same value: phones
with spaces, dashes, dots, +86/0086 or spelled in Chinese numerals, full-width digits, cards in groups of four,
amounts as ``3.5万元``, ``人民币叁万伍仟元``, ``¥30,000``, times as ``昨天下午3点`` or ``last Tuesday around 3pm``
relative to when the report was received (Beijing time).

All choices are drawn from a :class:`Dice`, so the same random stream gives the same text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import TypeVar

import numpy as np

T = TypeVar("T")

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
"""Local time of the victims (China has no daylight saving, so a fixed offset is exact and cheap)."""


class Dice:
    """Uniform draws from ``rng``, taken a block at a time (one numpy call per block, not per choice)."""

    __slots__ = ("_block", "_pop", "_rng")

    def __init__(self, rng: np.random.Generator, block: int = 96) -> None:
        self._rng = rng
        self._block = block
        self._pop: Callable[[], float] = self._draw()

    def _draw(self) -> Callable[[], float]:
        draws: list[float] = self._rng.random(self._block).tolist()
        return draws.pop

    def random(self) -> float:
        """A float in [0, 1)."""
        try:
            return self._pop()
        except IndexError:
            self._pop = self._draw()
            return self._pop()

    def chance(self, p: float) -> bool:
        """True with probability ``p``."""
        return self.random() < p

    def below(self, n: int) -> int:
        """An integer in [0, n)."""
        index = int(self.random() * n)
        return index if index < n else n - 1

    def pick(self, options: Sequence[T]) -> T:
        """One of ``options``, uniformly."""
        n = len(options)
        index = int(self.random() * n)
        return options[index if index < n else n - 1]


# --- digits -------------------------------------------------------------------------------------------------------

_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_SPELLED = str.maketrans("0123456789", "零一二三四五六七八九")
_SPELLED_YAO = str.maketrans("0123456789", "零幺二三四五六七八九")
_CN_DIGITS = "零一二三四五六七八九"
_CN_CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CN_UNITS = ("", "十", "百", "千")
_CN_CAPITAL_UNITS = ("", "拾", "佰", "仟")
_CN_SECTIONS = ("", "万", "亿")


def full_width(text: str) -> str:
    """Digits as full-width characters (１３８…), as typed with a Chinese input method."""
    return text.translate(_FULL_WIDTH)


def chinese_numeral(n: int, *, capital: bool = False) -> str:
    """``n`` (0 ≤ n < 10^12) in Chinese numerals: 35000 → 三万五千, 10500 → 一万零五百; ``capital`` gives 大写
    (叁万伍仟) as written on cheques and transfer slips."""
    if n == 0:
        return "零"
    digits, units = (_CN_CAPITAL_DIGITS, _CN_CAPITAL_UNITS) if capital else (_CN_DIGITS, _CN_UNITS)
    sections: list[int] = []
    while n:
        sections.append(n % 10_000)
        n //= 10_000
    out: list[str] = []
    need_zero = False
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if section == 0:
            need_zero = bool(out)
            continue
        if out and (need_zero or section < 1000):
            out.append(digits[0])
        out.append(_section(section, digits, units, leading=not out and not capital))
        out.append(_CN_SECTIONS[index])
        need_zero = False
    return "".join(out)


def _section(n: int, digits: str, units: tuple[str, ...], *, leading: bool) -> str:
    out: list[str] = []
    zero = False
    for position in range(3, -1, -1):
        digit = n // 10**position % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append(digits[0])
            zero = False
        if not (leading and not out and position == 1 and digit == 1):
            out.append(digits[digit])
        out.append(units[position])
    return "".join(out)


# --- phones and cards -------------------------------------------------------------------------------------------

_COUNTRY_CODES = ("86", "63", "855", "95", "60", "66", "84", "852", "853", "886", "1", "44", "61")


def _split_country(e164: str) -> tuple[str, str]:
    body = e164[1:]
    for code in sorted(_COUNTRY_CODES, key=len, reverse=True):
        if body.startswith(code):
            return code, body[len(code) :]
    return body[:2], body[2:]


def _grouped(digits: str, sizes: Sequence[int], separator: str) -> str:
    parts: list[str] = []
    position = 0
    for size in sizes:
        if position >= len(digits):
            break
        parts.append(digits[position : position + size])
        position += size
    if position < len(digits):
        parts.append(digits[position:])
    return separator.join(parts)


def phone_form(dice: Dice, value: str, *, chinese: bool) -> str:
    """A phone as a victim writes it: ``138 1234 5678``, ``+86-138…``, ``0086 138…``, full width, 一三八…."""
    if not value.startswith("+"):
        return full_width(value) if chinese and dice.chance(0.1) else value
    code, national = _split_country(value)
    if code != "86" or len(national) != 11:
        roll = dice.random()
        if roll < 0.4:
            return value
        if roll < 0.8:
            return f"+{code} {_grouped(national, (3, 3, 4) if len(national) > 8 else (2, 3), ' ')}"
        return f"+{code}-{national}"
    if not chinese:
        return _english_cn_mobile(dice, national)
    roll = dice.random()
    if roll < 0.34:
        return national
    if roll < 0.5:
        return _grouped(national, (3, 4, 4), " ")
    if roll < 0.61:
        return _grouped(national, (3, 4, 4), "-")
    if roll < 0.68:
        return "+86 " + _grouped(national, (3, 4, 4), dice.pick((" ", "-")))
    if roll < 0.73:
        return "+86" + national
    if roll < 0.77:
        return "0086 " + national
    if roll < 0.8:
        return _grouped(national, (3, 4, 4), ".")
    if roll < 0.9:
        return full_width(national)
    if roll < 0.96:
        return national.translate(_SPELLED_YAO if dice.chance(0.3) else _SPELLED)
    return " ".join(national)


def _english_cn_mobile(dice: Dice, national: str) -> str:
    """A Chinese mobile in English text: with +86 mostly, since without it an English reader (and the extractor)
    may take ``138-1234-5678`` for a North American number; a few victims leave it out all the same."""
    roll = dice.random()
    if roll < 0.55:
        return "+86 " + _grouped(national, (3, 4, 4), dice.pick((" ", "-")))
    if roll < 0.75:
        return "+86" + national
    if roll < 0.83:
        return "+86-" + national
    if roll < 0.9:
        return "0086 " + national
    return national if roll < 0.95 else _grouped(national, (3, 4, 4), "-")


def card_form(dice: Dice, value: str, *, chinese: bool) -> str:
    """A bank card as written: plain, in groups of four (spaces or dashes), or in full-width digits."""
    roll = dice.random()
    if roll < 0.45:
        return value
    if roll < 0.8:
        return _grouped(value, (4, 4, 4, 4), " ")
    if roll < 0.9 or not chinese:
        return _grouped(value, (4, 4, 4, 4), "-" if roll < 0.9 else " ")
    return full_width(value)


def url_form(dice: Dice, value: str) -> str:
    """A URL with its scheme, or without it when the rest still reads as a URL (``www.`` host or a path)."""
    scheme, _, rest = value.partition("://")
    if not rest:
        return value
    roll = dice.random()
    if roll < 0.25 and ("/" in rest or rest.startswith("www.")) and not rest.startswith("app."):
        return rest
    if roll < 0.29 and scheme in ("http", "https"):
        host, slash, path = rest.partition("/")
        return f"{scheme}://{host.replace('.', '[.]', 1)}{slash}{path}"
    return value


def domain_form(dice: Dice, value: str) -> str:
    """A domain as written, rarely defanged (``abc[.]com``) as victims copy it from warnings."""
    if dice.chance(0.05):
        return value.replace(".", "[.]", 1)
    return value


# --- money ----------------------------------------------------------------------------------------------------


_ZH_CURRENCIES = {"USD": "美元", "HKD": "港币", "EUR": "欧元", "GBP": "英镑", "USDT": "USDT"}


def _yuan_of(amount_minor: int) -> tuple[int, int]:
    return amount_minor // 100, amount_minor % 100


def _round(yuan: int) -> bool:
    """At most three significant digits (35000, 1200, 650): amounts people say in words; 14795 they type."""
    while yuan >= 1000 and yuan % 10 == 0:
        yuan //= 10
    return yuan < 1000


def amount_zh(dice: Dice, amount_minor: int, currency: str = "CNY") -> str:
    """A CNY amount as a Chinese victim writes it: 30000元, 3万, 3.5万元, ¥30,000, 人民币叁万伍仟元, 两千块…;
    other currencies as 500美元, 1000USDT."""
    yuan, fen = _yuan_of(amount_minor)
    if currency != "CNY":
        return (f"{yuan}.{fen:02d}" if fen else str(yuan)) + _ZH_CURRENCIES.get(currency, currency)
    if fen:
        return f"{yuan}.{fen:02d}元"
    roll = dice.random()
    if roll < 0.22:
        return f"{yuan}元"
    if roll < 0.34:
        return f"{yuan}{dice.pick(('块', '块钱'))}"
    if roll < 0.42:
        return f"{yuan:,}元"
    if roll < 0.5:
        return f"{dice.pick(('¥', '￥'))}{yuan:,}" if dice.chance(0.5) else f"{dice.pick(('¥', '￥'))}{yuan}"
    if roll < 0.72 and yuan >= 10_000 and yuan % 100 == 0:
        return f"{yuan / 10_000:g}万{dice.pick(('', '元', '元', '块'))}"
    if roll < 0.8 and yuan >= 1_000 and yuan % 100 == 0 and yuan < 10_000:
        return f"{yuan / 1_000:g}千元" if yuan % 1_000 == 0 else f"{yuan}元"
    if roll < 0.9 and _round(yuan):
        spoken = chinese_numeral(yuan)
        if spoken[0] == "二" and spoken[1:2] in ("千", "万", "百") and dice.chance(0.7):
            spoken = "两" + spoken[1:]
        return f"{spoken}{dice.pick(('元', '块')) if yuan > 2 else '元'}"
    if roll < 0.9:
        return f"{yuan}{dice.pick(('元', '块', '元'))}"
    if roll < 0.96:
        return f"人民币{chinese_numeral(yuan, capital=True)}元{dice.pick(('', '整'))}"
    return f"RMB{yuan}"


def amount_en(dice: Dice, amount_minor: int, currency: str = "CNY") -> str:
    """A CNY amount in English: ¥30,000, RMB 30,000, 30,000 RMB, CNY 30000, 30k RMB."""
    yuan, fen = _yuan_of(amount_minor)
    number = f"{yuan:,}.{fen:02d}" if fen else f"{yuan:,}"
    if currency != "CNY":
        return f"{currency} {number}"
    roll = dice.random()
    if roll < 0.3:
        return f"¥{number}"
    if roll < 0.55:
        return f"RMB {number}"
    if roll < 0.75:
        return f"{number} RMB"
    if roll < 0.85:
        return f"CNY {number.replace(',', '')}"
    if roll < 0.93 and not fen and yuan >= 1_000 and yuan % 1_000 == 0:
        return f"{yuan // 1_000}k RMB"
    if roll < 0.97:
        return f"{number} rmb"
    return f"{number} yuan"


# --- times ----------------------------------------------------------------------------------------------------

_WEEKDAYS_ZH = "一二三四五六日"
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip


def local(moment: datetime) -> datetime:
    """``moment`` in Beijing time."""
    return moment.astimezone(BEIJING)


def _period_zh(hour: int) -> tuple[str, int]:
    if hour == 0:
        return "半夜", 12
    if hour < 6:
        return "凌晨", hour
    if hour < 9:
        return "早上", hour
    if hour < 12:
        return "上午", hour
    if hour < 13:
        return "中午", 12
    if hour < 18:
        return "下午", hour - 12
    if hour < 19:
        return "傍晚", 6
    return "晚上", hour - 12


def _clock_zh(dice: Dice, when: datetime) -> str:
    period, hour = _period_zh(when.hour)
    minute = when.minute
    roll = dice.random()
    if roll < 0.12:
        return f"{when.hour}:{minute:02d}"
    spoken = chinese_numeral(hour) if dice.chance(0.15) else str(hour)
    if roll < 0.45:
        text = f"{spoken}点{minute}分" if minute else f"{spoken}点"
    elif minute == 30 and roll < 0.6:
        text = f"{spoken}点半"
    elif minute < 12:
        text = f"{spoken}点{dice.pick(('', '左右', '多'))}" if minute else f"{spoken}点"
    else:
        text = f"{spoken}点多"
    return f"{period}{text}"


def _day_zh(dice: Dice, when: datetime, today: date) -> str:
    days = (today - when.date()).days
    if days == 0:
        return dice.pick(("今天", "今天", "今天", ""))
    if days == 1:
        return "昨晚" if when.hour >= 19 and dice.chance(0.4) else dice.pick(("昨天", "昨天", "昨日"))
    if days == 2 and dice.chance(0.6):
        return "前天"
    if days <= 6 and dice.chance(0.6):
        this_week = today.isocalendar()[:2] == when.isocalendar()[:2]
        word = dice.pick(("周", "星期", "礼拜"))
        if this_week:
            return f"{word}{_WEEKDAYS_ZH[when.weekday()]}"
        return f"{dice.pick(('上', '上个'))}{word}{_WEEKDAYS_ZH[when.weekday()]}"
    if days <= 9 and dice.chance(0.2):
        return f"{days}天前"
    return f"{when.month}月{when.day}{dice.pick(('日', '号'))}"


def time_zh(dice: Dice, moment: datetime, received: datetime) -> str:
    """When a payment happened, as a Chinese victim says it relative to the report: 昨天下午3点, 9月3日晚上8点半,
    上周三, 今天15:40."""
    when = local(moment)
    day = _day_zh(dice, when, local(received).date())
    if day == "昨晚":
        return f"昨晚{when.hour - 12}点" + ("多" if when.minute >= 10 else "")
    if not day or dice.chance(0.75):
        return day + _clock_zh(dice, when)
    return day


def _clock_en(dice: Dice, when: datetime) -> str:
    hour12 = when.hour % 12 or 12
    suffix = "am" if when.hour < 12 else "pm"
    roll = dice.random()
    if roll < 0.15:
        return f"at {when.hour}:{when.minute:02d}"
    if roll < 0.5 and when.minute:
        return f"at {hour12}:{when.minute:02d}{suffix}"
    return f"{dice.pick(('around', 'at', 'about'))} {hour12}{dice.pick((suffix, ' ' + suffix))}"


def _date_en(dice: Dice, day: date) -> str:
    month = _MONTHS_EN[day.month - 1]
    return dice.pick((f"on {day.day} {month}", f"on {month} {day.day}", f"on {month[:3]} {day.day}"))


def time_en(dice: Dice, moment: datetime, received: datetime) -> str:
    """When a payment happened, in English relative to the report: yesterday around 3pm, last Tuesday at 3:40pm,
    on 3 September."""
    when = local(moment)
    days = (local(received).date() - when.date()).days
    if days == 0:
        day = dice.pick(("today", "earlier today", "")) if when.hour >= 1 else "today"
    elif days == 1:
        day = "last night" if when.hour >= 19 and dice.chance(0.4) else "yesterday"
    elif days <= 6 and dice.chance(0.6):
        weekday = _WEEKDAYS_EN[when.weekday()]
        day = dice.pick((f"last {weekday}", f"on {weekday}", f"{days} days ago"))
    else:
        day = _date_en(dice, when.date())
    if day.startswith("earlier"):
        return f"earlier today {_clock_en(dice, when)}"
    if not day or dice.chance(0.7):
        return f"{day} {_clock_en(dice, when)}".strip()
    return day
