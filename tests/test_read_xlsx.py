"""XLSX reader: a filing saved as a workbook reads back as the Document it was written
from, numbers and dates as the filer typed them, bad workbooks refused with a reason.

The helpers at the top (a sample Document, the round-trip and record-level comparisons)
are shared with tests/test_read_xls.py and tests/test_read_pdf.py."""

from __future__ import annotations

import datetime as dt
import zipfile
from importlib import import_module
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Border, Font, Side

from corpus.writers import WRITERS, write_document
from extract.model import CHECKED, UNCHECKED, Cell, Document, ExtractError, Line, Page, Table, outline
from extract.readers import read_document

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED = SHARED / "seed" / "000_15b5cc2a07eb4fba.txt"


def grid_table(rows: list[list]) -> Table:
    """A Table from rows of items: text, (text, rowspan, colspan), or None where a merged
    cell above or to the left covers the position."""
    cells = []
    for r, row in enumerate(rows):
        for c, item in enumerate(row):
            if item is None:
                continue
            text, rowspan, colspan = (item, 1, 1) if isinstance(item, str) else item
            cells.append(Cell(r, c, text, rowspan, colspan))
    return Table(cells)


def sample_document() -> Document:
    """A form with what readers must keep: title and unit lines, merged cells across rows
    and columns, empty cells, checkboxes, a two-paragraph cell, numbers, a percentage,
    dates, a one-text row inside a table, a line between tables, a second page."""
    overview = grid_table([
        ["项目名称", ("居民小区综合治理建设", 1, 3), None, None],
        ["项目类别", (f"{CHECKED} 一次性项目 {UNCHECKED} 经常性项目 {UNCHECKED} 中期预算试点项目", 1, 3), None, None],
        ["起始日期：", "2020-01-01", "结束日期：", "2020-12-31"],
        [("项目资金", 4, 1), ("一、项目总预算：19.95", 1, 3), None, None],
        [None, "本级财政安排", "19.95", "100%"],
        [None, "下级财政配套", "", ""],
        [None, ("（二）其他资金：", 1, 3), None, None],
        ["项目概况", ("新虹街道管辖住宅小区因历史问题普遍存在房屋老化。\n为了紧紧围绕“补好短板”的要求（沪府办发〔2018〕8号）。", 1, 3), None, None],
    ])
    targets = grid_table([
        ["一级目标", "二级目标", "三级目标", "目标值"],
        [("产出目标", 2, 1), "数量", "住宅小区综合治理计划完成率", "100%"],
        [None, "时效", "按时完成情况", "21"],
        ["满意度", "", "市民满意度", "12.5%"],
    ])
    return Document("sample", "0" * 64, "txt", pages=[
        Page(1, [Line("财政项目支出绩效目标申报表（项目总体情况）"), Line("金额单位：万元"), overview,
                 Line("填报单位负责人：周玮")]),
        Page(2, [Line("财政项目支出绩效目标申报表（绩效目标）"), targets, Line("填报日期：2020-03-01")]),
    ])


def assert_round_trip(doc: Document, fmt: str, tmp_path: Path, **options) -> Document:
    """Write `doc` in `fmt`, read it back, and require the same outline."""
    path = tmp_path / f"filing.{fmt}"
    import_module(WRITERS[fmt]).write(doc, path, **options)
    read = read_document(path)
    assert read.format == fmt
    assert outline(read) == outline(doc)
    return read


def assert_same_record_as_seed(fmt: str, tmp_path: Path) -> None:
    """The seed saved as `fmt` gives the seed's own record (all but where it came from)."""
    from shenbao.api import extract_file

    path = tmp_path / f"seed.{fmt}"
    write_document(read_document(SEED), fmt, path)
    expected = [_comparable(d.to_json()) for d in extract_file(SEED)]
    assert expected
    assert [_comparable(d.to_json()) for d in extract_file(path)] == expected


def _comparable(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in ("source", "provenance", "unsure")}


# ---- XLSX -----------------------------------------------------------------------------


def test_round_trip_keeps_layout(tmp_path):
    read = assert_round_trip(sample_document(), "xlsx", tmp_path)
    assert [p.number for p in read.pages] == [1, 2]
    table = read.pages[0].tables[0]
    assert table.source.table == 0 and read.pages[1].tables[0].source.table == 1
    assert {(c.source.row, c.source.col) for c in table.cells} == {(c.row, c.col) for c in table.cells}


def test_seed_gives_same_record_as_text(tmp_path):
    assert_same_record_as_seed("xlsx", tmp_path)


def _sheet(path: Path, fill) -> Path:
    workbook = openpyxl.Workbook()
    fill(workbook.active)
    workbook.save(path)
    return path


def _texts(doc: Document) -> list[str]:
    return [c.text for table in doc.pages[0].tables for c in sorted(table.cells, key=lambda c: (c.row, c.col))]


def test_numbers_and_dates_as_written(tmp_path):
    def fill(sheet):
        box = Border(left=Side("thin"), right=Side("thin"), top=Side("thin"), bottom=Side("thin"))
        values = [19.949999999999999, 21.0, 0.1 + 0.2, 0.95, dt.datetime(2020, 1, 1), dt.datetime(2020, 1, 1, 8, 30),
                  True, 54492290, "007"]
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(1, col, value)
            cell.border = box
        sheet.cell(1, 4).number_format = "0%"

    doc = read_document(_sheet(tmp_path / "numbers.xlsx", fill))
    assert _texts(doc) == ["19.95", "21", "0.3", "95%", "2020-01-01", "2020-01-01 08:30:00", "TRUE", "54492290", "007"]


def test_rows_without_borders(tmp_path):
    """Plain exports have no borders: a lone text row is a Line unless it sits inside
    the table's rows; a blank row ends a table."""
    def fill(sheet):
        sheet["A1"] = "绩效目标申报表"
        sheet.merge_cells("A1:C1")
        sheet["A2"] = "金额单位：万元"
        sheet.append(["项目名称", "居民小区综合治理建设", ""])
        sheet.append(["（二）其他资金：", None, None])
        sheet.append(["项目资金", 19.95, "本级"])
        sheet.append([])
        sheet.append(["填表人：李玉芳"])

    doc = read_document(_sheet(tmp_path / "plain.xlsx", fill))
    kinds = [("line", b.text) if isinstance(b, Line) else ("table", b.n_rows, b.n_cols) for b in doc.pages[0].blocks]
    assert kinds == [("line", "绩效目标申报表"), ("line", "金额单位：万元"), ("table", 3, 3), ("line", "填表人：李玉芳")]
    assert doc.pages[0].lines[0].source.line == 1


def test_title_merged_over_two_rows(tmp_path):
    def fill(sheet):
        sheet["A1"] = "财政项目支出绩效目标申报表"
        sheet.merge_cells("A1:C2")
        box = Border(left=Side("thin"), right=Side("thin"), top=Side("thin"), bottom=Side("thin"))
        for row in (["项目名称", "居民小区综合治理建设", ""], ["项目资金", "19.95", ""]):
            sheet.append(row)
        for row in sheet.iter_rows(min_row=3, max_row=4):
            for cell in row:
                cell.border = box

    doc = read_document(_sheet(tmp_path / "title.xlsx", fill))
    kinds = [("line", b.text) if isinstance(b, Line) else ("table", b.n_rows, b.n_cols) for b in doc.pages[0].blocks]
    assert kinds == [("line", "财政项目支出绩效目标申报表"), ("table", 2, 3)]


def test_hidden_and_empty_sheets_are_skipped(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "说明"
    workbook.active.sheet_state = "hidden"
    workbook.create_sheet("空")
    workbook.create_sheet("表")["B2"] = "项目名称：居民小区综合治理建设"
    workbook.save(tmp_path / "sheets.xlsx")
    doc = read_document(tmp_path / "sheets.xlsx")
    assert [(p.number, [b.text for b in p.lines]) for p in doc.pages] == [(3, ["项目名称：居民小区综合治理建设"])]


def test_symbol_font_checkboxes(tmp_path):
    def fill(sheet):
        sheet["A1"] = "R"
        sheet["A1"].font = Font(name="Wingdings 2")
        sheet["B1"] = CellRichText([TextBlock(InlineFont(rFont="Wingdings"), "\u00fe"), "是 ",
                                    TextBlock(InlineFont(rFont="Wingdings"), "\u00a8"), "否"])

    doc = read_document(_sheet(tmp_path / "boxes.xlsx", fill))
    assert _texts(doc) == [CHECKED, f"{CHECKED}是 {UNCHECKED}否"]


def test_damaged_workbook(tmp_path):
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook>truncated")
    with pytest.raises(ExtractError, match="damaged Excel workbook"):
        read_document(path)


def test_empty_workbook(tmp_path):
    openpyxl.Workbook().save(tmp_path / "empty.xlsx")
    with pytest.raises(ExtractError, match="empty workbook"):
        read_document(tmp_path / "empty.xlsx")
