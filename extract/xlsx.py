"""XLSX -> Document (openpyxl).

Each visible sheet with content is a Page numbered by its place in the workbook (sheet 3
is page 3 even when sheet 2 is hidden, so a user finds it). The layout — which rows are
Lines, which make a Table — is decided by `extract.sheetgrid`, shared with the XLS reader.
Values come from the cached results of formulas (``data_only``); a workbook saved by a
program that never computed them has no cached value, and those cells read as empty.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import openpyxl
from openpyxl.cell.rich_text import CellRichText

from extract import limits
from extract.model import Document, ExtractError
from extract.sheetgrid import SheetGrid, clean_text, date_text, number_text, workbook_document
from extract.source import RawFile
from extract.symbols import is_symbol_font, symbol_text


def read(raw: RawFile) -> Document:
    workbook = _open(raw)
    return workbook_document(raw, (
        (number, lambda warnings, sheet=sheet: _grid(sheet, warnings))
        for number, sheet in enumerate(workbook.worksheets, start=1) if sheet.sheet_state == "visible"
    ))


def _open(raw: RawFile):
    limits.check_zip(raw.data, "Excel workbook")
    try:
        return openpyxl.load_workbook(BytesIO(raw.data), data_only=True, rich_text=True)
    except Exception as exc:  # openpyxl reports damage as zip, XML or key errors alike
        raise ExtractError(f"damaged Excel workbook (cannot open as XLSX: {type(exc).__name__})") from None


def _grid(sheet, warnings: list[str]) -> SheetGrid:
    grid = SheetGrid()
    # `_cells` holds only the cells the file has; iter_rows() would create every empty
    # cell of the used range, which a stray format in row 1048576 makes enormous.
    for cell in list(sheet._cells.values()):
        pos = (cell.row - 1, cell.column - 1)
        border = cell.border
        if any(side is not None and side.style for side in (border.left, border.right, border.top, border.bottom)):
            grid.bordered.add(pos)
        text = _text(cell, warnings)
        if text:
            grid.texts[pos] = text
    for merged in sheet.merged_cells.ranges:
        grid.merges.append((merged.min_row - 1, merged.min_col - 1, merged.max_row - 1, merged.max_col - 1))
    return grid


def _text(cell, warnings: list[str]) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, CellRichText):
        return clean_text("".join(_run_text(run, cell.font.name, warnings) for run in value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return number_text(value, cell.number_format)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return date_text(value)
    return clean_text(_in_font(str(value), cell.font.name, warnings))


def _run_text(run, cell_font: str | None, warnings: list[str]) -> str:
    """One run of a rich-text cell; a run without its own font uses the cell's."""
    if isinstance(run, str):
        return _in_font(run, cell_font, warnings)
    font = run.font.rFont if run.font is not None and run.font.rFont else cell_font
    return _in_font(run.text, font, warnings)


def _in_font(text: str, font: str | None, warnings: list[str]) -> str:
    """Text as shown: a Wingdings ``þ`` is a ticked box (see extract/symbols.py)."""
    return symbol_text(font, text, warnings) if is_symbol_font(font) else text
