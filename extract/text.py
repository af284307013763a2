"""Text exports: the encoding detected, then each line as a table row (tab- or
`|`-separated cells) or a free line.

Archives hold three kinds of text export, all read here into the same model:
tab-separated rows with HTML fragments in cells (the tidy kind); `|` debris from a
markdown-like export, where one row may spread over many physical lines and a row ends
at a run of empty cells (`||||`); and text whose separators were lost (labels glued to
values, one cell per line, space-separated cells), which stays as Lines for normalize
to split by its label lexicon. A line holding only spaces is kept as an empty Line,
because one-cell-per-line exports use it for an empty cell.
"""

from __future__ import annotations

import codecs

import regex
from charset_normalizer import from_bytes

from extract.fragments import fragment_text
from extract.model import Cell, Document, ExtractError, Line, Page, Provenance, Table
from extract.source import RawFile

_ROW_END = regex.compile(r"(?:\s*\|){2,}\s*$")  # `||||`: the row's trailing empty cells
_MD_RULE = regex.compile(r"^\s*\|?\s*:?-{3,}")  # `|---|---|`
_NOT_TEXT = regex.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def read(raw: RawFile) -> Document:
    text, encoding = decode(raw.data)
    doc = Document(path=raw.path, sha256=raw.sha256, format=raw.format, encoding=encoding)
    first_line = 1
    for number, page_text in enumerate(text.split("\f"), start=1):
        doc.pages.append(Page(number, _blocks(page_text, number, first_line, doc)))
        first_line += page_text.count("\n")
    return doc


def decode(data: bytes) -> tuple[str, str]:
    """Text and the name of its encoding: a BOM first, then strict UTF-8, UTF-16 by
    its zero bytes, GB18030 (a superset of GBK and GB2312), then charset-normalizer."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _checked(data.decode(name, errors="replace"), name)
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    zeros_even, zeros_odd = data[0:4096:2].count(0), data[1:4096:2].count(0)
    if max(zeros_even, zeros_odd) > len(data[:4096]) // 8:
        name = "utf-16-le" if zeros_odd > zeros_even else "utf-16-be"
        return _checked(data.decode(name, errors="replace"), name)
    if b"\x00" not in data:
        try:
            return _checked(data.decode("gb18030"), "gb18030")
        except UnicodeDecodeError:
            pass
    best = from_bytes(data[:200_000]).best()
    if best is None:
        raise ExtractError("binary content, not a text document")
    return _checked(data.decode(best.encoding, errors="replace"), best.encoding)


def _checked(text: str, encoding: str) -> tuple[str, str]:
    sample = text[:20000]
    if sample and len(_NOT_TEXT.findall(sample)) / len(sample) > 0.02:
        raise ExtractError("binary content, not a text document")
    return text, encoding


def _blocks(text: str, page: int, first_line: int, doc: Document) -> list:
    blocks: list = []
    table: list[list[tuple[str, int]]] = []  # rows of (cell text, line number)
    pipes = _PipeRows()

    def flush_table() -> None:
        nonlocal table
        table.extend(pipes.finish())
        if table:
            blocks.append(_table(table, page, sum(isinstance(b, Table) for b in blocks) + _tables_before(doc)))
            table = []

    for offset, line in enumerate(text.splitlines()):
        number = first_line + offset
        if "\t" in line:
            table.extend(pipes.finish())
            table.append([(fragment_text(cell), number) for cell in line.split("\t")])
        elif "|" in line:
            if not _MD_RULE.match(line):
                pipes.add(line, number)
        elif pipes.row and line.strip():
            pipes.continue_cell(line, number)
        else:
            flush_table()
            stripped = fragment_text(line)
            if stripped or line:  # a whitespace-only line is an empty cell; an empty line is nothing
                blocks.append(Line(stripped, Provenance(page=page, line=number)))
    flush_table()
    return blocks


class _PipeRows:
    """Rows of a `|`-separated export, assembled line by line. A row ends at a line of
    bare pipes, at a run of empty cells (`a | b | ||||`, which also tells the table's
    width), or at the closing pipe of a line of several cells once the row has as many
    cells as that width; otherwise it goes on over the next lines, and a line not closed
    by a pipe leaves its last cell open for the next line's text."""

    def __init__(self) -> None:
        self.rows: list[list[tuple[str, int]]] = []
        self.row: list[tuple[str, int]] | None = None
        self.cell_open = False
        self.width = 0

    def add(self, line: str, number: int) -> None:
        if not line.replace("|", "").strip():
            self._end(empty_cells=line.count("|") - 1)
            return
        run = _ROW_END.search(line)
        content = line[: run.start()] if run else line.rstrip()
        closed = bool(run) or content.endswith("|")
        cells = [fragment_text(cell) for cell in (content[:-1] if content.endswith("|") else content).split("|")]
        if self.row is None:
            self.row = []
        if self.cell_open and self.row:
            self._append_to_last(cells.pop(0))
        self.row.extend((cell, number) for cell in cells)
        self.cell_open = not closed
        if run:
            self._end(empty_cells=run.group(0).count("|") - 1)
        elif closed and len(cells) > 1 and self.width and len(self.row) >= self.width:
            self._end(empty_cells=0)  # a full row on one line (one-cell lines end at bare pipes)

    def continue_cell(self, line: str, number: int) -> None:
        """A line without pipes inside an open row: more of the open cell, or a new cell
        (left open) when the last one was closed."""
        if self.cell_open:
            self._append_to_last(fragment_text(line))
        else:
            self.row.append((fragment_text(line), number))
            self.cell_open = True

    def finish(self) -> list[list[tuple[str, int]]]:
        self._end(empty_cells=0)
        rows, self.rows, self.width = self.rows, [], 0
        return rows

    def _append_to_last(self, text: str) -> None:
        previous, number = self.row[-1]
        self.row[-1] = (f"{previous}\n{text}" if previous else text, number)

    def _end(self, empty_cells: int) -> None:
        if self.row:
            self.width = max(self.width, len(self.row) + max(empty_cells, 0))
            self.rows.append(self.row)
        self.row, self.cell_open = None, False


def _tables_before(doc: Document) -> int:
    return sum(len(p.tables) for p in doc.pages)


def _table(rows: list[list[tuple[str, int]]], page: int, index: int) -> Table:
    cells = [
        Cell(r, c, text, source=Provenance(page=page, line=line, table=index, row=r, col=c))
        for r, row in enumerate(rows)
        for c, (text, line) in enumerate(row)
    ]
    return Table(cells, Provenance(page=page, line=rows[0][0][1], table=index))
