"""Scans -> Document: image files (PNG, JPEG, BMP, multi-page TIFF) and PDFs without a
usable text layer (extract/pdf.py hands those over).

Each page is straightened (extract/scanimage.py), its rules and checkboxes found in the
ink (extract/scangrid.py), the rules painted out and the rest read by RapidOCR, whose
Chinese models ship inside its wheel (nothing is downloaded). The recognised characters,
placed where OCR saw them, become the same glyphs, rules and squares a PDF page gives,
so extract/pdflayout.py builds the tables (merged cells from missing rules), free lines
and ☑/□ marks exactly as for a typed PDF, and tables continued over pages are joined
the same way.

Every cell and line read gets `confidence`: the mean score of the OCR text boxes it
holds (a checkbox counts as a box scored by how clearly it is ticked or empty).
Pages are read one after another, onnxruntime spreading each page's inference over the
cores; inside a worker of a pool over files, on one core. Measured on the 2-core machine
(busy with other work): 3.2 s/page on one thread, 6.8 s/page with two threads competing
with the other load, 4.6 s/page for a pool of two page workers (model loading included),
so files, not pages, are the unit to spread over processes.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from dataclasses import dataclass, replace
from statistics import fmean

import numpy as np

from extract.model import Cell, Document, ExtractError, Line, Page, Table
from extract.pdfglyphs import Glyph, PageContent
from extract.pdflayout import join_continued_tables, page_blocks, to_pages
from extract.scangrid import Square, find_rules, find_squares
from extract.scanimage import ScanPage, image_pages, ink, pdf_pages, skew_angle, straighten
from extract.source import RawFile

# What OCR makes of a checkbox square: these over a square are the square itself.
BOX_READINGS = set("口□☐☑☒回囗団团図区凶√✓✔VvXx×0OoDd")
LINE_END_ALLOWANCE = 0.5  # em; see `_glyphs`
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Misreadings OCR makes on these forms, undone where the context leaves no doubt: a
# document number's year brackets 〔〕 read as （） or half of 【】, and 《》 read as <>.
FIXES = [
    (re.compile(r"(?<=[\u4e00-\u9fff])[（(〔【\[]((?:19|20)\d{2})[）)〕】\]](?=\d{1,4}号)"),
     lambda m: m.group(0) if m.group(0)[0] + m.group(0)[-1] in ("【】", "[]") else f"〔{m.group(1)}〕"),
    (re.compile(r"<(?=[\u4e00-\u9fff])"), lambda m: "《"),
    (re.compile(r"(?<=[\u4e00-\u9fff）)])>"), lambda m: "》"),
]
_engine = None


@dataclass
class Scored:
    """A text box OCR read (or a checkbox), where it is, and how sure OCR was."""

    page: int
    x: float  # centre, points
    y: float
    box: int  # glyphs of one OCR box share it
    score: float


def read(raw: RawFile) -> Document:
    return read_pages(raw, image_pages(raw.data), "image")


def read_pdf(raw: RawFile, pdf) -> Document:
    """A PDF whose text layer cannot be trusted, read from its rendered pages."""
    doc = read_pages(raw, pdf_pages(pdf), "pdf")
    doc.warnings.insert(0, "no usable text layer (scanned, or a broken font encoding): read by OCR")
    return doc


def read_pages(raw: RawFile, pages: list[ScanPage], fmt: str) -> Document:
    doc = Document(path=raw.path, sha256=raw.sha256, format=fmt, method="ocr", page_count=len(pages))
    contents, scores = [], []
    for page in pages:
        content, page_scores = read_page(page)
        if not content.glyphs:
            doc.warnings.append(f"page {page.number}: no text found by OCR")
        contents.append(content)
        scores += page_scores
    if not any(c.glyphs for c in contents):
        raise ExtractError("no text found by OCR (a blank or unreadable scan)")
    blocks = [page_blocks(content) for content in contents]
    join_continued_tables(blocks)
    doc.pages = to_pages(blocks)
    _set_confidence(doc.pages, scores)
    for _, block in doc.blocks():
        for item in block.cells if isinstance(block, Table) else [block]:
            item.text = fix_misreadings(item.text)
    return doc


def fix_misreadings(text: str) -> str:
    for pattern, replacement in FIXES:
        text = pattern.sub(replacement, text)
    return text


def read_page(page: ScanPage) -> tuple[PageContent, list[Scored]]:
    """One page as a PDF page's content (points, top-left origin), and the scores of
    what was read on it."""
    angle = skew_angle(ink(page.gray))
    gray = straighten(page.gray, angle)
    mask = ink(gray)
    rules = find_rules(mask, page.scale)
    squares = find_squares(mask, rules.mask, page.scale)
    text_only = np.where(rules.mask > 0, np.uint8(255), gray)
    text_ink = np.where(rules.mask > 0, np.uint8(0), mask)
    glyphs, scores = [], []
    for index, (polygon, text, score, words) in enumerate(_recognise(text_only)):
        for glyph in _glyphs(polygon, text, words, text_ink, page.scale):
            glyphs.append(glyph)
            scores.append(Scored(page.number, glyph.cx, glyph.cy, index, score))
    glyphs, squares = _checkboxes(glyphs, squares, text_ink, page.scale)
    offset = len(scores)
    scores += [Scored(page.number, (s.rect.x0 + s.rect.x1) / 2, (s.rect.top + s.rect.bottom) / 2, offset + i, s.confidence)
               for i, s in enumerate(squares)]
    height, width = gray.shape
    content = PageContent(page.number, width * page.scale, height * page.scale, glyphs=glyphs,
                          rects=[s.rect for s in squares], marks=[s.rect.bbox for s in squares if s.ticked],
                          edges=rules.edges)
    return content, scores


# ---- OCR ------------------------------------------------------------------------------


def _recognise(gray: np.ndarray) -> list[tuple[list, str, float, list[tuple[str, list]]]]:
    """RapidOCR's text boxes: (polygon, text, score, [(word, word polygon), …]). The page
    is upright already, so the angle classifier is skipped."""
    global _engine
    if _engine is None:
        from rapidocr_onnxruntime import RapidOCR

        # a worker of a pool over files (shenbao ingest) keeps to one core; alone, use them all
        threads = 1 if multiprocessing.parent_process() is not None else (os.cpu_count() or 1)
        _engine = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)
    result, _ = _engine(np.dstack([gray] * 3), use_cls=False, return_word_box=True)
    out = []
    for polygon, text, score, word_boxes, words, *_ in result or []:
        out.append((polygon, text, float(score), list(zip(words, word_boxes))))
    return out


def _glyphs(polygon: list, text: str, words: list[tuple[str, list]], text_ink: np.ndarray, scale: float) -> list[Glyph]:
    """One OCR box (one line of text) as glyphs in points.

    OCR boxes are padded, so the box's ink gives its top, bottom and ends, and the size
    (a scanned Chinese character's ink is about 1 em tall, digits' 0.8). Each word sits
    where OCR placed it; a word of several characters (Latin or digits) is shared out
    evenly. Characters OCR read with no space between them (or with one between Chinese
    characters, where OCR's spaces are noise) are made to touch when less than an em
    apart, so that only real gaps read as spaces. The last glyph reaches `LINE_END_ALLOWANCE` em past
    its ink: a wrapped line ends less than a character short of its cell's side, and
    extract/pdflayout.py, judging that on exact PDF metrics, must not take a scan's
    uncertain pixel for a paragraph end."""
    xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
    x0, x1 = max(int(min(xs)), 0), int(max(xs)) + 1
    y0, y1 = max(int(min(ys)), 0), int(max(ys)) + 1
    region = text_ink[y0:y1, x0:x1]
    rows = _main_band(region.any(axis=1))
    if rows.size == 0 or not words:
        return []
    columns = np.flatnonzero(region[rows[0]:rows[-1] + 1].any(axis=0))
    top, bottom = float(y0 + rows[0]) * scale, float(y0 + rows[-1] + 1) * scale
    size = (bottom - top) / (1.0 if _CJK.search(text) else 0.8)
    out: list[Glyph] = []
    cursor = 0
    for word, box in words:
        found = text.find(word, cursor)
        # OCR's spaces count between Latin words only: between Chinese they are noise
        spaced = found > cursor and text[cursor:found].isspace() and text[found - 1 - len(text[cursor:found])].isascii() and word[0].isascii()
        cursor = found + len(word) if found >= 0 else cursor
        left, right = float(min(p[0] for p in box)) * scale, float(max(p[0] for p in box)) * scale
        step = (right - left) / max(len(word), 1)
        for k, ch in enumerate(word):
            if ch.isspace():
                continue
            glyph = Glyph(ch, left + k * step, left + (k + 1) * step, top, bottom, size, "ocr")
            if out and not (spaced and k == 0) and 0 < glyph.x0 - out[-1].x1 < size:
                middle = (glyph.x0 + out[-1].x1) / 2
                out[-1].x1 = glyph.x0 = middle
            out.append(glyph)
    if out:
        ink_left, ink_right = float(x0 + columns[0]) * scale, float(x0 + columns[-1] + 1) * scale
        if ink_left < out[0].x1:
            out[0].x0 = ink_left
        out[-1].x1 = max(ink_right, out[-1].x0) + LINE_END_ALLOWANCE * size
    return out


def _main_band(inked_rows: np.ndarray) -> np.ndarray:
    """The rows of the line a padded OCR box is about: of the runs of inked rows, the
    longest (the box may take in strokes of the lines above and below)."""
    rows = np.flatnonzero(inked_rows)
    if rows.size == 0:
        return rows
    runs = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
    return max(runs, key=len)


def _checkboxes(glyphs: list[Glyph], squares: list[Square], text_ink: np.ndarray, scale: float) -> tuple[list[Glyph], list[Square]]:
    """Squares OCR read as a character (口 in 人口, the frame of 国) are characters;
    the others are checkboxes, and what OCR read over them (口, √) goes. OCR often drops
    a ticked box and lets the next character's box run over it, so a character is
    placed by its own ink, outside the square: it is "over" the square only when most
    of its ink is inside, and otherwise it is trimmed to its ink on the square's side
    (the space between them must show)."""
    kept, dropped = [], set()
    for square in squares:
        r = square.rect
        near = [i for i, g in enumerate(glyphs) if g.top < r.bottom and r.top < g.bottom and g.x0 < r.x1 + g.size and r.x0 - g.size < g.x1]
        inked = {i: _ink_columns(glyphs[i], text_ink, scale) for i in near}
        over = [i for i in near if inked[i].size and np.mean((inked[i] >= r.x0 - 1) & (inked[i] <= r.x1 + 1)) > 0.6]
        if any(glyphs[i].text not in BOX_READINGS for i in over):
            continue
        kept.append(square)
        dropped.update(over)
        for i in near:
            outside = inked[i][(inked[i] < r.x0 - 1) | (inked[i] > r.x1 + 1)]
            g = glyphs[i]
            if i in over or not outside.size:
                continue
            if outside[0] > r.x1:
                g.x0 = max(g.x0, float(outside[0]))
            elif outside[-1] < r.x0:
                g.x1 = min(g.x1, float(outside[-1]) + scale)
    return [g for i, g in enumerate(glyphs) if i not in dropped], kept


def _ink_columns(g: Glyph, text_ink: np.ndarray, scale: float) -> np.ndarray:
    """Where (points) a glyph's box has ink, column by column."""
    x0, top = int(g.x0 / scale), int(g.top / scale)
    columns = np.flatnonzero(text_ink[top:int(g.bottom / scale) + 1, x0:int(g.x1 / scale) + 1].any(axis=0))
    return (columns + x0) * scale


# ---- confidence -----------------------------------------------------------------------


def _set_confidence(pages: list[Page], scores: list[Scored]) -> None:
    by_page: dict[int, list[Scored]] = {}
    for s in scores:
        by_page.setdefault(s.page, []).append(s)
    for page in pages:
        for block in page.blocks:
            items: list[Cell | Line] = block.cells if isinstance(block, Table) else [block]
            for item in items:
                confidence = _mean_score(by_page.get(item.source.page or page.number, []), item.source.bbox)
                if confidence is not None:
                    item.source = replace(item.source, confidence=confidence)


def _mean_score(scores: list[Scored], bbox) -> float | None:
    if bbox is None:
        return None
    x0, top, x1, bottom = bbox
    boxes = {s.box: s.score for s in scores if x0 - 1 <= s.x <= x1 + 1 and top - 1 <= s.y <= bottom + 1}
    return round(fmean(boxes.values()), 3) if boxes else None
