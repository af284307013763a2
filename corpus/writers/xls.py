"""Document -> XLS (Excel 97–2003, xlwt): the same sheet layout as the XLSX writer —
unbordered merged title rows, bordered tables with merged ranges, typed numbers,
percentages and dates."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import xlwt

from corpus.writers.xlsx import DATE_FORMAT, Placed, typed_value, write_pages
from extract.model import Document


@lru_cache(maxsize=None)
def _style(bordered: bool, number_format: str | None, wrap: bool) -> xlwt.XFStyle:
    style = xlwt.XFStyle()
    if bordered:
        borders = xlwt.Borders()
        borders.left = borders.right = borders.top = borders.bottom = xlwt.Borders.THIN
        style.borders = borders
    if number_format:
        style.num_format_str = number_format.replace(DATE_FORMAT, "YYYY-MM-DD")
    if wrap:
        style.alignment = xlwt.Alignment()
        style.alignment.wrap = xlwt.Alignment.WRAP_AT_RIGHT
        style.alignment.vert = xlwt.Alignment.VERT_TOP
    return style


def write(doc: Document, path: Path) -> None:
    workbook = xlwt.Workbook(encoding="utf-8")

    def add_sheet(name: str, placed: list[Placed]) -> None:
        sheet = workbook.add_sheet(name)
        for item in placed:
            typed = typed_value(item.text)
            value = typed.value if item.text else ""
            style = _style(item.bordered, typed.number_format, "\n" in item.text)
            if item.rowspan > 1 or item.colspan > 1:
                sheet.write_merge(item.row, item.row + item.rowspan - 1,
                                  item.col, item.col + item.colspan - 1, value, style)
            else:
                sheet.write(item.row, item.col, value, style)

    write_pages(doc, add_sheet)
    workbook.save(str(path))
