"""`build_report`: the dataset as a static HTML report that opens offline. An index with
the plots and the tables behind them, the filings listed 100 to a page, and one page per
filing with its source beside it. Filing pages are written once: a rerun rewrites only
those whose record, findings or neighbours changed (a manifest keeps their fingerprints),
so re-reading sources is paid once per filing, not once per report."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from dataclasses import dataclass
from html import escape
from pathlib import Path
from string import Template

from dataset.db import connect_readonly
from dataset.report.filing import FilingPage, findings_of, render_page
from dataset.report.plots import Plot, all_plots
from dataset.report.source import Source, load

TEMPLATES = Path(__file__).parent  # page.html, report.css, report.js beside this module
PAGE_SIZE = 100  # filings per page of the list
TABLE_ROWS = 200  # rows of a table shown under its plot; all of them are in the CSV beside it
MANIFEST = "manifest.json"


@dataclass
class ReportSummary:
    out: Path
    filings: int = 0  # filing pages in the report
    written: int = 0  # filing pages written this run
    kept: int = 0  # unchanged since the last run, not rewritten
    without_source: int = 0  # written with the record alone (source missing or unreadable)


def build_report(db_path: str | Path, out_dir: str | Path, on_filing=None) -> ReportSummary:
    """Write the report for the dataset at `db_path` into `out_dir` (created if needed).
    `on_filing(filing_id)` is called after each filing page written, for progress."""
    conn = connect_readonly(db_path)
    out = Path(out_dir)
    try:
        (out / "filings" / "img").mkdir(parents=True, exist_ok=True)
        (out / "tables").mkdir(exist_ok=True)
        (out / "assets").mkdir(exist_ok=True)
        for asset in ("report.css", "report.js"):
            (out / "assets" / asset).write_text((TEMPLATES / asset).read_text(encoding="utf-8"), encoding="utf-8")
        listed = _list_pages(conn, out)
        summary = _filing_pages(conn, out, listed, on_filing)
        _index(conn, out, all_plots(conn), len(listed))
    finally:
        conn.close()
    return summary


def page_name(filing_id: str) -> str:
    """The file name of a filing's page: its id, with a character every system allows."""
    return filing_id.replace(":", "-") + ".html"


def page_html(title: str, body: str, root: str, kind: str) -> str:
    """A whole page around `body`; its stylesheet and script are at `{root}assets/`."""
    template = Template((TEMPLATES / "page.html").read_text(encoding="utf-8"))
    return template.substitute(title=escape(title), body=body, root=root, kind=kind)


def _write_page(path: Path, title: str, body: str, root: str, kind: str) -> None:
    path.write_text(page_html(title, body, root, kind), encoding="utf-8")


def _list_pages(conn: sqlite3.Connection, out: Path) -> dict[str, int]:
    """The filings list, PAGE_SIZE to a page; {filing id: number of its list page}."""
    columns = ["year", "filing unit", "project", "total (元)", "errors", "warnings", "unsure fields", "file"]
    rows = conn.execute("""
        SELECT f.id, f.year, f.filing_unit, f.project_name, f.funding_total_fen,
               (SELECT count(*) FROM findings x WHERE x.filing_id = f.id AND x.severity = 'error'),
               (SELECT count(*) FROM findings x WHERE x.filing_id = f.id AND x.severity = 'warning'),
               json_array_length(f.unsure), f.source_path
        FROM filings f WHERE f.superseded = 0 ORDER BY f.seq""").fetchall()
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    listed = {}
    for number in range(1, pages + 1):
        chunk = rows[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]
        body_rows = []
        for filing_id, year, unit, name, total_fen, errors, warnings, unsure, path in chunk:
            listed[filing_id] = number
            cells = [year, unit, f'<a href="{page_name(filing_id)}">{escape(name or "(no name)")}</a>',
                     _money(total_fen), errors, warnings, unsure, path]
            body_rows.append("<tr>" + "".join(
                f"<td>{c}</td>" if i == 2 else _cell(c) for i, c in enumerate(cells)) + "</tr>")
        pager = _pager(number, pages)
        body = (f'<header><a href="../index.html">← report</a><h1>Filings, page {number} of {pages}</h1>'
                f'<p class="meta">{len(rows)} current filings, in the order they were ingested.</p></header>'
                f'<section class="listing">{pager}<table class="data filings"><thead><tr>'
                + "".join(f"<th>{escape(c)}</th>" for c in columns)
                + f'</tr></thead><tbody>{"".join(body_rows)}</tbody></table>{pager}</section>')
        _write_page(out / "filings" / f"page-{number}.html", f"Filings, page {number}", body, "../", "list")
    return listed


def _pager(number: int, pages: int) -> str:
    """Links to the first, last and nearby pages, so 100 pages stay one short line."""
    shown = sorted({1, pages, *range(max(1, number - 3), min(pages, number + 3) + 1)})
    links, previous = [], 0
    for n in shown:
        if n > previous + 1:
            links.append("…")
        links.append(f"<b>{n}</b>" if n == number else f'<a href="page-{n}.html">{n}</a>')
        previous = n
    return f'<p class="pager">{" ".join(links)}</p>'


def _filing_pages(conn: sqlite3.Connection, out: Path, listed: dict[str, int], on_filing) -> ReportSummary:
    summary = ReportSummary(out)
    folder = out / "filings"
    manifest_file = folder / MANIFEST
    old = json.loads(manifest_file.read_text(encoding="utf-8")) if manifest_file.is_file() else {}
    new: dict[str, str] = {}
    source_of: tuple[str, Source] | None = None  # the file last read: filings of one file are consecutive
    rows = conn.execute("""
        SELECT f.id, f.record_json, files.path, files.sha256 FROM filings f JOIN files ON files.id = f.file_id
        WHERE f.superseded = 0 ORDER BY f.file_id, f.record_index""")
    for filing_id, record_json, path, sha256 in rows:
        findings = findings_of(conn, filing_id)
        page = FilingPage(filing_id, json.loads(record_json), findings,
                          links=[("← report", "../index.html"), ("filings", f"page-{listed[filing_id]}.html")],
                          related_pages={r: page_name(r) for f in findings for r in f.related if r in listed})
        fingerprint = hashlib.sha256(json.dumps(
            [record_json, [f.__dict__ for f in findings], page.links, sorted(page.related_pages), path],
            ensure_ascii=False).encode()).hexdigest()
        new[filing_id] = fingerprint
        summary.filings += 1
        target = folder / page_name(filing_id)
        if old.get(filing_id) == fingerprint and target.is_file():
            summary.kept += 1
            continue
        if source_of is None or source_of[0] != sha256:
            source_of = (sha256, load(path, sha256))
        source = source_of[1]
        for image in source.images:
            picture = folder / "img" / f"{sha256}-p{image.number}.png"
            if not picture.is_file():
                picture.write_bytes(image.png)
        title, body = render_page(page, source, lambda n: f"img/{sha256}-p{n}.png")
        _write_page(target, title, body, "../", "filing")
        summary.written += 1
        summary.without_source += source.problem is not None
        if on_filing:
            on_filing(filing_id)
    for gone in set(old) - set(new):
        (folder / page_name(gone)).unlink(missing_ok=True)
    manifest_file.write_text(json.dumps(new, indent=0), encoding="utf-8")
    return summary


def _index(conn: sqlite3.Connection, out: Path, plots: list[Plot], filings: int) -> None:
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    severities = dict(conn.execute("""SELECT x.severity, count(*) FROM findings x JOIN filings f ON f.id = x.filing_id
                                      WHERE f.superseded = 0 GROUP BY x.severity"""))
    summary = [
        ("current filings", f'<a href="filings/page-1.html">{filings}</a>'),
        ("files read", one("SELECT count(*) FROM files WHERE superseded = 0")),
        ("files that could not be read", one("SELECT count(*) FROM files WHERE status = 'failed' AND superseded = 0")),
        *((f"findings: {s}", severities.get(s, 0)) for s in ("error", "warning", "info")),
        ("filings with unsure fields", one("SELECT count(*) FROM filings WHERE superseded = 0 AND unsure != '[]'")),
    ]
    body = ['<header><h1>shenbao report</h1><p class="meta">Budget declaration filings (绩效目标申报表) in the '
            'dataset, plotted; each filing opens beside its source.</p></header><section class="index">',
            '<table class="summary">' + "".join(f"<tr><th>{escape(k)}</th><td>{v}</td></tr>" for k, v in summary)
            + "</table>", "<nav>" + " · ".join(f'<a href="#{p.name}">{escape(p.title)}</a>' for p in plots) + "</nav>"]
    for plot in plots:
        _csv(out / "tables" / f"{plot.name}.csv", plot.columns, plot.rows)
        body.append(f'<section class="plot" id="{plot.name}"><h2>{escape(plot.title)}</h2>'
                    f'<p class="note">{escape(plot.note)}</p>'
                    + (plot.svg if plot.rows else '<p class="none">Nothing to plot yet.</p>')
                    + _table_behind(plot.name, plot.columns, plot.rows) + "</section>")
    columns, failed = ["path", "reason"], conn.execute(
        "SELECT path, reason FROM files WHERE status = 'failed' AND superseded = 0 ORDER BY path").fetchall()
    _csv(out / "tables" / "failed_files.csv", columns, failed)
    body.append('<section id="failed_files"><h2>Files that could not be read</h2>'
                + (_table_behind("failed_files", columns, failed, open_=True) if failed else '<p class="none">None.</p>')
                + "</section></section>")
    _write_page(out / "index.html", "shenbao report", "".join(body), "", "index")


def _table_behind(name: str, columns: list[str], rows: list[tuple], open_: bool = False) -> str:
    shown = rows[:TABLE_ROWS]
    more = f" (first {TABLE_ROWS} of {len(rows)})" if len(rows) > TABLE_ROWS else ""
    return (f'<details{" open" if open_ else ""}><summary>table{more} · <a href="tables/{name}.csv">{name}.csv</a>'
            f'</summary><table class="data"><thead><tr>' + "".join(f"<th>{escape(c)}</th>" for c in columns)
            + "</tr></thead><tbody>" + "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in shown)
            + "</tbody></table></details>")


def _cell(value) -> str:
    if value is None:
        return "<td></td>"
    if isinstance(value, float):
        return f'<td class="num">{value:,.2f}</td>'
    if isinstance(value, int):
        return f'<td class="num">{value}</td>'
    return f"<td>{escape(str(value))}</td>"


def _money(fen: int | None) -> str | None:
    return None if fen is None else f"{fen / 100:,.2f}"


def _csv(path: Path, columns: list[str], rows: list[tuple]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerows(rows)
