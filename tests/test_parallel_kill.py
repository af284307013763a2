"""An ingest with worker processes killed with SIGKILL three times at random points, then
rerun, ends with exactly the dataset of an uninterrupted run (tables compared without
timestamps): only the parent writes, one transaction per file, in the order of the paths."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

from dataset import fixtures

FILES = 600
KILLS = 3
INGEST = """
import sys
from dataset import fixtures, ingest
ingest([sys.argv[1]], sys.argv[2], jobs=2, process=fixtures.process_files_from_gold,
       check_filing=fixtures.quick_check_filing, check_across=fixtures.quick_check_across)
"""


def start(archive, db, tmp) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", INGEST, str(archive), str(db)], env={**os.environ, "TMPDIR": str(tmp)},
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


def test_killed_parallel_ingest_resumes_to_the_same_dataset(tmp_path):
    archive, tmp = tmp_path / "archive", tmp_path / "tmp"
    archive.mkdir()
    tmp.mkdir()
    for v in fixtures.many_variants(FILES):
        fixtures.write_variant(archive, v)
    whole, killed = tmp_path / "whole.db", tmp_path / "killed.db"
    rng = random.Random()
    seed = rng.randrange(2**32)
    rng.seed(seed)

    uninterrupted = start(archive, whole, tmp)  # runs beside the ones we kill
    for kill in range(KILLS):
        before = files_done(killed)
        at = before + rng.randint(10, FILES // (KILLS + 1))  # a random point in the rest of the archive
        victim = start(archive, killed, tmp)
        deadline = time.monotonic() + 300
        while files_done(killed) < at and victim.poll() is None and time.monotonic() < deadline:
            time.sleep(rng.uniform(0.001, 0.05))
        assert victim.poll() is None, f"seed {seed}, kill {kill}: finished before it could be killed: " + victim.stderr.read()
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        victim.stderr.close()
        assert before < files_done(killed) < FILES, f"seed {seed}"

    resumed = start(archive, killed, tmp)
    assert resumed.wait(timeout=300) == 0, resumed.stderr.read()
    assert uninterrupted.wait(timeout=300) == 0, uninterrupted.stderr.read()
    resumed.stderr.close()
    uninterrupted.stderr.close()

    expected = fixtures.dump(whole)
    assert len(expected["filings"]) == FILES and any(row for row in expected["findings"] if "across" in row)
    assert fixtures.dump(killed) == expected, f"seed {seed}"
