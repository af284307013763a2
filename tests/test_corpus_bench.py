"""The extraction benchmark reports the memory its readers use, whatever the benchmark holds."""

from __future__ import annotations

from corpus.bench import run_jobs
from corpus.generate import generate


def test_peak_memory_is_the_readers_own_not_the_benchmarks(tmp_path):
    generate(tmp_path / "corpus", 1, seed=1, formats=["txt"])
    files = [str(p) for p in (tmp_path / "corpus").glob("*.txt")]
    held = bytearray(600 * 2**20)  # as a large generated corpus would, in the process starting the readers
    held[::4096] = b"\1" * len(held[::4096])  # resident, not just reserved
    result = run_jobs(files, tmp_path, jobs=1)
    assert result["failed"] == 0
    assert result["peak_mib"] < 400  # a reader of one text file needs far less than what its parent holds
