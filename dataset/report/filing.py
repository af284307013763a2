"""One filing's page: the source on the left, the record on the right. Every field row
knows the element ids where it was read (`data-anchors`), so a click lights them up;
corrections, findings and unsure marks sit on the rows they are about."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from html import escape

from dataset.report.source import Source, anchor, render

# Parts of the record that are about the record itself, shown elsewhere or not at all.
NOT_FIELDS = ("schema_version", "source", "provenance", "unsure", "corrections")


@dataclass
class FindingRow:
    code: str
    severity: str
    scope: str
    message: str
    paths: list[str]
    related: list[str]


@dataclass
class FilingPage:
    id: str
    record: dict
    findings: list[FindingRow] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, URL) in the header: the way back
    related_pages: dict[str, str] = field(default_factory=dict)  # other filing's id -> its view, for links
    related: list[tuple[str, str]] = field(default_factory=list)  # (label, URL) of filings to compare with


def findings_of(conn: sqlite3.Connection, filing_id: str) -> list[FindingRow]:
    """The filing's findings, errors first."""
    rows = conn.execute("""
        SELECT code, severity, scope, message, paths, related FROM findings WHERE filing_id = ?
        ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, code, id""", (filing_id,))
    return [FindingRow(code, severity, scope, message, json.loads(paths), json.loads(related))
            for code, severity, scope, message, paths, related in rows]


def leaves(value, path: str = "") -> list[tuple[str, object]]:
    """(field path, value) of every scalar in the record, in record order, with paths as
    the contract writes them (`funding.total`, `indicators[0].target.raw`). An empty list
    is a leaf of its own, so an empty part still shows."""
    if isinstance(value, dict):
        out = []
        for key, item in value.items():
            if not path and key in NOT_FIELDS:
                continue
            out += leaves(item, f"{path}.{key}" if path else key)
        return out
    if isinstance(value, list) and value:
        return [leaf for i, item in enumerate(value) for leaf in leaves(item, f"{path}[{i}]")]
    return [(path, value)]


def ancestors(path: str) -> list[str]:
    """The path and each path above it: `a.b[0].c`, `a.b[0]`, `a.b`, `a`."""
    out = [path]
    while (cut := max(path.rfind("."), path.rfind("["))) > 0:
        path = path[:cut]
        out.append(path)
    return out


def render_page(page: FilingPage, source: Source, image_url) -> tuple[str, str]:
    """(title, body HTML) of the filing view, for the static report and `shenbao serve`
    alike; `image_url(page_number)` is where the picture of a source page is."""
    record = page.record
    ids: set[str] = set()
    source_html = ""
    if source.document is not None:
        source_html, ids = render(source.document)
    boxes = _Boxes(source, image_url)
    provenance = record.get("provenance") or {}

    def anchors_of(path: str) -> list[str]:
        read_at = next((p for p in ancestors(path) if p in provenance), None)
        if read_at is None:
            return []
        found = provenance[read_at]
        if read_at.endswith("]"):  # an item of a list (an indicator, a cost item) was read from a whole row
            found = {k: v for k, v in found.items() if k != "col"}
        return [a for a in (boxes.add(provenance[read_at]), anchor(found, ids)) if a]  # the first is scrolled to

    title = " · ".join(str(v) for v in (record.get("year"), record.get("filing_unit"),
                                         (record.get("project") or {}).get("name")) if v) or page.id
    findings, fields = _findings(page, anchors_of), _record(page, anchors_of)  # before the boxes are drawn
    body = [f'<header>{_links(page.links, " ")}<h1>{escape(title)}</h1><p class="meta">{escape(page.id)} · '
            f'{escape(record["source"]["path"])} ({escape(record["source"]["format"])}, '
            f'{escape(record["source"].get("method") or "text")})</p>'
            + (f'<p class="meta related">related filings: {_links(page.related, " · ")}</p>' if page.related else "")
            + '</header><main class="filing"><div class="pane source-pane">']
    if source.problem:
        body.append(f'<p class="note missing">Source not shown: {escape(source.problem)}. The record is shown alone.</p>')
    else:
        body.append(boxes.html())
        body += [f'<p class="note">{escape(w)}</p>' for w in source.document.warnings]
        body.append(source_html)
    body.append('</div><div class="pane record-pane">')
    body += [findings, fields]
    body.append("</div></main>")
    return title, "".join(body)


def _links(links: list[tuple[str, str]], between: str) -> str:
    return between.join(f'<a href="{escape(url)}">{escape(label)}</a>' for label, url in links)


def _findings(page: FilingPage, anchors_of) -> str:
    if not page.findings:
        return '<section><h2>Findings</h2><p class="none">No findings.</p></section>'
    items = []
    for f in page.findings:
        paths = " ".join(_path_button(p, anchors_of(p)) for p in f.paths)
        related = " ".join(
            f'<a href="{escape(page.related_pages[r])}">{escape(r[:12])}…</a>' if r in page.related_pages else escape(r)
            for r in f.related)
        items.append(f'<li class="finding {escape(f.severity)}"><b>{escape(f.severity)}</b> <code>{escape(f.code)}</code>'
                     f' {escape(f.message)}<div class="paths">{paths}</div>'
                     + (f'<div class="related">other filings: {related}</div>' if related else "") + "</li>")
    return f'<section><h2>Findings ({len(page.findings)})</h2><ul class="findings">{"".join(items)}</ul></section>'


def _path_button(path: str, anchors: list[str]) -> str:
    return f'<button class="path" data-path="{escape(path)}" data-anchors="{" ".join(anchors)}">{escape(path)}</button>'


def _record(page: FilingPage, anchors_of) -> str:
    record = page.record
    unsure = set(record.get("unsure") or [])
    corrections = {c["path"]: c for c in record.get("corrections") or []}
    rows = leaves(record)
    by_path = _findings_by_row([p for p, _ in rows], page.findings)
    out, section = [], None
    for path, value in rows:
        top = re.split(r"[.\[]", path, maxsplit=1)[0]
        if top != section:
            if section is not None:
                out.append("</tbody></table>")
            section = top
            out.append(f'<h2>{escape(top)}</h2><table class="record"><tbody>')
        anchors = anchors_of(path)
        is_unsure = any(p in unsure for p in ancestors(path))
        classes = [c for c, on in (("unsure", is_unsure), ("has-source", anchors)) if on]
        classes += sorted({f"flag-{f.severity}" for f in by_path.get(path, [])})
        notes = []
        if is_unsure:
            notes.append('<span class="tag unsure-tag">unsure</span>')
        if path in corrections:
            c = corrections[path]
            notes.append(f'<span class="tag correction">corrected from “{escape(c["from"])}”'
                         f'{" (" + escape(c["reason"]) + ")" if c.get("reason") else ""}</span>')
        notes += [f'<span class="tag {escape(f.severity)}" title="{escape(f.message)}">{escape(f.code)}</span>'
                  for f in by_path.get(path, [])]
        out.append(f'<tr class="{" ".join(classes)}" data-path="{escape(path)}" data-anchors="{" ".join(anchors)}">'
                   f'<th>{escape(path)}</th><td>{_value(value)}{"".join(notes)}</td></tr>')
    if section is not None:
        out.append("</tbody></table>")
    return f'<section class="fields">{"".join(out)}</section>'


def _findings_by_row(paths: list[str], findings: list[FindingRow]) -> dict[str, list[FindingRow]]:
    """Each finding on the rows its paths name: the row itself, else every row below a
    path that names a part (`funding`), else the nearest row above it."""
    out: dict[str, list[FindingRow]] = {}
    known = set(paths)
    for f in findings:
        for named in f.paths:
            if named in known:
                rows = [named]
            else:
                rows = [p for p in paths if p.startswith((named + ".", named + "["))]
                rows = rows or [a for a in ancestors(named) if a in known][:1]
            for row in rows:
                if f not in out.setdefault(row, []):
                    out[row].append(f)
    return out


def _value(value) -> str:
    if value is None:
        return '<span class="empty">—</span>'
    if value == []:
        return '<span class="empty">(none)</span>'
    if isinstance(value, bool):
        return "yes" if value else "no"
    return escape(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


class _Boxes:
    """Provenance bboxes drawn over the page pictures, one element per distinct box."""

    def __init__(self, source: Source, image_url):
        self.image_url = image_url
        self.pages = {image.number: image for image in source.images}
        self.boxes: dict[tuple, str] = {}

    def add(self, provenance: dict) -> str | None:
        bbox, page = provenance.get("bbox"), provenance.get("page") or 1
        if not bbox or page not in self.pages:
            return None
        key = (page, *bbox)
        return self.boxes.setdefault(key, f"box-{len(self.boxes)}")

    def html(self) -> str:
        out = []
        for number, image in self.pages.items():
            marks = []
            for (page, x0, top, x1, bottom), box_id in self.boxes.items():
                if page == number:
                    marks.append(f'<div class="box" id="{box_id}" style="left:{100 * x0 / image.width:.2f}%;'
                                 f'top:{100 * top / image.height:.2f}%;width:{100 * (x1 - x0) / image.width:.2f}%;'
                                 f'height:{100 * (bottom - top) / image.height:.2f}%"></div>')
            out.append(f'<div class="page-image"><img src="{escape(self.image_url(number))}" alt="page {number}">'
                       f'{"".join(marks)}</div>')
        return "".join(out)
