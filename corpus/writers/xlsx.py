"""Document -> XLSX the way archives have it: one sheet per page, titles and unit lines
merged across the sheet without borders, tables as bordered cells with merged ranges,
numbers, percentages and dates stored as typed values (not text), so the reader's number
formatting is exercised too."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import openpyxl
from openpyxl.styles import Alignment, Border, Side

from extract.model import Document, Line, Page, Table
from extract.sheetgrid import number_text

_INTEGER = re.compile(r"-?(0|[1-9]\d{0,14})")
_DECIMAL = re.compile(r"-?\d{1,15}\.\d{1,10}")
_PERCENT = re.compile(r"(-?\d{1,15}(?:\.(\d{1,10}))?)%")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class Typed:
    """A cell's text as a spreadsheet program would store it once typed in."""

    value: object
    number_format: str | None = None


def typed_value(text: str) -> Typed:
    """Numbers, percentages and ISO dates as typed values; anything else stays text.
    Only texts that read back identically are converted ("0.50" and "007" stay text)."""
    if _INTEGER.fullmatch(text):
        return Typed(int(text))
    if _DECIMAL.fullmatch(text) and number_text(float(text)) == text:
        return Typed(float(text))
    percent = _PERCENT.fullmatch(text)
    if percent:
        fmt = "0." + "0" * len(percent.group(2)) + "%" if percent.group(2) else "0%"
        value = float(percent.group(1)) / 100
        if number_text(value, fmt) == text:
            return Typed(value, fmt)
    if _DATE.fullmatch(text):
        try:
            return Typed(dt.datetime.strptime(text, "%Y-%m-%d"), DATE_FORMAT)
        except ValueError:
            pass
    return Typed(text)


@dataclass(frozen=True)
class Placed:
    """One thing to put on a sheet: text at (row, col), 0-based, over a span."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    bordered: bool = False


def layout(page: Page) -> list[Placed]:
    """Where each block of a page goes on its sheet: blocks one under the other, a blank
    row between two tables (or they would read as one), Lines merged across the width.
    Shared with the XLS writer so both formats lay a page out alike."""
    width = max((t.n_cols for t in page.tables), default=1)
    placed: list[Placed] = []
    row = 0
    previous_was_table = False
    for block in page.blocks:
        if isinstance(block, Line):
            placed.append(Placed(row, 0, block.text, 1, width))
            row += 1
            previous_was_table = False
            continue
        if previous_was_table:
            row += 1
        placed.extend(_table_cells(block, row))
        row += block.n_rows
        previous_was_table = True
    return placed


def _table_cells(table: Table, top: int) -> list[Placed]:
    return [Placed(top + c.row, c.col, c.text, c.rowspan, c.colspan, bordered=True) for c in table.cells]


def write_pages(doc: Document, add_sheet: Callable[[str, list[Placed]], None]) -> None:
    """Call `add_sheet(name, placed)` for every page (one empty sheet for an empty doc)."""
    pages = doc.pages or [Page(1)]
    for page in pages:
        add_sheet(f"Sheet{page.number}", layout(page))


_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")


def write(doc: Document, path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)

    def add_sheet(name: str, placed: list[Placed]) -> None:
        sheet = workbook.create_sheet(name)
        for item in placed:
            first = sheet.cell(item.row + 1, item.col + 1)
            typed = typed_value(item.text)
            first.value = typed.value if item.text else None
            if isinstance(first.value, str):
                first.data_type = "s"  # text starting with "=" is not a formula
            if typed.number_format:
                first.number_format = typed.number_format
            if "\n" in item.text:
                first.alignment = _WRAP
            if item.rowspan > 1 or item.colspan > 1:
                sheet.merge_cells(start_row=item.row + 1, start_column=item.col + 1,
                                  end_row=item.row + item.rowspan, end_column=item.col + item.colspan)
            if item.bordered:
                for r in range(item.row, item.row + item.rowspan):
                    for c in range(item.col, item.col + item.colspan):
                        sheet.cell(r + 1, c + 1).border = _BOX

    write_pages(doc, add_sheet)
    workbook.save(path)
