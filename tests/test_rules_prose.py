"""PROSE_TABLE_MISMATCH: figures in the narrative against the cost table and the budget.
Fires on a clear contradiction only; the real filings' agreeing prose stays quiet."""

from __future__ import annotations

from normalize.model import Declaration
from rules.prose import figures, prose_vs_tables
from test_rules_seed import clean, seed

CODE = "PROSE_TABLE_MISMATCH"


def prose_findings(record: dict):
    return [f for f in prose_vs_tables(Declaration.from_json(record)) if f.code == CODE]


def test_figures_are_marked_as_labelled_spans_with_offsets_in_their_field():
    d = Declaration.from_json(seed())
    found = figures(d)
    product = next(f for f in found if f.kind == "PRODUCT")
    item = d.narrative.activities[3]
    assert product.span.text == "21*9500元/个小区"
    assert product.path == "narrative.activities[3]"
    assert item[product.offset:product.offset + len(product.span.text)] == product.span.text
    assert product.quantity == 21 and product.money.fen == 950000
    assert product.span.label_ == "PRODUCT"
    assert product.span.doc.spans["figures"][1] == product.span
    assert [f.span.text for f in found if f.kind == "COUNT"] == ["21个小区"]


def test_the_seed_prose_agrees_with_its_cost_item():
    assert prose_findings(seed()) == []


def test_quantity_20_against_prose_21_fires():
    record = seed()
    record["cost_items"][0]["quantity"] = "20"
    [f] = prose_findings(record)
    assert f.severity == "warning"
    assert "21*9500元/个小区" in f.message and "数量 21 ≠ 表中 20" in f.message
    assert f.paths == ["narrative.activities[3]", "cost_items[0].quantity"]
    assert f.evidence["prose"] == "21*9500元/个小区"
    assert f.evidence["prose_figures"] == {"quantity": "21", "unit_price": "9500.00", "amount": "199500.00"}
    assert f.evidence["figures"]["cost_items[0].quantity"] == "20"
    assert f.evidence["prose_counts"] == ["21个小区"]


def test_unit_price_090_wan_against_prose_9500_yuan_fires():
    record = seed()
    record["cost_items"][0]["unit_price"] = "9000.00"
    [f] = prose_findings(record)
    assert "单价 0.95 万元 ≠ 表中 0.90 万元" in f.message
    assert f.paths == ["narrative.activities[3]", "cost_items[0].unit_price"]


def test_price_before_quantity_and_prose_in_wan_are_read_too():
    record = seed()
    record["narrative"]["activities"][3] = "按0.95万元/个×20个小区计算"
    [f] = prose_findings(record)
    assert "数量 20 ≠ 表中 21" in f.message


def test_a_product_two_items_could_mean_is_not_a_clear_contradiction():
    record = seed()
    record["cost_items"] = [
        {"item": "代理记账费", "amount": "105000.00", "unit_price": "5000.00", "quantity": "21"},
        {"item": "咨询费", "amount": "28500.00", "unit_price": "9500.00", "quantity": "3"},
    ]
    assert prose_findings(record) == []


def test_a_product_no_item_shares_a_figure_with_is_left_alone():
    record = seed()
    record["cost_items"][0].update(quantity="4", unit_price="5000.00", amount="20000.00")
    assert prose_findings(record) == []


def test_a_stated_budget_that_differs_fires_and_a_round_or_approximate_one_does_not():
    record = clean()
    record["narrative"]["overview"] = "本项目总预算为20.95万元。"
    [f] = prose_findings(record)
    assert "项目总预算 19.95 万元" in f.message and f.paths[0] == "narrative.overview"
    for agreeing in ("本项目总预算为19.95万元。", "项目总预算20万元。", "总预算约25万元。", "总预算25万元左右。"):
        record["narrative"]["overview"] = agreeing
        assert prose_findings(record) == [], agreeing


def test_an_amount_after_a_cost_item_name_is_compared_with_that_item():
    record = clean()
    record["narrative"]["overview"] = "代理记账费共计18万元。"
    [f] = prose_findings(record)
    assert "cost_items[0].amount" in f.paths
    record["narrative"]["overview"] = "代理记账费19.95万元。"
    assert prose_findings(record) == []


def test_real_goal_prose_with_figures_in_indicators_does_not_fire():
    # real-samples/09: goals state aims (people, village income), matched by indicators
    record = clean()
    record["narrative"] = {"annual_goal": "为水濂村带来观光游客不少于6万人,村集体收入达6万元。"}
    record["funding"] = {"total": "100000.00", "fiscal": "100000.00", "other": "0.00"}
    record["cost_items"], record["cost_total"] = [], None
    record["indicators"] = [
        {"level1": "outcome", "level2": "social", "name": "接待游客数量",
         "target": {"raw": ">=60000人", "kind": "quantitative", "op": ">=", "value": "60000", "unit": "人"}},
        {"level1": "outcome", "level2": "economic", "name": "增加贫困村收入",
         "target": {"raw": ">=6万元", "kind": "quantitative", "op": ">=", "value": "6", "unit": "万元"}},
    ]
    assert prose_findings(record) == []


def test_real_annual_goal_whose_amounts_add_up_to_the_budget_does_not_fire():
    # real-samples/13: 532万元 + 387万元 = 919万元 = 本年度申请; '3个项目' = indicator 3
    record = clean()
    record["narrative"] = {"annual_goal": "督促勘察设计单位、咨询单位完成勘察设计费、审查咨询费结算532万元，"
                                          "以及茶山、常平镇街完成3个项目补助尾款结算387万元。"}
    record["funding"] = {"current_year": "9190000.00"}
    record["cost_items"], record["cost_total"] = [], None
    record["indicators"] = [{"level1": "output", "level2": "quantity", "name": "镇街补助款完成结算项目数",
                             "target": {"raw": "3", "kind": "quantitative", "op": "=", "value": "3"}}]
    assert prose_findings(record) == []


def test_narrative_without_figures_is_not_checkable():
    record = clean()
    record["narrative"] = {"overview": "改善小区环境。"}
    d = Declaration.from_json(record)
    from rules import check_filing

    result = check_filing(d)
    assert CODE in {n.code for n in result.not_checked}


def test_an_amount_about_another_year_or_a_running_total_is_not_this_budget():
    record = clean()  # year 2020, budget 19.95 万元
    for other_time in ("上年预算资金为30万元，执行良好。", "2018年项目预算为12万元。", "累计投入资金总额为80万元。"):
        record["narrative"]["overview"] = other_time
        assert prose_findings(record) == [], other_time
    record["narrative"]["overview"] = "2020年项目预算为12万元。"
    assert len(prose_findings(record)) == 1


def test_a_price_per_month_or_a_quantity_of_one_does_not_tie_prose_to_an_item():
    record = seed()
    record["cost_items"] = [{"item": "律师费", "amount": "60000.00", "unit_price": "5000.00", "quantity": "12"}]
    record["narrative"]["activities"][3] = "聘请律师12名*5000元/月"
    assert prose_findings(record) == []
    record["cost_items"] = [{"item": "律师费", "amount": "60000.00", "unit_price": "60000.00", "quantity": "1"},
                            {"item": "印刷费", "amount": "3000.00", "unit_price": "30.00", "quantity": "100"}]
    record["narrative"]["activities"][3] = "聘请律师1名*5000元"
    assert prose_findings(record) == []
