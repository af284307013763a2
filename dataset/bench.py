"""`python -m dataset.bench [--files N]`: ingest throughput and dataset size.

Ingests N synthetic filings (variants of the seed, `dataset.fixtures`) twice into fresh
datasets: once through the whole pipeline (read, normalize, check, load) and once
loading records given directly (the dataset's own cost), then reruns over the same
files (what a rerun over an ingested archive costs). Then the whole pipeline again with
2 worker processes (`--jobs 2`) and on a local 2-worker Dask cluster, against the
first run (1 process). Forked workers inherit this process's warm caches; Dask workers
start cold, so the cluster runs twice (the first run includes their start-up). Variants share their prose, so
the full-text segmentation is mostly cached; its uncached cost is printed apart.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from dataset import fixtures
from dataset.pipeline import ingest
from dataset.rows import search_text
from dataset.search import _words


def _timed(label: str, n_files: int, **kwargs) -> float:
    start = time.perf_counter()
    report = ingest(**kwargs)
    seconds = time.perf_counter() - start
    rate = report.filings / seconds if report.filings else n_files / seconds
    unit = "filings/s" if report.filings else "files/s (all skipped)"
    print(f"{label:<52} {rate:8.1f} {unit}  ({n_files} files, {seconds:.1f} s, {len(report.failed)} failed)")
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dataset.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300, help="synthetic filings to ingest (default 300)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="shenbao-bench-") as tmp:
        tmp = Path(tmp)
        archive = tmp / "archive"
        archive.mkdir()
        for v in fixtures.many_variants(args.files):
            fixtures.write_variant(archive, v)
        _words(fixtures.SEED.name)  # load jieba's dictionary outside the timings

        whole, loaded = tmp / "whole.db", tmp / "loaded.db"
        one = _timed("ingest, whole pipeline (read+normalize+check+load)", args.files, paths=[archive], db_path=whole)
        _timed("ingest, loading given records (real checks)", args.files, paths=[archive], db_path=loaded,
               process=fixtures.process_files_from_gold)
        _timed("rerun over the same files (nothing new)", args.files, paths=[archive], db_path=whole)

        record = fixtures.process_from_gold(next(archive.iterdir())).declarations[0]
        _words.cache_clear()
        start = time.perf_counter()
        search_text(record)
        print(f"{'full-text segmentation of one filing, uncached':<52} {(time.perf_counter() - start) * 1000:8.1f} ms")
        for label, db in (("whole pipeline", whole), ("given records", loaded)):
            mb = db.stat().st_size / 1e6 / args.files * 1000
            print(f"{'dataset size per 1,000 filings (' + label + ')':<52} {mb:8.1f} MB")
        _scaling(archive, tmp, args.files, one)


def _scaling(archive: Path, tmp: Path, n_files: int, one_process: float) -> None:
    """The whole pipeline in 2 worker processes and on a 2-worker local Dask cluster."""
    from distributed import LocalCluster

    two = _timed("ingest, whole pipeline, 2 worker processes", n_files, paths=[archive], db_path=tmp / "jobs2.db",
                 jobs=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        for run in ("cold", "warm"):
            dask = _timed(f"ingest, whole pipeline, local Dask cluster (2, {run})", n_files, paths=[archive],
                          db_path=tmp / f"dask-{run}.db", scheduler=cluster.scheduler_address)
    print(f"{'speed-up, 2 processes over 1':<52} {one_process / two:8.2f} ×")
    print(f"{'speed-up, 2 Dask workers (warm) over 1 process':<52} {one_process / dask:8.2f} ×")


if __name__ == "__main__":
    main()
