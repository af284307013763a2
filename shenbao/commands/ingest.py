"""`shenbao ingest PATH... [--db FILE] [--jobs N] [--scheduler tcp://HOST:8786]`: load
filings, their parts and findings into the SQLite dataset; rerunning on the same files
adds nothing. Files are read in N worker processes (all cores by default) or on a Dask
cluster, each file under a time and memory limit."""

from __future__ import annotations

import argparse
import os
import sys

from dataset.db import DEFAULT_DB, DatasetError
from dataset.pipeline import FILE_TIMEOUT, MEMORY_LIMIT, ingest
from shenbao.commands.paths import expand_paths

SHOWN_FAILURES = 20  # the rest are in the dataset: SELECT path, reason FROM files WHERE status = 'failed'


def add_parser(sub) -> None:
    p = sub.add_parser("ingest", help="load filings and their findings into the SQLite dataset")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or directories (searched recursively)")
    p.add_argument("--db", default=DEFAULT_DB, metavar="FILE", help=f"dataset file (default ./{DEFAULT_DB})")
    p.add_argument("--jobs", "-j", type=_positive(int), default=_cores(), metavar="N",
                   help="worker processes reading files (default: one per core; 1 reads in this process)")
    p.add_argument("--file-timeout", type=_positive(float), default=FILE_TIMEOUT, metavar="SECONDS",
                   help=f"a file taking longer fails and its worker is replaced (default {FILE_TIMEOUT:g}; "
                        "with --jobs 2+ or --scheduler)")
    p.add_argument("--memory-limit", type=_positive(float), default=MEMORY_LIMIT / 2**30, metavar="GIB",
                   help=f"memory one file may take in a worker (default {MEMORY_LIMIT / 2**30:g}; "
                        "with --jobs 2+ or --scheduler)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="read on this Dask cluster (tcp://HOST:8786) instead; its workers must see the same paths")


def _cores() -> int:
    """The cores this process may use (a container's share, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
        return value
    return parse


def run(args) -> int:
    paths = expand_paths(args.paths)
    try:
        with _Progress(len(paths)) as progress:
            report = ingest(paths, args.db, on_file=progress.advance, jobs=args.jobs, file_timeout=args.file_timeout,
                            memory_limit=int(args.memory_limit * 2**30), scheduler=args.scheduler)
    except DatasetError as exc:
        print(f"shenbao: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the scheduler cannot be reached
        if not args.scheduler:
            raise
        print(f"shenbao: cannot use the Dask scheduler at {args.scheduler}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"shenbao: interrupted; every file done so far is in {args.db}, rerun to finish", file=sys.stderr)
        return 130
    for warning in report.warnings:
        print(f"shenbao: warning: {warning}", file=sys.stderr)
    print(summary(report))
    return 1 if report.failed else 0


def summary(report) -> str:
    db = report.db_path
    severities = ", ".join(f"{report.findings_by_severity.get(s, 0)} {s}" for s in ("error", "warning", "info"))
    lines = [
        f"Dataset: {db}",
        f"Files: {report.read} read, {len(report.failed)} failed, {report.skipped} skipped as already ingested",
        f"Filings: {report.filings} added, {report.superseded} superseded by a newer version; "
        f"{report.current_filings} current in the dataset",
        f"Findings on current filings: {severities}",
    ]
    if report.failed:
        lines.append("Failed files:")
        lines += [f"  {path}: {reason}" for path, reason in report.failed[:SHOWN_FAILURES]]
        if len(report.failed) > SHOWN_FAILURES:
            lines.append(f"  … and {len(report.failed) - SHOWN_FAILURES} more: "
                         f"shenbao query \"SELECT path, reason FROM files WHERE status = 'failed'\" --db {db}")
    lines += [
        f"Query it:  shenbao query \"SELECT year, filing_unit, project_name FROM filings\" --db {db}",
        f"Browse it: shenbao serve --db {db}",
    ]
    return "\n".join(lines)


class _Progress:
    """Failed files named on stderr as they happen, above a progress bar (files done,
    rate, time left) when stderr is a terminal."""

    def __init__(self, total: int):
        self.total = total
        self.bar = None

    def __enter__(self) -> "_Progress":
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import MofNCompleteColumn, Progress, TextColumn

            rate = TextColumn("{task.fields[rate]}")
            self.bar = Progress(*Progress.get_default_columns(), MofNCompleteColumn(), rate,
                                console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("ingesting", total=self.total, rate="")
        return self

    def advance(self, path: str, failure: str | None) -> None:
        line = f"shenbao: {path}: {failure}"
        if self.bar:
            if failure:
                self.bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
            self.bar.advance(self.task)
            speed = self.bar.tasks[0].speed
            self.bar.update(self.task, rate=f"{speed:.1f} files/s" if speed else "")
        elif failure:
            print(line, file=sys.stderr)

    def __exit__(self, *exc) -> None:
        if self.bar:
            self.bar.stop()
