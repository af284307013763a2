"""The Document flattened into rows of text segments in reading order: a table row is
a row of its cells (empty ones kept, for column positions), a free line is a row of one
segment. Everything after this works on rows, whatever the file format was."""

from __future__ import annotations

from dataclasses import dataclass

from extract.model import Document, Line, Provenance


@dataclass
class Seg:
    text: str
    source: Provenance
    colspan: int = 1


@dataclass
class Row:
    segs: list[Seg]
    is_line: bool  # a free line (flattened text), not a table row
    index: int = 0  # position in the document, so readers can tell which rows were adjacent

    @property
    def texts(self) -> list[str]:
        return [s.text for s in self.segs]

    @property
    def filled(self) -> list[Seg]:
        return [s for s in self.segs if s.text]

    def grid(self) -> list[str]:
        """The row's texts by grid column: a merged cell at its first column, the columns
        it spans after it empty, columns of cells merged from rows above empty. Cells
        without a column (a row rebuilt from free lines) stand in their order."""
        if any(s.source.col is None for s in self.segs):
            return self.texts
        out = [""] * max((s.source.col + s.colspan for s in self.segs), default=0)
        for s in self.segs:
            out[s.source.col] = s.text
        return out

    @property
    def joined(self) -> str:
        return " ".join(s.text for s in self.segs if s.text)


def document_rows(doc: Document, convert=None) -> list[Row]:
    """Rows of `doc`; `convert` (e.g. traditional -> simplified) applies to every text."""
    fix = convert or (lambda text: text)
    rows: list[Row] = []
    for _, block in doc.blocks():
        if isinstance(block, Line):
            rows.append(Row([Seg(fix(block.text), block.source)], True, len(rows)))
            continue
        for cells in block.rows():
            rows.append(Row([Seg(fix(c.text), c.source, c.colspan) for c in cells], False, len(rows)))
    return rows
