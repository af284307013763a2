"""Scans -> Document: image files (PNG, JPEG, BMP, multi-page TIFF) and PDFs without a
usable text layer (extract/pdf.py hands those over).

Each page is turned upright if it was scanned sideways or upside down, straightened
(extract/scanimage.py), its rules and checkboxes found in the ink (extract/scangrid.py),
the rules painted out and the rest read by RapidOCR, whose Chinese models ship inside
its wheel (nothing is downloaded). Text boxes are found on a 150-dpi copy and cut at the
ruling lines they cross, so each piece read lies in one cell. The recognised characters,
placed where OCR saw them, become the same glyphs, rules and squares a PDF page gives,
so extract/pdflayout.py builds the tables (merged cells from missing rules), free lines
and ☑/□ marks exactly as for a typed PDF, and tables continued over pages are joined
the same way. Misreadings the context settles are undone last (extract/ocrfix.py).

Every cell and line read gets `confidence`: the mean score of the OCR text boxes it
holds (a checkbox counts as a box scored by how clearly it is ticked or empty).
Pages are read one after another, onnxruntime spreading each page's inference over the
cores; inside a worker of a pool over files (or with OMP_NUM_THREADS=1), on one core.
Files, not pages, are the unit to spread over processes: one thread per process wastes
nothing on synchronisation. CPU time per page on one thread, measured on generated
150-dpi scans: about 6.7 s (recognition about 70%, detection 20%).
"""

from __future__ import annotations

import multiprocessing
import os
import re
from dataclasses import dataclass, replace
from statistics import fmean

import cv2
import numpy as np

from rapidocr_onnxruntime.cal_rec_boxes import CalRecBoxes

from extract.model import Cell, Document, ExtractError, Line, Page, Table
from extract.ocrfix import fix_misreadings
from extract.ocrpunct import HALF_EM, INK_LEFT, INK_RIGHT, settle  # a line ending in 、 takes half an em more than its ink
from extract.pdfglyphs import Glyph, PageContent
from extract.pdflayout import join_continued_tables, page_blocks, to_pages
from extract.scangrid import Rules, Square, find_rules, find_squares
from extract.scanimage import ScanPage, image_pages, ink, pdf_pages, skew_angle, straighten
from extract.source import RawFile

# What OCR makes of a checkbox square: these over a square are the square itself.
BOX_READINGS = set("口□☐☑☒回囗日図凶√✓✔VvXx×0OoDd")
BOX_MIN_EM = 0.6  # a checkbox's side is at least this share of the text's height
LINE_END_ALLOWANCE = 0.5  # em; see `_glyphs`
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
DETECT_DPI = 150  # text is found on a copy of the page at this resolution (read at full)
ORIENTATION_SAMPLE = 12  # longest lines whose direction decides whether a page is upside down
SIDE_MARGIN = 0.3  # see `_widened`
CROP_PAD = 0.3  # share of a text box's height of paper added at its ends before reading (`_recognise`)
MIN_SCORE = 0.5  # text boxes read with less confidence are noise (RapidOCR's own cut)
SECOND_LOOK = 0.6  # a crop with a character read with less confidence is read again (`_read`)
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


@dataclass
class _View:
    """A page turned and straightened, its rules found and painted out, its text boxes
    found (pixels, on the straightened page)."""

    gray: np.ndarray
    mask: np.ndarray  # ink
    rules: Rules
    text_only: np.ndarray  # the page without its rules, for OCR
    text_ink: np.ndarray
    boxes: list[tuple[int, int, int, int]]


def read_page(page: ScanPage) -> tuple[PageContent, list[Scored]]:
    """One page as a PDF page's content (points, top-left origin), and the scores of
    what was read on it. A page scanned sideways or upside down is turned first (see
    `_quarter_turns`)."""
    turns = 0
    for _ in range(3):  # sideways, then possibly upside down
        view = _view(np.rot90(page.gray, turns) if turns else page.gray, page.scale)
        more = _quarter_turns(view)
        if not more:
            break
        turns += more
    squares = find_squares(view.mask, view.rules.mask, page.scale)
    glyphs, scores = [], []
    lines = _recognise(view, page.scale)
    for index, (polygon, text, score, words) in enumerate(lines):
        for glyph in _glyphs(polygon, text, words, view.text_ink, page.scale):
            glyphs.append(glyph)
            scores.append(Scored(page.number, glyph.cx, glyph.cy, index, score))
    for index, glyph in _wrapped_stops(lines, glyphs, view.text_ink, page.scale):
        glyphs.append(glyph)
        scores.append(Scored(page.number, glyph.cx, glyph.cy, index, lines[index][2]))
    glyphs, squares = _checkboxes(glyphs, squares, view.text_ink, page.scale)
    offset = len(scores)
    scores += [Scored(page.number, (s.rect.x0 + s.rect.x1) / 2, (s.rect.top + s.rect.bottom) / 2, offset + i, s.confidence)
               for i, s in enumerate(squares)]
    height, width = view.gray.shape
    content = PageContent(page.number, width * page.scale, height * page.scale, glyphs=glyphs,
                          rects=[s.rect for s in squares], marks=[s.rect.bbox for s in squares if s.ticked],
                          edges=view.rules.edges)
    return content, scores


def _view(gray: np.ndarray, scale: float) -> _View:
    gray = straighten(gray, skew_angle(ink(gray)))
    mask = ink(gray)
    rules = find_rules(mask, scale)
    text_only = np.where(rules.mask > 0, np.uint8(255), gray)
    text_ink = np.where(rules.mask > 0, np.uint8(0), mask)
    return _View(gray, mask, rules, text_only, text_ink, _detect(text_only, scale))


def _quarter_turns(view: _View) -> int:
    """Quarter turns (counter-clockwise) that bring the page nearer upright: 1 when its
    text boxes stand taller than wide (lines run down the page; which way is settled on
    the next look), 2 when RapidOCR's angle classifier finds most of the longest lines
    upside down, else 0. Cheap: the boxes are found anyway, and only `ORIENTATION_SAMPLE`
    lines are classified."""
    sizes = [(x1 - x0, y1 - y0) for x0, y0, x1, y1 in view.boxes]
    wide = sum(w * h for w, h in sizes if w > 1.5 * h)
    tall = sum(w * h for w, h in sizes if h > 1.5 * w)
    if tall > wide:
        return 1
    longest = sorted((b for b, (w, h) in zip(view.boxes, sizes) if w > 1.5 * h), key=lambda b: b[0] - b[2])
    crops = [np.dstack([view.text_only[y0:y1, x0:x1]] * 3) for x0, y0, x1, y1 in longest[:ORIENTATION_SAMPLE]]
    if not crops:
        return 0
    _, labels, _ = _ocr_engine().text_cls(crops)
    upside_down = sum(label == "180" for label, _ in labels)
    return 2 if upside_down > len(crops) / 2 else 0


# ---- OCR ------------------------------------------------------------------------------


def _detect(gray: np.ndarray, scale: float) -> list[tuple[int, int, int, int]]:
    """RapidOCR's text boxes (pixels: x0, y0, x1, y1), found on a copy at `DETECT_DPI`:
    finding lines needs no finer pixels, and detection costs by the pixel."""
    factor = min(1.0, DETECT_DPI * scale / 72.0)
    small = gray if factor == 1.0 else cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    found, _ = _ocr_engine().text_det(np.dstack([small] * 3))
    height, width = gray.shape
    boxes = []
    for box in [] if found is None else found:
        x0, y0 = np.maximum(box.min(axis=0) / factor, 0).astype(int)
        x1, y1 = np.ceil(box.max(axis=0) / factor).astype(int)
        boxes.append((int(x0), int(y0), int(min(x1, width)), int(min(y1, height))))
    return [_widened(box, boxes, width) for box in boxes]


def _widened(box: tuple[int, int, int, int], boxes: list[tuple[int, int, int, int]], width: int) -> tuple[int, int, int, int]:
    """A box reaching `SIDE_MARGIN` of its height further at each end, short of any other
    box on its line: the detector's boxes can stop at a faint first or last character
    (the left stroke of 东, a final 。), which the recogniser then misreads or drops."""
    x0, y0, x1, y1 = box
    margin = round(SIDE_MARGIN * (y1 - y0))
    beside = [b for b in boxes if b is not box and b[1] < y1 and y0 < b[3]]
    left = max([x0 - margin, 0] + [b[2] for b in beside if b[2] <= x0])
    right = min([x1 + margin, width] + [b[0] for b in beside if b[0] >= x1])
    return (min(left, x0), y0, max(right, x1), y1)


def _recognise(view: _View, scale: float) -> list[tuple[list, str, float, list[tuple[str, list]]]]:
    """The text of the page's boxes: (polygon, text, score, [(word, word polygon), …]).
    A box found across a ruling line is cut there and each piece read alone: the line was
    painted out, so the detector may run two cells' text together, and the recogniser's
    character positions are too rough to put each character back in its own cell. Each
    piece is read with `CROP_PAD` of paper added at its ends, the margin the recogniser
    knows from the detector's own boxes: cut tight at a rule, it drops or misreads the
    first and last characters (《 at a cell's start, 。 at its end)."""
    rects = [r for box in view.boxes for r in _cut_at_rules(box, view.rules.edges, scale)
             if view.text_ink[r[1]:r[3], r[0]:r[2]].any()]
    rects = _without_slivers(rects)
    if not rects:
        return []
    engine = _ocr_engine()
    image = np.dstack([view.text_only] * 3)
    pads = [round(CROP_PAD * (y1 - y0)) for _, y0, _, y1 in rects]
    crops = [cv2.copyMakeBorder(image[y0:y1, x0:x1], 0, 0, pad, pad, cv2.BORDER_CONSTANT, value=(255, 255, 255))
             for (x0, y0, x1, y1), pad in zip(rects, pads)]
    read = _read(engine, crops)
    out = []
    for rect, pad, crop, (text, score, word_info) in zip(rects, pads, crops, read):
        if score >= MIN_SCORE and text.strip():
            box = _polygon((rect[0] - pad, rect[1], rect[2] + pad, rect[3]))
            words, word_boxes = _word_boxes(text, word_info, crop.shape, box)
            if len(words) == len(text):  # one box per character: marks can be checked against their ink
                words = list(_settled(text, word_boxes, view.text_ink, view.text_only, box))
                text = "".join(words)
            out.append((_polygon(rect).tolist(), text, float(score), list(zip(words, word_boxes))))
    return out


def _read(engine, crops: list[np.ndarray]) -> list[tuple[str, float, list]]:
    """RapidOCR's readings of the crops: (text, score, word information). A crop with a
    character read at less than `SECOND_LOOK` is read again after a light edge-keeping
    denoise, and the better-scored reading kept: on a worn scan the recogniser's
    doubtful characters are mostly sensor noise and JPEG blocks on thin strokes, which
    that takes off (few lines are doubtful, so the cost stays small)."""
    read, _ = engine.text_rec(crops, True)
    doubtful = [i for i, (text, _, info) in enumerate(read) if text.strip() and min(info[4]) < SECOND_LOOK]
    if doubtful:
        again, _ = engine.text_rec([cv2.bilateralFilter(crops[i], 5, 40, 5) for i in doubtful], True)
        for i, reading in zip(doubtful, again):
            if reading[1] > read[i][1]:
                read[i] = reading
    return read


def _word_boxes(text: str, word_info: list, shape: tuple, polygon: np.ndarray) -> tuple[list[str], list]:
    """RapidOCR's words of a crop and their boxes, on the page: its own `cal_rec_boxes`
    maps them back through a perspective transform point by point (5% of a page's time),
    where for an upright crop a shift does the same."""
    height, width = shape[:2]
    words, boxes, _ = CalRecBoxes.cal_ocr_word_box(text, np.array([[0, 0], [width, 0], [width, height], [0, height]]), word_info)
    left, top = (int(v) for v in polygon.min(axis=0))
    shifted = [[[int(x + left), int(y + top)] for x, y in box] for box in CalRecBoxes.adjust_box_overlap(boxes)]
    return words, shifted


def _settled(text: str, boxes: list, text_ink: np.ndarray, text_only: np.ndarray, polygon: np.ndarray) -> str:
    """`text` with the punctuation marks RapidOCR confuses re-decided from their ink
    (extract/ocrpunct.py), on the rows of the line's own ink."""
    x0, y0 = np.maximum(polygon.min(axis=0), 0).astype(int)
    x1, y1 = polygon.max(axis=0).astype(int)
    region = text_ink[y0:y1, x0:x1]
    rows = _main_band(region.any(axis=1))
    if rows.size == 0:
        return text
    top, bottom = y0 + rows[0], y0 + rows[-1] + 1
    centres = [(min(p[0] for p in b) + max(p[0] for p in b)) / 2 - x0 for b in boxes]
    return settle(text, centres, text_ink[top:bottom, x0:x1], text_only[top:bottom, x0:x1])


def _polygon(rect: tuple[int, int, int, int]) -> np.ndarray:
    x0, y0, x1, y1 = rect
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)


def _cut_at_rules(rect: tuple[int, int, int, int], edges: list[dict], scale: float) -> list[tuple[int, int, int, int]]:
    """A text box (pixels) cut where a vertical rule crosses its middle."""
    x0, y0, x1, y1 = rect
    middle = (y0 + y1) / 2 * scale
    cuts = sorted(e["x0"] / scale for e in edges if e["orientation"] == "v" and e["top"] <= middle <= e["bottom"]
                  and x0 < e["x0"] / scale < x1)
    pieces, left = [], x0
    for x in cuts:  # the rule is painted out: cutting on it leaves paper on both sides
        pieces.append((left, y0, round(x), y1))
        left = round(x)
    pieces.append((left, y0, x1, y1))
    return [p for p in pieces if p[2] - p[0] >= 4]


def _without_slivers(rects: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Pieces lying mostly inside a larger box dropped: two boxes the detector found
    overlapping, once cut at a rule, leave a sliver of the other's characters that would be
    read as a character of its own."""
    def area(r):
        return max(r[2] - r[0], 0) * max(r[3] - r[1], 0)

    def shared(a, b):
        return area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))

    return [r for r in rects if not any(o is not r and area(o) > area(r) and shared(r, o) > 0.5 * area(r) for o in rects)]


def _ocr_engine():
    global _engine
    if _engine is None:
        from rapidocr_onnxruntime import RapidOCR

        # a worker of a pool over files (shenbao ingest) keeps to one core, as does a process
        # started with OMP_NUM_THREADS=1 (one of several); alone, use the cores it may
        threads = 1 if multiprocessing.parent_process() is not None else (
            int(os.environ.get("OMP_NUM_THREADS") or 0) or len(os.sched_getaffinity(0)))
        # rec_img_shape: RapidOCR pads every batch of crops to at least 320 pixels wide
        # (48 high), so a short cell cost as much as a line; padded to the batch's widest
        # only (crops are batched by width), recognition takes a fifth less time
        _engine = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1, rec_img_shape=[3, 48, 48])
    return _engine


def _glyphs(polygon: list, text: str, words: list[tuple[str, list]], text_ink: np.ndarray, scale: float) -> list[Glyph]:
    """One OCR box (one line of text) as glyphs in points.

    OCR boxes are padded, so the box's ink gives its top, bottom and ends, and the size
    (a scanned Chinese character's ink is about 1 em tall, digits' 0.8). Each word sits
    where OCR placed it; a word of several characters (Latin or digits) is shared out
    evenly. Characters OCR read with no space between them (or with one between Chinese
    characters, where OCR's spaces are noise) are made to touch when less than an em
    apart, so that only real gaps read as spaces. The last glyph reaches `LINE_END_ALLOWANCE` em past
    its ink (and half an em more after punctuation inked in its left half, as a line
    starting with 《 begins half an em before its ink): a wrapped line ends less than a
    character short of its cell's side, and
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
            # full-width punctuation leaves half an em of paper beside its ink: 》（ touch
            reach = size * (1 + HALF_EM * ((out[-1].text in INK_LEFT) + (ch in INK_RIGHT))) if out else 0.0
            if out and not (spaced and k == 0) and 0 < glyph.x0 - out[-1].x1 < reach:
                middle = (glyph.x0 + out[-1].x1) / 2
                out[-1].x1 = glyph.x0 = middle
            out.append(glyph)
    if out:
        ink_left, ink_right = float(x0 + columns[0]) * scale, float(x0 + columns[-1] + 1) * scale
        if ink_left < out[0].x1:
            out[0].x0 = ink_left - (HALF_EM * size if out[0].text in INK_RIGHT else 0.0)
        out[-1].x1 = max(ink_right, out[-1].x0) + (LINE_END_ALLOWANCE + (HALF_EM if out[-1].text in INK_LEFT else 0.0)) * size
    return out


def _wrapped_stops(lines: list, glyphs: list[Glyph], text_ink: np.ndarray, scale: float) -> list[tuple[int, Glyph]]:
    """Full stops alone on a line, as (index of the line above, glyph): the detector finds
    no box around a single small mark, so a paragraph whose 。 wrapped onto a line of its
    own would lose it. A round dot of ink (a fifth to half an em across) that no line read
    takes in, where the next line of a text read would start, is that 。."""
    if not glyphs or not lines:
        return []
    em = float(np.median([g.size for g in glyphs])) / scale
    count, _, stats, _ = cv2.connectedComponentsWithStats(text_ink, connectivity=8)
    rects = [(min(p[0] for p in polygon), min(p[1] for p in polygon), max(p[0] for p in polygon), max(p[1] for p in polygon))
             for polygon, *_ in lines]
    out = []
    for x, y, w, h, _ in stats[1:count]:
        if not (0.2 * em <= min(w, h) and max(w, h) <= 0.5 * em and max(w, h) <= 1.5 * min(w, h)):
            continue
        if any(rx0 <= x + w / 2 <= rx1 and ry0 <= y + h / 2 <= ry1 for rx0, ry0, rx1, ry1 in rects):
            continue
        above = [i for i, (rx0, ry0, rx1, ry1) in enumerate(rects) if abs(rx0 - x) <= em and 0 <= y - ry1 <= 1.2 * em]
        if above:
            left, bottom = x * scale, (y + h) * scale
            out.append((above[0], Glyph("。", left, left + em * scale, bottom - em * scale, bottom, em * scale, "ocr")))
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
    """Squares much smaller than the text (a checkbox is drawn about 0.75 em) or that
    OCR read as a character (口 in 人口, the frame of 国) are characters;
    the others are checkboxes, and what OCR read over them (口, √) goes. OCR often drops
    a ticked box and lets the next character's box run over it, so a character is
    placed by its own ink, outside the square: it is "over" the square only when most
    of its ink is inside, and otherwise it is trimmed to its ink on the square's side
    (the space between them must show)."""
    kept, dropped = [], set()
    em = float(np.median([g.size for g in glyphs])) if glyphs else 0.0
    for square in squares:
        r = square.rect
        if r.x1 - r.x0 < BOX_MIN_EM * em:  # the 日 of 指, the 口 of 品: part of a character
            continue
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
