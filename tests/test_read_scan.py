"""Scanned forms: a filing printed, scanned (noise, blur, JPEG, a crooked page) and read
by OCR gives the record of its typed original, its tables with their merged cells, its
ticked and empty boxes, and a confidence for what was read; a PDF without a text layer
goes through OCR by itself; a bad image is refused with a reason."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
from PIL import Image

from corpus.evaluate import score_records
from corpus.generate import generate
from corpus.layout import document
from corpus.writers.scan import CLEAN, Wear, write
from extract.model import CHECKED, UNCHECKED, Document, ExtractError, Table, outline
from extract.readers import read_document
from normalize.model import Declaration
from rules.ocr import CODE, THRESHOLD, low_confidence
from shenbao.api import process_file
from test_read_xlsx import sample_document

CONTRACT = Path(__file__).resolve().parents[1].parent / "shared" / "contract"
MIN_FIELD_ACCURACY = 0.97
MIN_CHECKBOX_ACCURACY = 0.99


def marks(doc: Document) -> str:
    """Every checkbox of a document, in reading order."""
    texts = [c.text for _, b in doc.blocks() for c in (b.cells if isinstance(b, Table) else [b])]
    return "".join(ch for text in texts for ch in text if ch in (CHECKED, UNCHECKED))


def agreement(expected: str, got: str) -> float:
    matched = sum(block.size for block in difflib.SequenceMatcher(None, expected, got, autojunk=False).get_matching_blocks())
    return matched / max(len(expected), len(got), 1)


def shape(doc: Document) -> list:
    """The layout without the text: lines, and each table's cells with their spans."""
    return [(kind, tuple(cell[:4] for cell in body)) if kind == "table" else (kind,) for kind, body in outline(doc)]


def text_of(doc: Document) -> str:
    return "\n".join(body if kind == "line" else "|".join(cell[4] for cell in body) for kind, body in outline(doc))


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Three generated filings, scanned at 150 dpi with mild wear."""
    out = tmp_path_factory.mktemp("scans")
    files = generate(out, 3, seed=11, formats=["scan"], defect_rate=0.0, bundle_rate=0.0)
    return out, files


def test_scanned_filings_give_the_typed_records(generated):
    out, files = generated
    right = scored = 0
    wrong = []
    for entry in files:
        result = process_file(out / f"{entry.name}.scan")
        assert result.status == "ok", result.reason
        assert all(d.source.method == "ocr" and d.source.format == "image" for d in result.declarations)
        gold = json.loads((out / f"{entry.name}.gold.json").read_text(encoding="utf-8"))
        score = score_records(gold, [d.to_json() for d in result.declarations])
        right, scored = right + score.fields.correct, scored + score.fields.scored
        wrong += score.mismatches
    assert scored and right / scored >= MIN_FIELD_ACCURACY, (right / scored, wrong[:10])


def test_scanned_filings_keep_their_checkboxes(generated):
    out, files = generated
    expected = got = ""
    for entry in files:
        expected += marks(document(entry.filings, entry.name))
        got += marks(read_document(out / f"{entry.name}.scan"))
    assert expected.count(CHECKED) and expected.count(UNCHECKED)
    assert agreement(expected, got) >= MIN_CHECKBOX_ACCURACY, (expected, got)


@pytest.fixture(scope="module")
def worn_sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "sample.tif"
    write(sample_document(), path, Wear(max_rotation=2.0), seed=5)
    return read_document(path)


def test_tables_merged_cells_and_lines_survive_the_scan(worn_sample):
    original = sample_document()
    assert worn_sample.format == "image" and worn_sample.method == "ocr" and worn_sample.page_count == 2
    assert shape(worn_sample) == shape(original)
    assert marks(worn_sample) == marks(original)
    assert agreement(text_of(original), text_of(worn_sample)) >= 0.97, text_of(worn_sample)


def test_what_was_read_says_where_and_how_sure(worn_sample):
    title = worn_sample.pages[0].blocks[0]
    assert title.source.page == 1 and title.source.line == 1 and title.source.bbox[1] < 150
    table = worn_sample.pages[0].tables[0]
    written = [c for c in table.cells if c.text]
    assert all(0 < c.source.confidence <= 1 for c in written)
    assert sum(c.source.confidence >= THRESHOLD for c in written) >= 0.9 * len(written)
    assert all(c.source.confidence is None for c in table.cells if not c.text)
    second = worn_sample.pages[1].tables[0]
    assert {c.source.page for c in second.cells} == {2} and second.source.table == 1


def test_a_pdf_of_page_images_is_read_by_ocr(tmp_path):
    path = tmp_path / "scanned.pdf"
    write(sample_document(), path, CLEAN)
    read = read_document(path)
    assert read.format == "pdf" and read.method == "ocr"
    assert "read by OCR" in read.warnings[0]
    assert shape(read) == shape(sample_document())


def test_the_scan_writer_is_deterministic(tmp_path):
    doc = sample_document()
    for name in ("a.tif", "b.tif"):
        write(doc, tmp_path / name, seed=3)
    write(doc, tmp_path / "c.tif", seed=4)
    a, b, c = ((tmp_path / n).read_bytes() for n in ("a.tif", "b.tif", "c.tif"))
    assert a == b and a != c
    with Image.open(tmp_path / "a.tif") as image:
        assert image.n_frames == 2 and round(image.info["dpi"][0]) == 150


@pytest.mark.parametrize("content, reason", [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "damaged image"),
    ("blank", "no text found by OCR"),
])
def test_bad_images_are_refused_with_a_reason(tmp_path, content, reason):
    path = tmp_path / "page.png"
    if content == "blank":
        Image.new("L", (1240, 1754), 255).save(path)
    else:
        path.write_bytes(content)
    with pytest.raises(ExtractError, match=reason):
        read_document(path)


def test_models_ship_inside_the_package():
    import rapidocr_onnxruntime

    models = Path(rapidocr_onnxruntime.__file__).parent / "models"
    assert {p.name.split("_infer")[0].rsplit("_", 1)[-1] for p in models.glob("*.onnx")} >= {"det", "rec"}


def _declaration(confidence: float | None) -> Declaration:
    record = json.loads((CONTRACT / "examples" / "000_15b5cc2a07eb4fba.json").read_text(encoding="utf-8"))
    source = {"page": 1, "table": 0, "row": 0, "col": 1}
    if confidence is not None:
        source["confidence"] = confidence
    record["provenance"] = {"project.name": source, "filing_unit": {"page": 1, "line": 2, "confidence": 0.99}}
    return Declaration.from_json(record)


def test_low_confidence_fields_are_reported():
    (found,) = low_confidence(_declaration(THRESHOLD - 0.2))
    assert found.code == CODE and found.severity == "info" and found.paths == ["project.name"]
    assert found.evidence["confidence"] == {"project.name": pytest.approx(THRESHOLD - 0.2)}
    assert low_confidence(_declaration(0.97)) == []
    assert low_confidence(_declaration(None)) == []  # read from a text layer
