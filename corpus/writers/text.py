"""Document -> text, in the archive's text export: the seed filing's style.

Blocks are separated by a blank line; a table row is one line of tab-separated
cells, a merged cell written once with empty cells in the slots it covers (so a
label spanning rows leaves the first column empty on its continuation rows);
paragraphs of a long cell are `<p>…</p>` joined by a space; checkboxes are
`<input checked="" type="checkbox"/>` and `<input type="checkbox"/>`.
"""

from __future__ import annotations

from pathlib import Path

from extract.model import CHECKED, UNCHECKED, Cell, Document, Line, Table

ENCODING = "utf-8"
INPUTS = {CHECKED: '<input checked="" type="checkbox"/>', UNCHECKED: '<input type="checkbox"/>'}
PROSE = 40  # a single-paragraph cell longer than this is wrapped in <p> like the seed's prose


def write(doc: Document, path: Path) -> None:
    path.write_bytes(render(doc).encode(ENCODING))


def render(doc: Document) -> str:
    blocks = []
    for _, block in doc.blocks():
        if isinstance(block, Line):
            blocks.append(_inputs(block.text))
        else:
            blocks.append("\n".join("\t".join(_cell(c) if c else "" for c in row) for row in grid(block)))
    return "\n\n".join(blocks) + "\n"


def grid(table: Table) -> list[list[Cell | None]]:
    """The table as rows of its column slots: the cell starting in a slot, or None for
    a slot covered by a merged cell (or left without a cell)."""
    rows: list[list[Cell | None]] = [[None] * table.n_cols for _ in range(table.n_rows)]
    for cell in table.cells:
        rows[cell.row][cell.col] = cell
    return rows


def _cell(cell: Cell) -> str:
    text = cell.text.replace("\t", " ")
    paragraphs = text.split("\n")
    if len(paragraphs) > 1 or len(text) > PROSE:
        text = " ".join(f"<p>{p}</p>" for p in paragraphs)
    return _inputs(text)


def _inputs(text: str) -> str:
    return "".join(INPUTS.get(ch, ch) for ch in text)
