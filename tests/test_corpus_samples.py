"""The committed corpus (hand-made samples and the generated set): each filing has a
gold record that is a valid contract record written by the contract's conventions,
and expected findings that name contract codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from corpus.defects import CODES
from corpus.evaluate import gold_for

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SAMPLES = CORPUS / "samples"
SHARED = ROOT.parent / "shared"

FILINGS = sorted(p for folder in ("samples", "generated") for p in (CORPUS / folder).iterdir()
                 if not p.name.endswith(".json"))
GOLDS = sorted({gold_for(p)[0] for p in FILINGS})
LIST_MARKER = re.compile(r"^(\d+[、.)）]|[（(][一二三四五六七八九十\d]+[)）])")


def records(gold_path: Path) -> list[dict]:
    data = json.loads(gold_path.read_text(encoding="utf-8"))
    return data if isinstance(data, list) else [data]


def test_every_filing_has_gold_and_findings_beside_it():
    assert len(list(SAMPLES.glob("*.txt"))) >= 4
    for path in FILINGS:
        found = gold_for(path)
        assert found is not None and found[1] is not None, path.name


@pytest.mark.parametrize("gold_path", GOLDS, ids=lambda p: p.name)
def test_gold_is_a_valid_contract_record_by_its_conventions(gold_path):
    schema = json.loads((SHARED / "contract" / "declaration.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for record in records(gold_path):
        source = {"path": "x", "sha256": "0" * 64, "format": "txt", "method": "text"}
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors({**record, "source": source})]
        assert not errors, errors[:3]
        narrative = record.get("narrative", {})
        for item in narrative.get("overall_goals", []) + narrative.get("activities", []):
            assert not LIST_MARKER.match(item) and not item.endswith(tuple("。；;，,")), item
        for citation in record.get("citations", []):
            assert "《" not in (citation["title"] or "") and "》" not in (citation["title"] or "")
            if citation["number"]:
                assert re.fullmatch(r".+〔\d{4}〕\d+号", citation["number"]), citation["number"]
                assert citation["number"].startswith(citation["issuer_code"])
        pairs = [(c["title"], c["number"]) for c in record.get("citations", [])]
        assert len(pairs) == len(set(pairs)), "one citation entry per distinct (title, number)"


@pytest.mark.parametrize("gold_path", GOLDS, ids=lambda p: p.name)
def test_expected_findings_name_contract_codes(gold_path):
    findings = json.loads(gold_path.with_name(gold_path.name.replace(".gold.", ".findings.")).read_text("utf-8"))
    expected = {e["code"] for e in findings["expected"]}
    assert expected <= set(CODES) and set(findings["must_not_fire"]) <= set(CODES)
    assert expected.isdisjoint(findings["must_not_fire"])


def test_gbk_sample_is_gbk_not_utf8():
    data = (SAMPLES / "gbk_2019_changping.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "项目支出绩效目标表" in data.decode("gbk")


def test_flattened_sample_glues_labels_to_values_one_row_a_line():
    text = (SAMPLES / "flat_2022_dayao.txt").read_text(encoding="utf-8")
    assert "\t" not in text
    assert "项目名称村级公共服务运行维护项目属性新增项目□延续项目√" in text.splitlines()


def test_three_filings_in_one_file_have_gold_in_file_order():
    text = (SAMPLES / "publication_2020_xuhui.txt").read_text(encoding="utf-8")
    names = [r["project"]["name"] for r in records(SAMPLES / "publication_2020_xuhui.gold.json")]
    assert len(names) == 3
    assert [text.index(n) for n in names] == sorted(text.index(n) for n in names)
