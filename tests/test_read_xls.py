"""XLS (Excel 97–2003) reader: the same sheet reads the same as XLSX; numbers and dates
as typed; bad workbooks refused with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
import xlwt
from msoffcrypto.format.ooxml import OOXMLFile

from extract.model import CHECKED, UNCHECKED, Document, ExtractError, outline
from extract.readers import read_document
from test_read_xlsx import assert_round_trip, assert_same_record_as_seed, sample_document


def test_round_trip_keeps_layout(tmp_path):
    assert_round_trip(sample_document(), "xls", tmp_path)


def test_reads_like_xlsx(tmp_path):
    doc = sample_document()
    assert outline(assert_round_trip(doc, "xls", tmp_path)) == outline(assert_round_trip(doc, "xlsx", tmp_path))


def test_seed_gives_same_record_as_text(tmp_path):
    assert_same_record_as_seed("xls", tmp_path)


def _texts(doc: Document) -> list[str]:
    return [c.text for table in doc.pages[0].tables for c in sorted(table.cells, key=lambda c: (c.row, c.col))]


def test_numbers_dates_and_symbol_fonts(tmp_path):
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("表")
    styles = {fmt: xlwt.easyxf("borders: left thin, right thin, top thin, bottom thin", num_format_str=fmt)
              for fmt in ("General", "0%", "YYYY-MM-DD")}
    wingdings = xlwt.easyxf("font: name Wingdings 2; borders: left thin, right thin, top thin, bottom thin")
    row = [(19.949999999999999, "General"), (21.0, "General"), (0.95, "0%"), (dt.datetime(2020, 1, 1), "YYYY-MM-DD"),
           ("沪府办发〔2018〕8号", "General")]
    for col, (value, fmt) in enumerate(row):
        sheet.write(0, col, value, styles[fmt])
    sheet.write(0, len(row), "R", wingdings)
    sheet.write(0, len(row) + 1, "\u00a3", wingdings)
    workbook.save(str(tmp_path / "numbers.xls"))
    doc = read_document(tmp_path / "numbers.xls")
    assert _texts(doc) == ["19.95", "21", "95%", "2020-01-01", "沪府办发〔2018〕8号", CHECKED, UNCHECKED]


def test_hidden_sheet_is_skipped(tmp_path):
    workbook = xlwt.Workbook(encoding="utf-8")
    hidden = workbook.add_sheet("说明")
    hidden.write(0, 0, "内部说明")
    hidden.visibility = 1
    workbook.add_sheet("表").write(1, 1, "项目名称：居民小区综合治理建设")
    workbook.save(str(tmp_path / "sheets.xls"))
    doc = read_document(tmp_path / "sheets.xls")
    assert [(p.number, [b.text for b in p.lines]) for p in doc.pages] == [(2, ["项目名称：居民小区综合治理建设"])]


def test_damaged_workbook(tmp_path):
    path = tmp_path / "filing.xls"
    assert_round_trip(sample_document(), "xls", tmp_path)
    path.write_bytes(path.read_bytes()[:3000])
    with pytest.raises(ExtractError, match="damaged Excel 97-2003 workbook"):
        read_document(path)


def test_encrypted_workbook(tmp_path):
    """A password-protected workbook saved with an .xls name (an OLE container holding
    an EncryptedPackage stream)."""
    plain, locked = tmp_path / "plain.xlsx", tmp_path / "secret.xls"
    assert_round_trip(sample_document(), "xlsx", tmp_path)
    (tmp_path / "filing.xlsx").rename(plain)
    with plain.open("rb") as source, locked.open("wb") as target:
        OOXMLFile(source).encrypt("secret", target)
    with pytest.raises(ExtractError, match=r"^encrypted workbook \(password protected\)$"):
        read_document(locked)
