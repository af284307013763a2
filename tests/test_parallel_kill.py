"""An ingest with worker processes killed with SIGKILL three times at random points, then
rerun, ends with exactly the dataset of an uninterrupted run (tables compared without
timestamps): only the parent writes, each file whole or not at all, in the order of the paths.
The rerun also removes the temporary directories the killed runs left."""

from __future__ import annotations

import random
import signal
import time

import fixtures
from killing import files_done, start_ingest

FILES = 600
KILLS = 3
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

    uninterrupted = start_ingest(archive, whole, jobs=2, tmp=tmp)  # runs beside the ones we kill
    for kill in range(KILLS):
        before = files_done(killed)
        at = before + rng.randint(10, FILES // (KILLS + 1))  # a random point in the rest of the archive
        victim = start_ingest(archive, killed, jobs=2, tmp=tmp)
        deadline = time.monotonic() + 300
        while files_done(killed) < at and victim.poll() is None and time.monotonic() < deadline:
            time.sleep(rng.uniform(0.001, 0.05))
        assert victim.poll() is None, f"seed {seed}, kill {kill}: finished before it could be killed: " + victim.stderr.read()
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        victim.stderr.close()
        assert before < files_done(killed) < FILES, f"seed {seed}"

    resumed = start_ingest(archive, killed, jobs=2, tmp=tmp)
    assert resumed.wait(timeout=300) == 0, resumed.stderr.read()
    assert uninterrupted.wait(timeout=300) == 0, uninterrupted.stderr.read()
    resumed.stderr.close()
    uninterrupted.stderr.close()

    assert list(tmp.iterdir()) == []  # the killed runs' temporary directories too

    expected = fixtures.dump(whole)
    assert len(expected["filings"]) == FILES and any(row for row in expected["findings"] if "across" in row)
    assert fixtures.dump(killed) == expected, f"seed {seed}"
