"""`shenbao serve`: the dataset in a real browser (headless Chromium): the search box on
filings finds a two-character word, facets and canned queries are there."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from dataset import fixtures, ingest
from dataset.serve import metadata
from rules import CheckResult
from rules.model import Finding

CHROMIUM = Path("/usr/bin/chromium")
NAMES = ["加装电梯工程", "道路绿化养护"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_error_on_roads(decl) -> CheckResult:
    if decl.project.name != NAMES[1]:
        return CheckResult()
    return CheckResult(findings=[Finding(code="TEST_ERROR", severity="error", message="m", declaration=decl.id)])


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
        yield base, tmp
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


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


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                  "(apt-get install -y chromium)")
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
