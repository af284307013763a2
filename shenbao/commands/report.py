"""`shenbao report [--db FILE] --out DIR`: the dataset as a static HTML report that opens
offline: plots with the tables behind them, and each filing beside its source."""

from __future__ import annotations

import sys

from dataset.db import DEFAULT_DB
from shenbao.commands.paths import writing


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="write an offline HTML report: plots, and each filing beside its source")
    p.add_argument("--db", default=DEFAULT_DB, metavar="FILE", help=f"dataset file (default ./{DEFAULT_DB})")
    p.add_argument("--out", required=True, metavar="DIR", help="directory to write the report into (open DIR/index.html)")


def run(args) -> int:
    from dataset.report import build_report

    written = 0

    def progress(_filing_id: str) -> None:
        nonlocal written
        written += 1
        if written % 1000 == 0:
            print(f"{written} filing pages written…", file=sys.stderr, flush=True)

    summary = writing(args.out, lambda: build_report(args.db, args.out, on_filing=progress))
    if summary is None:
        return 1
    print(f"{summary.filings} filings: {summary.written} pages written, {summary.kept} unchanged"
          + (f", {summary.without_source} without their source (see the note on each)" if summary.without_source else ""))
    print(f"Open {summary.out / 'index.html'}")
    return 0
