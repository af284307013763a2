"""The seed filing through the rules: exactly the contract's expected findings, and each
defect injected into it fires its code. Other rule tests import the helpers here."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

import jsonschema
import pytest

import rules
from normalize.model import Declaration

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EXAMPLES = SHARED / "contract" / "examples"


@cache
def _seed_json() -> dict:
    return json.loads((EXAMPLES / "000_15b5cc2a07eb4fba.json").read_text("utf-8"))


def seed() -> dict:
    """A fresh copy of the seed record as JSON, to mutate."""
    return copy.deepcopy(_seed_json())


def clean() -> dict:
    """The seed with every defect it has fixed: signed, a category ticked, all targets
    quantitative, no conflicting citations, no corrections."""
    record = seed()
    record["signatures"] = {"unit_head": "周玮", "preparer": "李玉芳", "date": "2019-10-20"}
    record["project"]["category_options"][0]["checked"] = True
    for indicator in record["indicators"]:
        indicator["target"] = {"raw": "≥95%", "kind": "quantitative", "op": ">=", "value": "95", "unit": "%"}
    record["citations"] = [c for c in record["citations"] if c["number"] not in (
        "闵行联办〔2016〕4号", "沪建物业联〔2016〕205号")]
    record["corrections"] = []
    return record


def with_id(record: dict, sha: str) -> dict:
    """The record as if read from another file."""
    record["source"]["sha256"] = sha * 64 if len(sha) == 1 else sha
    return record


def check(*records: dict) -> rules.CheckResult:
    return rules.check([Declaration.from_json(r) for r in records])


def codes(result: rules.CheckResult) -> set[str]:
    return {f.code for f in result.findings}


def only(result: rules.CheckResult, code: str):
    found = [f for f in result.findings if f.code == code]
    assert len(found) == 1, [f.to_json() for f in result.findings]
    return found[0]


def test_seed_raises_exactly_the_expected_findings():
    expected = json.loads((EXAMPLES / "000_15b5cc2a07eb4fba.findings.json").read_text("utf-8"))
    result = check(seed())
    assert codes(result) == {e["code"] for e in expected["expected"]}
    for e in expected["expected"]:
        f = only(result, e["code"])
        assert f.severity == e["severity"]
        assert f.declaration == "a449927619b68e2d6685650a6aceea264800553a50189006413d3a6accf93a91:0"
        if "paths" in e:
            assert f.paths == e["paths"]
        for key, value in e.get("evidence", {}).items():
            assert f.evidence[key] == value
    assert not codes(result) & set(expected["must_not_fire"])


def test_findings_and_not_checked_follow_the_contract_schema():
    schema = json.loads((SHARED / "contract" / "finding.schema.json").read_text("utf-8"))
    record = seed()
    record["funding"]["fiscal_own"] = "1.00"
    record["project"]["start_date"] = None
    record["project"]["end_date"] = None
    result = check(record)
    assert result.findings and result.not_checked
    for f in result.findings:
        jsonschema.validate(f.to_json(), schema)
    [entry] = [n.to_json() for n in result.not_checked if n.code == "DATE_RANGE_INVALID"]
    assert entry["declaration"] == result.findings[0].declaration and entry["reason"]


def test_clean_variant_raises_no_error_or_warning():
    result = check(clean())
    assert [f.to_json() for f in result.findings if f.severity != "info"] == []
    assert codes(result) == set()


def _set(path: str, value):
    """A mutation setting one record path (`funding.fiscal_own`, `cost_items.0.amount`)."""

    def mutate(record: dict) -> None:
        *parents, last = path.split(".")
        target = record
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value

    return mutate


def _tick_two(record: dict) -> None:
    for option in record["project"]["category_options"][:2]:
        option["checked"] = True


def _end_before_start(record: dict) -> None:
    record["project"].update(start_date="2020-12-01", end_date="2020-03-01")


def _cite_twice(record: dict) -> None:
    record["citations"] += [
        {"title": "上海市住宅小区综合治理三年行动计划", "number": "沪府发〔2018〕3号"},
        {"title": "上海市住宅小区综合治理三年行动计划", "number": "沪府发〔2018〕8号"},
    ]


MUTATIONS = {
    "fiscal_own changed": (_set("funding.fiscal_own", "180000.00"), {"FUND_SUM_MISMATCH"}),
    "other money added": (_set("funding.other", "5000.00"), {"FUND_SUM_MISMATCH"}),
    "current year above total": (_set("funding.total", "150000.00"), {"FUND_SUM_MISMATCH"}),
    "cost item amount changed": (
        _set("cost_items.0.amount", "190000.00"),
        {"COST_TOTAL_MISMATCH", "COST_UNIT_MISMATCH", "PROSE_TABLE_MISMATCH"},
    ),
    "cost total off the budget": (_set("cost_total", "199400.00"), {"COST_TOTAL_MISMATCH"}),
    "unit price wrong": (_set("cost_items.0.unit_price", "9600.00"), {"COST_UNIT_MISMATCH", "PROSE_TABLE_MISMATCH"}),
    "quantity 20 vs prose 21": (_set("cost_items.0.quantity", "20"), {"COST_UNIT_MISMATCH", "PROSE_TABLE_MISMATCH"}),
    "two category boxes": (_tick_two, {"CATEGORY_MULTIPLE"}),
    "no category box": (_set("project.category_options.0.checked", False), {"CATEGORY_UNCHECKED"}),
    "end before start": (_end_before_start, {"DATE_RANGE_INVALID"}),
    "period in another year": (_set("year", 2019), {"DATE_RANGE_INVALID"}),
    "a document cited with two numbers": (_cite_twice, {"CITATION_NUMBER_CONFLICT"}),
    "lead missing": (_set("project.lead", None), {"REQUIRED_MISSING"}),
    "date not signed": (_set("signatures.date", None), {"SIGNATURE_MISSING"}),
    "a qualitative target": (
        _set("indicators.2.target", {"raw": "及时", "kind": "qualitative"}), {"INDICATOR_NOT_QUANTIFIED"}),
    "a typo corrected": (
        _set("corrections", [{"path": "narrative.overview", "from": "业务会", "to": "业委会"}]), {"TYPO_CORRECTED"}),
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_each_defect_fires_its_code(name):
    mutate, expected = MUTATIONS[name]
    record = clean()
    mutate(record)
    assert codes(check(record)) == expected


def test_cost_unit_message_shows_the_figures_in_the_forms_unit():
    record = clean()
    record["cost_items"][0]["amount"] = "190000.00"
    f = only(check(record), "COST_UNIT_MISMATCH")
    assert "0.95 万元 × 21 = 19.95 万元 ≠ 19.00 万元" in f.message
    assert f.paths == ["cost_items[0].amount", "cost_items[0].unit_price", "cost_items[0].quantity"]
    assert f.evidence["product"] == "199500.00"
    assert f.evidence["difference"] == "-9500.00"


def test_fund_sum_finding_names_the_figures_and_where_they_were_read():
    record = clean()
    record["funding"]["fiscal_own"] = "180000.00"
    record["provenance"] = {"funding.fiscal_own": {"page": 1, "line": 14}}
    f = only(check(record), "FUND_SUM_MISMATCH")
    assert "本级财政安排 18.00 万元" in f.message and "≠ 财政拨款 19.95 万元" in f.message
    assert f.paths == ["funding.fiscal", "funding.fiscal_own"]
    assert f.evidence["figures"]["funding.fiscal"] == "199500.00"
    assert f.evidence["sum"] == "180000.00"
    assert f.evidence["source"] == {"funding.fiscal_own": {"page": 1, "line": 14}}


def test_provenance_of_a_parent_path_serves_its_fields():
    record = clean()
    record["cost_items"][0]["quantity"] = "20"
    record["provenance"] = {"cost_items[0]": {"table": 2, "row": 1}}
    f = only(check(record), "COST_UNIT_MISMATCH")
    assert f.evidence["source"]["cost_items[0].quantity"] == {"table": 2, "row": 1}


def test_unit_price_rounded_as_written_is_not_a_mismatch():
    record = clean()
    record["funding"].update(total="10000.00", current_year="10000.00", fiscal="10000.00", fiscal_own="10000.00")
    record["cost_total"] = "10000.00"
    record["cost_items"][0].update(amount="10000.00", unit_price="3300.00", quantity="3")  # 0.33 万元 × 3
    record["narrative"]["activities"] = []
    assert codes(check(record)) == set()
    record["cost_items"][0]["unit_price"] = "3200.00"  # 0.96 万元: more than rounding can explain
    assert codes(check(record)) == {"COST_UNIT_MISMATCH"}


def test_period_spanning_the_year_is_fine_and_one_wholly_before_it_is_not():
    record = clean()
    record["project"].update(start_date="2019-07-01", end_date="2021-06-30")
    assert codes(check(record)) == set()
    record["project"].update(start_date="2018-01-01", end_date="2019-12-31")
    f = only(check(record), "DATE_RANGE_INVALID")
    assert "2020" in f.message and "之前" in f.message


def test_missing_inputs_are_reported_as_not_checked_never_as_findings():
    record = clean()
    record["funding"] = {"total": "199500.00"}
    record["cost_items"], record["cost_total"] = [], None
    record["project"].update(start_date=None, end_date=None, category_options=[])
    record["indicators"], record["citations"] = [], []
    result = check(record)
    assert codes(result) == set()
    assert {n.code for n in result.not_checked} >= {
        "FUND_SUM_MISMATCH", "COST_TOTAL_MISMATCH", "COST_UNIT_MISMATCH", "DATE_RANGE_INVALID",
        "CATEGORY_UNCHECKED", "CATEGORY_MULTIPLE", "INDICATOR_NOT_QUANTIFIED", "CITATION_NUMBER_CONFLICT",
    }
    assert all(n.reason for n in result.not_checked)


def test_a_value_that_is_not_money_makes_the_rule_not_checkable():
    record = clean()
    record["funding"]["fiscal_own"] = "十九万"
    result = check(record)
    assert "FUND_SUM_MISMATCH" not in codes(result)
    [entry] = [n for n in result.not_checked if n.code == "FUND_SUM_MISMATCH"]
    assert "funding.fiscal_own" in entry.reason


def test_required_missing_lists_every_empty_field_in_one_finding():
    record = clean()
    record["project"]["lead"] = None
    record["project"]["phone"] = " "
    record["filing_unit"] = None
    f = only(check(record), "REQUIRED_MISSING")
    assert f.paths == ["filing_unit", "project.lead", "project.phone"]
    assert f.severity == "warning"
