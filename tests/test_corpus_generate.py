"""The corpus generator: deterministic, gold valid against the contract, the Document
and the gold from one record, defects that raise what they claim, clean filings that
raise nothing they should not."""

from __future__ import annotations

import json
import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from corpus.defects import CODES, DEFECTS, expected_findings, inject
from corpus.generate import COMMITTED, generate, plan, suffix
from corpus.layout import document, get_path, gold
from corpus.records import new_filing, templates
from corpus.writers import flat, text
from normalize.model import Declaration

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TEXT_FORMATS = ["txt", "txt-gbk", "flat"]


@pytest.fixture(scope="module")
def schema_validator():
    schema = json.loads((SHARED / "contract" / "declaration.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def with_source(record: dict) -> dict:
    """A gold record is a contract record without `source`; give it one to validate."""
    return {**record, "source": {"path": "x.txt", "sha256": "0" * 64, "format": "txt", "method": "text"}}


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path):
    generate(tmp_path / "a", 14, seed=3, formats=TEXT_FORMATS)
    generate(tmp_path / "b", 14, seed=3, formats=TEXT_FORMATS)
    generate(tmp_path / "c", 14, seed=4, formats=TEXT_FORMATS)
    a = files_of(tmp_path / "a")
    assert a == files_of(tmp_path / "b")
    assert a != files_of(tmp_path / "c")
    assert any(name.endswith(".gbk.txt") for name in a) and any(name.endswith(".flat.txt") for name in a)


def test_committed_generated_set_is_what_the_generator_makes(tmp_path):
    generate(tmp_path, COMMITTED["count"], COMMITTED["seed"], COMMITTED["formats"], COMMITTED["defect_rate"])
    committed, fresh = files_of(ROOT / "corpus" / "generated"), files_of(tmp_path)
    stale = sorted(n for n in committed.keys() | fresh.keys() if committed.get(n) != fresh.get(n))
    assert not stale, f"corpus/generated is stale (regenerate: see COMMITTED in corpus/generate.py): {stale[:5]}"


@pytest.fixture(scope="module")
def corpus_plan():
    return plan(160, seed=11, defect_rate=0.6, bundle_rate=0.15)


def test_every_gold_record_validates_against_the_contract(corpus_plan, schema_validator):
    for entry in corpus_plan:
        for filing in entry.filings:
            record = gold(filing)
            errors = [e.message for e in schema_validator.iter_errors(with_source(record))]
            assert not errors, (entry.name, errors[:3])
            assert Declaration.from_json(with_source(record)).to_json()["project"]["name"] == record["project"]["name"]


def test_corpus_covers_every_template_family_and_defect(corpus_plan):
    families = {f.template["family"] for e in corpus_plan for f in e.filings}
    defects = {d for e in corpus_plan for f in e.filings for d in f.defects}
    assert families == set(templates())
    assert defects == set(DEFECTS)
    assert any(len(e.filings) > 1 for e in corpus_plan)


def _money(value) -> Decimal:
    return Decimal(value) if value is not None else Decimal(0)


def test_clean_filings_add_up_so_no_rule_has_cause_to_fire(corpus_plan):
    """What `must_not_fire` promises: sums add up, prices times quantities give amounts,
    dates are in order inside the year, no document is cited under two numbers."""
    for entry in corpus_plan:
        for filing in entry.filings:
            if filing.defects:
                continue
            record = filing.record
            f = record.funding
            assert _money(f.total) == _money(f.fiscal) + _money(f.other), entry.name
            assert _money(f.fiscal) == _money(f.fiscal_upper) + _money(f.fiscal_own) + _money(f.fiscal_lower)
            if f.other_sources:
                assert sum(_money(s.amount) for s in f.other_sources) == _money(f.other)
            assert sum(_money(i.amount) for i in record.cost_items) == _money(record.cost_total) == _money(f.total)
            for item in record.cost_items:
                assert _money(item.unit_price) * int(item.quantity) == _money(item.amount)
            assert f"{record.year}-01-01" <= record.project.start_date <= record.project.end_date <= f"{record.year}-12-31"
            numbers: dict[str, set] = {}
            for citation, _ in filing.cited:
                numbers.setdefault(citation.title, set()).add(citation.number)
            assert all(len(n) == 1 for n in numbers.values()), entry.name


def _filing_with(defect: str, seed: int = 0):
    """A filing of a template that supports `defect`, with the defect applied."""
    rng = random.Random(seed)
    for attempt in range(200):
        template = templates()[rng.choice([f for f, t in templates().items() if defect in t["defects"]])]
        filing = new_filing(rng, template, set())
        before = filing.copy()
        companion = inject(rng, filing, defect)
        if defect in filing.defects:
            return before, filing, companion
    raise AssertionError(f"{defect} never applied")


def test_sum_and_price_defects_break_exactly_their_sum():
    _, f, _ = _filing_with("fund_sum")
    assert _money(f.record.funding.fiscal) + _money(f.record.funding.other) != _money(f.record.funding.total)

    _, f, _ = _filing_with("cost_total")
    assert sum(_money(i.amount) for i in f.record.cost_items) != _money(f.record.cost_total)

    _, f, _ = _filing_with("cost_unit")
    wrong = [i for i in f.record.cost_items if _money(i.unit_price) * int(i.quantity) != _money(i.amount)]
    assert len(wrong) == 1


def test_date_category_citation_and_required_defects_show_in_the_gold():
    _, f, _ = _filing_with("date_order")
    g = gold(f)
    assert g["project"]["start_date"] > g["project"]["end_date"]

    _, f, _ = _filing_with("category_multiple")
    g = gold(f)
    assert sum(o["checked"] for o in g["project"]["category_options"]) >= 2
    assert "category" not in g["project"]  # which option is meant cannot be known: not scored

    _, f, _ = _filing_with("citation_numbers")
    titles = [c["title"] for c in gold(f)["citations"]]
    assert len(titles) > len(set(titles))

    _, f, _ = _filing_with("missing_lead")
    assert gold(f)["project"]["lead"] is None
    assert "REQUIRED_MISSING" in [e["code"] for e in expected_findings([gold(f)], [f])["expected"]]


def test_typo_is_written_in_the_document_and_corrected_in_the_gold():
    _, f, _ = _filing_with("typo")
    (path, wrong, right), = f.typos
    g = gold(f)
    assert g["corrections"] == [{"path": path, "from": wrong, "to": right, "reason": "lexicon"}]
    assert right in get_path(g, path) and wrong not in get_path(g, path)
    assert wrong in text.render(document([f], "x"))


def test_prose_defect_contradicts_the_cost_table():
    before, f, _ = _filing_with("prose")
    qty = f.record.cost_items[0].quantity
    assert f"{qty}*" in before.record.narrative.activities[-1]
    assert f"{int(qty) + 1}*" in f.record.narrative.activities[-1]


def test_duplicate_and_cross_year_companions():
    _, f, twin = _filing_with("duplicate")
    a, b = gold(f), gold(twin)
    assert (a["filing_unit"], a["project"]["name"], a["year"]) == (b["filing_unit"], b["project"]["name"], b["year"])
    assert _money(b["funding"]["total"]) == 2 * _money(a["funding"]["total"])
    assert "DUPLICATE_FILING_CONFLICT" in twin.codes and "DUPLICATE_FILING_CONFLICT" in f.codes

    _, f, later = _filing_with("cross_year")
    a, b = gold(f), gold(later)
    assert b["year"] == a["year"] + 1 and b["project"]["name"] == a["project"]["name"]
    assert _money(b["funding"]["total"]) == 3 * _money(a["funding"]["total"])
    assert a["indicators"] == b["indicators"]
    for g in (a, b):  # the restated prose follows its own cost table
        if g["cost_items"] and g["narrative"]["activities"]:
            qty = g["cost_items"][0]["quantity"]
            assert not any("*" in x and f"{qty}*" not in x for x in g["narrative"]["activities"])


def test_expected_findings_follow_the_contract_definitions(corpus_plan):
    for entry in corpus_plan:
        golds = [gold(f) for f in entry.filings]
        findings = expected_findings(golds, entry.filings)
        expected = {e["code"] for e in findings["expected"]}
        assert expected.isdisjoint(findings["must_not_fire"])
        assert expected | set(findings["must_not_fire"]) == set(CODES)
        qualitative = any(i["target"]["kind"] == "qualitative" for g in golds for i in g["indicators"])
        assert ("INDICATOR_NOT_QUANTIFIED" in expected) == qualitative
        assert {code for f in entry.filings for code in f.codes} <= expected


def test_gold_holds_only_what_the_template_shows():
    rng = random.Random(5)
    national = new_filing(rng, templates()["national"], set())
    g = gold(national)
    assert g["narrative"]["overview"] is None and g["cost_items"] == [] and g["citations"] == []
    assert national.record.narrative.overview  # the record had one; the form does not show it
    national.style["period"] = "month_range"
    national.unscored |= {"project.start_date", "project.end_date"}
    g = gold(national)
    assert "start_date" not in g["project"] and "end_date" not in g["project"]
    start, end = (date.fromisoformat(d) for d in (national.record.project.start_date, national.record.project.end_date))
    assert f"{start.year}.{start.month}-{end.year}.{end.month}" in text.render(document([national], "x"))


def test_text_writers_write_the_seed_style_gbk_and_flattened(tmp_path):
    rng = random.Random(2)
    shanghai = new_filing(rng, templates()["shanghai"], set())
    doc = document([shanghai], "x")
    tabbed = text.render(doc)
    assert "项目名称\t" + shanghai.record.project.name in tabbed
    assert '<input checked="" type="checkbox"/>' in tabbed or '<input type="checkbox"/>' in tabbed
    assert "☑" not in tabbed and "□" not in tabbed
    for entry in generate(tmp_path, 3, seed=2, formats=["txt", "txt-gbk"], defect_rate=0, bundle_rate=0):
        utf8, gbk = (tmp_path / (entry.name + suffix(fmt)) for fmt in ("txt", "txt-gbk"))
        assert gbk.read_bytes().decode("gb18030") == utf8.read_text(encoding="utf-8")
        with pytest.raises(UnicodeDecodeError):
            gbk.read_bytes().decode("utf-8")
    glued = flat.render(doc, "glued")
    assert "\t" not in glued and "<input" not in glued
    assert "项目名称" + shanghai.record.project.name in glued
    assert {flat.style_of(document([new_filing(rng, templates()["national"], set())], "x")) for _ in range(30)} \
        == set(flat.STYLES)
