"""Times in report text (案发时间): ``昨天下午3点``, ``5月3日晚上8点``, ``2024年5月3日``, ``3 May 2024 8pm``,
``yesterday at 3pm``.

Works on normalised text; local times are read in the given time zone (Asia/Shanghai unless told otherwise) and
come out as aware UTC datetimes. Relative expressions (昨天, 周三, yesterday, 15:30) need a reference time and are
skipped without one; a date without a year is the latest such date not after the reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from fanzha.text.amounts import parse_numeral

Precision = Literal["day", "hour", "minute"]


class TimeMatch(NamedTuple):
    """A time found in normalised text: its span there, the UTC instant and how precise the text was."""

    start: int
    end: int
    value: datetime
    precision: Precision


class _Clock(NamedTuple):
    hour: int
    minute: int | None


_Parsed = tuple[int, date | None, _Clock | None]
_ParseFn = Callable[[str, int, datetime | None], _Parsed | None]
_CN_DIGIT = "[零一二两三四五六七八九十]"
_CN_NUM = f"{_CN_DIGIT}{{1,3}}"
_ZH_ANCHOR = re.compile(
    r"[\d今昨前大明上周星礼凌清早中下傍晚夜半一二两三四五六七八九十零]"
    r"(?:(?<=\d)(?:\d{3}(?:\s*年|[-/.]\d)|\d?+\s*+(?:月|点|时|:\d\d)|\d*+天前)"
    rf"|(?<={_CN_DIGIT}){_CN_DIGIT}{{0,2}}+(?:\s*月|天前)"
    r"|(?<=[今昨前大明])(?:(?<=今)[天日早晨晚]|(?<=昨)[天日晚夜早]|(?<=大)前[天晚]|(?<=前)[天晚]|(?<=明)[天早晚])"
    r"|(?<=[上周星礼])(?:(?<=上)上*(?:个)?(?:周|星期|礼拜)|(?<=周)[一二三四五六日天]|(?<=星)期[一二三四五六日天]"
    r"|(?<=礼)拜[一二三四五六日天]|(?<=上)午)"
    r"|(?<=[凌清早中下傍晚夜半])(?:(?<=[凌清])晨|(?<=早)[上晨]|(?<=[中下])午|(?<=傍)晚|(?<=晚)上|(?<=夜)[里间]|(?<=半)夜))"
)
"""Where a Chinese time may start: ``2024年``, ``2024-5``, ``5月``, ``3天前``, ``8点``/``8:30``, ``五月``, ``今天``,
``上周三``, ``下午``. The pattern opens with the character it consumes and picks the forms by looking back at it, so
the regex engine skips straight to candidates. The forms that open with a digit cannot backtrack (no shorter run of
digits could be followed by what they need): at most one of them fits at a place, so their order is free."""


_ZH_DATE = re.compile(
    rf"(?:(?P<y>\d{{4}})\s*年\s*)?(?P<m>\d{{1,2}}|{_CN_NUM})\s*月\s*(?P<d>\d{{1,2}}|{_CN_NUM})\s*[日号]"
    r"|(?P<iy>\d{4})[-/.](?P<im>\d{1,2})[-/.](?P<id>\d{1,2})(?!\d)"
    r"|(?P<rel>今天|今日|今早|今晨|今晚|昨天|昨日|昨晚|昨夜|昨早|前天|前晚|大前天|明天|明早|明晚)"
    r"|(?P<last>上+)?(?:个)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天])"
    rf"|(?P<ago>\d+|{_CN_NUM})天前"
)
_ZH_PERIOD = re.compile(r"\s*(?:的)?\s*(?P<p>凌晨|清晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|夜间|半夜)")
_ZH_CLOCK = re.compile(
    r"\s*(?:(?P<h>\d{1,2}):(?P<min>\d{2})(?!\d)"
    rf"|(?P<h2>\d{{1,2}}|{_CN_NUM})\s*(?:点钟?|时)(?:\s*(?P<min2>\d{{1,2}}|{_CN_NUM})\s*分?|(?P<half>半)|(?P<quarter>一刻))?)"
)
_RELATIVE_DAYS = {
    "今天": 0, "今日": 0, "今早": 0, "今晨": 0, "今晚": 0, "昨天": -1, "昨日": -1, "昨晚": -1, "昨夜": -1,
    "昨早": -1, "前天": -2, "前晚": -2, "大前天": -3, "明天": 1, "明早": 1, "明晚": 1,
}  # fmt: skip
_RELATIVE_PERIOD = {"今晚": "晚上", "昨晚": "晚上", "昨夜": "晚上", "前晚": "晚上", "明晚": "晚上"}
_AFTERNOON = frozenset({"下午", "傍晚", "晚上", "夜里", "夜间"})
_WEEKDAY_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EN_ANCHOR = re.compile(
    rf"(?=[\dJjFfMmAaSsOoNnDdYyTtLl])\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}|{_MONTH}\s+\d{{1,2}}\b|\d{{4}}-\d{{2}}-\d{{2}}|yesterday|today|tonight"
    r"|last\s+night|this\s+(?:morning|afternoon|evening)|(?:last|on)\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day"
    r"|\d+\s+days?\s+ago|at\s+\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?|\d{1,2}(?::\d{2})?\s*[ap]\.?m\.?(?![A-Za-z]))",
    re.IGNORECASE,
)
_EN_DATE = re.compile(
    rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH})(?:,?\s+(?P<y>\d{{4}}))?\b"
    rf"|(?P<mon2>{_MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y2>\d{{4}})\b)?"
    r"|(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})\b"
    r"|(?P<rel>yesterday|today|tonight|last\s+night|this\s+(?:morning|afternoon|evening))"
    r"|(?P<last>last|on)\s+(?P<wd>(?:mon|tues|wednes|thurs|fri|satur|sun)day)"
    r"|(?P<ago>\d+)\s+days?\s+ago",
    re.IGNORECASE,
)
_EN_CLOCK = re.compile(
    r"(?:,?\s*(?:at\s+|around\s+|about\s+)?)(?:(?P<h>\d{1,2})(?::(?P<min>\d{2}))?\s*(?P<ampm>[ap])\.?m\.?(?![A-Za-z])"
    r"|(?P<h2>\d{1,2}):(?P<min2>\d{2})(?!\d))",
    re.IGNORECASE,
)
_EN_RELATIVE = {"yesterday": -1, "today": 0, "tonight": 0, "last night": -1}
_EN_TIME_WORD = re.compile(
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|day|ght|last|morn|ernoon|even|at|am|pm|a\.m|p\.m"
)
"""A piece of every English time :data:`_EN_ANCHOR` reads (``ght`` for (to)night, ``day`` for yesterday, today,
weekdays and ``days ago``). None holds an ``i``, which matches the dotless ``ı`` when case is ignored; NFKC has
already folded ``ſ`` and the Kelvin sign."""
_ISO_DATE = re.compile(r"\d\d{3}-\d{2}-\d{2}")


def _could_be_english_time(text: str) -> bool:
    """Whether ``text`` (normalised) holds a word an English time needs: most Chinese reports with a WeChat ID or
    a domain in them hold none, and are spared the English pass."""
    return _EN_TIME_WORD.search(text.lower()) is not None or (
        "-" in text and _ISO_DATE.search(text) is not None
    )


def find_times(
    text: str, *, reference: datetime | None, zone: ZoneInfo, chinese: bool, english: bool
) -> list[TimeMatch]:
    """Times in normalised text, resolved against ``reference`` (aware) in ``zone``."""
    local_reference = reference.astimezone(zone) if reference is not None else None
    found: list[TimeMatch] = []
    if chinese:
        found += _scan(text, _ZH_ANCHOR, _parse_zh, local_reference, zone)
    if english and _could_be_english_time(text):
        taken = [(m.start, m.end) for m in found]
        found += [
            m
            for m in _scan(text, _EN_ANCHOR, _parse_en, local_reference, zone)
            if not any(m.start < end and start < m.end for start, end in taken)
        ]
    return sorted(found, key=lambda m: m.start)


def _scan(
    text: str,
    anchor: re.Pattern[str],
    parse: _ParseFn,
    reference: datetime | None,
    zone: ZoneInfo,
) -> list[TimeMatch]:
    found: list[TimeMatch] = []
    position = 0
    for match in anchor.finditer(text):
        if match.start() < position:
            continue
        parsed = parse(text, match.start(), reference)
        if parsed is None:
            continue
        end, day, clock = parsed
        value, precision = _instant(day, clock, reference, zone)
        if value is not None:
            found.append(TimeMatch(match.start(), end, value, precision))
            position = end
    return found


def _instant(
    day: date | None, clock: _Clock | None, reference: datetime | None, zone: ZoneInfo
) -> tuple[datetime | None, Precision]:
    if clock is None:
        if day is None:
            return None, "day"
        return datetime.combine(day, time(0), zone).astimezone(UTC), "day"
    precision: Precision = "hour" if clock.minute is None else "minute"
    moment = time(clock.hour, clock.minute or 0)
    if day is not None:
        return datetime.combine(day, moment, zone).astimezone(UTC), precision
    if reference is None:
        return None, precision
    local = datetime.combine(reference.date(), moment, zone)
    if local > reference:
        local -= timedelta(days=1)
    return local.astimezone(UTC), precision


def _number(token: str | None) -> int | None:
    if token is None:
        return None
    if token.isdigit():
        return int(token)
    value = parse_numeral(token)
    return int(value) if value is not None and value == int(value) else None


def _calendar_day(
    year: int | None, month: int | None, day: int | None, reference: datetime | None
) -> date | None:
    if month is None or day is None:
        return None
    if year is None:
        if reference is None:
            return None
        year = reference.year
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        return candidate if candidate <= reference.date() else _safe_date(year - 1, month, day)
    return _safe_date(year, month, day)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _weekday(reference: datetime | None, weekday: int, weeks_back: int) -> date | None:
    if reference is None:
        return None
    today = reference.date()
    if weeks_back:
        monday = today - timedelta(days=today.weekday() + 7 * weeks_back)
        return monday + timedelta(days=weekday)
    return today - timedelta(days=(today.weekday() - weekday) % 7)


MAX_RELATIVE_DAYS = 36_600
"""A relative date further than a century from the report (``99999999 days ago``) dates nothing."""


def _shift(reference: datetime | None, days: int) -> date | None:
    if reference is None or abs(days) > MAX_RELATIVE_DAYS:
        return None
    try:
        return reference.date() + timedelta(days=days)
    except OverflowError:  # within a century of year 1 or 9999
        return None


def _zh_day(match: re.Match[str], reference: datetime | None) -> tuple[date | None, str | None]:
    groups = match.groupdict()
    if groups["m"]:
        year = int(groups["y"]) if groups["y"] else None
        return _calendar_day(year, _number(groups["m"]), _number(groups["d"]), reference), None
    if groups["iy"]:
        return _safe_date(int(groups["iy"]), int(groups["im"]), int(groups["id"])), None
    if groups["rel"]:
        return _shift(reference, _RELATIVE_DAYS[groups["rel"]]), _RELATIVE_PERIOD.get(groups["rel"])
    if groups["wd"]:
        return _weekday(reference, _WEEKDAY_ZH[groups["wd"]], len(groups["last"] or "")), None
    ago = _number(groups["ago"])
    return (_shift(reference, -ago) if ago is not None else None), None


def _zh_clock(match: re.Match[str], period: str | None) -> _Clock | None:
    groups = match.groupdict()
    hour = _number(groups["h"] or groups["h2"])
    minute = _number(groups["min"] or groups["min2"])
    if groups["half"]:
        minute = 30
    elif groups["quarter"]:
        minute = 15
    if hour is None:
        return None
    if (period in _AFTERNOON and hour < 12) or (period == "中午" and hour < 11):
        hour += 12
    elif period in ("凌晨", "半夜") and hour == 12:
        hour = 0
    if not (0 <= hour <= 23 and (minute is None or 0 <= minute <= 59)):
        return None
    return _Clock(hour, minute)


def _parse_zh(text: str, start: int, reference: datetime | None) -> _Parsed | None:
    position, day, period, has_date = start, None, None, False
    date_match = _ZH_DATE.match(text, position)
    if date_match:
        day, period = _zh_day(date_match, reference)
        position, has_date = date_match.end(), True
    period_match = _ZH_PERIOD.match(text, position)
    if period_match:
        period, position = period_match.group("p"), period_match.end()
    clock_match = _ZH_CLOCK.match(text, position)
    clock = None
    if clock_match:
        spelled_hour = clock_match.group("h2") is not None and not clock_match.group("h2").isdigit()
        if not spelled_hour or has_date or period_match:
            clock = _zh_clock(clock_match, period)
            if clock is not None:
                position = clock_match.end()
    if not has_date and clock is None:
        return None
    if has_date and day is None:
        return None
    return position, day, clock


def _parse_en(text: str, start: int, reference: datetime | None) -> _Parsed | None:
    position, day, has_date = start, None, False
    date_match = _EN_DATE.match(text, position)
    if date_match:
        day = _en_day(date_match, reference)
        if day is None:
            return None
        position, has_date = date_match.end(), True
    clock_match = _EN_CLOCK.match(text, position)
    clock = _en_clock(clock_match) if clock_match else None
    if clock is not None and clock_match is not None:
        position = clock_match.end()
    if not has_date and clock is None:
        return None
    return position, day, clock


def _en_day(match: re.Match[str], reference: datetime | None) -> date | None:
    groups = match.groupdict()
    month_name = groups["mon"] or groups["mon2"]
    if month_name:
        year_text = groups["y"] or groups["y2"]
        month = _MONTHS[month_name[:3].lower()]
        day_of_month = int(groups["d"] or groups["d2"])
        return _calendar_day(int(year_text) if year_text else None, month, day_of_month, reference)
    if groups["iy"]:
        return _safe_date(int(groups["iy"]), int(groups["im"]), int(groups["id"]))
    if groups["rel"]:
        relative = " ".join(groups["rel"].lower().split())
        return _shift(reference, _EN_RELATIVE.get(relative, 0))
    if groups["wd"]:
        weekday = _weekday(reference, _WEEKDAYS_EN.index(groups["wd"].lower()), 0)
        strictly_before = (
            groups["last"].lower() == "last" and reference is not None and weekday == reference.date()
        )
        return weekday - timedelta(days=7) if weekday is not None and strictly_before else weekday
    return _shift(reference, -int(groups["ago"]))


def _en_clock(match: re.Match[str]) -> _Clock | None:
    groups = match.groupdict()
    if groups["h"]:
        hour = int(groups["h"])
        minute = int(groups["min"]) if groups["min"] else None
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if groups["ampm"].lower() == "p" else 0)
    else:
        hour, minute = int(groups["h2"]), int(groups["min2"])
    if hour > 23 or (minute is not None and minute > 59):
        return None
    return _Clock(hour, minute)
