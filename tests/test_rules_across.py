"""Cross-filing rules over one run: the same project filed twice in a year, budget jumps
between years, a unit citing one document under two numbers."""

from __future__ import annotations

import pytest

from rules.across import name_key
from test_rules_seed import check, clean, codes, with_id


def filing(sha: str, year: int = 2020, name: str = "居民小区综合治理建设", total: str = "199500.00") -> dict:
    record = with_id(clean(), sha)
    record["year"] = year
    record["project"].update(name=name, start_date=f"{year}-01-01", end_date=f"{year}-12-31")
    record["funding"].update(total=total, current_year=total, fiscal=total, fiscal_own=total)
    record["cost_total"] = total
    record["cost_items"] = []
    return record


def across(result, code: str):
    return [f for f in result.findings if f.code == code]


def test_same_project_filed_twice_in_a_year_with_different_totals():
    a, b = filing("a"), filing("b", total="299500.00")
    result = check(a, b)
    found = across(result, "DUPLICATE_FILING_CONFLICT")
    assert {f.declaration for f in found} == {"a" * 64 + ":0", "b" * 64 + ":0"}
    for f in found:
        assert f.severity == "error"
        assert f.related == [({"a" * 64 + ":0", "b" * 64 + ":0"} - {f.declaration}).pop()]
        assert "funding.total" in f.paths
    mine = next(f for f in found if f.declaration.startswith("a"))
    assert "项目总预算 19.95 万元 ≠ 29.95 万元" in mine.message
    assert mine.evidence["conflicts"][0]["money"]["funding.total"] == ["199500.00", "299500.00"]


def test_same_project_twice_in_a_year_with_different_indicators():
    a, b = filing("a"), filing("b")
    b["indicators"][0]["target"]["raw"] = "≥90%"
    [f, _] = across(check(a, b), "DUPLICATE_FILING_CONFLICT")
    assert f.paths == ["indicators"]
    assert f.evidence["conflicts"][0]["indicators"]["only_there"]


@pytest.mark.parametrize("twin", ["same content", "equal except source"])
def test_identical_duplicates_are_not_conflicts(twin):
    a = filing("a")
    b = filing("a") if twin == "same content" else filing("b")
    b["source"]["path"] = "elsewhere/copy.docx"
    assert codes(check(a, b)) == set()


def test_names_match_after_normalisation_or_when_very_close():
    assert name_key("2019年 居民小区（综合）治理建设") == name_key("居民小区综合治理建设")
    a, b = filing("a"), filing("b", name="２０２０年度居民小区综合治理建设项", total="299500.00")
    assert across(check(a, b), "DUPLICATE_FILING_CONFLICT")


@pytest.mark.parametrize("other", [
    {"name": "镇际联网路升级改造工程二期"},  # numbered phases are different projects
    {"name": "老旧小区加装电梯补贴"},
])
def test_different_projects_are_not_compared(other):
    a = filing("a", name="镇际联网路升级改造工程一期")
    b = filing("b", name=other["name"], total="299500.00")
    assert codes(check(a, b)) == set()


def test_different_units_are_not_compared():
    a, b = filing("a"), filing("b", total="299500.00")
    b["filing_unit"] = "上海市闵行区古美路街道房管办事处"
    assert codes(check(a, b)) == set()


def test_budget_tripled_next_year_with_identical_indicators_jumps():
    a, b = filing("a", 2020), filing("b", 2021, total="598500.00")
    [f] = across(check(a, b), "CROSS_YEAR_JUMP")
    assert f.severity == "warning"
    assert f.declaration == "b" * 64 + ":0" and f.related == ["a" * 64 + ":0"]
    assert "19.95 万元" in f.message and "59.85 万元" in f.message and "+200.0%" in f.message
    assert f.evidence["from"]["amount"] == "199500.00" and f.evidence["to"]["year"] == 2021


def test_budget_doubled_with_changed_indicators_does_not_jump():
    a, b = filing("a", 2020), filing("b", 2021, total="399000.00")
    b["indicators"][0]["name"] = "新增指标"
    assert across(check(a, b), "CROSS_YEAR_JUMP") == []


@pytest.mark.parametrize("total,jumps", [("299250.00", False), ("299250.01", True), ("99750.00", False),
                                         ("99749.99", True)])
def test_more_than_half_is_the_threshold(total, jumps):
    result = check(filing("a", 2020), filing("b", 2021, total=total))
    assert bool(across(result, "CROSS_YEAR_JUMP")) == jumps


def test_years_two_apart_are_not_one_year_to_the_next():
    assert across(check(filing("a", 2019), filing("b", 2021, total="598500.00")), "CROSS_YEAR_JUMP") == []


def test_a_unit_citing_one_title_under_different_numbers_across_filings():
    a, b = filing("a", 2020), filing("b", 2021)
    b["citations"][0]["number"] = "沪府办发〔2018〕9号"
    found = across(check(a, b), "CITATION_NUMBER_CONFLICT")
    assert {f.declaration for f in found} == {"a" * 64 + ":0", "b" * 64 + ":0"}
    own = {"a" * 64 + ":0": "沪府办发〔2018〕8号", "b" * 64 + ":0": "沪府办发〔2018〕9号"}
    for f in found:
        assert f.related == [other for other in own if other != f.declaration]
        assert f.evidence["numbers"] == [own[f.declaration], own[f.related[0]]]
        assert f.paths == ["citations[0]"]


def test_an_unreadable_amount_neither_stops_nor_fakes_a_cross_filing_check():
    a, b = filing("a"), filing("b")
    b["funding"]["total"] = "十九万"
    result = check(a, b)
    assert across(result, "DUPLICATE_FILING_CONFLICT") == []
    assert "FUND_SUM_MISMATCH" in {n.code for n in result.not_checked if n.declaration.startswith("b")}


def test_checking_unit_by_unit_finds_what_checking_the_whole_batch_finds(tmp_path):
    """Ingest checks a large archive one filing unit at a time (`unit_key`); that is
    only right while every cross-filing rule compares filings of one unit."""
    from collections import defaultdict

    from corpus.generate import generate
    from rules import check_across, unit_key
    from shenbao.api import process_files
    from shenbao.commands.paths import expand_paths

    generate(tmp_path, 80, seed=3, formats=["txt"])
    declarations = [d for r in process_files(list(expand_paths([str(tmp_path)]))) for d in r.declarations]
    units = defaultdict(list)
    for d in declarations:
        units[unit_key(d.filing_unit)].append(d)

    def keyed(findings):
        return sorted(f.model_dump_json() for f in findings)

    whole = check_across(declarations).findings
    assert {f.code for f in whole} >= {"DUPLICATE_FILING_CONFLICT", "CROSS_YEAR_JUMP", "CITATION_NUMBER_CONFLICT"}
    by_unit = [f for key, group in units.items() if key is not None for f in check_across(group).findings]
    assert keyed(by_unit) == keyed(whole)
