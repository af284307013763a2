"""What the HTML and Word readers share: laying cells on a grid, cleaning paragraph
text, and deciding what a table inside a table is.

Both formats describe a table as rows of cells with spans; `Grid` turns that into
the model's Table, where every grid position belongs to exactly one Cell (holes of
ragged rows become empty Cells, a span that would run into an occupied position is
cut short), so normalize never sees overlapping or missing positions.
"""

from __future__ import annotations

from extract.model import Cell, Document, Line, Provenance, Table

MAX_SPAN = 1000  # a colspan/rowspan beyond this is a broken file, not a layout


class Grid:
    """Cells placed row by row on a grid, turned into a Table at the end."""

    def __init__(self) -> None:
        self.cells: list[Cell] = []
        self._owner: dict[tuple[int, int], Cell] = {}

    def next_free(self, row: int, col: int) -> int:
        """The first column at or right of `col` not covered by a cell above."""
        while (row, col) in self._owner:
            col += 1
        return col

    def place(self, row: int, col: int, text: str, rowspan: int = 1, colspan: int = 1,
              source: Provenance | None = None) -> Cell:
        """Put a cell at (row, col), moved right past covered positions; its colspan
        stops at the first position already covered."""
        col = self.next_free(row, col)
        colspan = max(1, min(colspan, MAX_SPAN))
        for width in range(1, colspan):
            if (row, col + width) in self._owner:
                colspan = width
                break
        cell = Cell(row, col, text, 1, colspan, source or Provenance())
        self.cells.append(cell)
        for c in range(col, col + colspan):
            self._owner[(row, c)] = cell
        self.extend(cell, max(1, min(rowspan, MAX_SPAN)) - 1)
        return cell

    def above(self, row: int, col: int) -> Cell | None:
        """The cell covering the position just above (row, col), if any."""
        return self._owner.get((row - 1, col))

    def extend(self, cell: Cell, rows: int) -> None:
        """Let `cell` cover `rows` more rows below its last one, as far as they are free."""
        for _ in range(rows):
            below = cell.row + cell.rowspan
            span = range(cell.col, cell.col + cell.colspan)
            if any((below, c) in self._owner for c in span):
                return
            for c in span:
                self._owner[(below, c)] = cell
            cell.rowspan += 1

    def table(self, n_rows: int, source: Provenance, cell_source: Provenance) -> Table:
        """The Table, with rowspans cut at `n_rows` and every uncovered position of the
        grid filled with an empty Cell. `cell_source` is the provenance the cells share;
        each gets its own row and col."""
        for cell in self.cells:
            cell.rowspan = max(1, min(cell.rowspan, n_rows - cell.row))
        n_cols = max((c.col + c.colspan for c in self.cells), default=0)
        covered = {(r, c) for cell in self.cells
                   for r in range(cell.row, cell.row + cell.rowspan)
                   for c in range(cell.col, cell.col + cell.colspan)}
        cells = list(self.cells)
        cells += [Cell(r, c, "") for r in range(n_rows) for c in range(n_cols) if (r, c) not in covered]
        for cell in cells:
            cell.source = _at(cell_source, cell.row, cell.col)
        cells.sort(key=lambda c: (c.row, c.col))
        return Table(cells, source)


def _at(base: Provenance, row: int, col: int) -> Provenance:
    return Provenance(page=base.page, line=base.line, table=base.table, row=row, col=col)


def clean_line(text: str) -> str:
    """One paragraph's text: no-break spaces as spaces, ends trimmed, inner runs of
    spaces kept as written."""
    return text.replace("\xa0", " ").strip()


def join_paragraphs(paragraphs: list[str]) -> str:
    """A cell's text: its non-blank paragraphs, each trimmed, joined by newlines."""
    return "\n".join(line for line in map(clean_line, paragraphs) if line)


def table_text(table: Table) -> str:
    """A table nested in a cell, as that cell's text: one line per row, cells
    separated by a tab, a merged cell once (in its first row)."""
    rows = ("\t".join(cell.text.replace("\n", " ") for cell in row) for row in table.rows())
    return "\n".join(row for row in (r.strip() for r in rows) if row)


def is_layout(own_cells: int, nested_cells: int) -> bool:
    """Whether a table holding other tables is page layout rather than a form.

    Web pages and some Word files wrap the whole form in a frame table of a few
    cells; that frame is dropped and the tables inside it are read as tables. A form
    that merely has a small grid inside one of its cells has more cells of its own
    than nested ones; that grid's text goes into its cell (see `table_text`)."""
    return nested_cells > own_cells


def has_text(doc: Document) -> bool:
    """Whether any line or cell of the Document holds text (a form of empty cells is
    no filing)."""
    return any(block.text if isinstance(block, Line) else any(c.text for c in block.cells)
               for _, block in doc.blocks())
