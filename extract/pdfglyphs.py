"""What a PDF page draws, read with pdfium: glyphs with their boxes, rectangles, ruling
edges and small marks (ticks), in top-left page coordinates as the page is shown.

pdfium is the glyph source because it is fast (a dense form page in a few milliseconds,
where pdfminer's pure-Python interpreter takes a quarter of a second) and because it maps
Unicode-encoded CID fonts directly, so a ☑ in a font that lacks it is still a ☑ (pdfminer
drops such glyphs). Table grids are still found by pdfplumber, from the edges given here.

pdfium measures glyphs with the font it loads; a font that is neither embedded nor
installed (SimSun on a machine without Chinese fonts) leaves its text objects without
size, and pdfium then drops some of their glyphs. Such a page is marked `unmeasured` and
its glyphs are read again with pdfminer (`pdfminer_glyphs`), which needs no font files.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import pypdfium2
import pypdfium2.raw as pdfium_c

from extract.symbols import symbol_mark

_SYMBOL_FAMILIES = {"wingdings": "wingdings", "wingdings2": "wingdings 2"}
RECOVERABLE = "☑☐☒□■√✓✔✗✘"  # checkbox glyphs pdfminer may drop and pdfium still reads


@dataclass(slots=True)
class Glyph:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    font: str = ""

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True, slots=True)
class Rect:
    x0: float
    top: float
    x1: float
    bottom: float
    stroke: bool
    fill: bool

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.x0, self.top, self.x1, self.bottom)


@dataclass
class PageContent:
    number: int  # 1-based
    width: float
    height: float
    glyphs: list[Glyph] = field(default_factory=list)
    rects: list[Rect] = field(default_factory=list)
    marks: list[tuple[float, float, float, float]] = field(default_factory=list)  # bboxes of slanted/curved strokes
    edges: list[dict] = field(default_factory=list)  # pdfplumber edge dicts for its TableFinder
    unmeasured: bool = False  # text pdfium could not measure: glyphs must come from pdfminer


def page_content(page: pypdfium2.PdfPage, number: int) -> PageContent:
    view = _View(page)
    content = PageContent(number, view.width, view.height)
    textpage = page.get_textpage()
    try:
        content.glyphs = _glyphs(textpage, view)
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_TEXT]):
            if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
                _add_path(obj, view, content)
            elif not content.unmeasured:
                content.unmeasured = _unmeasured(obj, textpage)
    finally:
        textpage.close()
    return content


def _unmeasured(obj: pypdfium2.PdfObject, textpage: pypdfium2.PdfTextPage) -> bool:
    """A text object with visible characters but no height: its font was not loaded
    (spaces have no height either, hence the look at the text)."""
    _, bottom, _, top = obj.get_bounds()
    if top > bottom:
        return False
    length = pdfium_c.FPDFTextObj_GetText(obj.raw, textpage, None, 0)
    buffer = ctypes.create_string_buffer(length * 2)
    pdfium_c.FPDFTextObj_GetText(obj.raw, textpage, ctypes.cast(buffer, ctypes.POINTER(pdfium_c.FPDF_WCHAR)), length)
    return bool(buffer.raw.decode("utf-16-le", "replace").strip("\x00 \t\r\n\u3000"))


def pdfminer_glyphs(page, pdfium_glyphs: list[Glyph]) -> list[Glyph]:
    """Glyphs of a pdfplumber page (pdfminer coordinates are already top-left, rotated),
    with the checkbox glyphs pdfminer drops (a ☑ in a font whose character collection
    lacks it) taken from pdfium's reading of the same page."""
    out = []
    for c in page.chars:
        text, font = c["text"], c.get("fontname") or ""
        if text.startswith("(cid:"):
            text = "\ufffd"
        family = _SYMBOL_FAMILIES.get(_family_key(font))
        if family and len(text) == 1:
            text = symbol_mark(family, ord(text)) or text
        for ch in text or "\ufffd":  # ligatures come as several characters in one glyph
            out.append(Glyph(ch, c["x0"], c["x1"], c["top"], c["bottom"], c["size"], font))
    return out + _dropped_checkboxes(out, pdfium_glyphs)


def _dropped_checkboxes(miner: list[Glyph], pdfium: list[Glyph]) -> list[Glyph]:
    """pdfium's checkbox glyphs that pdfminer left out, placed among pdfminer's glyphs.
    Both list glyphs in content-stream order, so aligning the two texts shows where each
    one belongs. Where pdfminer did not advance over the glyph it dropped (the glyphs
    after it sit where pdfium puts the dropped one), it goes just before the next glyph."""
    matcher = SequenceMatcher(None, [g.text for g in pdfium], [g.text for g in miner], autojunk=False)
    out = []
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        missing = [g for g in pdfium[i1:i2] if g.text in RECOVERABLE] if tag in ("delete", "replace") else []
        after = miner[j1] if j1 < len(miner) else None
        aligned = after is None or i2 >= len(pdfium) or abs(after.x0 - pdfium[i2].x0) < 0.5
        for k, glyph in enumerate(missing):
            if not aligned:
                x0 = after.x0 - 0.01 * (len(missing) - k)
                glyph = Glyph(glyph.text, x0, x0 + 0.005, after.top, after.bottom, after.size, glyph.font)
            out.append(glyph)
    return out


class _View:
    """User space -> the page as shown: origin top-left, /Rotate applied."""

    def __init__(self, page: pypdfium2.PdfPage) -> None:
        self.left, self.bottom, right, top = page.get_mediabox()
        self.w, self.h = right - self.left, top - self.bottom
        self.rotation = page.get_rotation() % 360
        self.width, self.height = (self.h, self.w) if self.rotation in (90, 270) else (self.w, self.h)

    def point(self, x: float, y: float) -> tuple[float, float]:
        x, y = x - self.left, y - self.bottom
        if self.rotation == 90:
            return y, x
        if self.rotation == 180:
            return self.w - x, y
        if self.rotation == 270:
            return self.h - y, self.w - x
        return x, self.h - y

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        (ax, ay), (bx, by) = self.point(left, bottom), self.point(right, top)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def _glyphs(textpage: pypdfium2.PdfTextPage, view: _View) -> list[Glyph]:
    out = []
    fonts: dict[int, str] = {}
    for index in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage, index)
        if code in (0x0A, 0x0D) or pdfium_c.FPDFText_IsGenerated(textpage, index) == 1:
            continue  # line breaks and spaces pdfium infers; gaps are judged from positions
        x0, top, x1, bottom = view.box(*textpage.get_charbox(index, loose=True))
        size = pdfium_c.FPDFText_GetFontSize(textpage, index) or (bottom - top)
        if bottom - top < 0.1 * size:  # a font pdfium could not load: its box is the baseline
            top, bottom = bottom - 0.88 * size, bottom + 0.12 * size
        font = _font_name(textpage, index, fonts)
        text = chr(code) if 0 < code < 0x110000 else "\ufffd"
        family = _SYMBOL_FAMILIES.get(_family_key(font))
        if family:
            text = symbol_mark(family, code) or text
        out.append(Glyph(text, x0, x1, top, bottom, size, font))
    return out


def _font_name(textpage: pypdfium2.PdfTextPage, index: int, cache: dict[int, str]) -> str:
    """The glyph's font name, looked up once per text object (a run of glyphs)."""
    obj = pdfium_c.FPDFText_GetTextObject(textpage, index)
    key = ctypes.cast(obj, ctypes.c_void_p).value or 0
    if key not in cache:
        font = pdfium_c.FPDFTextObj_GetFont(obj) if obj else None
        name = ""
        if font:
            size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
            buffer = ctypes.create_string_buffer(size)
            pdfium_c.FPDFFont_GetBaseFontName(font, buffer, size)
            name = buffer.value.decode("utf-8", "replace")
        cache[key] = name
    return cache[key]


def _family_key(font: str) -> str:
    """``ABCDEF+Wingdings-Regular`` -> ``wingdings``."""
    base = font.split("+", 1)[1] if "+" in font[:7] else font
    for sep in ("-", ","):
        base = base.split(sep, 1)[0]
    return base.replace(" ", "").lower()


def is_symbol_pdf_font(font: str) -> bool:
    return _family_key(font) in _SYMBOL_FAMILIES


def _add_path(obj: pypdfium2.PdfObject, view: _View, content: PageContent) -> None:
    """One path object: closed axis-aligned rectangles as Rects (and four edges), other
    straight horizontal/vertical segments as edges, slanted or curved strokes as marks."""
    matrix = obj.get_matrix()
    container = obj.container
    while container is not None:  # a path inside a form XObject
        matrix = matrix.multiply(container.get_matrix())
        container = container.container
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDFPath_GetDrawMode(obj.raw, fill_mode, stroke)
    for points, curved in _subpaths(obj.raw):
        shown = [view.point(*matrix.on_point(x, y)) for x, y in points]
        rect = _as_rect(shown)
        if rect is not None and not curved:
            box = Rect(*rect, stroke=bool(stroke.value), fill=fill_mode.value != 0)
            content.rects.append(box)
            content.edges.extend(_rect_edges(box))
            continue
        straight = True
        for (ax, ay), (bx, by) in zip(shown, shown[1:]):
            if abs(ax - bx) < 0.01 or abs(ay - by) < 0.01:
                if not curved:
                    content.edges.append(_edge(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)))
            else:
                straight = False
        if curved or not straight:
            xs, ys = [p[0] for p in shown], [p[1] for p in shown]
            content.marks.append((min(xs), min(ys), max(xs), max(ys)))


def _subpaths(path) -> list[tuple[list[tuple[float, float]], bool]]:
    """Points of each subpath (closing point repeated), and whether it has curves."""
    out: list[tuple[list[tuple[float, float]], bool]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    for index in range(pdfium_c.FPDFPath_CountSegments(path)):
        segment = pdfium_c.FPDFPath_GetPathSegment(path, index)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or not out:
            out.append(([], False))
        points, curved = out[-1]
        points.append((x.value, y.value))
        if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO and not curved:
            out[-1] = (points, True)
        if pdfium_c.FPDFPathSegment_GetClose(segment) and points[0] != points[-1]:
            points.append(points[0])
    return out


def _as_rect(points: list[tuple[float, float]]) -> tuple[float, float, float, float] | None:
    """The bbox of a closed four-corner axis-aligned path, else None."""
    if len(points) != 5 or abs(points[0][0] - points[4][0]) > 0.01 or abs(points[0][1] - points[4][1]) > 0.01:
        return None
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        if abs(ax - bx) > 0.01 and abs(ay - by) > 0.01:
            return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _edge(x0: float, top: float, x1: float, bottom: float) -> dict:
    return {"object_type": "line_edge", "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
            "width": x1 - x0, "height": bottom - top, "orientation": "v" if x1 - x0 < bottom - top else "h"}


def _rect_edges(r: Rect) -> list[dict]:
    return [_edge(r.x0, r.top, r.x1, r.top), _edge(r.x0, r.bottom, r.x1, r.bottom),
            _edge(r.x0, r.top, r.x0, r.bottom), _edge(r.x1, r.top, r.x1, r.bottom)]
