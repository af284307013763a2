"""`shenbao ingest PATH... [--db FILE]`: load filings, their parts and findings into the
SQLite dataset; rerunning on the same files adds nothing."""

from __future__ import annotations

import sys

from dataset.db import DEFAULT_DB, DatasetError
from dataset.pipeline import ingest
from shenbao.commands.paths import expand_paths

SHOWN_FAILURES = 20  # the rest are in the dataset: SELECT path, reason FROM files WHERE status = 'failed'


def add_parser(sub) -> None:
    p = sub.add_parser("ingest", help="load filings and their findings into the SQLite dataset")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or directories (searched recursively)")
    p.add_argument("--db", default=DEFAULT_DB, metavar="FILE", help=f"dataset file (default ./{DEFAULT_DB})")


def run(args) -> int:
    paths = expand_paths(args.paths)
    try:
        with _Progress(len(paths)) as progress:
            report = ingest(paths, args.db, on_file=progress.advance)
    except DatasetError as exc:
        print(f"shenbao: {exc}", file=sys.stderr)
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
    """Failed files named on stderr as they happen, above a progress bar when stderr is
    a terminal."""

    def __init__(self, total: int):
        self.total = total
        self.bar = None

    def __enter__(self) -> "_Progress":
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("ingesting", total=self.total)
        return self

    def advance(self, path: str, failure: str | None) -> None:
        line = f"shenbao: {path}: {failure}"
        if self.bar:
            if failure:
                self.bar.console.print(line, markup=False, highlight=False)
            self.bar.advance(self.task)
        elif failure:
            print(line, file=sys.stderr)

    def __exit__(self, *exc) -> None:
        if self.bar:
            self.bar.stop()
