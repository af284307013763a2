"""An ingest killed with SIGKILL mid-way, then rerun, ends with exactly the dataset an
uninterrupted run makes: one transaction per file, nothing half-written."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

from dataset import fixtures

FILES = 1000
# The stand-in reader and checks keep 1,000 files fast; loading is what is under test.
INGEST = """
import sys
from dataset import fixtures, ingest
ingest([sys.argv[1]], sys.argv[2], process=fixtures.process_files_from_gold,
       check_filing=fixtures.quick_check_filing, check_across=fixtures.quick_check_across)
"""


def start(archive, db) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", INGEST, str(archive), str(db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def files_done(db) -> int:
    try:
        conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT count(*) FROM files").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:  # not created yet
        return 0


def test_killed_ingest_resumes_to_the_same_dataset(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    for v in fixtures.many_variants(FILES):
        fixtures.write_variant(archive, v)
    whole, killed = tmp_path / "whole.db", tmp_path / "killed.db"

    uninterrupted = start(archive, whole)  # runs beside the one we kill
    victim = start(archive, killed)
    deadline = time.monotonic() + 300
    while files_done(killed) < FILES // 3 and victim.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert victim.poll() is None, "ingest finished before it could be killed: " + victim.stderr.read()
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    victim.stderr.close()
    done_when_killed = files_done(killed)
    assert 0 < done_when_killed < FILES

    resumed = start(archive, killed)
    assert resumed.wait(timeout=300) == 0, resumed.stderr.read()
    assert uninterrupted.wait(timeout=300) == 0, uninterrupted.stderr.read()
    resumed.stderr.close()
    uninterrupted.stderr.close()

    expected = fixtures.dump(whole)
    assert len(expected["filings"]) == FILES and expected["findings"]
    assert any(row for row in expected["findings"] if "across" in row)
    assert fixtures.dump(killed) == expected
