"""normalize on its own: filings found, labels matched in every layout, typos in context."""

from __future__ import annotations

import opencc
import pytest

from golden import SHARED
from shenbao import extract_file

SEED = SHARED / "seed" / "000_15b5cc2a07eb4fba.txt"


def _write(tmp_path, text: str, encoding: str = "utf-8", name: str = "f.txt"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_typo_is_corrected_only_where_it_means_the_owners_committee(tmp_path):
    text = SEED.read_text(encoding="utf-8").replace("降低小区环境房屋老化等投诉", "召开业务会议讨论投诉")
    record = extract_file(_write(tmp_path, text))[0]
    assert record.indicators[3].note == "召开业务会议讨论投诉"
    assert {c.path for c in record.corrections} == {"indicators[0].note", "narrative.activities[3]"}


def test_traditional_characters_are_converted(tmp_path):
    traditional = opencc.OpenCC("s2t").convert(SEED.read_text(encoding="utf-8"))
    assert traditional != SEED.read_text(encoding="utf-8")
    record = extract_file(_write(tmp_path, traditional))[0]
    assert record.project.name == "居民小区综合治理建设"
    assert record.funding.total == "199500.00"
    assert record.indicators[0].level1 == "output" and len(record.indicators) == 6


def test_one_file_holding_several_filings(tmp_path):
    seed = SEED.read_text(encoding="utf-8")
    other = seed.replace("居民小区综合治理建设", "老旧电梯更新改造").replace("19.95", "30.00")
    record_a, record_b = extract_file(_write(tmp_path, seed + "\n" + other))
    assert (record_a.project.name, record_b.project.name) == ("居民小区综合治理建设", "老旧电梯更新改造")
    assert (record_a.source.record_index, record_b.source.record_index) == (0, 1)
    assert record_b.funding.total == "300000.00" and record_b.form.parts == ["项目总体情况", "绩效目标", "制度保障"]


def test_flattened_labels_glued_to_values(tmp_path):
    text = ("项目绩效目标表(2022年度)填报单位(盖章):某某镇人民政府 项目名称农村道路维修项目属性新增项目√延续项目□"
            "主管部门某某镇项目负责人王小明联系电话13900001111资金总额及构成总额12.5万元财政拨款:12.5万元")
    record = extract_file(_write(tmp_path, text))[0]
    assert (record.year, record.filing_unit, record.project.name) == (2022, "某某镇人民政府", "农村道路维修")
    assert (record.project.attribute, record.project.department, record.project.lead) == ("new", "某某镇", "王小明")
    assert record.project.phone == "13900001111"
    assert (record.funding.total, record.funding.fiscal) == ("125000.00", "125000.00")


def test_one_cell_per_line(tmp_path):
    text = "项目支出绩效目标申报表\n（2024年）\n项目名称\n\n路灯维护\n\n主管部门\n\n城管局\n\n金额单位：万元\n资金总额:\n\n8\n\n其他资金:\n\n \n\n项目概况\n\n维护路灯。\n"
    record = extract_file(_write(tmp_path, text))[0]
    assert (record.project.name, record.project.department, record.funding.total, record.funding.other) == (
        "路灯维护", "城管局", "80000.00", None)
    assert record.narrative.overview == "维护路灯。"


def test_a_month_precision_period_is_marked_unsure(tmp_path):
    text = "项目支出绩效目标申报表\n项目名称\t路灯维护\n项目实施期\t2023.07-2024.01\n资金总额\t8\n主管部门\t城管局\n"
    record = extract_file(_write(tmp_path, text))[0]
    assert (record.project.start_date, record.project.end_date) == ("2023-07-01", "2024-01-31")
    assert {"project.start_date", "project.end_date"} <= set(record.unsure)


def test_money_without_a_declared_unit_is_marked_unsure(tmp_path):
    text = "项目支出绩效目标申报表（2024年）\n项目名称\t路灯维护\n资金总额\t8000\n主管部门\t城管局\n"
    record = extract_file(_write(tmp_path, text))[0]
    assert record.funding.total == "8000.00" and "funding.total" in record.unsure


def test_provenance_points_at_the_cell_a_field_was_read_from():
    record = extract_file(SEED)[0]
    assert record.provenance["project.name"]["line"] == 11
    assert record.provenance["funding.total"] == {"page": 1, "line": 19, "table": 0, "row": 8, "col": 1}


def test_a_table_row_without_cells_is_no_trouble():
    from extract.model import Document, Page, Table, Cell
    from normalize import normalize_document

    table = Table([Cell(0, 0, "项目名称"), Cell(0, 1, "路灯维护"), Cell(2, 0, "主管部门"), Cell(2, 1, "城管局"),
                   Cell(3, 0, "资金总额"), Cell(3, 1, "8万元")])  # row 1 has no cell at all
    doc = Document(path="t.docx", sha256="0" * 64, format="docx", pages=[Page(1, [table])])
    [record] = normalize_document(doc)
    assert (record.project.name, record.project.department) == ("路灯维护", "城管局")


def test_fields_read_with_low_ocr_confidence_are_unsure():
    from extract.model import Cell, Document, Page, Provenance, Table
    from normalize import normalize_document

    def cell(row, col, text, confidence):
        return Cell(row, col, text, source=Provenance(page=1, table=0, row=row, col=col, confidence=confidence))

    table = Table([cell(0, 0, "项目名称", 0.99), cell(0, 1, "路灯维护", 0.6), cell(1, 0, "主管部门", 0.99),
                   cell(1, 1, "城管局", 0.97), cell(2, 0, "资金总额", 0.98), cell(2, 1, "8万元", 0.99)])
    doc = Document(path="scan.png", sha256="0" * 64, format="image", method="ocr", pages=[Page(1, [table])])
    [record] = normalize_document(doc)
    assert "project.name" in record.unsure and "project.department" not in record.unsure
