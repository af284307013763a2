"""`shenbao serve`: the dataset in a real browser (headless Chromium): the search box on
filings finds a two-character word, facets and canned queries are there, and each filing
opens beside its source (/-/filing/ID): drawn from the source file, a click on a field
lights up where it was read, reached from Datasette's rows and linking back to them."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

import fixtures
from chromium import CHROMIUM, HIGHLIGHTED, browser_session, needs_chromium
from corpus.writers import write_document
from dataset import filing_view, ingest
from dataset.report.source import PageImage, Source
from dataset.serve import metadata
from extract.readers import read_document
from rules import CheckResult
from rules.model import Finding

SEED = fixtures.SEED_TEXT
GONE = Path(__file__).resolve().parents[1] / "corpus" / "generated" / "g0003_national.txt"
NAMES = ["加装电梯工程", "道路绿化养护"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_error_on_roads(decl) -> CheckResult:
    if decl.project.name != NAMES[1]:
        return CheckResult()
    return CheckResult(findings=[Finding(code="TEST_ERROR", severity="error", message="m", declaration=decl.id)])


@contextmanager
def serving(db: Path):
    """`shenbao serve` on the dataset at `db`, on a free port; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "shenbao.cli", "serve", "--db", str(db), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"shenbao serve did not start: {proc.stderr.read()}")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A dataset of two filings served on a free port; stopped after the tests."""
    tmp = tmp_path_factory.mktemp("serve")
    archive = tmp / "archive"
    archive.mkdir()
    fixtures.write_variant(archive, fixtures.Variant(name=NAMES[0]))
    fixtures.write_variant(archive, fixtures.Variant(name=NAMES[1], unit="上海市闵行区华漕镇人民政府", year=2021))
    db = tmp / "archive.db"
    ingest([archive], db, process=fixtures.process_files_from_gold, check_filing=one_error_on_roads)
    with serving(db) as base:
        yield base, tmp


def browse(url: str, profile: Path) -> str:
    """The page's DOM after Chromium has rendered it."""
    assert url.startswith("http://127.0.0.1:")
    done = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         "--dump-dom", url],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


@needs_chromium
def test_search_box_finds_a_two_character_word(server):
    base, tmp = server
    page = browse(f"{base}/archive/filings?_search={urllib.parse.quote('业委')}", tmp / "profile")
    assert 'name="_search"' in page  # the search box is on the page
    assert "2 rows where search matches" in page
    assert all(name in page for name in NAMES)
    page = browse(f"{base}/archive/filings?_search={urllib.parse.quote('电梯')}", tmp / "profile")
    assert "1 row where search matches" in page
    assert NAMES[0] in page and NAMES[1] not in page


def test_facets_and_canned_queries(server):
    base, _ = server
    table = get_json(f"{base}/archive/filings.json")
    assert {"year", "filing_unit"} <= set(table["facet_results"])
    findings = get_json(f"{base}/archive/findings.json")
    assert {"severity", "code"} <= set(findings["facet_results"])
    history = get_json(f"{base}/archive/history_of_a_project.json?project={urllib.parse.quote('电梯')}&_shape=objects")
    assert [(r["project_name"], r["year"], r["total_yuan"]) for r in history["rows"]] == [(NAMES[0], 2020, 199500.0)]
    errors = get_json(f"{base}/archive/filings_with_errors.json?_shape=objects")
    assert [(r["project_name"], r["errors"], r["codes"]) for r in errors["rows"]] == [(NAMES[1], 1, "TEST_ERROR")]
    view = get_json(f"{base}/archive/unit_funding_by_year.json?_shape=objects")
    assert [(r["filing_unit"], r["year"]) for r in view["rows"]] == [
        ("上海市闵行区华漕镇人民政府", 2021), ("上海市闵行区新虹街道房管办事处", 2020)]


def test_metadata_describes_every_column_of_every_table(tmp_path):
    from dataset.db import PUBLIC_TABLES, VIEWS, connect

    conn = connect(tmp_path / "x.db")
    meta = metadata(tmp_path / "x.db")["databases"]["x"]["tables"]
    for table in PUBLIC_TABLES:
        columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")} - {"id"}
        assert meta[table]["description"]
        assert columns <= set(meta[table]["columns"]), table
    assert all(meta[view]["description"] for view in VIEWS)
    assert meta["filings"]["columns"]["funding_total_fen"].endswith("fen")
    conn.close()


@pytest.fixture(scope="module")
def viewer(tmp_path_factory):
    """Real readings served: the seed as text and as PDF, its project a year later with a
    budget jump (a finding naming the seed), and a filing whose source file is gone.
    Yields the base URL, {source file name: filing id} and the folder."""
    tmp = tmp_path_factory.mktemp("view")
    archive = tmp / "archive"
    archive.mkdir()
    shutil.copy(SEED, archive / SEED.name)
    write_document(read_document(SEED), "pdf", archive / "seed.pdf")
    shutil.copy(GONE, archive / GONE.name)
    fixtures.write_variant(archive, fixtures.Variant(year=2021, amount="40.00"), "next_year.txt")
    db = tmp / "archive.db"
    ingest([archive], db)
    (archive / GONE.name).unlink()
    conn = sqlite3.connect(db)
    ids = {Path(path).name: filing_id for filing_id, path in conn.execute("SELECT id, source_path FROM filings")}
    conn.close()
    with serving(db) as base:
        yield base, ids, tmp


@pytest.fixture(scope="module")
def browser(viewer, tmp_path_factory):
    yield from browser_session(tmp_path_factory)


def view(base: str, filing_id: str) -> str:
    return f"{base}/-/filing/{filing_id}"


@needs_chromium
def test_filing_view_shows_record_and_source_and_a_click_lights_the_cell(viewer, browser):
    base, ids, tmp = viewer
    record = get_json(f"{base}/archive/filings/{ids[SEED.name].replace(':', '~3A')}.json?_shape=objects")["rows"][0]
    browser.open(view(base, ids[SEED.name]))
    assert browser.eval("document.querySelector('tr[data-path=\"project.name\"] td').textContent") \
        == record["project_name"]
    assert browser.eval("document.querySelectorAll('.source-pane table.source td').length") > 50
    assert browser.eval("getComputedStyle(document.querySelector('main.filing')).display") == "grid"  # its CSS came
    browser.click('tr[data-path="project.phone"]')
    lit = browser.eval(HIGHLIGHTED)
    browser.screenshot(tmp / "serve-filing-text.png")
    assert [(x["tag"], x["visible"]) for x in lit] == [("TD", True)]
    assert re.sub(r"\D", "", lit[0]["text"]).endswith(record["phone"][-8:])
    assert all(url.startswith(base) for url in browser.requested()), browser.requested()  # nothing from elsewhere


@needs_chromium
def test_pdf_page_picture_is_served_and_a_click_boxes_the_place_on_it(viewer, browser):
    base, ids, tmp = viewer
    browser.open(view(base, ids["seed.pdf"]))
    assert browser.eval("document.querySelector('.page-image img').naturalWidth") > 0
    browser.click('tr[data-path="project.lead"]')
    lit = browser.eval(HIGHLIGHTED)
    browser.screenshot(tmp / "serve-filing-pdf.png")
    assert sorted(x["tag"] for x in lit) == ["DIV", "TD"], lit
    assert next(x for x in lit if x["tag"] == "DIV")["visible"]
    with urllib.request.urlopen(f"{view(base, ids['seed.pdf'])}/page-1.png", timeout=30) as response:
        assert response.headers["content-type"] == "image/png" and response.read(8) == b"\x89PNG\r\n\x1a\n"
    assert status(f"{view(base, ids['seed.pdf'])}/page-99.png") == 404
    assert status(f"{view(base, ids[SEED.name])}/page-1.png") == 404  # a text file has no pictures


@needs_chromium
def test_datasette_rows_lead_to_the_view_and_the_view_back_to_them(viewer, browser):
    base, ids, tmp = viewer
    browser.open(f"{base}/archive/filings")
    browser.follow(f'td.col-source_path a[href="/-/filing/{ids["seed.pdf"]}"]')
    assert browser.eval("location.href") == view(base, ids["seed.pdf"])
    related = browser.eval("[...document.querySelectorAll('header .related a')].map(a => a.href)")
    assert view(base, ids[SEED.name]) in related  # the same project, read from the text file
    browser.follow('header a[href*="/archive/filings/"]')
    assert browser.eval("document.querySelector('td.col-id').textContent").startswith(ids["seed.pdf"])
    browser.follow("td.col-id a.filing-view")  # the row page links to the view too
    assert browser.eval("location.href") == view(base, ids["seed.pdf"])
    browser.open(f"{base}/archive/findings?filing_id={urllib.parse.quote(ids[SEED.name])}")
    browser.follow("td.col-filing_id a.filing-view")
    browser.screenshot(tmp / "serve-from-findings.png")
    assert browser.eval("location.href") == view(base, ids[SEED.name])


def test_every_listing_of_a_filing_id_links_to_its_view(viewer):
    base, ids, _ = viewer

    def links(path: str) -> list[str]:
        with urllib.request.urlopen(f"{base}/archive/{path}", timeout=30) as response:
            page = response.read().decode("utf-8")
        return re.findall(r'<a class="filing-view" href="/-/filing/([^"]+)"', page)

    assert sorted(links("filings")) == sorted(ids.values())  # the table: source_path opens the view
    assert set(links(f"filings/{ids['seed.pdf'].replace(':', '~3A')}")) == {ids["seed.pdf"]}  # a row: id, path
    assert sorted(set(links("project_history"))) == sorted(ids.values())  # a view's filing_id
    findings = get_json(f"{base}/archive/findings.json?_shape=objects&_size=max")["rows"]
    named = {f["filing_id"] for f in findings} | {r for f in findings for r in json.loads(f["related"])}
    assert ids["next_year.txt"] in named and ids[SEED.name] in named  # the budget jump names the seed
    assert set(links("findings?_size=max")) == named  # filing_id, and the filings in related


def test_missing_source_shows_the_record_alone_and_unknown_id_is_404(viewer):
    base, ids, _ = viewer
    with urllib.request.urlopen(view(base, ids[GONE.name]), timeout=30) as response:
        page = response.read().decode("utf-8")
    assert 'class="note missing"' in page and "no longer at" in page
    assert 'data-path="project.name"' in page
    for unknown in ("nope", "0" * 64 + ":0"):
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(view(base, unknown), timeout=30)
        body = error.value.read().decode("utf-8")
        assert error.value.code == 404 and "No such filing" in body and unknown in body and "Traceback" not in body


def test_serving_the_view_writes_nothing(viewer):
    base, ids, tmp = viewer
    before = {p: p.stat().st_mtime_ns for p in tmp.rglob("*") if "profile" not in p.parts}
    for filing_id in ids.values():
        urllib.request.urlopen(view(base, filing_id), timeout=30).read()
    urllib.request.urlopen(f"{view(base, ids['seed.pdf'])}/page-1.png", timeout=30).read()
    assert {p: p.stat().st_mtime_ns for p in tmp.rglob("*") if "profile" not in p.parts} == before


def test_sources_are_read_once_per_file_until_it_changes(tmp_path, monkeypatch):
    reads = []
    picture = PageImage(1, b"x" * 10, 100, 100)
    monkeypatch.setattr(filing_view, "load", lambda path, sha256: reads.append(path) or Source(images=[picture]))
    cache = filing_view.SourceCache(size=2, max_bytes=25)
    a, b, c = (str(tmp_path / f"{n}.txt") for n in "abc")
    for path in (a, b, c):
        Path(path).write_text("x", encoding="utf-8")
    for _ in range(3):  # the filings of one file, clicked through
        cache.get(a, "a")
    assert reads == [a]
    os.utime(a, ns=(1, 1))  # touched since: read again
    cache.get(a, "a")
    assert reads == [a, a]
    cache.get(b, "b")
    cache.get(c, "c")  # the least recently used (a) goes
    cache.get(c, "c")
    cache.get(a, "a")
    assert reads == [a, a, b, c, a]
    cache.size = 3  # three files would fit, but not their 30 bytes of pictures
    cache.get(b, "b")  # so the least recently used (c) goes
    cache.get(a, "a")
    cache.get(c, "c")
    assert reads == [a, a, b, c, a, b, c]


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
