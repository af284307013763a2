"""The value parsers, by example and by property."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalize.citations import find_citations, normalize_number
from normalize.values import (format_yuan, parse_capital, parse_date, parse_date_range, parse_money, parse_options,
                              parse_person, parse_phone, parse_target)


@pytest.mark.parametrize("text,unit,yuan", [
    ("19.95", "万元", "199500.00"), ("250万", "元", "2500000.00"), ("10606.7522万元", None, "106067522.00"),
    ("1,234.5", "元", "1234.50"), ("１２３４．５元", None, "1234.50"), ("0.5亿元", None, "50000000.00"),
    ("3千元", None, "3000.00"), ("壹拾玖万玖仟伍佰元整", None, "199500.00"), ("人民币贰佰叁拾万零伍佰元伍角整", None, "2300500.50"),
    ("6923.3552万元(其中:上级财政资金:6923.3552万元)", None, "69233552.00"),
])
def test_money_examples(text, unit, yuan):
    assert format_yuan(parse_money(text, unit).yuan) == yuan


@pytest.mark.parametrize("text", ["", "  ", "见附件", "----"])
def test_money_absent(text):
    assert parse_money(text, "万元") is None


@given(st.integers(min_value=0, max_value=10**12))
def test_money_round_trips_through_every_unit_and_comma_grouping(fen):
    yuan = Decimal(fen) / 100
    assert parse_money(f"{yuan:,.2f}", "元").yuan == yuan
    assert parse_money(f"{yuan / 10000}", "万元").yuan == yuan
    assert parse_money(f"{yuan / 10000}万元", "元").yuan == yuan


_DIGITS = "零壹贰叁肆伍陆柒捌玖"


def _capital(n: int) -> str:
    """Writes n (< 1e12) in 大写 the way bank forms do."""
    def group(v: int) -> str:
        out, zero = "", False
        for value, unit in ((1000, "仟"), (100, "佰"), (10, "拾"), (1, "")):
            d = v // value % 10
            if d:
                out += ("零" if zero and out else "") + _DIGITS[d] + unit
                zero = False
            else:
                zero = True
        return out
    parts = [(n // 100000000, "亿"), (n // 10000 % 10000, "万"), (n % 10000, "")]
    return "".join(group(v) + u for v, u in parts if v) + "元整" if n else "零元整"


@given(st.integers(min_value=1, max_value=10**11))
def test_capital_amounts_parse_to_their_value(n):
    assert parse_capital(_capital(n)) == n


@pytest.mark.parametrize("text,iso", [("2020年1月1日", "2020-01-01"), ("2020/1/1", "2020-01-01"), ("2020.01.01", "2020-01-01"),
                                      ("2020-01-01", "2020-01-01"), ("２０２０年１２月３１日", "2020-12-31")])
def test_date_examples(text, iso):
    value = parse_date(text)
    assert (value.start, value.precision) == (iso, "day")


@given(st.dates(min_value=__import__("datetime").date(1990, 1, 1), max_value=__import__("datetime").date(2039, 12, 31)),
       st.sampled_from(["{y}年{m}月{d}日", "{y}/{m}/{d}", "{y}.{m:02d}.{d:02d}", "{y}-{m:02d}-{d:02d}", "{y}年{m:02d}月{d:02d}日"]))
def test_every_date_form_gives_iso(day, form):
    assert parse_date(form.format(y=day.year, m=day.month, d=day.day)).start == day.isoformat()


@given(st.dates(min_value=__import__("datetime").date(1990, 1, 1), max_value=__import__("datetime").date(2039, 12, 31)),
       st.dates(min_value=__import__("datetime").date(1990, 1, 1), max_value=__import__("datetime").date(2039, 12, 31)),
       st.sampled_from(["{a}至{b}", "{a}-{b}", "{a}～{b}", "{a} — {b}"]))
def test_date_ranges(a, b, sep):
    text = sep.format(a=f"{a.year}年{a.month}月{a.day}日", b=f"{b.year}年{b.month}月{b.day}日")
    start, end = parse_date_range(text)
    assert (start.start, end.start) == (a.isoformat(), b.isoformat())


@pytest.mark.parametrize("text,start,end", [
    ("2021.1-2021.12", "2021-01-01", "2021-12-31"), ("2021年1月-12月", "2021-01-01", "2021-12-31"),
    ("2023.07-2024.01", "2023-07-01", "2024-01-31"), ("2021-2023", "2021-01-01", "2023-12-31"),
])
def test_month_and_year_ranges_cover_their_whole_period(text, start, end):
    first, last = parse_date_range(text)
    assert (first.start, last.end) == (start, end)
    assert first.precision != "day"


@pytest.mark.parametrize("text,name,phone,unsure", [
    ("郭铁梅18932106863", "郭铁梅", "18932106863", False), ("张三 021-54492290", "张三", "021-54492290", False),
    ("周玮", "周玮", None, False), ("蒋建华联系电目起止", "蒋建华", None, True),
])
def test_lead_and_phone_glued_in_one_cell(text, name, phone, unsure):
    assert parse_person(text) == (name, unsure)
    assert parse_phone(text) == phone


@pytest.mark.parametrize("text,options", [
    ("□ 一次性项目 ☑ 经常性项目", [("一次性项目", False), ("经常性项目", True)]),
    ("新增项目□延续项目√", [("新增项目", False), ("延续项目", True)]),
    ("■新增 □延续", [("新增", True), ("延续", False)]),
    ("R新增项目 £延续项目", [("新增项目", True), ("延续项目", False)]),
    ("✓一次性 ☐经常性 ☒试点", [("一次性", True), ("经常性", False), ("试点", True)]),
])
def test_checkbox_notations(text, options):
    assert parse_options(text) == options


def test_text_without_boxes_has_no_options():
    assert parse_options("经常性项目") is None


@pytest.mark.parametrize("raw,op,value,unit", [
    ("≥95%", ">=", "95", "%"), ("100%", "=", "100", "%"), ("≤20万元", "<=", "20", "万元"), (">=2.61万元", ">=", "2.61", "万元"),
    ("不低于90%", ">=", "90", "%"), ("90%以上", ">=", "90", "%"), ("20万元以内", "<=", "20", "万元"), ("不超过5天", "<=", "5", "天"),
    ("≧98%", ">=", "98", "%"), ("<=475元/亩", "<=", "475", "元/亩"), ("3", "=", "3", None), ("≥80M", ">=", "80", "M"),
    ("60,000人", "=", "60000", "人"),
])
def test_target_examples(raw, op, value, unit):
    target = parse_target(raw)
    assert (target.kind, target.op, target.value, target.unit) == ("quantitative", op, value, unit)


@pytest.mark.parametrize("raw", ["合格", "及时", "降低", "满意", "有效", "2023.07-2024.01"])
def test_words_are_qualitative(raw):
    assert parse_target(raw).kind == "qualitative"


def test_empty_target():
    assert parse_target("  ").kind == "empty" and parse_target(None).raw is None


@given(st.sampled_from([("≥", ">="), ("≤", "<="), ("不低于", ">="), ("不超过", "<="), ("", "=")]),
       st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False),
       st.sampled_from(["%", "个", "万元", "人次", "元/平方米", ""]))
def test_target_reads_back_what_was_written(prefix, number, unit):
    word, op = prefix
    target = parse_target(f"{word}{number}{unit}")
    assert (target.op, Decimal(target.value), target.unit) == (op, number, unit or None)


@pytest.mark.parametrize("text,number", [
    ("沪建物业联【2016】205号", "沪建物业联〔2016〕205号"), ("闵府办发[2018]39号", "闵府办发〔2018〕39号"),
    ("鲁财科教(2024)67号", "鲁财科教〔2024〕67号"), ("财预（2019） 12 号", "财预〔2019〕12号"),
])
def test_document_numbers_are_normalized(text, number):
    assert normalize_number(text)[0] == number


@given(st.text(alphabet="沪闵财建办发预联教科", min_size=2, max_size=6), st.integers(1990, 2039), st.integers(1, 9999),
       st.sampled_from(["【】", "[]", "()", "（）", "〔〕", "﹝﹞"]))
def test_any_bracket_gives_the_same_number(issuer, year, serial, brackets):
    number, code, y, s = normalize_number(f"{issuer}{brackets[0]}{year}{brackets[1]}{serial}号")
    assert (number, code, y, s) == (f"{issuer}〔{year}〕{serial}号", issuer, year, serial)


def test_citation_forms():
    found = find_citations(["依据《关于A的通知》（沪财预〔2019〕12号）和《B办法（沪财预【2019】13号）》、《C手册》；根据鲁财科教(2024)67号文件"])
    assert [(c.title, c.number) for c in found] == [
        ("关于A的通知", "沪财预〔2019〕12号"), ("B办法", "沪财预〔2019〕13号"), ("C手册", None), (None, "鲁财科教〔2024〕67号")]
