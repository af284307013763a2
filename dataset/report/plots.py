"""The report's plots: each is a query on the dataset, the SVG drawn from its rows, and
the same rows as the table behind the plot."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

from dataset.report import svg

TOP_SERIES = 8  # series drawn in one plot; the rest are summed as "others" (or left to the table)
UNKNOWN_YEAR = "year unknown"


@dataclass
class Plot:
    name: str  # file stem of its CSV table, and its anchor in the report
    title: str
    note: str  # what the plot shows and how to read it
    svg: str
    columns: list[str]
    rows: list[tuple]


def all_plots(conn: sqlite3.Connection) -> list[Plot]:
    return [make(conn) for make in PLOTS]


def funding_by_unit_and_year(conn: sqlite3.Connection) -> Plot:
    columns, rows = _select(conn, "SELECT filing_unit, year, filings, total_yuan, current_year_yuan, fiscal_yuan, "
                                  "other_yuan FROM unit_funding_by_year")
    totals = _series(rows, series=lambda r: r[0] or "unit unknown", category=lambda r: _year(r[1]),
                     value=lambda r: r[3])
    return Plot("unit_funding_by_year", "Funding per filing unit and year",
                f"项目总预算 summed per filing unit and budget year (current filings), in yuan; the {TOP_SERIES} "
                "units with the most funding are drawn, the rest summed as “others”.",
                svg.bars(*_top(totals, others=True), unit="元"), columns, rows)


def project_across_years(conn: sqlite3.Connection) -> Plot:
    columns, rows = _select(conn, """
        SELECT project, year, filing_unit, project_name, total_yuan, current_year_yuan, errors, warnings, filing_id
        FROM project_history
        WHERE project IN (SELECT project FROM project_history GROUP BY project HAVING count(DISTINCT year) > 1)""")
    names: dict[str, str] = {}
    for row in rows:  # a project is known by its code when it has one; it is drawn under its first name
        names.setdefault(row[0], row[3] if row[3] and row[3] != row[0] else "")
    label = {project: f"{name} ({project})" if name else project for project, name in names.items()}
    totals = _series(rows, series=lambda r: label[r[0]], category=lambda r: _year(r[1]), value=lambda r: r[4])
    return Plot("project_history", "The same project across years",
                f"项目总预算 of projects filed in more than one year (known by project code, else name), in yuan; "
                f"the {TOP_SERIES} filed in the most years are drawn.",
                svg.lines(*_top(totals, others=False, rank=lambda values: (len(values), sum(values.values()))),
                          unit="元"), columns, rows)


def findings_by_code(conn: sqlite3.Connection) -> Plot:
    columns, rows = _select(conn, """
        SELECT code, severity, sum(findings) AS findings, sum(filings) AS filings
        FROM findings_summary GROUP BY code, severity
        ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, code""")
    counts = _series(rows, series=lambda r: r[1], category=lambda r: r[0], value=lambda r: r[2])
    categories = list(dict.fromkeys(r[0] for r in rows))
    return Plot("findings_by_code", "Findings by code and severity",
                "Findings of the consistency checks on current filings, per code, coloured by severity.",
                svg.bars(categories, {s: [counts[s].get(c) for c in categories] for s in counts}, unit="findings"),
                columns, rows)


def quantified_targets_by_year(conn: sqlite3.Connection) -> Plot:
    columns, rows = _select(conn, """
        SELECT f.year,
               sum(i.target_kind = 'quantitative') AS quantitative,
               sum(i.target_kind = 'qualitative') AS qualitative,
               sum(i.target_kind = 'empty') AS empty,
               round(100.0 * sum(i.target_kind = 'quantitative') / count(*), 1) AS quantified_percent
        FROM indicators i JOIN filings f ON f.id = i.filing_id
        WHERE f.superseded = 0 GROUP BY f.year ORDER BY f.year""")
    categories = [_year(r[0]) for r in rows]
    series = {kind: [r[k + 1] for r in rows] for k, kind in enumerate(("quantitative", "qualitative", "empty"))}
    return Plot("targets_by_year", "Quantified targets per year",
                "Indicator targets per budget year: quantitative (a number to reach), qualitative (words only) "
                "or left empty.", svg.bars(categories, series, unit="indicators"), columns, rows)


PLOTS: list[Callable[[sqlite3.Connection], Plot]] = [
    funding_by_unit_and_year, project_across_years, findings_by_code, quantified_targets_by_year]


def _select(conn: sqlite3.Connection, sql: str) -> tuple[list[str], list[tuple]]:
    cursor = conn.execute(sql)
    return [d[0] for d in cursor.description], cursor.fetchall()


def _year(year: int | None) -> str:
    return str(year) if year is not None else UNKNOWN_YEAR


def _series(rows, series, category, value) -> dict[str, dict[str, float]]:
    """{series: {category: summed value}} from rows (a missing value counts as none)."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        v = value(row)
        if v is not None:
            values = out[series(row)]
            values[category(row)] = values.get(category(row), 0) + v
    return out


def _top(data: dict[str, dict[str, float]], others: bool, rank=lambda values: sum(values.values())):
    """(categories, {series: values}) of the TOP_SERIES best-ranked series; with `others`,
    the rest summed as one more series. Years sort as years, unknown last."""
    ranked = sorted(data, key=lambda name: rank(data[name]), reverse=True)
    kept = {name: data[name] for name in ranked[:TOP_SERIES]}
    rest = ranked[TOP_SERIES:]
    if others and rest:
        summed: dict[str, float] = defaultdict(float)
        for name in rest:
            for c, v in data[name].items():
                summed[c] += v
        kept[f"others ({len(rest)})"] = summed
    categories = sorted({c for values in kept.values() for c in values}, key=lambda c: (c == UNKNOWN_YEAR, c))
    return categories, {name: [values.get(c) for c in categories] for name, values in kept.items()}
