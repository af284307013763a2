"""Text PDF reader: a filing printed to PDF reads back as the Document it was drawn from
(ruled or not, over several pages, with drawn or glyph checkboxes), with positions; a
PDF without a usable text layer, encrypted or damaged is refused with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen.canvas import Canvas

import extract.pdf
from corpus.writers.pdf import FONT, MARGIN
from extract.model import CHECKED, UNCHECKED, Document, ExtractError, Line, Page
from extract.readers import read_document
from test_read_xlsx import assert_round_trip, assert_same_record_as_seed, grid_table, sample_document


@pytest.fixture(params=["pdfium", "pdfminer"])
def glyph_source(request, monkeypatch):
    """Run a test on both glyph sources: pdfium, and pdfminer as used for pages whose
    fonts pdfium cannot load (forced here, whatever fonts this machine has)."""
    if request.param == "pdfminer":
        def unmeasured(page, number):
            content = page_content(page, number)
            content.unmeasured = True
            return content

        page_content = extract.pdf.page_content
        monkeypatch.setattr(extract.pdf, "page_content", unmeasured)
    return request.param


def test_round_trip_keeps_layout(tmp_path, glyph_source):
    read = assert_round_trip(sample_document(), "pdf", tmp_path)
    assert read.page_count == len(read.pages) == 2


def test_drawn_checkboxes(tmp_path, glyph_source):
    assert_round_trip(sample_document(), "pdf", tmp_path, drawn_boxes=True)


def test_tables_without_rules(tmp_path):
    table = grid_table([["一级指标", "二级指标", "指标值"], ["产出指标", "数量指标", "100%"], ["效益指标", "", "显著提升"]])
    doc = Document("plain", "0" * 64, "txt", pages=[Page(1, [Line("绩效目标表"), table, Line("单位：万元")])])
    assert_round_trip(doc, "pdf", tmp_path, ruled=False)


def test_table_continued_over_pages(tmp_path):
    rows = [[f"第{r}行", f"指标{r}", str(r * 10)] for r in range(70)]
    doc = Document("long", "0" * 64, "txt", pages=[Page(1, [Line("绩效指标"), grid_table(rows), Line("填表人：")])])
    read = assert_round_trip(doc, "pdf", tmp_path)
    assert read.page_count >= 2
    table = read.pages[0].tables[0]
    pages = {c.source.page for c in table.cells}
    assert pages == set(range(1, read.page_count + 1))
    assert table.cells[-1].source.page == read.page_count


def test_seed_gives_same_record_as_text(tmp_path):
    assert_same_record_as_seed("pdf", tmp_path)


def test_positions(tmp_path):
    read = assert_round_trip(sample_document(), "pdf", tmp_path)
    title = read.pages[0].blocks[0]
    assert title.source.page == 1 and title.source.line == 1
    x0, top, x1, bottom = title.source.bbox
    assert x0 == pytest.approx(MARGIN, abs=1) and 0 < top < bottom < A4[1] / 4
    first = read.pages[0].tables[0].cells[0]
    assert first.source.table == 0 and (first.source.row, first.source.col) == (0, 0)
    assert first.source.bbox[0] == pytest.approx(MARGIN, abs=1) and first.source.bbox[1] > bottom


# ---- PDFs drawn by hand, as other programs make them ---------------------------------


def _canvas(path: Path, **options) -> Canvas:
    """A canvas writing in the PDF writer's Chinese font (importing it registered the font)."""
    canvas = Canvas(str(path), pagesize=A4, **options)
    canvas.setFont(FONT, 10)
    return canvas


def _grid(canvas: Canvas, top: float, rows: list[list[str]], widths: list[float]) -> float:
    """Rows of ruled cells from `top` (PDF y) down; returns the bottom."""
    for row in rows:
        x = MARGIN
        for text, width in zip(row, widths):
            canvas.rect(x, top - 20, width, 20)
            canvas.drawString(x + 3, top - 14, text)
            x += width
        top -= 20
    return top


def test_page_numbers_do_not_split_a_table(tmp_path):
    path = tmp_path / "numbered.pdf"
    canvas = _canvas(path)
    widths = [120, 200]
    _grid(canvas, A4[1] - 60, [[f"项目{r}", f"内容{r}"] for r in range(5)], widths)
    canvas.drawString(A4[0] / 2, 30, "- 1 -")
    canvas.showPage()
    canvas.setFont(FONT, 10)
    canvas.drawString(A4[0] / 2, A4[1] - 30, "第 2 页")
    _grid(canvas, A4[1] - 60, [[f"项目{r}", f"内容{r}"] for r in range(5, 8)], widths)
    canvas.save()
    doc = read_document(path)
    tables = [b for p in doc.pages for b in p.tables]
    assert len(tables) == 1 and tables[0].n_rows == 8
    assert [c.text for c in tables[0].cells if c.col == 0] == [f"项目{r}" for r in range(8)]


def test_centred_label_wrapped_in_its_cell(tmp_path):
    path = tmp_path / "centred.pdf"
    canvas = _canvas(path)
    canvas.rect(MARGIN, 660, 60, 40)
    canvas.rect(MARGIN + 60, 660, 200, 40)
    canvas.drawCentredString(MARGIN + 30, 686, "项目立项")
    canvas.drawCentredString(MARGIN + 30, 672, "情况")
    canvas.drawString(MARGIN + 63, 686, "依据：沪府办发〔2018〕8号")
    canvas.save()
    table = read_document(path).pages[0].tables[0]
    assert [c.text for c in table.cells] == ["项目立项情况", "依据：沪府办发〔2018〕8号"]


def test_paragraph_wrapped_on_the_page_is_one_line(tmp_path):
    path = tmp_path / "notes.pdf"
    canvas = _canvas(path)
    width = A4[0] - 2 * MARGIN
    _grid(canvas, 760, [["项目名称", "居民小区综合治理建设"]], [100, width - 100])
    note = "注：" + "加强财政支持，完善住宅小区综合治理工作经费保障机制，" * 3
    first = int(width // 10)
    canvas.drawString(MARGIN, 720, note[:first])
    canvas.drawString(MARGIN, 708, note[first:])
    canvas.drawString(MARGIN, 680, "填表人：李玉芳")
    canvas.save()
    assert [line.text for line in read_document(path).pages[0].lines] == [note, "填表人：李玉芳"]


def test_checkbox_glyphs(tmp_path, glyph_source):
    """☑ and ☐ as text (pdfminer drops them in a font that lacks them; pdfium has them),
    and a □ with a √ printed over it."""
    path = tmp_path / "glyphs.pdf"
    canvas = _canvas(path)
    canvas.drawString(MARGIN, 700, "是否新增：☑是 ☐否")
    canvas.drawString(MARGIN, 680, "项目属性：□延续项目")
    canvas.drawString(MARGIN + 50, 680, "√")
    canvas.save()
    assert [line.text for line in read_document(path).pages[0].lines] == ["是否新增：☑是 ☐否", f"项目属性：{CHECKED}延续项目"]


def test_drawn_square_with_tick(tmp_path):
    path = tmp_path / "squares.pdf"
    canvas = _canvas(path)
    canvas.drawString(MARGIN, 700, "项目类别")
    for x, checked in ((MARGIN + 50, True), (MARGIN + 110, False)):
        canvas.rect(x, 699, 8, 8)
        if checked:
            canvas.line(x + 1.5, 703, x + 3.5, 700.5)
            canvas.line(x + 3.5, 700.5, x + 7, 706)
        canvas.drawString(x + 10, 700, "一次性" if checked else "经常性")
    canvas.save()
    assert [line.text for line in read_document(path).pages[0].lines] == [f"项目类别 {CHECKED}一次性 {UNCHECKED}经常性"]


def test_encrypted_pdf(tmp_path):
    path = tmp_path / "secret.pdf"
    canvas = _canvas(path, encrypt=StandardEncryption("secret"))
    canvas.drawString(MARGIN, 700, "项目名称：居民小区综合治理建设")
    canvas.save()
    with pytest.raises(ExtractError, match=r"^encrypted PDF \(password protected\)$"):
        read_document(path)


def test_damaged_pdf(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R\n" + b"\x00garbage" * 50)
    with pytest.raises(ExtractError, match="damaged PDF"):
        read_document(path)


def _drawn_only(canvas: Canvas) -> None:
    canvas.rect(100, 500, 300, 200, fill=1)  # a scan's image would be here


def _mojibake(canvas: Canvas) -> None:
    canvas.setFont("Helvetica", 10)
    canvas.drawString(MARGIN, 700, "ÏîÄ¿Ãû³Æ£º¾ÓÃñÐ¡Çø×ÛºÏÖÎÀí½¨Éè ½ð¶îµ¥Î»£ºÍòÔª")


@pytest.mark.parametrize("draw", [_drawn_only, _mojibake], ids=["no text layer", "mojibake"])
def test_needs_ocr(tmp_path, draw):
    """Such a PDF is read by OCR instead (tests/test_read_scan.py)."""
    import pypdfium2

    path = tmp_path / "scan.pdf"
    canvas = _canvas(path)
    draw(canvas)
    canvas.save()
    pdf = pypdfium2.PdfDocument(str(path))
    assert extract.pdf.needs_ocr([extract.pdf.page_content(pdf[i], i + 1) for i in range(len(pdf))]) == extract.pdf.NEEDS_OCR
    pdf.close()


def test_needs_ocr_passes_real_text(tmp_path):
    import pypdfium2

    path = tmp_path / "filing.pdf"
    assert_round_trip(sample_document(), "pdf", tmp_path)
    pdf = pypdfium2.PdfDocument(str(path))
    assert extract.pdf.needs_ocr([extract.pdf.page_content(pdf[i], i + 1) for i in range(len(pdf))]) is None
    pdf.close()


def test_a_glyph_printed_twice_is_kept_once_but_narrow_digits_side_by_side_are_both_kept():
    """Fake bold prints a glyph twice, the copies nearly on top of each other; OCR places
    the narrow 1s of 112000 about as near, side by side."""
    from extract.pdfglyphs import Glyph
    from extract.pdflayout import _visual_lines

    def line(*x0s: float, width: float) -> str:
        [glyphs] = _visual_lines([Glyph("1", x, x + width, 0, 10, 10) for x in x0s])
        return "".join(g.text for g in glyphs)

    assert line(0, 0.5, width=8) == "1"  # fake bold: the copies overlap almost wholly
    assert line(0, 2.5, width=2.5) == "11"  # two narrow digits that touch
