"""An ingest killed with SIGKILL mid-way, then rerun, ends with exactly the dataset an
uninterrupted run makes: each file is committed whole or not at all, nothing half-written."""

from __future__ import annotations

import signal
import time

import fixtures
from killing import files_done, start_ingest

FILES = 1000
def test_killed_ingest_resumes_to_the_same_dataset(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    for v in fixtures.many_variants(FILES):
        fixtures.write_variant(archive, v)
    whole, killed = tmp_path / "whole.db", tmp_path / "killed.db"

    uninterrupted = start_ingest(archive, whole)  # runs beside the one we kill
    victim = start_ingest(archive, killed)
    deadline = time.monotonic() + 300
    while files_done(killed) < FILES // 3 and victim.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert victim.poll() is None, "ingest finished before it could be killed: " + victim.stderr.read()
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    victim.stderr.close()
    done_when_killed = files_done(killed)
    assert 0 < done_when_killed < FILES

    resumed = start_ingest(archive, killed)
    assert resumed.wait(timeout=300) == 0, resumed.stderr.read()
    assert uninterrupted.wait(timeout=300) == 0, uninterrupted.stderr.read()
    resumed.stderr.close()
    uninterrupted.stderr.close()

    expected = fixtures.dump(whole)
    assert len(expected["filings"]) == FILES and expected["findings"]
    assert any(row for row in expected["findings"] if "across" in row)
    assert fixtures.dump(killed) == expected
