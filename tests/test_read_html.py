"""The HTML reader: real grids from rowspan/colspan, text as the page shows it,
checkboxes as marks, legacy encodings, no network; and a filing saved as HTML
gives the same record as its text export. The DOCX and DOC tests import the
sample Document and the record comparison from here."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.writers import write_document
from corpus.writers.html import write as write_html
from extract.model import Cell, Document, ExtractError, Line, Page, Table, outline
from extract.readers import read_document
from golden import IGNORED, SHARED
from shenbao.api import extract_file

SEED = SHARED / "seed" / "000_15b5cc2a07eb4fba.txt"


def sample_document() -> Document:
    """A filing-like Document with what readers must keep: Chinese text, spans
    (rowspan and colspan, together too, down to the last row), empty cells,
    checkboxes, multi-paragraph cells, text that looks like markup, lines before,
    between and after tables."""
    form = Table([
        Cell(0, 0, "项目名称"), Cell(0, 1, "居民小区综合治理建设", colspan=3),
        Cell(1, 0, "项目类别"), Cell(1, 1, "□ 一次性项目 ☑ 经常性项目", colspan=3),
        Cell(2, 0, "项目资金", rowspan=3), Cell(2, 1, "一、项目总预算：19.95"), Cell(2, 2, ""), Cell(2, 3, "备注"),
        Cell(3, 1, "（一）财政拨款：19.95", colspan=2), Cell(3, 3, ""),
        Cell(4, 1, "第一段\n第二段  两个空格"), Cell(4, 2, "<p>不是标签</p> & ≥95%"), Cell(4, 3, "立项和计划阶段 ☑"),
    ])
    goals = Table([
        Cell(0, 0, "一级目标"), Cell(0, 1, "二级目标"), Cell(0, 2, "三级目标"), Cell(0, 3, "目标值"),
        Cell(1, 0, "产出目标", rowspan=2), Cell(1, 1, "数量", rowspan=2, colspan=2), Cell(1, 3, "100%"),
        Cell(2, 3, "≥95%"),
        Cell(3, 0, "满意度指标", colspan=3), Cell(3, 3, ""),
    ])
    blocks = [Line("财政项目支出绩效目标申报表（项目总体情况）"), Line("金额单位：万元"), form,
              Line("填表人：张三"), goals, Line("填报日期：2020年1月1日")]
    return Document(path="sample", sha256="0" * 64, format="txt", pages=[Page(1, blocks)])


def same_records(original: Path, copy: Path) -> None:
    """`copy` (the filing in another format) gives the records `original` gives,
    source and provenance aside."""
    def records(path: Path) -> list[dict]:
        return [{k: v for k, v in d.to_json().items() if k not in IGNORED} for d in extract_file(path)]
    expected = records(original)
    assert expected, "the original gives no record"
    assert records(copy) == expected


def read_html(tmp_path: Path, html: str | bytes, name: str = "page.html") -> Document:
    path = tmp_path / name
    path.write_bytes(html.encode("utf-8") if isinstance(html, str) else html)
    return read_document(path)


def cells(doc: Document, index: int = 0) -> list[tuple]:
    return [(c.row, c.col, c.rowspan, c.colspan, c.text) for c in doc.pages[0].tables[index].cells]


def page(body: str) -> str:
    return f"<html><head><title>不是正文</title><style>td {{ color: red }}</style></head><body>{body}</body></html>"


@pytest.mark.parametrize("charset, declare", [("utf-8", True), ("gb2312", True), ("gb2312", False), ("utf-16", True)])
def test_written_page_reads_back_the_same(tmp_path, charset, declare):
    doc = sample_document()
    write_html(doc, tmp_path / "f.html", charset=charset, declare=declare)
    back = read_document(tmp_path / "f.html")
    assert outline(back) == outline(doc)
    assert back.format == "html"


def test_spans_take_their_positions_from_spans_above(tmp_path):
    doc = read_html(tmp_path, page("""<table>
        <tr><td rowspan="2">A</td><td>B</td><td rowspan=3>C</td></tr>
        <tr><td>D</td></tr>
        <tr><td colspan="2">E</td></tr></table>"""))
    assert cells(doc) == [(0, 0, 2, 1, "A"), (0, 1, 1, 1, "B"), (0, 2, 3, 1, "C"),
                          (1, 1, 1, 1, "D"), (2, 0, 1, 2, "E")]


def test_ragged_rows_and_overlong_spans_still_cover_the_grid_once(tmp_path):
    doc = read_html(tmp_path, page("""<table><tbody>
        <tr><th>a</th><th>b</th><th rowspan="9">c</th></tr>
        <tr><td rowspan="0">d</td><td colspan="5">e</td></tr>
        <tr></tr></tbody></table>"""))
    assert cells(doc) == [(0, 0, 1, 1, "a"), (0, 1, 1, 1, "b"), (0, 2, 3, 1, "c"),
                          (1, 0, 2, 1, "d"), (1, 1, 1, 1, "e"), (2, 1, 1, 1, "")]
    assert [(c.source.table, c.source.row, c.source.col) for c in doc.pages[0].tables[0].cells][-1] == (0, 2, 1)


def test_broken_table_markup_loses_no_text(tmp_path):
    doc = read_html(tmp_path, page("""<table><td>项目名称</td><td>建设<tr><td>负责人<td>周玮</tr>
        <p>表格里游离的段落</p></table>"""))
    assert outline(doc) == [("line", "表格里游离的段落"), ("table", (
        (0, 0, 1, 1, "项目名称"), (0, 1, 1, 1, "建设"), (1, 0, 1, 1, "负责人"), (1, 1, 1, 1, "周玮")))]


def test_text_as_the_page_shows_it(tmp_path):
    doc = read_html(tmp_path, page("""
        <p>项目
           名称：Word
           file</p>
        <table><tr>
          <td><p>第一段</p>
              <p>第二段&nbsp;&lt;&amp;&gt;</p></td>
          <td>a<br>b<br/><br/>c   d</td>
          <td><div>  </div><span>只有</span><b>一行</b></td>
        </tr></table>
        <script>var x = "不是正文";</script>
        <div>填表人：<u>张三</u></div>"""))
    assert outline(doc) == [
        ("line", "项目名称：Word file"),
        ("table", ((0, 0, 1, 1, "第一段\n第二段 <&>"), (0, 1, 1, 1, "a\nb\nc   d"), (0, 2, 1, 1, "只有一行"))),
        ("line", "填表人：张三"),
    ]
    assert doc.pages[0].lines[1].source.line == 12  # the line in the HTML source


def test_checkboxes_become_marks(tmp_path):
    doc = read_html(tmp_path, page("""<table><tr>
        <td><input type="checkbox" checked> 新增项目 <input type=checkbox> 延续项目</td>
        <td><span style="font-family:'Wingdings 2'">R</span>是
            <span style='font-family:"Wingdings 2";mso-bidi-font-family:宋体'>&pound;</span>否</td>
        <td><font face="Wingdings">&thorn;</font>合格 <span style="font-family: Wingdings">&uml;</span>不合格 ☒已核</td>
        <td><input type="radio" name="a" checked="checked">甲<input type="radio" name="a">乙 <input type="text" value="张三"></td>
        <td><span class="T1">R</span>有 <span class=T2>R</span>无 &#xF052;达标 &#xF0A3;未达标</td>
    </tr></table>""").replace("<style>", "<style>p.T0, span.T1 { color: red; font-family:'Wingdings 2' } .T2{color:red}"))
    assert [text for *_, text in cells(doc)] == [
        "☑ 新增项目 □ 延续项目", "☑是 □否", "☑合格 □不合格 ☒已核", "☑甲□乙 张三", "☑有 R无 ☑达标 □未达标"]
    assert doc.warnings == []


def test_a_small_grid_inside_a_cell_becomes_that_cells_text(tmp_path):
    doc = read_html(tmp_path, page("""<table>
        <tr><td>项目资金</td><td><table><tr><td>财政拨款</td><td>19.95</td></tr>
                                    <tr><td colspan="2">其他资金</td></tr></table></td></tr>
        <tr><td>项目名称</td><td>建设</td></tr></table>"""))
    assert cells(doc) == [(0, 0, 1, 1, "项目资金"), (0, 1, 1, 1, "财政拨款\t19.95\n其他资金"),
                          (1, 0, 1, 1, "项目名称"), (1, 1, 1, 1, "建设")]


def test_a_layout_frame_is_dropped_and_the_tables_in_it_are_read(tmp_path):
    doc = read_html(tmp_path, page("""<table width="100%"><tr><td>网站导航</td></tr><tr><td>
        <p>财政项目支出绩效目标申报表</p>
        <table><tr><td>项目名称</td><td>建设</td></tr><tr><td>项目负责人</td><td>周玮</td></tr></table>
        <p>填表人：</p>
        <table><tr><td>一级目标</td><td>二级目标</td></tr><tr><td>产出目标</td><td>数量</td></tr></table>
    </td></tr></table>"""))
    assert outline(doc) == [
        ("line", "网站导航"), ("line", "财政项目支出绩效目标申报表"),
        ("table", ((0, 0, 1, 1, "项目名称"), (0, 1, 1, 1, "建设"), (1, 0, 1, 1, "项目负责人"), (1, 1, 1, 1, "周玮"))),
        ("line", "填表人："),
        ("table", ((0, 0, 1, 1, "一级目标"), (0, 1, 1, 1, "二级目标"), (1, 0, 1, 1, "产出目标"), (1, 1, 1, 1, "数量"))),
    ]
    assert [t.source.table for t in doc.pages[0].tables] == [0, 1]


TEXT = "项目名称：䶮山居民小区综合治理建设"  # 䶮 exists in GB18030 only, not in GB2312 or GBK
LONG = TEXT + "，金额单位：万元，填报单位：上海市闵行区新虹街道房管办事处"  # enough text to detect


@pytest.mark.parametrize("data, text, encoding", [
    (page(f'<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>{TEXT}</p>').encode("gb18030"),
     TEXT, "gb18030"),
    (page(f'<meta charset="GBK"><p>{TEXT}</p>').encode("gb18030"), TEXT, "gb18030"),
    (f'<?xml version="1.0" encoding="gb2312"?><html><body><p>{TEXT}</p></body></html>'.encode("gb18030"),
     TEXT, "gb18030"),
    (page(f"<p>{LONG}</p>").encode("gb18030"), LONG, "gb18030"),  # undeclared
    (page(f'<meta charset="gb2312"><p>{TEXT}</p>').encode("utf-8"), TEXT, "utf-8"),  # converted, stale declaration
    (page(f'<meta charset="utf-8"><p>{TEXT}</p>').encode("utf-16"), TEXT, "utf-16-le"),
])
def test_legacy_and_undeclared_encodings(tmp_path, data, text, encoding):
    doc = read_html(tmp_path, data)
    assert [line.text for line in doc.pages[0].lines] == [text]
    assert doc.encoding == encoding


def test_big5_declared_page(tmp_path):
    doc = read_html(tmp_path, page('<meta charset="big5"><p>項目名稱：綜合治理</p>').encode("big5"))
    assert doc.pages[0].lines[0].text == "項目名稱：綜合治理"


def test_external_entities_are_never_loaded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("机密内容", encoding="utf-8")
    doc = read_html(tmp_path, f"""<!DOCTYPE html [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>
        <html><body><p>项目名称：&xxe;</p><img src="http://127.0.0.1:9/x.png"></body></html>""")
    text = " ".join(line.text for line in doc.pages[0].lines)
    assert "项目名称" in text and "机密内容" not in text


@pytest.mark.parametrize("html, reason", [
    ("<html><body><p> </p><table><tr><td>&nbsp;</td></tr></table></body></html>", "without any text"),
    ("<html><head><title>只有标题</title></head></html>", "without any text"),
])
def test_pages_without_text_are_refused_with_a_reason(tmp_path, html, reason):
    with pytest.raises(ExtractError, match=reason):
        read_html(tmp_path, html)


def test_binary_content_named_html_is_refused(tmp_path):
    data = b"<table>" + bytes(range(256)) * 40
    with pytest.raises(ExtractError, match="binary content"):
        read_html(tmp_path, data)


def test_wrong_extension_still_reads_as_html(tmp_path):
    doc = read_html(tmp_path, "<!DOCTYPE html><html><body><table><tr><td>项目名称</td></tr></table></body></html>",
                    name="page.txt")
    assert doc.format == "html" and cells(doc) == [(0, 0, 1, 1, "项目名称")]


@pytest.mark.parametrize("charset", ["utf-8", "gb2312"])
def test_seed_saved_as_html_gives_the_same_record(tmp_path, charset):
    path = tmp_path / "seed.html"
    if charset == "utf-8":
        write_document(read_document(SEED), "html", path)
    else:
        write_html(read_document(SEED), path, charset=charset)
    same_records(SEED, path)
