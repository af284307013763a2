"""Text PDF -> Document.

pdfium (extract/pdfglyphs.py) reads what each page draws: glyphs, rectangles, rules,
ticks. extract/pdflayout.py turns that into Lines and Tables (grids by pdfplumber's
TableFinder), joins tables continued over pages and numbers them. A PDF whose text layer
is missing or garbage (`needs_ocr`) is read from its rendered pages by extract/ocr.py.
"""

from __future__ import annotations

import re
from io import BytesIO

import pdfplumber
import pypdfium2
import pypdfium2.raw as pdfium_c
from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import PdfminerException

from extract.model import Document, ExtractError
from extract.pdfglyphs import PageContent, is_symbol_pdf_font, page_content, pdfminer_glyphs
from extract.pdflayout import join_continued_tables, page_blocks, to_pages
from extract.source import RawFile

NEEDS_OCR = "no usable text layer: needs OCR (scanned or broken font encoding)"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def read(raw: RawFile) -> Document:
    pdf = _open(raw)
    try:
        contents = [page_content(pdf[i], i + 1) for i in range(len(pdf))]
    except pypdfium2.PdfiumError as exc:
        raise ExtractError(f"damaged PDF (a page cannot be read: {exc})") from None
    finally:
        pdf.close()
    warnings: list[str] = []
    _reread_unmeasured(raw, contents, warnings)
    if needs_ocr(contents):
        return _read_scanned(raw)
    doc = Document(path=raw.path, sha256=raw.sha256, format="pdf", page_count=len(contents), warnings=warnings)
    for content in contents:
        dropped = sum(_is_garbage(g.text, g.font) for g in content.glyphs)
        if dropped:
            doc.warnings.append(f"page {content.number}: {dropped} glyphs without a known character were left out")
            content.glyphs = [g for g in content.glyphs if not _is_garbage(g.text, g.font)]
        if not content.glyphs:
            doc.warnings.append(f"page {content.number} has no text layer (a scanned page?)")
    pages = [page_blocks(content) for content in contents]
    join_continued_tables(pages)
    doc.pages = to_pages(pages)
    return doc


def _read_scanned(raw: RawFile) -> Document:
    """The pages as images, through OCR (loaded only when a PDF needs it)."""
    from extract.ocr import read_pdf

    pdf = _open(raw)
    try:
        return read_pdf(raw, pdf)
    finally:
        pdf.close()


def _open(raw: RawFile) -> pypdfium2.PdfDocument:
    try:
        pdf = pypdfium2.PdfDocument(raw.data)
    except pypdfium2.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise ExtractError("encrypted PDF (password protected)") from None
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise ExtractError("encrypted PDF (unsupported security handler)") from None
        raise ExtractError("damaged PDF (cannot be parsed)") from None
    if len(pdf) == 0:
        pdf.close()
        raise ExtractError("damaged PDF (no pages)")
    return pdf


def _reread_unmeasured(raw: RawFile, contents: list[PageContent], warnings: list[str]) -> None:
    """Glyphs of pages pdfium could not measure, read again with pdfminer (slower, but
    independent of installed fonts; see extract/pdfglyphs.py). Should pdfminer fail
    where pdfium coped, pdfium's reading stays, with a warning."""
    unmeasured = [c for c in contents if c.unmeasured]
    if not unmeasured:
        return
    try:
        with pdfplumber.open(BytesIO(raw.data)) as pdf:
            for content in unmeasured:
                content.glyphs = pdfminer_glyphs(pdf.pages[content.number - 1], content.glyphs)
    except (PSException, PdfminerException) as exc:
        warnings.append(f"fonts neither embedded nor installed, and pdfminer cannot read the text "
                        f"({type(exc).__name__}): single glyphs may be missing")


def needs_ocr(pages: list[PageContent]) -> str | None:
    """Why these pages' text cannot be trusted (no text layer, unmapped glyph codes,
    mojibake), or None.

    The whole file is judged: garbage glyphs (private-use or replacement characters) in
    more than 30% of the glyphs, or most pages with 20 glyphs or more having no Chinese at
    all, mean the text layer does not say what the page shows."""
    glyphs = garbage = pages_with_text = pages_without_cjk = 0
    for page in pages:
        texts = [g for g in page.glyphs if not g.text.isspace()]
        if not texts:
            continue
        pages_with_text += 1
        glyphs += len(texts)
        garbage += sum(_is_garbage(g.text, g.font) for g in texts)
        if len(texts) >= 20 and not any(_CJK.match(g.text) for g in texts):
            pages_without_cjk += 1
    if not glyphs or garbage > 0.3 * glyphs or pages_without_cjk * 2 > pages_with_text:
        return NEEDS_OCR
    return None


def _is_garbage(text: str, font: str) -> bool:
    """A glyph whose character is unknown: replacement, control or private-use (outside
    symbol fonts, whose checkbox codes extract/symbols.py maps)."""
    code = ord(text)
    if text == "\ufffd" or code < 0x20 and text not in "\t":
        return True
    return 0xE000 <= code <= 0xF8FF and not is_symbol_pdf_font(font)
