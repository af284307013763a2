"""The Document: what every reader produces, whatever the file format.

A Document is pages of blocks in reading order. A block is a `Line` (free text
outside any table) or a `Table` (cells on a grid with spans). `normalize/` reads
only this model, so a filing gives the same record whether it was a text export,
a Word file, a spreadsheet, a PDF or a scan.

Checkboxes are carried inside cell and line text as two canonical marks,
``☑`` (checked) and ``□`` (unchecked): each reader turns its own encoding
(``<input checked>``, Wingdings ``R``, ``w14:checkbox``, ticked pixels) into one
of them, so normalize parses one notation only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Union

CHECKED = "☑"
UNCHECKED = "□"
LOW_CONFIDENCE = 0.85  # below this an OCR reading is likely wrong (clean print scores 0.95 and above)


@dataclass(frozen=True)
class Provenance:
    """Where a piece of text was read. Line numbers and indexes are 1-based for people;
    `table`, `row` and `col` are 0-based like the model's own indexes."""

    page: int | None = None
    line: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    confidence: float | None = None  # OCR: 0..1; None when read from a text layer

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class Cell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    source: Provenance = field(default_factory=Provenance)

    @property
    def checkboxes(self) -> list[bool]:
        """States of the checkboxes drawn in this cell, in reading order."""
        return [ch == CHECKED for ch in self.text if ch in (CHECKED, UNCHECKED)]


@dataclass
class Table:
    cells: list[Cell]
    source: Provenance = field(default_factory=Provenance)

    @property
    def n_rows(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)

    @property
    def n_cols(self) -> int:
        return max((c.col + c.colspan for c in self.cells), default=0)

    def rows(self) -> list[list[Cell]]:
        """Cells grouped by the row they start in, each row in column order.
        A merged cell appears once, in its first row (no repeated text)."""
        out: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for cell in self.cells:
            out[cell.row].append(cell)
        for row in out:
            row.sort(key=lambda c: c.col)
        return out


@dataclass
class Line:
    text: str
    source: Provenance = field(default_factory=Provenance)


Block = Union[Line, Table]


@dataclass
class Page:
    number: int  # 1-based
    blocks: list[Block] = field(default_factory=list)

    @property
    def lines(self) -> list[Line]:
        return [b for b in self.blocks if isinstance(b, Line)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


@dataclass
class Document:
    """One input file, read. `format` is the contract's source.format; `method` is
    ``text`` for a text layer and ``ocr`` for scans."""

    path: str
    sha256: str
    format: str
    method: str = "text"
    encoding: str | None = None
    pages: list[Page] = field(default_factory=list)
    page_count: int | None = None  # pages of a paged format (PDF, scans); None otherwise
    warnings: list[str] = field(default_factory=list)

    def blocks(self) -> Iterator[tuple[Page, Block]]:
        for page in self.pages:
            for block in page.blocks:
                yield page, block


class ExtractError(Exception):
    """A file that cannot be read. The message is the reason a user sees, after the path."""


def outline(doc: Document) -> list[tuple]:
    """A format-free view of a Document, for comparing two readings of one filing:
    ``("line", text)`` per line and ``("table", ((row, col, rowspan, colspan, text), ...))``
    per table, in reading order, provenance left out."""
    out: list[tuple] = []
    for _, block in doc.blocks():
        if isinstance(block, Line):
            out.append(("line", block.text))
        else:
            cells = sorted((c.row, c.col, c.rowspan, c.colspan, c.text) for c in block.cells)
            out.append(("table", tuple(cells)))
    return out
