"""The text reader: encodings, tab rows with HTML fragments, `|` debris, free lines."""

from __future__ import annotations

import codecs

import pytest

from extract.model import Line, Table
from extract.readers import read_document

FORM = "项目名称\t居民小区综合治理建设\n项目类别\t<input type=\"checkbox\"/> 一次性项目 <input checked=\"\" type=\"checkbox\"/> 经常性项目\n"


@pytest.mark.parametrize("encoding,data", [
    ("utf-8", FORM.encode("utf-8")),
    ("utf-8-sig", codecs.BOM_UTF8 + FORM.encode("utf-8")),
    ("gb18030", FORM.encode("gbk")),
    ("utf-16", FORM.encode("utf-16")),
    ("utf-16-le", FORM.encode("utf-16-le")),
])
def test_encodings_are_detected(tmp_path, encoding, data):
    path = tmp_path / "form.txt"
    path.write_bytes(data)
    doc = read_document(path)
    assert doc.encoding == encoding
    [table] = [b for _, b in doc.blocks()]
    assert [c.text for c in table.rows()[0]] == ["项目名称", "居民小区综合治理建设"]


def test_html_fragments_become_text_and_checkbox_marks(tmp_path):
    path = tmp_path / "form.txt"
    path.write_text(FORM + "概况\t<p>第一段</p> <p>第二&amp;段<br/>续</p>\n", encoding="utf-8")
    rows = read_document(path).pages[0].tables[0].rows()
    assert rows[1][1].text == "□ 一次性项目 ☑ 经常性项目"
    assert rows[1][1].checkboxes == [False, True]
    assert rows[2][1].text == "第一段\n第二&段\n续"


def test_pipe_debris_rows_span_lines_and_end_at_bare_pipes(tmp_path):
    path = tmp_path / "form.txt"
    path.write_text("标题\n|\n项目支出名称 |\n雾炮车服务 |\n预算部门 |\n|||\n|\n成本指标 | 控制在预算内 | 250万 | ||||\n尾行\n",
                    encoding="utf-8")
    blocks = [b for _, b in read_document(path).blocks()]
    assert isinstance(blocks[0], Line) and isinstance(blocks[1], Table) and isinstance(blocks[2], Line)
    assert [[c.text for c in row] for row in blocks[1].rows()] == [
        ["项目支出名称", "雾炮车服务", "预算部门"], ["成本指标", "控制在预算内", "250万"]]


def test_provenance_names_line_and_cell(tmp_path):
    path = tmp_path / "form.txt"
    path.write_text("标题\n\n项目名称\t名\n", encoding="utf-8")
    table = read_document(path).pages[0].tables[0]
    cell = table.rows()[0][1]
    assert (cell.source.line, cell.source.table, cell.source.row, cell.source.col) == (3, 0, 0, 1)


def test_whitespace_only_line_is_kept_as_an_empty_cell(tmp_path):
    path = tmp_path / "form.txt"
    path.write_text("其他:\n\n \n\n项目总体情况\n", encoding="utf-8")
    assert [b.text for _, b in read_document(path).blocks()] == ["其他:", "", "项目总体情况"]
