"""The filing view inside `shenbao serve`: a Datasette plugin, registered in-process by
`dataset/serve.py`, that serves each filing beside its source at `/-/filing/ID`, drawn by
the report's own code (`dataset/report/filing.py`), and links every filing id Datasette
shows to that view.

A request reads one filing's rows and one source file, whatever the size of the dataset.
Sources are kept in a small LRU by sha256, so clicking through the filings of one file
(or its page pictures) reads the file once; a file touched since is read again. Nothing
is written anywhere."""

from __future__ import annotations

import asyncio
import json
import os
import re
import threading
from collections import OrderedDict
from html import escape

from datasette import Response, hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup

from dataset.report.build import TEMPLATES, page_html
from dataset.report.filing import FilingPage, findings_of, render_page
from dataset.report.source import Source, load

PREFIX = "/-/filing/"
ASSETS = ("report.css", "report.js")  # served from the package: the view works offline
FILING_ID = re.compile(r"[0-9a-f]{64}:\d+")
RELATED_LIMIT = 20  # filings of the same file, and of the same project, linked from a view


class SourceCache:
    """Sources read for the view by sha256, the most recently used kept: at most `size`
    files and `max_bytes` of page pictures (a scanned archive's pages are large). An
    entry is used only while its file's path, size and modification time are unchanged."""

    def __init__(self, size: int = 16, max_bytes: int = 256 << 20):
        self.size, self.max_bytes = size, max_bytes
        self._entries: OrderedDict[str, tuple[tuple, Source, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # requests are served from several threads

    def get(self, path: str, sha256: str) -> Source:
        stamp = _stamp(path)
        with self._lock:
            entry = self._entries.get(sha256)
            if entry and entry[0] == stamp:
                self._entries.move_to_end(sha256)
                return entry[1]
        source = load(path, sha256)
        weight = sum(len(image.png) for image in source.images)
        with self._lock:
            if (old := self._entries.pop(sha256, None)) is not None:
                self._bytes -= old[2]
            self._entries[sha256] = (stamp, source, weight)
            self._bytes += weight
            while len(self._entries) > 1 and (len(self._entries) > self.size or self._bytes > self.max_bytes):
                self._bytes -= self._entries.popitem(last=False)[1][2]
        return source


def _stamp(path: str) -> tuple:
    try:
        info = os.stat(path)
    except OSError:
        return (path,)
    return path, info.st_size, info.st_mtime_ns


SOURCES = SourceCache()


def view_url(datasette, filing_id: str) -> str:
    return datasette.urls.path(PREFIX + filing_id)


@hookimpl
def register_routes():
    return [
        (rf"^{PREFIX}assets/(?P<name>[^/]+)$", asset),
        (rf"^{PREFIX}(?P<filing_id>[^/]+)/page-(?P<number>\d+)\.png$", page_image),
        (rf"^{PREFIX}(?P<filing_id>[^/]+)$", filing_view),
    ]


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """A "filing view" link beside every filing id (`filings.id`, `*.filing_id`, a query's
    `id`, `findings.related`), and the filings table's `source_path` opening the view,
    since the table's `id` is Datasette's own link to the row."""
    def link(filing_id: str, label: str = "filing view") -> str:
        return f'<a class="filing-view" href="{escape(view_url(datasette, filing_id))}">{escape(label)}</a>'

    if column in ("id", "filing_id") and isinstance(value, str) and FILING_ID.fullmatch(value):
        return Markup(f"{escape(value)} {link(value)}")
    if column == "filing_id" and isinstance(value, dict) and FILING_ID.fullmatch(str(value.get("value"))):
        # a foreign key Datasette expanded to its label: keep its link to the row, add the view's
        row_url = datasette.urls.row(database, "filings", tilde_encode(value["value"]))
        return Markup(f'<a href="{escape(row_url)}">{escape(value["label"] or value["value"])}</a> '
                      f'{link(value["value"])}')
    if table == "filings" and column == "source_path" and value:
        filing_id = _get(row, "id")
        return Markup(link(filing_id, value)) if filing_id else None
    if table == "findings" and column == "related" and isinstance(value, str) and value.startswith("["):
        ids = [i for i in json.loads(value) if isinstance(i, str) and FILING_ID.fullmatch(i)]
        return Markup(" ".join(link(i, i[:12] + "…") for i in ids)) if ids else None
    return None


def _get(row, key: str):
    try:
        return row[key]
    except (IndexError, KeyError):
        return None


async def asset(request):
    name = request.url_vars["name"]
    if name not in ASSETS:
        return Response.text("not found", status=404)
    kind = "text/css" if name.endswith(".css") else "text/javascript"
    return Response((TEMPLATES / name).read_text(encoding="utf-8"), content_type=f"{kind}; charset=utf-8")


async def filing_view(datasette, request):
    filing_id = request.url_vars["filing_id"]
    database = datasette.get_database()
    found = await database.execute_fn(lambda conn: _filing(conn, filing_id))
    if found is None:
        return _not_found(datasette, filing_id)
    record, path, sha256, findings, related_ids, related = found
    source = await asyncio.get_running_loop().run_in_executor(None, SOURCES.get, path, sha256)
    row_url = datasette.urls.row(database.name, "filings", tilde_encode(filing_id))
    page = FilingPage(filing_id, record, findings,
                      links=[("← dataset", datasette.urls.database(database.name)), ("this filing's row", row_url)],
                      related_pages={r: view_url(datasette, r) for r in related_ids},
                      related=[(label, view_url(datasette, other)) for other, label in related])
    title, body = render_page(page, source, lambda n: view_url(datasette, f"{filing_id}/page-{n}.png"))
    return Response.html(page_html(title, body, datasette.urls.path(PREFIX), "filing"))


async def page_image(datasette, request):
    filing_id, number = request.url_vars["filing_id"], int(request.url_vars["number"])
    found = await datasette.get_database().execute_fn(lambda conn: _file_of(conn, filing_id))
    if found is not None:
        source = await asyncio.get_running_loop().run_in_executor(None, SOURCES.get, *found)
        image = next((i for i in source.images if i.number == number), None)
        if image is not None:
            return Response(image.png, content_type="image/png")
    return Response.text(f"no page {number} of filing {filing_id}", status=404)


def _not_found(datasette, filing_id: str) -> Response:
    body = (f'<header><a href="{escape(datasette.urls.instance())}">← dataset</a><h1>No such filing</h1></header>'
            f'<p class="note missing">There is no filing with id “{escape(filing_id)}” in this dataset. '
            f'A filing id is the sha256 of its file, a colon and its place in the file (abc…:0).</p>')
    return Response.html(page_html("No such filing", body, datasette.urls.path(PREFIX), "missing"), status=404)


def _file_of(conn, filing_id: str) -> tuple[str, str] | None:
    return conn.execute("SELECT files.path, files.sha256 FROM filings f JOIN files ON files.id = f.file_id "
                        "WHERE f.id = ?", (filing_id,)).fetchone()


def _filing(conn, filing_id: str):
    """Everything the view shows from the dataset, by indexed look-ups only: the record,
    its file, its findings, which filings the findings name exist, and the filings to
    compare it with (the others of its file, the same project in other years)."""
    row = conn.execute("""
        SELECT f.record_json, files.path, files.sha256, f.file_id, f.project_code, f.project_name
        FROM filings f JOIN files ON files.id = f.file_id WHERE f.id = ?""", (filing_id,)).fetchone()
    if row is None:
        return None
    record_json, path, sha256, file_id, code, name = row
    findings = findings_of(conn, filing_id)
    named = sorted({r for f in findings for r in f.related})
    existing = [r for (r,) in conn.execute(
        f"SELECT id FROM filings WHERE id IN ({','.join('?' * len(named))})", named)] if named else []
    columns = "SELECT id, year, filing_unit, project_name, source_path FROM filings"
    same_file = conn.execute(f"{columns} WHERE file_id = ? AND id != ? ORDER BY record_index LIMIT ?",
                             (file_id, filing_id, RELATED_LIMIT)).fetchall()
    project = ("project_code = ?", code) if code else ("project_code IS NULL AND project_name = ?", name)
    same_project = conn.execute(f"{columns} WHERE {project[0]} AND superseded = 0 AND id != ? AND file_id != ? "
                                "ORDER BY year, seq LIMIT ?", (project[1], filing_id, file_id, RELATED_LIMIT)).fetchall()
    related = [(other, f"same file: {_label(*rest)}") for other, *rest in same_file]
    related += [(other, _label(*rest)) for other, *rest in same_project]
    return json.loads(record_json), path, sha256, findings, existing, related


def _label(year, unit, project_name, source_path) -> str:
    return " ".join(str(v) for v in (year, unit, project_name) if v) + f" ({os.path.basename(source_path)})"
