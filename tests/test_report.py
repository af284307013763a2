"""`shenbao report`: the offline HTML report in a real browser (headless Chromium driven
over the DevTools protocol on a pipe: no driver, no network). Plots render with their
data, a click on a field lights up where it was read (text cell or PDF box), unsure
fields, corrections and findings show at their place, and a missing source still gives
the record with a note."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import fixtures
from chromium import HIGHLIGHTED, browser_session, needs_chromium
from corpus.writers import write_document
from dataset import ingest
from dataset.report import build_report
from dataset.report import build as report_build
from dataset.report.build import page_name
from extract.readers import read_document

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "000_15b5cc2a07eb4fba.txt"
CORPUS = ROOT / "corpus" / "generated"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A dataset of real readings: the seed as text and as PDF, the seed's project a year
    later, two corpus filings, a form without its amount unit (unsure money), an empty
    file, and a filing whose source is gone by the time the report is made."""
    tmp = tmp_path_factory.mktemp("report")
    archive = tmp / "archive"
    archive.mkdir()
    shutil.copy(SEED, archive / SEED.name)
    write_document(read_document(SEED), "pdf", archive / "seed.pdf")
    fixtures.write_variant(archive, fixtures.Variant(year=2021, amount="21.00"))
    for name in ("g0001_shanghai.txt", "g0003_national.txt"):
        shutil.copy(CORPUS / name, archive / name)
    no_unit = SEED.read_text(encoding="utf-8").replace("金额单位：万元", "").replace("居民小区综合治理建设", "无单位的项目")
    (archive / "no_unit.txt").write_text(no_unit, encoding="utf-8")
    (archive / "empty.txt").write_bytes(b"")
    db = tmp / "archive.db"
    ingest([archive], db)
    (archive / "g0003_national.txt").unlink()
    out = tmp / "out"
    summary = build_report(db, out)
    return db, out, summary


def filings(db: Path) -> dict[str, dict]:
    """{source file name: record} of the current filings."""
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT source_path, record_json FROM filings WHERE superseded = 0").fetchall()
    conn.close()
    return {Path(path).name: json.loads(record) for path, record in rows}


def view_of(out: Path, record: dict) -> Path:
    return out / "filings" / page_name(f"{record['source']['sha256']}:{record['source']['record_index']}")


@pytest.fixture(scope="module")
def browser(built, tmp_path_factory):
    yield from browser_session(tmp_path_factory)


@needs_chromium
def test_index_plots_render_with_their_data_offline(built, browser):
    db, out, _ = built
    browser.open((out / "index.html").as_uri())
    marks = browser.eval("""Object.fromEntries([...document.querySelectorAll('section.plot')].map(s =>
        [s.id, [...s.querySelectorAll('svg .mark')].map(m => [m.dataset.series, m.dataset.category, +m.dataset.value])]))""")
    browser.screenshot(out.parent / "index.png")
    assert set(marks) == {"unit_funding_by_year", "project_history", "findings_by_code", "targets_by_year"}
    assert all(marks.values()), {name: len(m) for name, m in marks.items()}
    conn = sqlite3.connect(db)
    funding = conn.execute("SELECT sum(total_yuan) FROM unit_funding_by_year").fetchone()[0]
    findings = conn.execute("SELECT count(*) FROM findings").fetchone()[0]
    quantitative = conn.execute("SELECT count(*) FROM indicators i JOIN filings f ON f.id = i.filing_id "
                                "WHERE f.superseded = 0 AND target_kind = 'quantitative'").fetchone()[0]
    years = {str(y) for (y,) in conn.execute("""SELECT year FROM project_history WHERE total_yuan IS NOT NULL AND project IN
        (SELECT project FROM project_history GROUP BY project HAVING count(DISTINCT year) > 1)""")}
    conn.close()
    assert sum(v for _, _, v in marks["unit_funding_by_year"]) == pytest.approx(funding)
    assert sum(v for _, _, v in marks["findings_by_code"]) == findings
    assert sum(v for s, _, v in marks["targets_by_year"] if s == "quantitative") == quantitative
    assert {c for _, c, _ in marks["project_history"]} == years and {"2020", "2021"} <= years  # the seed, a year on
    tables = browser.eval("document.querySelectorAll('section.plot details table.data tbody tr').length")
    assert tables > 0
    assert all(url.startswith(("file://", "data:")) for url in browser.requested()), browser.requested()


@needs_chromium
def test_clicking_a_field_lights_up_the_cell_it_was_read_from(built, browser):
    db, out, _ = built
    record = filings(db)[SEED.name]
    browser.open(view_of(out, record).as_uri())
    browser.click('tr[data-path="project.phone"]')
    lit = browser.eval(HIGHLIGHTED)
    browser.screenshot(out.parent / "filing-text.png")
    assert [(x["tag"], x["visible"]) for x in lit] == [("TD", True)]
    assert re.sub(r"\D", "", lit[0]["text"]) .endswith(record["project"]["phone"][-8:])
    assert browser.eval("document.querySelector('tr.selected').dataset.path") == "project.phone"
    browser.click('tr[data-path="amount_unit"]')  # read from a line of text, not a cell
    lit = browser.eval(HIGHLIGHTED)
    assert [(x["tag"], x["visible"]) for x in lit] == [("P", True)] and "万元" in lit[0]["text"]


@needs_chromium
def test_pdf_page_is_drawn_and_a_click_boxes_the_place_on_it(built, browser):
    db, out, _ = built
    record = filings(db)["seed.pdf"]
    browser.open(view_of(out, record).as_uri())
    assert browser.eval("document.querySelector('.page-image img').naturalWidth") > 0
    browser.click('tr[data-path="project.lead"]')
    lit = browser.eval(HIGHLIGHTED)
    browser.screenshot(out.parent / "filing-pdf.png")
    assert sorted(x["tag"] for x in lit) == ["DIV", "TD"], lit  # a box on the page picture, the cell in the text below
    assert next(x for x in lit if x["tag"] == "DIV")["visible"]  # the picture is scrolled to
    assert record["project"]["lead"] in next(x["text"] for x in lit if x["tag"] == "TD")


def test_unsure_fields_corrections_and_findings_show_at_their_place(built):
    db, out, _ = built
    records = filings(db)
    seed = view_of(out, records[SEED.name]).read_text(encoding="utf-8")
    for correction in records[SEED.name]["corrections"]:
        row = _row(seed, correction["path"])
        assert f"corrected from “{correction['from']}”" in row and correction["to"] in row
    no_unit = records["no_unit.txt"]
    assert no_unit["unsure"], "a form without its amount unit must leave money unsure"
    page = view_of(out, no_unit).read_text(encoding="utf-8")
    for path in no_unit["unsure"]:
        row = _row(page, path)
        assert 'class="unsure' in row and "unsure</span>" in row
    conn = sqlite3.connect(db)
    findings = conn.execute("SELECT filing_id, code, paths FROM findings").fetchall()
    conn.close()
    assert findings
    for filing_id, code, paths in findings:
        page = (out / "filings" / page_name(filing_id)).read_text(encoding="utf-8")
        assert f"<code>{code}</code>" in page  # in the list of findings
        rows = re.findall(r'<tr [^>]*data-path="([^"]+)"[^>]*>(.*?)</tr>', page)
        for path in json.loads(paths):  # and on a row at, below or above the field it names
            tagged = [p for p, row in rows if f">{code}</span>" in row]
            assert any(p == path or p.startswith((path + ".", path + "[")) or path.startswith(p) for p in tagged), \
                (code, path)


def test_a_missing_source_gives_the_record_with_a_note(built):
    db, out, summary = built
    record = filings(db)["g0003_national.txt"]
    page = view_of(out, record).read_text(encoding="utf-8")
    assert 'class="note missing"' in page and "no longer at" in page
    assert record["project"]["name"] in _row(page, "project.name")
    assert summary.without_source == 1


def test_filings_are_listed_page_by_page_and_pages_are_written_once(built, tmp_path, monkeypatch):
    db, out, first = built
    names = filings(db)
    assert first.filings == len(names) and first.written == len(names)
    again = build_report(db, out)
    assert (again.written, again.kept) == (0, len(names))
    monkeypatch.setattr(report_build, "PAGE_SIZE", 2)
    small = tmp_path / "small"
    build_report(db, small)
    lists = sorted((small / "filings").glob("page-*.html"))
    assert len(lists) == -(-len(names) // 2)
    linked = [link for page in lists for link in re.findall(r'href="([0-9a-f]{64}-\d+\.html)"', page.read_text("utf-8"))]
    assert sorted(linked) == sorted(view_of(small, r).name for r in names.values())
    assert all((small / "filings" / link).is_file() for link in linked)
    index = (small / "index.html").read_text(encoding="utf-8")
    assert "empty.txt" in index  # the file that could not be read is listed


def test_cli_writes_the_report_and_names_a_missing_dataset(built, tmp_path):
    db, _, _ = built
    done = subprocess.run([sys.executable, "-m", "shenbao.cli", "report", "--db", str(db), "--out", str(tmp_path / "r")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "r" / "index.html").is_file() and "index.html" in done.stdout
    done = subprocess.run([sys.executable, "-m", "shenbao.cli", "report", "--db", str(tmp_path / "none.db"),
                           "--out", str(tmp_path / "x")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "no dataset at" in done.stderr and "Traceback" not in done.stderr


def _row(page: str, path: str) -> str:
    """The record row of one field path in a filing page."""
    found = re.search(rf'<tr [^>]*data-path="{re.escape(path)}"[^>]*>.*?</tr>', page)
    assert found, f"no row for {path}"
    return found.group(0)
