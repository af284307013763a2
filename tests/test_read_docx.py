"""The DOCX reader: merged cells as real spans, every checkbox encoding Word uses
as the canonical marks, body order, what is not the form left out, damaged and
encrypted files refused with a reason; and the seed saved as DOCX gives the same
record as its text export."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import msoffcrypto.format.ooxml
import pytest

from corpus.writers import write_document
from corpus.writers.docx import CHECKBOX_STYLES
from corpus.writers.docx import write as write_docx
from extract.model import ExtractError, outline
from extract.readers import read_document
from shenbao.api import process_file
from test_read_html import SEED, cells, same_records, sample_document

NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"')


def docx_bytes(body: str | None, document_xml: str | None = None) -> bytes:
    """A real python-docx package whose document part is replaced: `body` is the
    inside of ``<w:body>``, or `document_xml` the whole part."""
    plain = io.BytesIO()
    docx.Document().save(plain)
    xml = document_xml if document_xml is not None else f"<w:document {NS}><w:body>{body}</w:body></w:document>"
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, xml.encode("utf-8") if item.filename == "word/document.xml" else src.read(item))
    return out.getvalue()


def read_docx(tmp_path: Path, body: str | None = None, document_xml: str | None = None):
    path = tmp_path / "form.docx"
    path.write_bytes(docx_bytes(body, document_xml))
    return read_document(path)


def p(*runs: str) -> str:
    return "<w:p>" + "".join(runs) + "</w:p>"


def r(text: str, font: str | None = None) -> str:
    props = f'<w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}"/></w:rPr>' if font else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{text}</w:t></w:r>'


def tc(*paragraphs: str, span: int = 1, vmerge: str | None = None) -> str:
    props = (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + (
        "" if vmerge is None else "<w:vMerge/>" if vmerge == "continue" else f'<w:vMerge w:val="{vmerge}"/>')
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{''.join(paragraphs) or '<w:p/>'}</w:tc>"


def tbl(*rows: str) -> str:
    return "<w:tbl>" + "".join(rows) + "</w:tbl>"


def tr(*tcs: str, before: int = 0) -> str:
    props = f'<w:trPr><w:gridBefore w:val="{before}"/></w:trPr>' if before else ""
    return f"<w:tr>{props}{''.join(tcs)}</w:tr>"


@pytest.mark.parametrize("checkboxes", sorted(CHECKBOX_STYLES))
def test_written_docx_reads_back_the_same(tmp_path, checkboxes):
    doc = sample_document()
    write_docx(doc, tmp_path / "f.docx", checkboxes=checkboxes)
    back = read_document(tmp_path / "f.docx")
    assert outline(back) == outline(doc)
    assert (back.format, back.warnings) == ("docx", [])


def test_merged_cells_are_spans_not_repeated_cells(tmp_path):
    doc = read_docx(tmp_path, tbl(
        tr(tc(p(r("项目资金")), vmerge="restart"), tc(p(r("总预算")), span=2), tc(p(r("19.95")))),
        tr(tc(vmerge="continue"), tc(p(r("财政拨款"))), tc(p(r("本级"))), tc(p(r("19.95")))),
        tr(tc(p(r("隐藏的续格文字")), vmerge="continue"), tc(p(r("其他资金")), span=2, vmerge="restart"), tc()),
        tr(tc(p(r("备注"))), tc(span=2, vmerge="continue")),
        tr(tc(p(r("右移两格"))), before=2),
    ))
    assert cells(doc) == [
        (0, 0, 3, 1, "项目资金\n隐藏的续格文字"), (0, 1, 1, 2, "总预算"), (0, 3, 1, 1, "19.95"),
        (1, 1, 1, 1, "财政拨款"), (1, 2, 1, 1, "本级"), (1, 3, 1, 1, "19.95"),
        (2, 1, 2, 2, "其他资金"), (2, 3, 1, 1, ""),
        (3, 0, 1, 1, "备注"), (3, 3, 1, 1, ""),
        (4, 0, 1, 1, ""), (4, 1, 1, 1, ""), (4, 2, 1, 1, "右移两格"), (4, 3, 1, 1, ""),
    ]


def test_checkbox_encodings_become_marks(tmp_path):
    sym = '<w:r><w:sym w:font="{}" w:char="{}"/></w:r>'.format
    control = ('<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="{}"/></w14:checkbox></w:sdtPr>'
               '<w:sdtContent><w:r><w:t>☒</w:t></w:r></w:sdtContent></w:sdt>').format
    field = ('<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:checkBox><w:default w:val="{}"/>{}</w:checkBox>'
             '</w:ffData></w:fldChar></w:r><w:r><w:instrText> FORMCHECKBOX </w:instrText></w:r>'
             '<w:r><w:fldChar w:fldCharType="end"/></w:r>').format
    doc = read_docx(tmp_path, "".join([
        p(sym("Wingdings", "F0FE"), r("是 "), sym("Wingdings", "F0A8"), r("否")),
        p(sym("Wingdings 2", "F052"), r("新增 "), sym("Wingdings 2", "F0A3"), r("延续")),
        p(r("R", "Wingdings 2"), r("一次性 "), r("£", "Wingdings 2"), r("经常性")),
        p(control("1"), r(" 甲 "), control("0"), r(" 乙")),
        p(field("0", ""), r("丙 "), field("0", '<w:checked/>'), r("丁 "), field("1", ""), r("戊")),
        p(r("☑已核 □未核 √")),
        p(r("\uf052有 \uf0a3无")),  # Word's symbol codes whose font came from a style
    ]))
    assert [line.text for line in doc.pages[0].lines] == [
        "☑是 □否", "☑新增 □延续", "☑一次性 □经常性", "☑ 甲 □ 乙", "□丙 ☑丁 ☑戊", "☑已核 □未核 √", "☑有 □无"]
    assert doc.warnings == []


def test_body_order_and_what_is_not_the_form(tmp_path):
    doc = read_docx(tmp_path, "".join([
        p(r("财政项目支出绩效目标申报表")),
        p(),
        p(r("填报单位："), '<w:hyperlink><w:r><w:t>新虹街道</w:t></w:r></w:hyperlink>',
          '<w:del><w:r><w:delText>删掉的字</w:delText></w:r></w:del>', '<w:ins><w:r><w:t>办事处</w:t></w:r></w:ins>'),
        tbl(tr(tc(p(r("项目名称"))), tc(p(r("建设")), p(r("第二段")), p(r("  "))))),
        p(r("金额"), "<w:r><w:tab/></w:r>", r("单位：万元"), '<w:r><w:br/></w:r>', r("第二行")),
        '<w:sdt><w:sdtContent>' + p(r("控件里的段落")) + '</w:sdtContent></w:sdt>',
        p('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DATE </w:instrText></w:r>'
          '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', r("2020年1月1日"),
          '<w:r><w:fldChar w:fldCharType="end"/></w:r>'),
        tbl(tr(tc(p(r("一级目标"))))),
        '<w:sectPr/>',
    ]))
    assert outline(doc) == [
        ("line", "财政项目支出绩效目标申报表"), ("line", "填报单位：新虹街道办事处"),
        ("table", ((0, 0, 1, 1, "项目名称"), (0, 1, 1, 1, "建设\n第二段"))),
        ("line", "金额\t单位：万元"), ("line", "第二行"), ("line", "控件里的段落"), ("line", "2020年1月1日"),
        ("table", ((0, 0, 1, 1, "一级目标"),)),
    ]
    assert [line.source.line for line in doc.pages[0].lines] == [1, 3, 4, 4, 5, 6]
    assert [t.source.table for t in doc.pages[0].tables] == [0, 1]


def test_headers_and_footers_are_ignored(tmp_path):
    word = docx.Document()
    word.sections[0].header.paragraphs[0].text = "页眉：内部资料"
    word.sections[0].footer.paragraphs[0].text = "第 1 页"
    word.add_paragraph("项目名称：建设")
    word.save(tmp_path / "f.docx")
    assert outline(read_document(tmp_path / "f.docx")) == [("line", "项目名称：建设")]


def test_nested_tables(tmp_path):
    grid = tbl(tr(tc(p(r("财政拨款"))), tc(p(r("19.95")))), tr(tc(p(r("其他资金")), span=2)))
    small = read_docx(tmp_path, tbl(tr(tc(p(r("项目资金"))), tc(grid)), tr(tc(p(r("项目名称"))), tc(p(r("建设"))))))
    assert cells(small) == [(0, 0, 1, 1, "项目资金"), (0, 1, 1, 1, "财政拨款\t19.95\n其他资金"),
                            (1, 0, 1, 1, "项目名称"), (1, 1, 1, 1, "建设")]
    form = tbl(*(tr(tc(p(r(f"标签{i}"))), tc(p(r(f"值{i}")))) for i in range(3)))
    frame = read_docx(tmp_path, tbl(tr(tc(p(r("申报表")), form, p(r("填表人："))))))
    assert [kind for kind, _ in outline(frame)] == ["line", "table", "line"]
    assert cells(frame)[:2] == [(0, 0, 1, 1, "标签0"), (0, 1, 1, 1, "值0")]


def test_unknown_symbols_are_dropped_with_a_warning(tmp_path):
    doc = read_docx(tmp_path, p('<w:r><w:sym w:font="Wingdings" w:char="F0D8"/></w:r>', r("项目概况")))
    assert doc.pages[0].lines[0].text == "项目概况"
    assert doc.warnings == ["dropped Wingdings symbol U+F0D8"]


@pytest.mark.parametrize("make, reason", [
    (lambda: docx_bytes(p(r("项目名称")))[:3000], "damaged zip container"),
    (lambda: docx_bytes(None, f"<w:document {NS}><w:body><w:p>"), "not well-formed"),
    (lambda: docx_bytes(None, f"<w:document {NS}></w:document>"), "without a document body"),
    (lambda: docx_bytes(p()), "without any text"),
])
def test_damaged_files_are_refused_with_a_reason(tmp_path, make, reason):
    path = tmp_path / "bad.docx"
    path.write_bytes(make())
    with pytest.raises(ExtractError, match=reason):
        read_document(path)


def test_a_package_without_document_part_is_refused(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/styles.xml", "<w:styles/>")
    (tmp_path / "f.docx").write_bytes(out.getvalue())
    result = process_file(tmp_path / "f.docx")
    assert (result.status, result.reason) == ("failed", "damaged DOCX: no document part")


def test_password_protected_docx_is_reported_as_encrypted(tmp_path):
    write_docx(sample_document(), tmp_path / "plain.docx")
    with open(tmp_path / "plain.docx", "rb") as plain, open(tmp_path / "locked.docx", "wb") as locked:
        msoffcrypto.format.ooxml.OOXMLFile(plain).encrypt("secret", locked)
    result = process_file(tmp_path / "locked.docx")
    assert (result.status, result.reason) == ("failed", "encrypted document")


def test_seed_saved_as_docx_gives_the_same_record(tmp_path):
    write_document(read_document(SEED), "docx", tmp_path / "seed.docx")
    same_records(SEED, tmp_path / "seed.docx")
