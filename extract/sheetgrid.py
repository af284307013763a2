"""One spreadsheet sheet -> Lines and Tables, shared by the XLSX and XLS readers.

A form saved as a spreadsheet is a grid: titles and `金额单位：万元` sit in rows of
their own above the table, the table is a block of bordered cells with merged ranges,
signature lines follow it. Each reader only turns its file into a `SheetGrid` (texts,
merged ranges, which cells have borders); the layout decisions live here once, so both
formats give the same Document for the same sheet.

How rows are classed:
- a row with one text cell and no borders is a Line (a title merged over two rows is one
  Line) — in a sheet without any borders (plain exports) only when it is not wedged
  between two table rows, unless it is merged across the whole width (a section title);
- an empty, unbordered row separates tables;
- every other row belongs to a table; consecutive table rows make one Table whose columns
  are the columns its rows use.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from typing import Callable, Iterable

from extract.model import Block, Cell, Document, ExtractError, Line, Page, Provenance, Table
from extract.source import RawFile

_QUOTED = re.compile(r'"[^"]*"|\\.')


@dataclass
class SheetGrid:
    """A sheet as read from the file. Positions are 0-based (row, col); `merges` are
    (first_row, first_col, last_row, last_col), inclusive. Text of a merged range is at
    its first position; positions with empty text are left out of `texts`."""

    texts: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    bordered: set[tuple[int, int]] = field(default_factory=set)


@dataclass
class _Range:
    """A rectangle of the sheet that reads as one cell (a merge, or a single position)."""

    row: int
    col: int
    last_row: int
    last_col: int
    text: str


def workbook_document(raw: RawFile, sheets: Iterable[tuple[int, Callable[[list[str]], SheetGrid]]]) -> Document:
    """A workbook's Document: one page per visible sheet that has content. `sheets` gives
    each visible sheet's number and a function building its grid (warnings go to the
    list it is given)."""
    doc = Document(path=raw.path, sha256=raw.sha256, format=raw.format)
    tables = 0
    for number, grid in sheets:
        blocks = sheet_blocks(grid(doc.warnings), number, tables)
        if blocks:
            doc.pages.append(Page(number, blocks))
            tables += len(doc.pages[-1].tables)
    if not doc.pages:
        raise ExtractError("empty workbook (no visible sheet has any content)")
    return doc


def sheet_blocks(grid: SheetGrid, page: int, first_table: int) -> list[Block]:
    """The sheet's blocks in reading order. Tables are numbered from `first_table`
    (the document-wide index); Line provenance carries the sheet row (1-based)."""
    ranges = _ranges(grid)
    if not ranges:
        return []
    kinds, lines = _row_kinds(grid, ranges)
    blocks: list[Block] = []
    table_rows: list[int] = []

    def flush() -> None:
        if table_rows:
            index = first_table + sum(isinstance(b, Table) for b in blocks)
            blocks.append(_table(ranges, table_rows, page, index))
            table_rows.clear()

    for row in sorted(kinds):
        if kinds[row] == "table":
            table_rows.append(row)
            continue
        flush()
        if kinds[row] == "line":
            blocks.append(Line(lines[row], Provenance(page=page, line=row + 1)))
    flush()
    return blocks


def _ranges(grid: SheetGrid) -> dict[tuple[int, int], _Range]:
    """Every position that holds text or borders, mapped to the range covering it. An
    empty merge without borders shapes nothing anyone reads, so it is left out."""
    out: dict[tuple[int, int], _Range] = {}
    for r0, c0, r1, c1 in grid.merges:
        rng = _Range(r0, c0, r1, c1, grid.texts.get((r0, c0), ""))
        positions = [(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
        if not rng.text and not grid.bordered.intersection(positions):
            continue
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                out[(r, c)] = rng
    for pos in set(grid.texts) | grid.bordered:
        if pos not in out:
            out[pos] = _Range(pos[0], pos[1], pos[0], pos[1], grid.texts.get(pos, ""))
    return out


def _row_kinds(grid: SheetGrid, ranges: dict[tuple[int, int], _Range]) -> tuple[dict[int, str], dict[int, str]]:
    """'line', 'table' or 'empty' for every row from the first used to the last, and the
    text of each 'line' row. A title merged over two rows is one Line (its second row
    is then 'empty')."""
    first, last = min(r for r, _ in ranges), max(r for r, _ in ranges)
    min_col, max_col = min(c for _, c in ranges), max(c for _, c in ranges)
    bordered_rows = {r for r, _ in grid.bordered}
    items: dict[int, list[_Range]] = {}  # text ranges by the row they start in
    covered: dict[int, set[int]] = {}  # row -> ids of ranges reaching down into it
    for (r, c), rng in ranges.items():
        if rng.row != r:
            covered.setdefault(r, set()).add(id(rng))
        elif rng.col == c and rng.text:
            items.setdefault(r, []).append(rng)

    kinds: dict[int, str] = {}
    lines: dict[int, str] = {}
    for row in range(first, last + 1):
        if row in kinds:  # the lower rows of a title merged over several rows
            continue
        here = items.get(row, [])
        lone = here[0] if len(here) == 1 else None
        spanned = range(row, lone.last_row + 1) if lone else range(row, row + 1)
        if lone and not bordered_rows.intersection(spanned) and covered.get(row, set()) == set() and all(
                not items.get(r) and covered.get(r) == {id(lone)} for r in spanned[1:]):
            kinds[row], lines[row] = "line?", lone.text
            kinds.update({r: "empty" for r in spanned[1:]})
        elif here or row in bordered_rows or row in covered:
            kinds[row] = "table"
        else:
            kinds[row] = "empty"
    for row in [r for r, kind in kinds.items() if kind == "line?"]:
        lone = items[row][0]
        wedged = kinds.get(row - 1) == "table" and kinds.get(lone.last_row + 1) == "table"
        full_width = lone.col == min_col and lone.last_col == max_col and lone.last_col > lone.col
        kinds[row] = "line" if grid.bordered or not wedged or full_width else "table"
        if kinds[row] == "table":
            kinds.update({r: "table" for r in range(row + 1, lone.last_row + 1)})
    return kinds, lines


def _table(ranges: dict[tuple[int, int], _Range], rows: list[int], page: int, index: int) -> Table:
    """A Table over consecutive sheet rows: its columns are those the rows use; merged
    ranges are clipped to the table, so every grid position is in exactly one Cell."""
    top, bottom = rows[0], rows[-1]
    used = [(c, rng) for (r, c), rng in ranges.items() if top <= r <= bottom]
    left = min(c for c, _ in used)
    right = max(c for c, _ in used)
    cells: list[Cell] = []
    done: set[int] = set()  # ranges already made into a Cell
    for row in rows:
        for col in range(left, right + 1):
            rng = ranges.get((row, col))
            if rng is None:
                rng = _Range(row, col, row, col, "")
            elif id(rng) in done:
                continue
            else:
                done.add(id(rng))
            r0, c0 = max(rng.row, top), max(rng.col, left)
            r1, c1 = min(rng.last_row, bottom), min(rng.last_col, right)
            cells.append(Cell(r0 - top, c0 - left, rng.text, r1 - r0 + 1, c1 - c0 + 1,
                              Provenance(page=page, table=index, row=r0 - top, col=c0 - left)))
    return Table(cells, Provenance(page=page, table=index))


def number_text(value: float | int, number_format: str | None = None) -> str:
    """A number as the filer typed it: 19.95 -> "19.95" (not 19.949999…), 21.0 -> "21",
    no exponent; a percent-formatted 1 -> "100%". Binary noise from formulas is cut at
    Excel's own 15 significant digits."""
    number = Decimal(int(value)) if isinstance(value, int) else Decimal(repr(float(f"{value:.15g}")))
    if number_format and "%" in _QUOTED.sub("", number_format):
        return _plain(number * 100) + "%"
    return _plain(number)


def _plain(number: Decimal) -> str:
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def date_text(value: dt.datetime | dt.date | dt.time) -> str:
    """ISO: a date, or a date and time when the time is not midnight."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    return value.isoformat()


def clean_text(text: str) -> str:
    """Cell text as the Document carries it: line breaks as "\n", ends trimmed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()
