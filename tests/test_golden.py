"""The seed and the real filings come out as their gold records, field for field."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from golden import SHARED, differences
from shenbao import extract_file

SEED = SHARED / "seed" / "000_15b5cc2a07eb4fba.txt"
SEED_GOLD = SHARED / "contract" / "examples" / "000_15b5cc2a07eb4fba.json"
REAL = sorted((SHARED / "real-samples").glob("*.gold.json"))
SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"


def _schema() -> dict:
    return json.loads((SHARED / "contract" / "declaration.schema.json").read_text(encoding="utf-8"))


def test_seed_matches_the_contract_example_field_for_field():
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    [record] = [d.to_json() for d in extract_file(SEED)]
    assert differences(gold, record) == []
    expected_source = dict(gold["source"], path=str(SEED))
    assert record["source"] == expected_source


@pytest.mark.parametrize("gold_path", REAL, ids=lambda p: p.name.split(".")[0])
def test_real_filing_matches_its_gold(gold_path: Path):
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    filing = gold_path.with_name(gold_path.name.replace(".gold.json", ".txt"))
    [record] = [d.to_json() for d in extract_file(filing)]
    assert differences(gold, record) == []


@pytest.mark.parametrize("path", [SEED, *[p.with_name(p.name.replace(".gold.json", ".txt")) for p in REAL]],
                         ids=lambda p: p.name)
def test_records_are_valid_against_the_contract_schema(path: Path):
    for declaration in extract_file(path):
        jsonschema.validate(declaration.to_json(), _schema())


def _sample_pairs():
    for gold in sorted(SAMPLES.glob("*.gold.json")):
        stem = gold.name[: -len(".gold.json")]
        for filing in sorted(SAMPLES.glob(stem + ".*")):
            if not filing.name.endswith((".gold.json", ".findings.json")):
                yield pytest.param(filing, gold, id=filing.name)


@pytest.mark.parametrize("filing,gold_path", list(_sample_pairs()))
def test_corpus_sample_matches_its_gold(filing: Path, gold_path: Path):
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    golds = gold if isinstance(gold, list) else [gold]
    records = [d.to_json() for d in extract_file(filing)]
    assert len(records) == len(golds)
    for index, (expected, record) in enumerate(zip(golds, records)):
        assert record["source"]["record_index"] == index
        assert differences(expected, record) == []
