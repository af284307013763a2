"""`python -m dataset.bench [--files N]`: ingest throughput and dataset size.

Ingests N synthetic filings (variants of the seed, `dataset.fixtures`) twice into fresh
datasets: once through the whole pipeline (read, normalize, check, load) and once
loading records given directly (the dataset's own cost), then reruns over the same
files (what a rerun over an ingested archive costs). Variants share their prose, so
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
        _timed("ingest, whole pipeline (read+normalize+check+load)", args.files, paths=[archive], db_path=whole)
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


if __name__ == "__main__":
    main()
