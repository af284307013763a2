"""The scorer behind `shenbao eval`, on hand-built records: what counts as right,
missed, invented and not scored."""

from __future__ import annotations

import copy
import json

from corpus.evaluate import FileResult, Score, gold_for, report, score_record, score_records
import corpus.evaluate as evaluate


def indicator(name, raw="≥95%", level1="output", level2="quality", period="annual", note=None):
    return {"level1": level1, "level2": level2, "name": name, "period": period, "note": note,
            "target": {"raw": raw, "kind": "quantitative", "op": ">=", "value": raw.strip("≥%"), "unit": "%"}}


GOLD = {
    "year": 2020,
    "filing_unit": "上海市闵行区新虹街道办事处",
    "project": {"name": "居民小区综合治理建设", "lead": "周玮", "phone": "54492290"},
    "funding": {"total": "199500.00", "fiscal": "199500.00", "other": None},
    "narrative": {"overall_goals": ["综合治理能力明显提高", "促进物业管理健康发展"]},
    "indicators": [indicator("住宅小区综合治理验收合格率"), indicator("业主满意度", "≥90%", "satisfaction", "satisfaction")],
}
IND = 10  # scalars of one indicator: level1, level2, name, period, note and the target's five
LEAVES = 2 + 3 + 3 + 2 + 2 * IND  # year, unit; project; funding; goals; two indicators


def test_a_perfect_extraction_scores_every_gold_field_right():
    got = copy.deepcopy(GOLD)
    got["source"] = {"path": "x.txt", "sha256": "0" * 64}
    got["project"]["code"] = "not in the gold, so not scored"
    score = score_record(GOLD, got)
    assert (score.fields.correct, score.fields.scored) == (LEAVES, LEAVES)
    assert score.mismatches == []


def test_nothing_extracted_scores_every_field_wrong_and_the_record_missed():
    score = score_record(GOLD, None)
    assert (score.fields.correct, score.fields.scored) == (0, LEAVES)
    assert score.records.missed == 1


def test_a_missed_indicator_is_counted_missed_and_its_fields_wrong():
    got = copy.deepcopy(GOLD)
    del got["indicators"][1]
    score = score_record(GOLD, got)
    assert score.items["indicators"].missed == 1 and score.items["indicators"].matched == 1
    assert score.fields.scored == LEAVES and score.fields.correct == LEAVES - IND
    assert score.groups["indicators"].correct == IND


def test_an_invented_indicator_is_counted_and_weighs_like_a_gold_one():
    got = copy.deepcopy(GOLD)
    got["indicators"].append(indicator("投诉下降情况"))
    score = score_record(GOLD, got)
    assert score.items["indicators"].invented == 1
    assert (score.fields.correct, score.fields.scored) == (LEAVES, LEAVES + IND)


def test_subset_scope_does_not_count_extra_indicators_and_none_scope_scores_none():
    got = copy.deepcopy(GOLD)
    got["indicators"].append(indicator("投诉下降情况"))
    subset = {**GOLD, "_indicators_scope": "subset", "indicators": GOLD["indicators"][:1]}
    score = score_record(subset, got)
    assert score.items["indicators"].invented == 0
    assert (score.fields.correct, score.fields.scored) == (LEAVES - IND, LEAVES - IND)
    score = score_record({**GOLD, "_indicators_scope": "none"}, {**got, "indicators": []})
    assert score.fields.scored == LEAVES - 2 * IND and "indicators" not in score.groups


def test_partial_gold_scores_only_the_keys_it_holds_and_skips_notes():
    gold = {"_source": "http://example", "_notes": "partial", "year": 2020, "project": {"name": "居民小区综合治理建设"}}
    got = {"year": 2020, "filing_unit": "anything", "project": {"name": "居民小区综合治理建设", "lead": "x"}}
    score = score_record(gold, got)
    assert (score.fields.correct, score.fields.scored) == (2, 2)
    wrong = score_record(gold, {**got, "year": 2021})
    assert (wrong.fields.correct, wrong.fields.scored) == (1, 2)
    assert wrong.mismatches == [{"path": "year", "gold": 2020, "got": 2021}]


def test_null_in_the_gold_is_scored_as_visibly_empty():
    got = copy.deepcopy(GOLD)
    got["funding"]["other"] = "0.00"
    assert score_record(GOLD, got).fields.correct == LEAVES - 1


def test_list_items_match_by_content_not_position():
    got = copy.deepcopy(GOLD)
    got["indicators"].reverse()
    got["narrative"]["overall_goals"].reverse()
    assert score_record(GOLD, got).fields.correct == LEAVES


def test_a_misread_item_is_one_wrong_field_not_a_miss_and_an_invention():
    got = copy.deepcopy(GOLD)
    got["indicators"][0]["name"] = "住宅小区综合治理验收合格"  # one character lost
    got["narrative"]["overall_goals"][1] = "促进物业管理健康发展。"  # trailing punctuation kept
    score = score_record(GOLD, got)
    assert score.items["indicators"].missed == 0 and score.items["indicators"].invented == 0
    assert score.items["overall_goals"].missed == 0 and score.items["overall_goals"].invented == 0
    assert score.fields.correct == LEAVES - 2
    assert {m["path"] for m in score.mismatches} == {
        "indicators[住宅小区综合治理验收合格率/annual].name", "narrative.overall_goals[促进物业管理健康发展]"}


def test_same_name_in_two_periods_are_two_indicators():
    gold = {"indicators": [indicator("业主满意度", period="long_term"), indicator("业主满意度", "≥90%")]}
    got = {"indicators": [indicator("业主满意度", "≥90%"), indicator("业主满意度", period="long_term")]}
    assert score_record(gold, got).fields.correct == 2 * IND


def test_records_of_a_file_pair_by_project_name_and_extra_ones_are_invented():
    a = {"project": {"name": "校园安保服务"}, "year": 2020}
    b = {"project": {"name": "教师专业发展培训"}, "year": 2020}
    score = score_records([a, b], [b, a, {"project": {"name": "学生营养午餐补贴"}, "year": 2020}])
    assert score.records.matched == 2 and score.records.invented == 1
    assert score.fields.correct == 4 and score.fields.scored == 6  # the invented record weighs like a gold one
    lone = score_records(a, [{"project": {"name": "校园安保"}, "year": 2020}])
    assert lone.records.matched == 1 and lone.fields.correct == 1


def test_gold_is_found_beside_every_variant_of_a_file(tmp_path):
    (tmp_path / "x.gold.json").write_text("{}", encoding="utf-8")
    (tmp_path / "x.findings.json").write_text("{}", encoding="utf-8")
    for name, label in (("x.txt", "txt"), ("x.docx", "docx"), ("x.gbk.txt", "gbk.txt"), ("x.flat.txt", "flat.txt")):
        gold, findings, fmt = gold_for(tmp_path / name)
        assert gold.name == "x.gold.json" and findings.name == "x.findings.json" and fmt == label
    assert gold_for(tmp_path / "y.txt") is None


def test_report_counts_findings_recall_and_false_positives():
    def result(path, expected, must_not, fired):
        return FileResult(path, "txt", "ok", None, Score(), expected, must_not, set(fired))

    rep = report([result("a", ["FUND_SUM_MISMATCH", "TYPO_CORRECTED"], ["DATE_RANGE_INVALID"], ["FUND_SUM_MISMATCH"]),
                  result("b", ["SIGNATURE_MISSING"], ["COST_UNIT_MISMATCH"], ["SIGNATURE_MISSING", "COST_UNIT_MISMATCH"])])
    f = rep["findings"]
    assert (f["expected"], f["found"], f["false_positives"], f["must_not_fire"]) == (3, 2, 1, 2)
    assert f["by_code"]["TYPO_CORRECTED"] == {"expected": 1, "found": 0, "must_not_fire": 0, "false_positives": 0}
    assert rep["per_file"][1]["false_positives"] == ["COST_UNIT_MISMATCH"]


def test_findings_are_attributed_through_declaration_and_related(monkeypatch):
    class Decl:
        def __init__(self, id):
            self.id = id

    class Found:
        def __init__(self, code, declaration, related=()):
            self.code, self.declaration, self.related = code, declaration, list(related)

    import rules

    monkeypatch.setattr(rules.registry, "RULES", [object()])
    monkeypatch.setattr(rules, "check", lambda batch: type("R", (), {"findings": [
        Found("DUPLICATE_FILING_CONFLICT", "a:0", ["b:0"]), Found("TYPO_CORRECTED", "b:0")]})())
    results = [FileResult(p, "txt", "ok", None, Score(), [], []) for p in ("d/a.txt", "d/b.txt", "e/c.txt")]
    error = evaluate._check(results, {"d/a.txt": [Decl("a:0")], "d/b.txt": [Decl("b:0")], "e/c.txt": [Decl("c:0")]})
    assert error is None
    assert results[0].fired == {"DUPLICATE_FILING_CONFLICT"}
    assert results[1].fired == {"DUPLICATE_FILING_CONFLICT", "TYPO_CORRECTED"}
    assert results[2].fired == set()  # another folder: checked apart, nothing of a or b


def test_no_rules_registered_is_reported_not_raised(monkeypatch):
    import rules

    monkeypatch.setattr(rules.registry, "RULES", [])
    results = [FileResult("a.txt", "txt", "ok", None, Score(), ["TYPO_CORRECTED"], [])]
    assert evaluate._check(results, {"a.txt": []}) == "no rules registered"
    assert json.dumps(report(results, rules_error="no rules registered"))
