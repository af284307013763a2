"""Document -> text PDF the way forms printed from Word look: A4, Lines as text on their
own baselines, tables drawn with ruling lines (merged cells have no inner rules), text
wrapped inside its cell, tables that do not fit continued on the next page with the same
columns. A checkbox is the glyph □, with a tick drawn over it when checked.

The font is reportlab's built-in CID font STSong-Light (no font file needed, not
embedded): its text is real Unicode that pdfplumber and pdfium extract. Glyphs the font
lacks (☒, ✓) are kept in the text stream, where pdfminer drops them and the reader
recovers them through pdfium. Viewers show the Chinese only where a Chinese font is
installed (fonts-wqy-zenhei, for instance).

Options for the reader's other paths: `drawn_boxes=True` draws checkboxes as small
squares (ticked inside when checked); `ruled=False` draws tables without rules, aligned
on columns only, as some exports do (one line per cell: wrapped cells would not read back).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from extract.model import CHECKED, UNCHECKED, Cell, Document, Line, Table

FONT = "STSong-Light"
LINE_SIZE = 10.5  # free text
CELL_SIZE = 9.0  # table text; shrunk for a table whose tallest row would not fit a page
MIN_SIZE = 4.0
LEADING = 1.25  # line pitch, in font sizes
PARAGRAPH_GAP = 0.6  # extra space between paragraphs of a cell, in font sizes
PADDING = 3.0  # inside a cell, points
UNRULED_PADDING = 12.0  # without rules, columns are told apart by the gap between them
MARGIN = 42.0
BLOCK_GAP = 8.0  # between blocks, points
PAGE_WIDTH, PAGE_HEIGHT = A4
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
FIT_SLACK = 0.05  # points: a unit this much too wide still fits (float noise must not wrap)
_UNITS = re.compile(r"[!-~]+|.", re.S)  # a run of printable ASCII is never split


pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def write(doc: Document, path: Path, ruled: bool = True, drawn_boxes: bool = False) -> None:
    pdf = _PdfPages(Canvas(str(path), pagesize=A4), ruled, drawn_boxes)
    for page_number, page in enumerate(doc.pages):
        if page_number:
            pdf.new_page()
        for block in page.blocks:
            if isinstance(block, Line):
                pdf.line(block.text)
            else:
                pdf.table(block)
    pdf.canvas.save()


def text_width(text: str, size: float) -> float:
    return sum(_unit_width(ch, size) for ch in text)


def _unit_width(unit: str, size: float) -> float:
    if unit in (CHECKED, UNCHECKED):
        return size
    return pdfmetrics.stringWidth(unit, FONT, size)


def wrap(text: str, width: float, size: float) -> list[list[str]]:
    """Paragraphs (split on "\\n") wrapped greedily into lines of at most `width`; each
    line a list of units. Spaces before a wrap go to the start of the next line (text
    extractors drop a line's trailing spaces); ASCII runs are never split unless longer
    than a whole line."""
    paragraphs = []
    for paragraph in text.split("\n"):
        lines: list[list[str]] = [[]]
        used = 0.0
        for unit in _UNITS.findall(paragraph):
            w = _unit_width(unit, size)
            while w > width and len(unit) > 1:  # a run wider than any line: cut it
                head, unit = _split_run(unit, width - used, size)
                lines[-1].append(head)
                lines.append([])
                used, w = 0.0, _unit_width(unit, size)
            if used + w > width + FIT_SLACK and not unit.isspace() and "".join(lines[-1]).strip():
                carried: list[str] = []
                while lines[-1][-1].isspace():
                    carried.insert(0, lines[-1].pop())
                lines.append(carried)
                used = sum(_unit_width(u, size) for u in carried)
            lines[-1].append(unit)
            used += w
        paragraphs.append(lines)
    return paragraphs


def _split_run(run: str, room: float, size: float) -> tuple[str, str]:
    """The longest head of `run` that fits `room` (at least one character)."""
    cut = 1
    while cut < len(run) and _unit_width(run[: cut + 1], size) <= room:
        cut += 1
    return run[:cut], run[cut:]


@dataclass
class _Column:
    x0: float
    x1: float


@dataclass
class _PdfPages:
    """A canvas with a cursor: `y` is the top of the free space, in PDF points from the
    page bottom."""

    canvas: Canvas
    ruled: bool
    drawn_boxes: bool
    y: float = PAGE_HEIGHT - MARGIN
    drawn: bool = False  # anything on the current page yet

    @property
    def padding(self) -> float:
        return PADDING if self.ruled else UNRULED_PADDING

    def new_page(self) -> None:
        self.canvas.showPage()
        self.y = PAGE_HEIGHT - MARGIN
        self.drawn = False

    def room(self) -> float:
        return self.y - MARGIN

    def line(self, text: str) -> None:
        size = LINE_SIZE
        while size > MIN_SIZE and text_width(text, size) > TEXT_WIDTH:
            size -= 0.5
        height = size * LEADING
        if height > self.room():
            self.new_page()
        if self.drawn:
            self.y -= BLOCK_GAP  # a Line is a paragraph of its own, not the wrap of the one above
        self.draw_text(MARGIN, self.y - size, text, size)
        self.y -= height
        self.drawn = True

    def draw_text(self, x: float, baseline: float, text: str, size: float) -> None:
        """Text from `x` on one baseline. A checkbox is the glyph □, with a tick drawn
        over it when checked; with `drawn_boxes` it is a drawn square instead."""
        self.canvas.setFont(FONT, size)
        if not self.drawn_boxes:
            self.canvas.drawString(x, baseline, text.replace(CHECKED, UNCHECKED))
        for piece in re.split(f"([{CHECKED}{UNCHECKED}])", text):
            if piece in (CHECKED, UNCHECKED) and self.drawn_boxes:
                _draw_square(self.canvas, x, baseline, size, piece == CHECKED)
            elif piece == CHECKED:
                _draw_tick(self.canvas, x + size * 0.15, baseline + size * 0.05, size * 0.7)
            elif piece and self.drawn_boxes:
                self.canvas.drawString(x, baseline, piece)
            x += text_width(piece, size)

    def table(self, table: Table) -> None:
        columns = _columns(table)
        groups = _row_groups(table)
        size = CELL_SIZE
        while True:
            heights = _row_heights(table, columns, size, self.padding)
            tallest = max(sum(heights[r] for r in group) for group in groups)
            if (tallest <= PAGE_HEIGHT - 2 * MARGIN and _runs_fit(table, columns, size, self.padding)) or size <= MIN_SIZE:
                break
            size -= 0.5
        if self.drawn:
            self.y -= BLOCK_GAP
        row_top: dict[int, float] = {}
        for group in groups:
            height = sum(heights[r] for r in group)
            if height > self.room() and self.drawn:
                self.new_page()
            for r in group:
                row_top[r] = self.y
                self.y -= heights[r]
            for cell in (c for c in table.cells if c.row in group):
                top = row_top[cell.row]
                bottom = top - sum(heights[r] for r in range(cell.row, cell.row + cell.rowspan))
                self._cell(cell, columns[cell.col].x0, columns[cell.col + cell.colspan - 1].x1, top, bottom, size)
            self.drawn = True

    def _cell(self, cell: Cell, x0: float, x1: float, top: float, bottom: float, size: float) -> None:
        if self.ruled:
            self.canvas.setLineWidth(0.6)
            self.canvas.rect(x0, bottom, x1 - x0, top - bottom, stroke=1, fill=0)
        baseline = top - PADDING - size * 0.88
        for p, paragraph in enumerate(wrap(cell.text, x1 - x0 - 2 * self.padding, size)):
            if p:
                baseline -= size * PARAGRAPH_GAP
            for units in paragraph:
                self.draw_text(x0 + self.padding, baseline, "".join(units), size)
                baseline -= size * LEADING


def _draw_square(canvas: Canvas, x: float, baseline: float, size: float, checked: bool) -> None:
    """A checkbox one em wide drawn as a square, ticked when checked."""
    side = size * 0.75
    left, bottom = x + (size - side) / 2, baseline - size * 0.05
    canvas.setLineWidth(0.5)
    canvas.rect(left, bottom, side, side, stroke=1, fill=0)
    if checked:
        _draw_tick(canvas, left, bottom, side)


def _draw_tick(canvas: Canvas, left: float, bottom: float, side: float) -> None:
    """A tick inside the square (left, bottom, side), drawn as one polyline."""
    canvas.setLineWidth(0.5)
    tick = canvas.beginPath()
    tick.moveTo(left + side * 0.2, bottom + side * 0.5)
    tick.lineTo(left + side * 0.42, bottom + side * 0.2)
    tick.lineTo(left + side * 0.82, bottom + side * 0.85)
    canvas.drawPath(tick, stroke=1, fill=0)


def _columns(table: Table) -> list[_Column]:
    """Column widths filling the text width: three characters each, the rest shared in
    proportion to the text each column holds beyond that (single-column cells; the
    longest ASCII run counts whole, so that no number is cut)."""
    need = [3.0] * table.n_cols
    for cell in table.cells:
        if cell.colspan == 1 and cell.text:
            longest = max(text_width(p, CELL_SIZE) for p in cell.text.split("\n")) / CELL_SIZE
            run = max((text_width(u, CELL_SIZE) for u in _UNITS.findall(cell.text)), default=0) / CELL_SIZE
            need[cell.col] = max(need[cell.col], min(longest, 18.0) + 1, run + 1)
    least = 3.0 * CELL_SIZE
    extra = [n * CELL_SIZE - least for n in need]
    scale = max(TEXT_WIDTH - least * len(need), 0.0) / sum(extra) if sum(extra) else 0.0
    out, x = [], MARGIN
    for e in extra:
        width = least + e * scale if scale else TEXT_WIDTH / len(need)
        out.append(_Column(x, x + width))
        x += width
    return out


def _runs_fit(table: Table, columns: list[_Column], size: float, padding: float) -> bool:
    """Whether every ASCII run fits its cell's width: a number cut over two lines would
    read back with a space in it."""
    for cell in table.cells:
        width = columns[cell.col + cell.colspan - 1].x1 - columns[cell.col].x0 - 2 * padding
        if any(len(u) > 1 and text_width(u, size) > width for u in _UNITS.findall(cell.text)):
            return False
    return True


def _row_groups(table: Table) -> list[list[int]]:
    """Rows that a rowspan ties together; a page break may fall only between groups."""
    groups: list[list[int]] = []
    reach = -1
    for r in range(table.n_rows):
        if r > reach:
            groups.append([])
        groups[-1].append(r)
        reach = max([reach] + [c.row + c.rowspan - 1 for c in table.cells if c.row == r])
    return groups


def _text_height(text: str, width: float, size: float) -> float:
    paragraphs = wrap(text, width, size)
    lines = sum(len(p) for p in paragraphs)
    return lines * size * LEADING + (len(paragraphs) - 1) * size * PARAGRAPH_GAP + 2 * PADDING


def _row_heights(table: Table, columns: list[_Column], size: float, padding: float) -> list[float]:
    """Each row tall enough for its cells; a merged cell's extra height goes to its last row."""
    heights = [size * LEADING + 2 * PADDING] * table.n_rows
    for cell in sorted(table.cells, key=lambda c: c.rowspan):
        width = columns[cell.col + cell.colspan - 1].x1 - columns[cell.col].x0 - 2 * padding
        need = _text_height(cell.text, width, size)
        have = sum(heights[cell.row:cell.row + cell.rowspan])
        if need > have:
            heights[cell.row + cell.rowspan - 1] += need - have
    return heights
