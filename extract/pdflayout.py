"""A PDF page's glyphs and rules -> Lines and Tables in reading order.

- Ruled tables come from pdfplumber's TableFinder on the page's edges (explicit
  strategy; the squares of drawn checkboxes are left out so they cannot pass for cells).
  A pdfplumber cell over several grid columns/rows is one Cell with spans. A stroked
  rectangle standing alone is a one-cell table (pdfplumber skips those).
- Text outside them is grouped by baseline into visual lines; a run of two or more lines
  that each fall into far-apart segments is a table without rules (columns found by
  clustering the segments' left edges; one line per row); any other line is a Line, but
  a line that runs to the right edge of the text and goes on just below is one Line.
- Text inside a cell is joined line by line: a wrapped line continues its paragraph, a
  line ends its paragraph ("\\n") when the next line's first word would have fitted after
  it (nobody wraps early) or when the gap to the next line is clearly wider than the
  cell's usual line pitch (paragraph spacing). Lines centred in their cell (a wrapped
  label) end a paragraph only by such a gap.
- Checkboxes drawn as small squares become ☑ (tick, cross or fill inside) or □ at their
  place; a □ glyph with a √ glyph or a drawn tick over it is ☑.
- A table continued over pages (the first block of page N+1 is a table whose outer edges
  match, and most of whose column rules line up with, the table that ends page N) is
  merged into the table on page N: one Table whose cells keep their own page in
  provenance. Page-number lines in the margins (``- 2 -``, ``第 2 页``) do not prevent
  this. Two separate tables of the same columns that happen to meet at a page break are
  merged too: the file does not tell them apart.
"""

from __future__ import annotations

import re
import statistics
from bisect import bisect_right
from dataclasses import dataclass, field

from pdfplumber.table import TableFinder, TableSettings

from extract.model import CHECKED, UNCHECKED, Cell, Line, Page, Provenance, Table
from extract.pdfglyphs import Glyph, PageContent, Rect

_TABLE_SETTINGS = {
    "vertical_strategy": "explicit", "horizontal_strategy": "explicit",
    "snap_tolerance": 0.5, "join_tolerance": 3, "intersection_tolerance": 3, "edge_min_length": 3,
}
_TICKS = "√✓✔✗✘×xXvV"  # a mark inside a drawn square (or over a □) checks it
_BOXES = "□☐"
_PAGE_NUMBER = re.compile(r"[-—–\s]*\d{1,3}[-—–\s]*|第\s*\d{1,3}\s*页(\s*[,，/]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3}")
_ASCII = re.compile(r"[!-~]")
# A word "would have fitted" only with this much room to spare (points): glyph boxes
# measured by pdfium are a few hundredths of a point off the widths the text was set with.
_FIT_MARGIN = 0.3
BBox = tuple[float, float, float, float]


@dataclass
class Grid:
    """A table read from a page, before tables are numbered across the document."""

    page: int
    bbox: BBox
    xs: list[float]  # column boundaries
    ys: list[float]  # row boundaries
    cells: list[tuple[int, int, int, int, BBox]]  # row, col, rowspan, colspan, bbox
    texts: dict[tuple[int, int], str] = field(default_factory=dict)
    pages: dict[tuple[int, int], int] = field(default_factory=dict)  # cell -> page, once joined
    n_rows: int = 0

    def __post_init__(self) -> None:
        self.n_rows = len(self.ys) - 1


@dataclass
class Text:
    page: int
    text: str
    bbox: BBox
    in_margin: bool = False  # in the top or bottom tenth of the page, where page numbers go


def page_blocks(content: PageContent) -> list[Grid | Text]:
    """The page's tables and lines, top to bottom."""
    glyphs = list(content.glyphs)
    boxes = _drawn_checkboxes(content, glyphs)
    glyphs += [glyph for glyph, _ in boxes]
    grids = _ruled_tables(content, [bbox for _, bbox in boxes])
    free = _fill_tables(grids, _mark_overprinted_boxes(glyphs, content.marks))
    blocks: list[tuple[float, Grid | Text]] = [(g.bbox[1], g) for g in grids]
    right = max([g.x1 for g in free] + [g.bbox[2] for g in grids], default=0.0)  # where text ends on this page
    blocks += _free_blocks(free, content, right)
    blocks.sort(key=lambda item: item[0])
    return [block for _, block in blocks]


# ---- checkboxes -----------------------------------------------------------------------


def _drawn_checkboxes(content: PageContent, glyphs: list[Glyph]) -> list[tuple[Glyph, BBox]]:
    """Small squares: ☑ when a tick, cross or fill is inside, else □. A tick glyph inside
    is taken into the box (removed from `glyphs`)."""
    squares = [r for r in content.rects if 3 <= r.width <= 14 and abs(r.width - r.height) <= 0.15 * r.width
               and not any(_touches(r, other) for other in content.rects)]
    out = []
    for square in squares:
        box = (square.x0 - 1, square.top - 1, square.x1 + 1, square.bottom + 1)
        ticks = [g for g in glyphs if g.text in _TICKS and _inside(g.cx, g.cy, box)]
        marks = [m for m in content.marks if _inside((m[0] + m[2]) / 2, (m[1] + m[3]) / 2, box)]
        fills = [r for r in content.rects if r.fill and r is not square and _inside((r.x0 + r.x1) / 2, (r.top + r.bottom) / 2, box)]
        for tick in ticks:
            glyphs.remove(tick)
        mark = CHECKED if ticks or marks or fills else UNCHECKED
        out.append((Glyph(mark, square.x0, square.x1, square.top, square.bottom, square.height / 0.75), box))
    return out


def _touches(square: Rect, other: Rect) -> bool:
    """Whether `other` shares a side with `square`: then both are cells of a grid."""
    if other is square or other.width < 1 or other.height < 1:
        return False
    overlap_y = min(square.bottom, other.bottom) - max(square.top, other.top) > 1
    overlap_x = min(square.x1, other.x1) - max(square.x0, other.x0) > 1
    return (overlap_y and (abs(square.x0 - other.x1) < 1 or abs(square.x1 - other.x0) < 1)) or \
        (overlap_x and (abs(square.top - other.bottom) < 1 or abs(square.bottom - other.top) < 1))


def _mark_overprinted_boxes(glyphs: list[Glyph], marks: list[BBox]) -> list[Glyph]:
    """A □ glyph with a √ glyph or a drawn tick over it is one checked box."""
    ticks = [g for g in glyphs if g.text in _TICKS]
    if not ticks and not marks:
        return glyphs
    out, used = [], set()
    for g in glyphs:
        if g.text in _BOXES:
            box = (g.x0, g.top, g.x1, g.bottom)
            tick = next((t for t in ticks if id(t) not in used and _inside(t.cx, t.cy, box)), None)
            if tick is not None:
                used.add(id(tick))
            if tick is not None or any(_inside((m[0] + m[2]) / 2, (m[1] + m[3]) / 2, box) for m in marks):
                g = Glyph(CHECKED, g.x0, g.x1, g.top, g.bottom, g.size, g.font)
        out.append(g)
    return [g for g in out if id(g) not in used]


def _inside(x: float, y: float, bbox: BBox) -> bool:
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


# ---- ruled tables ---------------------------------------------------------------------


@dataclass(frozen=True)
class _PageBox:
    """What pdfplumber's TableFinder reads from a page when every rule is given
    explicitly: only its bbox (and it hands the page on to the Tables it makes)."""

    bbox: BBox


def _ruled_tables(content: PageContent, checkboxes: list[BBox]) -> list[Grid]:
    edges = [e for e in content.edges
             if not any(_inside(e["x0"], e["top"], b) and _inside(e["x1"], e["bottom"], b) for b in checkboxes)]
    vertical = [e for e in edges if e["orientation"] == "v"]
    horizontal = [e for e in edges if e["orientation"] == "h"]
    found: list[tuple[BBox, list[BBox]]] = []
    if len(vertical) >= 2 and len(horizontal) >= 2:
        settings = TableSettings.resolve(dict(_TABLE_SETTINGS, explicit_vertical_lines=vertical,
                                              explicit_horizontal_lines=horizontal))
        finder = TableFinder(_PageBox((0, 0, content.width, content.height)), settings)
        found = [(tuple(t.bbox), list(t.cells)) for t in finder.tables if t.cells]
    found += _lone_boxes(content, [bbox for bbox, _ in found])
    # a frame around other tables (a page border) is not a table of its own
    found = [(bbox, cells) for bbox, cells in found
             if not any(other != bbox and _contains(bbox, other) for other, _ in found)]
    return [_grid(bbox, cells, content.number) for bbox, cells in found]


def _lone_boxes(content: PageContent, tables: list[BBox]) -> list[tuple[BBox, list[BBox]]]:
    """Stroked rectangles outside any table: one-cell tables, which TableFinder skips."""
    out: list[tuple[BBox, list[BBox]]] = []
    for r in content.rects:
        if r.stroke and r.width > 14 and r.height > 8 and not any(_overlaps(r.bbox, t) for t in tables + [b for b, _ in out]):
            out.append((r.bbox, [r.bbox]))
    return out


def _overlaps(a: BBox, b: BBox) -> bool:
    return a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1


def _contains(outer: BBox, inner: BBox) -> bool:
    return outer[0] <= inner[0] + 1 and outer[1] <= inner[1] + 1 and outer[2] >= inner[2] - 1 and outer[3] >= inner[3] - 1


def _boundaries(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > 1.5:
            out.append(v)
    return out


def _index(bounds: list[float], v: float) -> int:
    return min(range(len(bounds)), key=lambda i: abs(bounds[i] - v))


def _grid(table_bbox: BBox, cell_bboxes: list[BBox], page: int) -> Grid:
    """Cell rectangles on a grid: a rectangle over several boundaries is a merged cell; a
    grid position no rectangle covers gets an empty cell."""
    xs = _boundaries([v for c in cell_bboxes for v in (c[0], c[2])])
    ys = _boundaries([v for c in cell_bboxes for v in (c[1], c[3])])
    taken: set[tuple[int, int]] = set()
    cells = []
    for bbox in sorted(cell_bboxes, key=lambda c: (c[1], c[0])):
        r0, r1 = _index(ys, bbox[1]), _index(ys, bbox[3])
        c0, c1 = _index(xs, bbox[0]), _index(xs, bbox[2])
        positions = {(r, c) for r in range(r0, r1) for c in range(c0, c1)}
        if not positions or positions & taken:
            continue
        taken |= positions
        cells.append((r0, c0, r1 - r0, c1 - c0, bbox))
    for r in range(len(ys) - 1):
        for c in range(len(xs) - 1):
            if (r, c) not in taken:
                cells.append((r, c, 1, 1, (xs[c], ys[r], xs[c + 1], ys[r + 1])))
    return Grid(page, table_bbox, xs, ys, cells)


def _fill_tables(grids: list[Grid], glyphs: list[Glyph]) -> list[Glyph]:
    """Put each glyph in the cell under its centre; return the glyphs outside tables."""
    free: list[Glyph] = []
    per_cell: dict[tuple[int, int, int], list[Glyph]] = {}
    lookups = [_cell_lookup(g) for g in grids]
    for glyph in glyphs:
        for t, grid in enumerate(grids):
            if _inside(glyph.cx, glyph.cy, grid.bbox):
                r = min(max(bisect_right(grid.ys, glyph.cy) - 1, 0), grid.n_rows - 1)
                c = min(max(bisect_right(grid.xs, glyph.cx) - 1, 0), len(grid.xs) - 2)
                per_cell.setdefault((t, *lookups[t][(r, c)]), []).append(glyph)
                break
        else:
            free.append(glyph)
    for (t, r, c), cell_glyphs in per_cell.items():
        grid = grids[t]
        bbox = next(cell[4] for cell in grid.cells if cell[0] == r and cell[1] == c)
        grid.texts[(r, c)] = _cell_text(_visual_lines(cell_glyphs), bbox[0], bbox[2])
    return free


def _cell_lookup(grid: Grid) -> dict[tuple[int, int], tuple[int, int]]:
    """Every grid position -> the (row, col) of the cell covering it."""
    out = {}
    for r0, c0, rs, cs, _ in grid.cells:
        for r in range(r0, r0 + rs):
            for c in range(c0, c0 + cs):
                out[(r, c)] = (r0, c0)
    return out


# ---- text from glyphs -----------------------------------------------------------------


def _visual_lines(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs grouped by baseline, top to bottom, each line left to right; a glyph
    printed twice at one place (fake bold: the copies mostly overlap) is kept once.
    Narrow characters side by side (OCR's 11 in 112000) start as near but overlap little."""
    lines: list[list[Glyph]] = []
    centre = 0.0
    for g in sorted(glyphs, key=lambda g: g.cy):
        if lines and abs(g.cy - centre) <= 0.5 * max(g.size, lines[-1][0].size):
            lines[-1].append(g)
        else:
            lines.append([g])
            centre = g.cy
    out = []
    for line in lines:
        line.sort(key=lambda g: g.x0)
        kept = [line[0]]
        for g in line[1:]:
            last = kept[-1]
            shared = min(g.x1, last.x1) - max(g.x0, last.x0)
            if not (g.text == last.text and abs(g.x0 - last.x0) < 0.3 * g.size and shared > 0.5 * min(g.x1 - g.x0, last.x1 - last.x0)):
                kept.append(g)
        if any(not g.text.isspace() for g in kept):
            out.append(kept)
    return out


def _line_text(glyphs: list[Glyph]) -> str:
    """Glyphs of one line joined. pdfium reports a run of spaces as one space glyph, so
    the room left after it gives the run back; a gap without a space glyph (text placed
    rather than spaced) becomes one space. A drawn checkbox is narrower than its em, so
    a smaller gap next to it is a space."""
    out = [glyphs[0].text]
    for prev, g in zip(glyphs, glyphs[1:]):
        gap = g.x0 - prev.x1
        if prev.text == " " and prev.x1 - prev.x0 > 0.05 * g.size:
            out.append(" " * min(int(gap / (prev.x1 - prev.x0) + 0.25), 50))
        elif not g.text.isspace() and gap > _space_gap(prev, g) * g.size:
            out.append(" ")
        out.append(g.text)
    return "".join(out)


def _space_gap(prev: Glyph, g: Glyph) -> float:
    """The gap, in ems, that reads as a space between two glyphs."""
    if prev.text in (CHECKED, UNCHECKED) or g.text in (CHECKED, UNCHECKED):
        return 0.25
    if _ASCII.fullmatch(prev.text) and _ASCII.fullmatch(g.text):
        return 0.2
    return 0.5


def _cell_text(lines: list[list[Glyph]], left: float, right: float) -> str:
    """The lines of one cell as its text (see the module docstring for paragraph ends)."""
    if not lines:
        return ""
    texts = [_line_text(line) for line in lines]
    pad = max(statistics.median(line[0].x0 for line in lines) - left, 0.0)  # text starts this far in
    limit = right - pad
    centred = _centred(lines, left, right)
    baselines = [statistics.median(g.bottom for g in line) for line in lines]
    pitches = [b - a for a, b in zip(baselines, baselines[1:])]
    usual = min(pitches) if pitches else 0.0
    out = texts[0]
    for i in range(1, len(lines)):
        prev, cur = lines[i - 1], lines[i]
        joiner = " " if _ASCII.fullmatch(texts[i - 1][-1]) and _ASCII.fullmatch(texts[i][0]) else ""
        first = _first_word_width(cur) + (0.25 * cur[0].size if joiner else 0.0)
        fitted = not centred and prev[-1].x1 + first <= limit - _FIT_MARGIN
        ended = fitted or (len(pitches) > 1 and pitches[i - 1] > 1.3 * usual)
        out += ("\n" if ended else joiner) + texts[i]
    return out.strip()


def _centred(lines: list[list[Glyph]], left: float, right: float) -> bool:
    """Lines of different starts, each as far from the left side as from the right: a
    centred label wrapped over lines (a short line there ends no paragraph)."""
    if len(lines) < 2 or max(line[0].x0 for line in lines) - min(line[0].x0 for line in lines) < 1:
        return False
    return all(abs((line[0].x0 - left) - (right - line[-1].x1)) < 0.6 * line[0].size for line in lines)


def _first_word_width(line: list[Glyph]) -> float:
    """Width of the line's first unbreakable unit with any spaces before it: a run of
    ASCII, or one character; a drawn checkbox takes a full em (the square is centred in it)."""
    start = next((i for i, g in enumerate(line) if not g.text.isspace()), 0)
    end = first = line[start]
    if first.text in (CHECKED, UNCHECKED) and first.x1 - first.x0 < first.size:
        margin = (first.size - (first.x1 - first.x0)) / 2
        return first.x1 + margin - min(line[0].x0, first.x0 - margin)
    for g in line[start + 1:]:
        if not (_ASCII.fullmatch(end.text) and _ASCII.fullmatch(g.text)) or g.x0 - end.x1 > 0.2 * g.size:
            break
        end = g
    return end.x1 - line[0].x0


def _segments(line: list[Glyph]) -> list[list[Glyph]]:
    """A visual line cut at gaps of two characters or more (columns without rules)."""
    out = [[line[0]]]
    for prev, g in zip(line, line[1:]):
        if g.x0 - prev.x1 > 2 * g.size and not g.text.isspace():
            out.append([])
        if out[-1] or not g.text.isspace():
            out[-1].append(g)
    return [seg for seg in out if any(not g.text.isspace() for g in seg)]


def _bbox(glyphs: list[Glyph]) -> BBox:
    return (min(g.x0 for g in glyphs), min(g.top for g in glyphs), max(g.x1 for g in glyphs), max(g.bottom for g in glyphs))


def _free_blocks(glyphs: list[Glyph], content: PageContent, right: float) -> list[tuple[float, Grid | Text]]:
    """Text outside ruled tables: Lines, and tables without rules where two or more
    consecutive lines are cut into segments. A line that runs to the right edge of the
    text (`right`) and goes on, close below, with what would not fit is one Line (a
    paragraph wrapped on the page)."""
    lines = _visual_lines(glyphs)
    cut = [_segments(line) for line in lines]
    out: list[tuple[float, Grid | Text]] = []
    previous: list[Glyph] | None = None  # the last Line's glyphs, while it may go on
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and len(cut[j]) > 1 and (j == i or _close(lines[j - 1], lines[j])):
            j += 1
        if j - i >= 2:
            out.append((lines[i][0].top, _unruled_table(cut[i:j], content.number)))
            previous, i = None, j
            continue
        line = lines[i]
        text = " ".join(_line_text(seg).strip() for seg in cut[i])
        if previous is not None and len(cut[i]) == 1 and _wraps_into(previous, line, right):
            block = out[-1][1]
            joiner = " " if _ASCII.fullmatch(block.text[-1]) and _ASCII.fullmatch(text[0]) else ""
            block.text += joiner + text
            block.bbox = _bbox([*previous, *line])
        else:
            bbox = _bbox(line)
            margin = bbox[1] > 0.9 * content.height or bbox[3] < 0.1 * content.height
            out.append((bbox[1], Text(content.number, text, bbox, margin)))
        previous = line if len(cut[i]) == 1 else None
        i += 1
    return out


def _wraps_into(prev: list[Glyph], line: list[Glyph], right: float) -> bool:
    size = statistics.median(g.size for g in prev)
    return (abs(statistics.median(g.size for g in line) - size) < 0.1 * size
            and prev[-1].x1 >= right - 1.5 * size
            and prev[-1].x1 + _first_word_width(line) > right - _FIT_MARGIN
            and min(g.top for g in line) - max(g.bottom for g in prev) < 0.6 * size
            and line[0].x0 <= prev[0].x0 + 2 * size)


def _close(a: list[Glyph], b: list[Glyph]) -> bool:
    size = max(g.size for g in a + b)
    return min(g.top for g in b) - max(g.bottom for g in a) < 1.5 * size


def _unruled_table(rows: list[list[list[Glyph]]], page: int) -> Grid:
    """Rows of segments on a grid: column starts are the clustered left edges."""
    size = statistics.median(g.size for row in rows for seg in row for g in seg)
    starts: list[float] = []
    for x in sorted(seg[0].x0 for row in rows for seg in row):
        if not starts or x - starts[-1] > size:
            starts.append(x)
    boxes = [_bbox([g for seg in row for g in seg]) for row in rows]
    xs = starts + [max(b[2] for b in boxes)]
    ys = [b[1] for b in boxes] + [boxes[-1][3]]
    grid = Grid(page, (xs[0], ys[0], xs[-1], ys[-1]), xs, ys, [])
    for r, row in enumerate(rows):
        for c in range(len(starts)):
            grid.cells.append((r, c, 1, 1, (xs[c], ys[r], xs[c + 1], ys[r + 1])))
        for seg in row:
            c = max(k for k, s in enumerate(starts) if s <= seg[0].x0 + 0.5)
            text = _line_text(seg).strip()
            grid.texts[(r, c)] = f"{grid.texts[(r, c)]} {text}" if (r, c) in grid.texts else text
    return grid


# ---- across pages ---------------------------------------------------------------------


def _is_page_number(block: Grid | Text) -> bool:
    return isinstance(block, Text) and block.in_margin and bool(_PAGE_NUMBER.fullmatch(block.text))


def join_continued_tables(pages: list[list[Grid | Text]]) -> None:
    """Merge a table that opens a page into the table that closed the text before it
    when their columns line up (see the module docstring)."""
    last = None  # the block that ends the text so far; a page a table fills keeps it
    for blocks in pages:
        first_index = next((i for i, b in enumerate(blocks) if not _is_page_number(b)), None)
        if first_index is None:
            continue
        first = blocks[first_index]
        if isinstance(last, Grid) and isinstance(first, Grid) and _same_columns(last.xs, first.xs):
            _append_rows(last, first)
            del blocks[first_index]
        last = next((b for b in reversed(blocks) if not _is_page_number(b)), last)


def _same_columns(xs: list[float], other: list[float]) -> bool:
    """Same outer edges, and most inner rules of the part with fewer of them line up
    with the other's (a part whose rows merge some columns lacks those rules)."""
    if abs(xs[0] - other[0]) > 2 or abs(xs[-1] - other[-1]) > 2:
        return False
    inner, other_inner = sorted((xs[1:-1], other[1:-1]), key=len)
    shared = sum(any(abs(x - y) <= 2 for y in other_inner) for x in inner)
    return shared * 2 >= len(inner)


def _append_rows(grid: Grid, more: Grid) -> None:
    """`more`'s rows under `grid`'s. Columns are re-cut on the boundaries of both parts
    (a rule missing in one part's rows is a merged cell there)."""
    xs = _boundaries(grid.xs + more.xs)
    texts, pages, cells = {}, {}, []
    for part, offset in ((grid, 0), (more, grid.n_rows)):
        for r, c, rs, cs, bbox in part.cells:
            c0, c1 = _index(xs, part.xs[c]), _index(xs, part.xs[c + cs])
            cells.append((r + offset, c0, rs, c1 - c0, bbox))
            if (r, c) in part.texts:
                texts[(r + offset, c0)] = part.texts[(r, c)]
            pages[(r + offset, c0)] = part.pages.get((r, c), part.page)
    grid.xs, grid.cells, grid.texts, grid.pages = xs, cells, texts, pages
    grid.n_rows += more.n_rows


def to_pages(pages: list[list[Grid | Text]]) -> list[Page]:
    """Blocks as model objects: tables numbered across the document, Lines per page."""
    out, tables = [], 0
    for number, blocks in enumerate(pages, start=1):
        page = Page(number)
        for block in blocks:
            if isinstance(block, Text):
                page.blocks.append(Line(block.text, Provenance(page=number, line=len(page.lines) + 1, bbox=_round(block.bbox))))
            else:
                page.blocks.append(_table(block, tables))
                tables += 1
        out.append(page)
    return out


def _round(bbox: BBox) -> BBox:
    return tuple(round(v, 2) for v in bbox)


def _table(grid: Grid, index: int) -> Table:
    cells = [Cell(r, c, grid.texts.get((r, c), ""), rs, cs,
                  Provenance(page=grid.pages.get((r, c), grid.page), table=index, row=r, col=c, bbox=_round(bbox)))
             for r, c, rs, cs, bbox in sorted(grid.cells, key=lambda cell: (cell[0], cell[1]))]
    return Table(cells, Provenance(page=grid.page, table=index, bbox=_round(grid.bbox)))
