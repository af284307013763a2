"""XLS (Excel 97–2003) -> Document (xlrd, with formatting for merges and borders).

Same output as the XLSX reader for the same sheet: each reader only turns its file into
a `SheetGrid`, and `extract.sheetgrid` decides Lines and Tables for both. Pages are
numbered by the sheet's place in the workbook.
"""

from __future__ import annotations

import xlrd
from xlrd.sheet import Sheet

from extract.model import Document, ExtractError
from extract.sheetgrid import SheetGrid, clean_text, date_text, number_text, workbook_document
from extract.source import RawFile
from extract.symbols import is_symbol_font, symbol_text

# An encrypted XLSX is an OLE container too; it says so in its stream names.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def read(raw: RawFile) -> Document:
    book = _open(raw)
    return workbook_document(raw, (
        (number, lambda warnings, sheet=sheet: _grid(book, sheet, warnings))
        for number, sheet in enumerate(book.sheets(), start=1) if sheet.visibility == 0
    ))


def _open(raw: RawFile) -> xlrd.Book:
    if _ENCRYPTED_PACKAGE in raw.data:
        raise ExtractError("encrypted workbook (password protected)")
    try:
        return xlrd.open_workbook(file_contents=raw.data, formatting_info=True, logfile=_Silent())
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise ExtractError("encrypted workbook (password protected)") from None
        raise ExtractError(f"damaged Excel 97-2003 workbook ({exc})") from None
    except Exception as exc:  # xlrd reports truncation as struct, index or OLE errors
        raise ExtractError(f"damaged Excel 97-2003 workbook (cannot open as XLS: {type(exc).__name__})") from None


class _Silent:
    """xlrd prints warnings about odd records to a log file; they are not the user's."""

    def write(self, _text: str) -> None:
        pass


def _grid(book: xlrd.Book, sheet: Sheet, warnings: list[str]) -> SheetGrid:
    grid = SheetGrid()
    for row in range(sheet.nrows):
        for col in range(sheet.row_len(row)):
            xf = book.xf_list[sheet.cell_xf_index(row, col)]
            border = xf.border
            if border.left_line_style or border.right_line_style or border.top_line_style or border.bottom_line_style:
                grid.bordered.add((row, col))
            text = _text(book, sheet, row, col, xf, warnings)
            if text:
                grid.texts[(row, col)] = text
    for r0, r1, c0, c1 in sheet.merged_cells:  # end-exclusive in xlrd
        grid.merges.append((r0, c0, r1 - 1, c1 - 1))
    return grid


def _text(book: xlrd.Book, sheet: Sheet, row: int, col: int, xf, warnings: list[str]) -> str:
    cell = sheet.cell(row, col)
    kind, value = cell.ctype, cell.value
    if kind == xlrd.XL_CELL_TEXT:
        return clean_text(_shown_text(book, sheet, row, col, value, xf.font_index, warnings))
    if kind == xlrd.XL_CELL_NUMBER:
        return number_text(value, book.format_map[xf.format_key].format_str)
    if kind == xlrd.XL_CELL_DATE:
        if value < 1:  # a time of day without a date
            return date_text(xlrd.xldate.xldate_as_datetime(value, book.datemode).time())
        return date_text(xlrd.xldate.xldate_as_datetime(value, book.datemode))
    if kind == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if value else "FALSE"
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "")
    return ""


def _shown_text(book: xlrd.Book, sheet: Sheet, row: int, col: int, text: str,
                cell_font: int, warnings: list[str]) -> str:
    """Text as shown, run by run: a run in Wingdings is a checkbox, not a letter."""
    runs = sheet.rich_text_runlist_map.get((row, col)) or []
    bounds = [(0, cell_font)] + [(offset, font) for offset, font in runs if offset > 0]
    if runs and runs[0][0] == 0:
        bounds[0] = (0, runs[0][1])
    parts = []
    for i, (start, font_index) in enumerate(bounds):
        end = bounds[i + 1][0] if i + 1 < len(bounds) else len(text)
        font = book.font_list[font_index].name
        piece = text[start:end]
        parts.append(symbol_text(font, piece, warnings) if is_symbol_font(font) else piece)
    return "".join(parts)
