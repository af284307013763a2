"""One filing and its findings as rows: the contract record flattened into the tables of
schema.sql. The rows are made where the file is read (a worker process, a Dask worker),
so that the one process writing the dataset only executes statements; what crosses the
pipe is plain strings and numbers, cheap to pickle, rather than the record's models."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from dataset.search import segment
from normalize.model import Declaration
from rules import CheckResult
from rules.model import Finding

CHILD_TABLES = ("indicators", "cost_items", "guarantees", "citations", "corrections", "findings", "not_checked")


@dataclass
class FilingRows:
    """A filing's row (all but `seq` and `file_id`, given when it is loaded), the rows of
    the tables that hang off it, by table, and its text for the full-text index."""

    filing: dict
    children: dict[str, list[dict]]
    search: tuple[str, str]


def fen(yuan: str | None) -> int | None:
    """A contract money string ("199500.00" yuan) as integer fen, exactly."""
    if yuan is None:
        return None
    try:
        return int((Decimal(yuan) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except (InvalidOperation, ValueError):
        return None  # not a number: the value stays readable in record_json


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def filing_rows(decl: Declaration, checks: CheckResult) -> FilingRows:
    """Every row the filing and its per-filing checks become."""
    record = decl.to_json()
    p, money, n, s = decl.project, decl.funding, decl.narrative, decl.signatures
    filing = {
        "id": decl.id, "record_index": decl.source.record_index,
        "year": decl.year, "filing_unit": decl.filing_unit,
        "project_name": p.name, "project_code": p.code, "department": p.department,
        "implementing_unit": p.implementing_unit, "attribute": p.attribute, "category": p.category,
        "category_options": _json(record["project"]["category_options"]),
        "lead": p.lead, "contact": p.contact, "phone": p.phone,
        "start_date": p.start_date, "end_date": p.end_date, "amount_unit": decl.amount_unit,
        "funding_total_fen": fen(money.total), "funding_current_year_fen": fen(money.current_year),
        "funding_fiscal_fen": fen(money.fiscal), "funding_fiscal_upper_fen": fen(money.fiscal_upper),
        "funding_fiscal_own_fen": fen(money.fiscal_own), "funding_fiscal_lower_fen": fen(money.fiscal_lower),
        "funding_other_fen": fen(money.other), "funding_other_sources": _json(record["funding"]["other_sources"]),
        "cost_total_fen": fen(decl.cost_total),
        "form_title": decl.form.title, "form_parts": _json(decl.form.parts), "form_template": decl.form.template,
        "overview": n.overview, "basis": n.basis, "necessity": n.necessity, "feasibility": n.feasibility,
        "resources": n.resources, "overall_goals": _json(n.overall_goals), "annual_goal": n.annual_goal,
        "other_notes": n.other_notes, "activities": _json(n.activities),
        "unit_head": s.unit_head, "preparer": s.preparer, "signed_on": s.date,
        "source_path": decl.source.path, "source_format": decl.source.format, "source_method": decl.source.method,
        "unsure": _json(decl.unsure), "record_json": _json(record),
    }
    children = {
        "indicators": [
            {"filing_id": decl.id, "position": i, "level1": x.level1, "level1_raw": x.level1_raw,
             "level2": x.level2, "level2_raw": x.level2_raw, "name": x.name, "period": x.period,
             "target_raw": x.target.raw, "target_kind": x.target.kind, "target_op": x.target.op,
             "target_value": x.target.value, "target_unit": x.target.unit, "note": x.note}
            for i, x in enumerate(decl.indicators)],
        "cost_items": [
            {"filing_id": decl.id, "position": i, "project": x.project, "content": x.content, "item": x.item,
             "amount_fen": fen(x.amount), "unit_price_fen": fen(x.unit_price), "price_basis": x.price_basis,
             "quantity": x.quantity, "quantity_basis": x.quantity_basis, "note": x.note}
            for i, x in enumerate(decl.cost_items)],
        "guarantees": [
            {"filing_id": decl.id, "position": i, "kind": x.kind, "documents": x.documents, "measures": x.measures,
             "stage_planning": x.stages.planning, "stage_implementation": x.stages.implementation,
             "stage_completion": x.stages.completion}
            for i, x in enumerate(decl.guarantees)],
        "citations": [
            {"filing_id": decl.id, "position": i, "title": x.title, "number": x.number,
             "issuer_code": x.issuer_code, "year": x.year, "serial": x.serial}
            for i, x in enumerate(decl.citations)],
        "corrections": [
            {"filing_id": decl.id, "position": i, "path": x.path, "from_text": x.from_, "to_text": x.to,
             "reason": x.reason}
            for i, x in enumerate(decl.corrections)],
        "findings": finding_rows(checks.findings, "filing"),
        "not_checked": [{"filing_id": x.declaration, "code": x.code, "reason": x.reason} for x in checks.not_checked],
    }
    return FilingRows(filing, children, search_text(decl))


def search_text(decl: Declaration) -> tuple[str, str]:
    """The filing's names and its prose, segmented for the full-text index."""
    p, n = decl.project, decl.narrative
    names = [decl.filing_unit, p.name, p.code, p.department, p.implementing_unit]
    prose = [n.overview, n.basis, n.necessity, n.feasibility, n.resources, *n.overall_goals,
             n.annual_goal, n.other_notes, *n.activities]
    prose += [t for x in decl.indicators for t in (x.name, x.note)]
    prose += [t for x in decl.cost_items for t in (x.project, x.content, x.item, x.note)]
    prose += [t for x in decl.guarantees for t in (x.kind, x.documents, x.measures)]
    prose += [x.title for x in decl.citations]
    return tuple(segment("\n".join(t for t in texts if t)) for texts in (names, prose))


def finding_rows(findings: list[Finding], scope: str) -> list[dict]:
    rows = []
    for finding in findings:
        f = finding.to_json()
        rows.append({"filing_id": f["declaration"], "scope": scope, "code": f["code"], "severity": f["severity"],
                     "message": f["message"], "paths": _json(f["paths"]), "evidence": _json(f["evidence"]),
                     "related": _json(f["related"])})
    return rows


def insert_filing(conn: sqlite3.Connection, rows: FilingRows, file_id: int) -> None:
    """The filing as the next in ingest order (`seq`), with its child rows and its
    entry in the full-text index. The caller holds the transaction."""
    seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM filings").fetchone()[0]
    insert_rows(conn, "filings", [{**rows.filing, "seq": seq, "file_id": file_id}])
    for table in CHILD_TABLES:
        insert_rows(conn, table, rows.children[table])
    conn.execute("INSERT INTO filings_fts (rowid, names, prose) VALUES (?, ?, ?)", (seq, *rows.search))


def insert_rows(conn: sqlite3.Connection, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    conn.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})", rows)
