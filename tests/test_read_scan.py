"""Scanned forms: a filing printed, scanned (150-300 dpi, noise, blur, JPEG, a crooked
page, fed sideways or upside down) and read by OCR gives the record of its typed
original, its tables with their merged cells, its ticked and empty boxes, and a
confidence for what was read; a PDF without a text layer goes through OCR by itself; a
bad image is refused with a reason."""

from __future__ import annotations

import difflib
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from corpus.evaluate import score_records
from corpus.generate import generate, plan
from corpus.layout import document
from corpus.writers.scan import CLEAN, Wear, write
from extract.model import CHECKED, UNCHECKED, Document, ExtractError, Table, outline
from extract.ocrfix import fix_misreadings
from extract.ocrpunct import settle
from extract.readers import read_document
from normalize import normalize_document
from normalize.model import Declaration
from rules.ocr import CODE, THRESHOLD, low_confidence
from shenbao.api import extract_file
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


# Generated filings scanned with different wear: (seed, filings, wear). Few filings, so
# the suite stays quick; `shenbao eval` on larger sets gives the figures in the README.
SCAN_SETS = {
    "150dpi": (11, 3, "dpi=150,max_rotation=2"),
    "300dpi-worn": (12, 2, "dpi=300,noise=8,blur=0.6,jpeg_quality=70,max_rotation=2"),
    "150dpi-worn": (13, 3, "dpi=150,noise=8,blur=0.6,jpeg_quality=70,max_rotation=2"),
}


@pytest.fixture(scope="module", params=list(SCAN_SETS))
def scanned(request, tmp_path_factory):
    """A generated set scanned with one wear, each file read once: (entry, gold, document, records)."""
    seed, count, wear = SCAN_SETS[request.param]
    out = tmp_path_factory.mktemp(request.param)
    files = generate(out, count, seed=seed, formats=["scan"], defect_rate=0.0, bundle_rate=0.0, scan_wear=wear)
    read = []
    for entry in files:
        doc = read_document(out / f"{entry.name}.scan")
        gold = json.loads((out / f"{entry.name}.gold.json").read_text(encoding="utf-8"))
        read.append((entry, gold, doc, normalize_document(doc)))
    return read


def test_scanned_filings_give_the_typed_records(scanned):
    right = scored = 0
    wrong = []
    for _, gold, doc, records in scanned:
        assert doc.method == "ocr" and doc.format == "image"
        score = score_records(gold, [d.to_json() for d in records])  # what `shenbao eval` counts
        right, scored = right + score.fields.correct, scored + score.fields.scored
        wrong += score.mismatches
    assert scored and right / scored >= MIN_FIELD_ACCURACY, (right / scored, wrong[:10])


def test_scanned_filings_keep_their_checkboxes(scanned):
    expected = got = ""
    for entry, _, doc, _ in scanned:
        expected += marks(document(entry.filings, entry.name))
        got += marks(doc)
    assert expected.count(CHECKED) and expected.count(UNCHECKED)
    assert agreement(expected, got) >= MIN_CHECKBOX_ACCURACY, (expected, got)


@pytest.fixture(scope="module")
def one_filing(tmp_path_factory):
    """One generated filing, and its record read from an upright scan. The scans are
    clean, so that only the turn differs (wear is the business of the tests above)."""
    out = tmp_path_factory.mktemp("turned")
    (entry,) = plan(1, seed=3, defect_rate=0.0, bundle_rate=0.0)
    doc = document(entry.filings, entry.name)
    write(doc, out / "upright.tif", CLEAN, seed=1)
    return out, doc, _record(out / "upright.tif")


def _record(path: Path) -> list[dict]:
    records = [d.to_json() for d in extract_file(path)]
    for r in records:
        del r["provenance"], r["source"]  # where on the page, and the file: not what was read
    return records


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_a_page_scanned_turned_gives_the_upright_record(one_filing, turn):
    out, doc, upright = one_filing
    turned = out / f"turned-{turn}.tif"
    write(doc, turned, replace(CLEAN, turn=turn), seed=1)
    with Image.open(turned) as image:
        assert (image.width > image.height) == (turn != 180)  # the page really is turned
    assert _record(turned) == upright


@pytest.mark.parametrize("read, meant", [
    ("依据《关于做好预算编制工作的通知）（东财预〔2010〕86号）", "依据《关于做好预算编制工作的通知》（东财预〔2010〕86号）"),
    ("1、《专项资金管理办法（徐财发〔2010〕32号））", "1、《专项资金管理办法（徐财发〔2010〕32号）》"),
    ("（粤财监2011]20号）", "（粤财监〔2011〕20号）"),
    ("（沪财预（2012 ]45号）", "（沪财预〔2012〕45号）"),
    ("依据《管理办法（历财发〔2011〕47号）〉", "依据《管理办法（历财发〔2011〕47号）》"),
    ("《政府采购管理实施细则", "《政府采购管理实施细则》"),
    ("2、财务管理办法》；", "2、《财务管理办法》；"),
    ("徐财预[2011]105号（2015年）", "徐财预[2011]105号（2015年）"),  # nothing to undo
    ("《通知》(沪财预〔2012〕45号）", "《通知》(沪财预〔2012〕45号)"),  # a half-width pair
])
def test_misreadings_the_context_settles_are_undone(read, meant):
    assert fix_misreadings(read) == meant


def test_scan_wear_is_named_in_a_spec():
    assert Wear.parse("dpi=300,jpeg_quality=0,turn=270") == Wear(dpi=300, jpeg_quality=None, turn=270)
    with pytest.raises(ValueError, match="unknown scan wear 'speed'"):
        Wear.parse("speed=2")


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


def _line(*marks: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """A 20-pixel line of ink (an em) holding the given rectangles (x, y, width, height),
    and its grey levels."""
    ink = np.zeros((20, 200), np.uint8)
    for x, y, w, h in marks:
        ink[y:y + h, x:x + w] = 255
    return ink, np.where(ink > 0, np.uint8(40), np.uint8(235))


CJK = (0, 0, 18, 20)  # a character's ink: a block an em wide


@pytest.mark.parametrize("read, marks, meant", [
    # ： read for ；: the lower mark carries half as much ink again as the dot above it
    ("作：", [CJK, (24, 6, 3, 3), (24, 13, 3, 5)], "作；"),
    ("作；", [CJK, (24, 6, 3, 3), (24, 13, 3, 3)], "作："),
    # （ read for 《: the two chevrons blur into one stroke wider than a round bracket's
    ("作（", [CJK, (32, 2, 7, 16)], "作《"),
    ("作》", [CJK, (21, 2, 4, 16), (40, 0, 18, 20)], "作）"),
    # a full-width bracket leaves half an em of paper outside it; a half-width one does not
    ("作（作", [CJK, (30, 2, 4, 16), (36, 0, 18, 20)], "作（作"),
    ("作（作", [CJK, (21, 2, 4, 16), (27, 0, 18, 20)], "作(作"),
])
def test_punctuation_is_settled_by_its_ink(read, marks, meant):
    ink, gray = _line(*marks)
    blobs = sorted(marks, key=lambda m: m[0])
    centres, k = [], 0
    for ch in read:  # where the recogniser placed each character: over its ink
        x, _, w, _ = blobs[k]
        centres.append(x + w / 2)
        k += 2 if ch in "：；" else 1
    assert settle(read, centres, ink, gray) == meant


class _Recogniser:
    """Stands in for RapidOCR's recogniser: the readings to give, call by call, and the
    crops it was given."""

    def __init__(self, *calls):
        self.calls, self.seen = list(calls), []

    def text_rec(self, crops, return_word_box):
        self.seen.append(crops)
        return [(text, score, [None, None, None, None, chars]) for text, score, chars in self.calls.pop(0)], 0.0


def test_a_doubtful_line_is_read_again_denoised_and_the_better_reading_kept():
    from extract.ocr import SECOND_LOOK, _read

    rng = np.random.default_rng(0)
    crops = [rng.integers(0, 256, (48, 96, 3), dtype=np.uint8) for _ in range(3)]
    doubtful = SECOND_LOOK - 0.2
    engine = _Recogniser(
        [("项目", 0.95, [0.95, 0.96]), ("吨旧", 0.70, [0.9, doubtful]), ("合计", 0.80, [doubtful, 0.9])],
        [("吨/日", 0.90, [0.9, 0.9, 0.9]), ("合什", 0.60, [0.5, 0.7])])
    read = _read(engine, crops)
    assert [text for text, *_ in read] == ["项目", "吨/日", "合计"]  # the second reading only where it scores better
    first, second = engine.seen
    assert len(second) == 2  # the confident line is not read again
    assert not np.array_equal(second[0], crops[1])  # but denoised


def test_a_full_stop_wrapped_alone_onto_a_line_is_recovered():
    from extract.ocr import _wrapped_stops
    from extract.pdfglyphs import Glyph

    em, scale = 20, 0.5  # pixels, points per pixel
    ink = np.zeros((200, 400), dtype=np.uint8)
    ink[20:40, 50:350] = 1  # the line read (its ink is inside its box)
    line = ([[50, 20], [350, 20], [350, 40], [50, 40]], "本项目用于加装电梯", 0.9, None)
    glyphs = [Glyph("本", 25, 35, 10, 20, em * scale)]

    def stops(*marks):
        page = ink.copy()
        for top, left, height, width in marks:
            page[top:top + height, left:left + width] = 1
        return [(index, glyph.text, glyph.x0 / scale) for index, glyph in _wrapped_stops([line], glyphs, page, scale)]

    assert stops((48, 52, 7, 7)) == [(0, "。", 52)]  # a round dot where the next line would start
    assert stops((48, 200, 7, 7)) == []  # in the middle of the line: not where a wrapped line starts
    assert stops((48, 52, 5, 10)) == []  # a dash, not a dot
    assert stops((48, 52, 18, 18)) == []  # a character's worth of ink
    assert stops((80, 52, 7, 7)) == []  # too far below the line
