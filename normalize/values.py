"""Parsers for the values written in a form: money, dates, phones, checkboxes and
indicator targets. Each takes the text as written and returns the contract's value,
or None when the text does not hold one (never a guess)."""

from __future__ import annotations

import calendar
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import regex

from extract.model import CHECKED, UNCHECKED

# ---------------------------------------------------------------- numbers and money

UNIT_FACTORS = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "亿元": Decimal(100000000),
                "万": Decimal(10000), "千": Decimal(1000), "亿": Decimal(100000000)}
FORM_UNITS = ("元", "万元", "千元", "亿元")

_NUMBER = regex.compile(r"[-－]?\d[\d,，]*(?:[.．]\d+)?")
_MONEY = regex.compile(r"(?P<num>[-－]?\d[\d,，]*(?:[.．]\d+)?)\s*(?P<unit>万元|千元|亿元|元|万|千|亿)?")
_CAPITAL_DIGITS = {"零": 0, "〇": 0, "壹": 1, "贰": 2, "貳": 2, "叁": 3, "參": 3, "肆": 4, "伍": 5, "陆": 6, "陸": 6,
                   "柒": 7, "捌": 8, "玖": 9, "两": 2}
_CAPITAL_SMALL = {"拾": 10, "佰": 100, "仟": 1000}
_CAPITAL_BIG = {"万": 10000, "萬": 10000, "亿": 100000000, "億": 100000000}
_CAPITAL = regex.compile(r"[零〇壹贰貳叁參肆伍陆陸柒捌玖两拾佰仟万萬亿億]+(?:元|圆)(?:[零〇壹贰貳叁參肆伍陆陸柒捌玖]角)?(?:[零〇壹贰貳叁參肆伍陆陸柒捌玖]分)?整?")
_FEN = Decimal("0.01")


def halfwidth(text: str) -> str:
    """Full-width digits, letters and signs to ASCII (only for parsing numbers: text
    fields keep what was written)."""
    return unicodedata.normalize("NFKC", text)


def parse_decimal(text: str) -> Decimal | None:
    match = _NUMBER.search(halfwidth(text or ""))
    if not match:
        return None
    try:
        return Decimal(match.group(0).replace(",", "").replace("，", "").replace("．", ".").replace("－", "-"))
    except InvalidOperation:
        return None


def parse_capital(text: str) -> Decimal | None:
    """大写金额 such as 壹拾玖万玖仟伍佰元整 -> 199500."""
    match = _CAPITAL.search(text)
    if not match:
        return None
    integer_part, fraction = regex.split(r"[元圆]", match.group(0), maxsplit=1)
    total = wan = section = digit = 0  # total: 亿 and above; wan: the 万 group below it
    for ch in integer_part:
        if ch in _CAPITAL_DIGITS:
            digit = _CAPITAL_DIGITS[ch]
        elif ch in _CAPITAL_SMALL:
            section += (digit or 1) * _CAPITAL_SMALL[ch]
            digit = 0
        elif _CAPITAL_BIG.get(ch) == 10000:
            wan, section, digit = (section + digit) * 10000, 0, 0
        elif ch in _CAPITAL_BIG:
            total, wan, section, digit = (total + wan + section + digit) * 100000000, 0, 0, 0
    value = Decimal(total + wan + section + digit)
    for ch, scale in (("角", Decimal("0.1")), ("分", Decimal("0.01"))):
        m = regex.search(f"([零〇壹贰貳叁參肆伍陆陸柒捌玖]){ch}", fraction)
        if m:
            value += _CAPITAL_DIGITS[m.group(1)] * scale
    return value


@dataclass(frozen=True)
class Money:
    yuan: Decimal
    unit: str  # the unit applied: written beside the figure, or the form's


def parse_money(text: str | None, form_unit: str | None) -> Money | None:
    """The first amount in `text`, in yuan. A unit written beside the figure wins over the
    form's declared unit; with neither, the figure is taken as yuan."""
    if not text or not text.strip():
        return None
    plain = halfwidth(text).replace(" ", "")
    match = _MONEY.search(plain)
    if match is None:
        capital = parse_capital(text)
        return Money(capital, "元") if capital is not None else None
    number = match.group("num").replace(",", "").replace("，", "").replace("．", ".").replace("－", "-")
    unit = match.group("unit") or form_unit or "元"
    unit = {"万": "万元", "千": "千元", "亿": "亿元"}.get(unit, unit)
    return Money(Decimal(number) * UNIT_FACTORS[unit], unit)


def format_yuan(value: Decimal | None) -> str | None:
    """The contract's money string: yuan with two decimals."""
    if value is None:
        return None
    return str(value.quantize(_FEN, rounding=ROUND_HALF_UP))


def parse_form_unit(text: str) -> str | None:
    """The amount unit a form declares: 金额单位：万元, 单位:元, (万元)."""
    match = regex.search(r"(万元|千元|亿元|元)", text or "")
    return match.group(1) if match else None


# ---------------------------------------------------------------- dates

_DATE = regex.compile(  # the month/day separator repeats the year/month one (so 2021.1-2021.12 is a range)
    r"(?<!\d)(?P<y>(?:19|20)\d{2})(?!\d)\s*(?:(?P<sep>[年./\-－])\s*(?P<m>\d{1,2})(?!\d)\s*"
    r"(?:(?:(?P=sep)|月)\s*(?P<d>\d{1,2})(?!\d)\s*日?|月)?|年度|年)?"
)
_RANGE_SEP = regex.compile(r"\s*(?:至|到|~|～|—+|－|--|-|–)\s*")


@dataclass(frozen=True)
class DateValue:
    start: str  # ISO date: the first day the text can mean
    end: str  # the last day it can mean (== start for a full date)
    precision: str  # "day", "month" or "year"


def parse_date(text: str | None) -> DateValue | None:
    """A date written in any common form: 2020年1月1日, 2020/1/1, 2020.01.01, 2020-01-01,
    or with month or year precision only (2023.07, 2021年度)."""
    if not text:
        return None
    match = _DATE.search(halfwidth(text))
    return _date_value(match) if match else None


def _date_value(match: regex.Match) -> DateValue | None:
    year = int(match.group("y"))
    month = int(match.group("m")) if match.group("m") else None
    day = int(match.group("d")) if match.group("d") else None
    try:
        if month is None:
            return DateValue(f"{year}-01-01", f"{year}-12-31", "year")
        if not 1 <= month <= 12:
            return None
        last = calendar.monthrange(year, month)[1]
        if day is None:
            return DateValue(f"{year}-{month:02d}-01", f"{year}-{month:02d}-{last:02d}", "month")
        if not 1 <= day <= last:
            return None
        iso = f"{year}-{month:02d}-{day:02d}"
        return DateValue(iso, iso, "day")
    except ValueError:
        return None


def parse_date_range(text: str | None) -> tuple[DateValue | None, DateValue | None]:
    """Start and end of a period: 2021.1-2021.12, 2021年1月1日至2021年12月31日,
    2021年1月-12月 (the year carried over), 2021-2023 (years)."""
    if not text:
        return None, None
    plain = halfwidth(text).strip()
    first = _DATE.search(plain)
    if not first:
        return None, None
    start = _date_value(first)
    rest = plain[first.end():]
    sep = _RANGE_SEP.match(rest)
    if not sep:
        return start, None
    tail = rest[sep.end():]
    second = _DATE.match(tail)
    if second:
        return start, _date_value(second)
    bare = regex.match(r"(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*日)?", tail)  # 2021年1月-12月
    if bare and start:
        written = f"{first.group('y')}年{bare.group('m')}月" + (f"{bare.group('d')}日" if bare.group("d") else "")
        return start, parse_date(written)
    return start, None


# ---------------------------------------------------------------- phones and people

PHONE = regex.compile(
    r"(?<!\d)(?:1[3-9]\d{9}|(?:[(（]?0\d{2,3}[)）]?[-－\s]?)?[2-9]\d{6,7}(?:[-－转]\d{1,5})?)(?!\d)"
)
_NOT_A_NAME = regex.compile(r"\d|联系|电话|手机")
_PERSON = regex.compile(r"^([\p{Han}·]{2,4}?)(?=$|[\s,，、/;；:：(（]|\d|联系|电话|手机|办公)")


def parse_phone(text: str | None) -> str | None:
    match = PHONE.search(halfwidth(text or ""))
    return match.group(0) if match else None


def parse_person(text: str | None) -> tuple[str | None, bool]:
    """A person's name, and whether it was cut from longer text (then it is unsure).
    `郭铁梅18932106863` -> 郭铁梅; `蒋建华联系电…` -> 蒋建华 (unsure)."""
    if not text:
        return None, False
    text = text.strip()
    if not _NOT_A_NAME.search(text):
        return text, False
    match = _PERSON.match(text)
    if not match:
        return None, True
    rest = PHONE.sub("", halfwidth(text[match.end():])).strip(" ,，、/;；:：()（）")
    return match.group(1), bool(rest)


# ---------------------------------------------------------------- checkboxes

CHECK_MARKS = CHECKED + "☒■√✓✔▣"
BOX_MARKS = UNCHECKED + "☐□○"
_MARK = f"[{CHECK_MARKS}{BOX_MARKS}]"
_OPTION_BOX_FIRST = regex.compile(rf"(?P<mark>{_MARK}|(?<![A-Za-z])[R£](?![A-Za-z]))\s*(?P<label>[^{CHECK_MARKS}{BOX_MARKS}\s]+)")
_OPTION_LABEL_FIRST = regex.compile(rf"(?P<label>[^{CHECK_MARKS}{BOX_MARKS}\s]+?)\s*(?P<mark>{_MARK}|(?<![A-Za-z])[R£](?![A-Za-z]))")


def is_checked_mark(mark: str) -> bool:
    return mark in CHECK_MARKS or mark == "R"


_ANY_MARK = regex.compile(rf"{_MARK}|(?<![A-Za-z])[R£](?![A-Za-z])")
_LEADING_MARK = regex.compile(rf"\s*(?:{_MARK}|[R£])")


def parse_options(text: str | None) -> list[tuple[str, bool]] | None:
    """Checkbox options written in one cell, as (label, checked): `□ 一次性项目 ☑ 经常性项目`
    (box before label) or `新增项目□延续项目√` (label before box). None when the text has no
    checkbox at all."""
    if not text:
        return None
    text = text.strip()
    if not _ANY_MARK.search(text):
        return None
    box_first = bool(_LEADING_MARK.match(text))
    pattern = _OPTION_BOX_FIRST if box_first else _OPTION_LABEL_FIRST
    options = [(m.group("label").strip(), is_checked_mark(m.group("mark"))) for m in pattern.finditer(text)]
    return options or None


# ---------------------------------------------------------------- indicator targets

_OPS = [  # longest first
    (">=", ">="), ("≥", ">="), ("≧", ">="), ("不低于", ">="), ("不少于", ">="), ("大于等于", ">="), ("大于或等于", ">="),
    ("至少", ">="), ("<=", "<="), ("≤", "<="), ("≦", "<="), ("不高于", "<="), ("不超过", "<="), ("不多于", "<="),
    ("小于等于", "<="), ("小于或等于", "<="), ("控制在", "<="), ("±", "<="), ("＞", ">"), (">", ">"), ("大于", ">"),
    ("高于", ">"), ("超过", ">"), ("＜", "<"), ("<", "<"), ("小于", "<"), ("低于", "<"), ("=", "="), ("＝", "="),
    ("达到", "="), ("约", "="),
]
_SUFFIX_OPS = [("以上", ">="), ("及以上", ">="), ("以下", "<="), ("及以下", "<="), ("以内", "<="), ("之内", "<=")]
_TARGET = regex.compile(r"^(?P<value>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>[^\d\s]*?)\s*$")


@dataclass(frozen=True)
class TargetValue:
    raw: str | None
    kind: str  # quantitative | qualitative | empty
    op: str | None = None
    value: str | None = None
    unit: str | None = None


def parse_target(raw: str | None) -> TargetValue:
    """`≥95%` -> (>=, 95, %); `100%` -> (=, 100, %); `≤20万元` -> (<=, 20, 万元);
    `不低于90%`, `90%以上`, `20万元以内`; words such as 合格 or 及时 are qualitative."""
    raw = (raw or "").strip()
    if not raw:
        return TargetValue(None, "empty")
    text = halfwidth(raw).replace(" ", "")
    op = None
    for word, meaning in _OPS:
        if text.startswith(word):
            op, text = meaning, text[len(word):]
            break
    for word, meaning in sorted(_SUFFIX_OPS, key=lambda p: -len(p[0])):
        if text.endswith(word):
            op, text = op or meaning, text[: -len(word)]
            break
    match = _TARGET.match(text)
    if not match or any(ch.isdigit() for ch in match.group("unit")):
        return TargetValue(raw, "qualitative")
    unit = match.group("unit") or None
    return TargetValue(raw, "quantitative", op or "=", match.group("value").replace(",", ""), unit)
