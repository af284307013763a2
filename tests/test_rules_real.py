"""The real filings' gold records (real-samples/NN.gold.json) through the rules: the codes
NN.findings.json expects fire, its must-not-fire codes do not. The gold holds no
narrative, so each filing's own goal prose is quoted here from NN.txt."""

from __future__ import annotations

import json

import pytest

from normalize.model import Declaration
from test_rules_seed import SHARED, check, codes

REAL = SHARED / "real-samples"
PROSE = {
    "09": {"annual_goal": "为水濂村带来观光游客不少于6万人,村集体收入达6万元。"},
    "13": {
        "overall_goals": ["新建或改造道路,共29个项目,规划里程169公里"],
        "annual_goal": "督促勘察设计单位、咨询单位完成勘察设计费、审查咨询费结算532万元,"
                       "以及茶山、常平镇街完成3个项目补助尾款结算387万元。",
    },
    "16": {"overview": "根据鲁财科教(2024)67号文件,小学教育公用经费每生每年780元,县级财政负担20%计,"
                       "主要用于学校教学与管理、校舍维修维护及日常办公等。"},
}


def gold_declaration(name: str) -> Declaration:
    gold = json.loads((REAL / f"{name}.gold.json").read_text("utf-8"))
    record = {k: v for k, v in gold.items() if not k.startswith("_")}
    record["source"] = {"path": f"{name}.txt", "sha256": name * 32, "format": "txt"}
    record["narrative"] = PROSE.get(name, {})
    return Declaration.from_json(record)


@pytest.mark.parametrize("name", ["01", "05", "09", "13", "16"])
def test_real_filing_raises_what_its_findings_file_says(name):
    expected = json.loads((REAL / f"{name}.findings.json").read_text("utf-8"))
    fired = codes(check(gold_declaration(name)))
    assert {e["code"] for e in expected["expected"]} <= fired
    assert not fired & set(expected["must_not_fire"])


def test_the_real_fund_sums_are_actually_checked():
    for name in ("01", "09", "16"):
        result = check(gold_declaration(name))
        assert "FUND_SUM_MISMATCH" not in {n.code for n in result.not_checked}, name
