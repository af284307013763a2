"""`python -m dataset.bench [--files N]`: ingest throughput, dataset size and bytes written.

Generates N filings as text exports (`corpus.generate`: varied templates, some with
defects, some files holding several filings), then ingests them into fresh datasets:
loading records read beforehand (the dataset's own cost: checks, rows, search index),
the whole pipeline in this process (`--jobs 1`), and a rerun over the same files (what
a rerun over an ingested archive costs). Then the whole pipeline again with 2 worker
processes (`--jobs 2`) and on a local 2-worker Dask cluster, against `--jobs 1`. A few
files are read and checked before any timing, so that no run pays for loading the
lexicons, spaCy and the segmenter's dictionary (a one-off second or two, inherited by
forked workers); Dask workers start cold, so the cluster runs twice (the first run
includes their start-up). Each 2-process run sits between two 1-process runs
(`--repeat` times), and the speed-up is the median of the ratios: this machine's speed
drifts too much from minute to minute to compare runs far apart. Last, the same files
are read by one process and by two independent ones at once: the most any two
processes can gain on this machine at that moment.

Each run prints its wall time and the CPU time per filing of this process and of its
worker processes; the end, what the first run wrote to disk (write calls, the WAL's
included) besides the dataset's size.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from corpus.generate import generate
from dataset.pipeline import checked, ingest
from dataset.rows import search_text
from dataset.search import _words
from shenbao.api import process_files
from shenbao.commands.paths import expand_paths

WARM_UP = 20  # files read before any timing


@dataclass
class Run:
    seconds: float  # wall
    cpu: float  # this process
    workers_cpu: float  # worker processes that ended during the run


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _written() -> int:
    """Bytes this process has written (its dataset's files, the WAL's included)."""
    return int(re.search(r"^wchar: (\d+)", Path("/proc/self/io").read_text(), re.M).group(1))


def _timed(label: str, n_files: int, **kwargs) -> Run:
    start, cpu, workers = time.perf_counter(), _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    report = ingest(**kwargs)
    run = Run(time.perf_counter() - start, _cpu(resource.RUSAGE_SELF) - cpu, _cpu(resource.RUSAGE_CHILDREN) - workers)
    count, unit = (report.filings, "filings/s") if report.filings else (n_files, "files/s (all skipped)")
    per = 1000 / count
    print(f"{label:<52} {count / run.seconds:8.1f} {unit}  ({n_files} files, {run.seconds:.1f} s, "
          f"{len(report.failed)} failed; CPU ms/filing: {run.cpu * per:.1f} here, "
          f"{run.workers_cpu * per:.1f} in workers)")
    return run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dataset.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000, help="generated filings to ingest (default 1000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs of 2 processes, each between two of 1 process")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="shenbao-bench-") as tmp:
        tmp = Path(tmp)
        archive = tmp / "archive"
        generate(archive, args.files, args.seed, ["txt"])
        paths = list(expand_paths([str(archive)]))
        n = len(paths)
        for result in process_files(paths[:WARM_UP]):  # lexicons, spaCy, the segmenter's dictionary
            checked(result)

        whole = tmp / "whole.db"
        written = _written()
        one = _timed("ingest, whole pipeline (read+normalize+check+load)", n, paths=[archive], db_path=whole)
        written = _written() - written
        _timed("rerun over the same files (nothing new)", n, paths=[archive], db_path=whole)
        _scaling(archive, tmp, n, one, args.repeat)
        _side_by_side(paths, args.repeat)

        read = {result.path: result for result in process_files(paths)}  # last: a large heap slows the runs above
        loaded = tmp / "loaded.db"
        _timed("ingest, loading records already read (real checks)", n, paths=[archive], db_path=loaded,
               process=lambda todo: (read[path] for path in todo))
        filings = sum(len(r.declarations) for r in read.values())
        for label, db in (("whole pipeline", whole), ("records already read", loaded)):
            mb = db.stat().st_size / 1e6 / filings * 1000
            print(f"{'dataset size per 1,000 filings (' + label + ')':<52} {mb:8.1f} MB")
        print(f"{'written to make it, per 1,000 filings':<52} {written / 1e6 / filings * 1000:8.1f} MB")

        record = next(r for r in read.values() if r.declarations).declarations[0]
        _words.cache_clear()  # last, as the workers above inherit the cache
        start = time.perf_counter()
        search_text(record)
        print(f"{'full-text segmentation of one filing, uncached':<52} {(time.perf_counter() - start) * 1000:8.1f} ms")


def _scaling(archive: Path, tmp: Path, n_files: int, one: Run, repeat: int) -> None:
    """The whole pipeline in 2 worker processes, alternating with 1, and on a 2-worker
    local Dask cluster. This machine's speed drifts by a quarter from minute to minute,
    so each 2-process run is set against the 1-process runs either side of it, and the
    median of those ratios is the speed-up."""
    from distributed import LocalCluster

    ones, twos = [one], []
    for i in range(repeat):
        twos.append(_timed("ingest, whole pipeline, 2 worker processes", n_files, paths=[archive],
                           db_path=tmp / f"jobs2-{i}.db", jobs=2))
        ones.append(_timed("ingest, whole pipeline, 1 process, again", n_files, paths=[archive],
                           db_path=tmp / f"jobs1-{i}.db"))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        for run in ("cold", "warm"):
            dask = _timed(f"ingest, whole pipeline, local Dask cluster (2, {run})", n_files, paths=[archive],
                          db_path=tmp / f"dask-{run}.db", scheduler=cluster.scheduler_address)
    fastest = min(ones, key=lambda run: run.seconds)
    _print_ratios("speed-up, 2 processes over 1 (wall time)", _paired([r.seconds for r in ones],
                                                                      [r.seconds for r in twos]))
    print(f"{'speed-up, 2 Dask workers (warm) over 1 process':<52} {fastest.seconds / dask.seconds:8.2f} ×")


def _paired(ones: list[float], twos: list[float]) -> list[float]:
    """Each 2-process time against the mean of the 1-process times either side of it."""
    return [(before + after) / 2 / two for before, after, two in zip(ones, ones[1:], twos)]


def _print_ratios(label: str, ratios: list[float]) -> None:
    print(f"{label:<52} {statistics.median(ratios):8.2f} ×  (median of {len(ratios)}; "
          f"{min(ratios):.2f}–{max(ratios):.2f})")


def _side_by_side(paths: list[str], repeat: int) -> None:
    """What this machine gives two processes that share nothing: the files read and
    checked by one process, then by two at once (each all of them), alternating. No
    ingest can scale better than this, whatever it does."""
    def reading(copies: int) -> float:
        start = time.perf_counter()
        children = []
        for _ in range(copies):
            pid = os.fork()
            if pid == 0:
                for result in process_files(paths):
                    checked(result)
                os._exit(0)
            children.append(pid)
        for pid in children:
            os.waitpid(pid, 0)
        return time.perf_counter() - start

    ones, twos = [reading(1)], []
    for _ in range(repeat):
        twos.append(reading(2) / 2)
        ones.append(reading(1))
    _print_ratios("ceiling: 2 independent readers over 1 (no dataset)", _paired(ones, twos))


if __name__ == "__main__":
    main()
