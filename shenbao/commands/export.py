"""`shenbao export --parquet DIR | --csv DIR [--db FILE]`: every table of the dataset as
files for other tools (Parquet: `filings` partitioned by year)."""

from __future__ import annotations


from dataset.db import DEFAULT_DB
from shenbao.commands.paths import writing
from dataset.frames import export


def add_parser(sub) -> None:
    p = sub.add_parser("export", help="write the dataset's tables as Parquet or CSV")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--parquet", metavar="DIR", help="one Parquet dataset per table; filings partitioned by year")
    target.add_argument("--csv", metavar="DIR", help="one CSV file per table (UTF-8 with BOM, opens in Excel)")
    p.add_argument("--db", default=DEFAULT_DB, metavar="FILE", help=f"dataset file (default ./{DEFAULT_DB})")


def run(args) -> int:
    fmt, out = ("parquet", args.parquet) if args.parquet else ("csv", args.csv)
    counts = writing(out, lambda: export(args.db, out, fmt))
    if counts is None:
        return 1
    for table, rows in counts.items():
        print(f"{table}: {rows} rows")
    print(f"Written to {out} as {fmt}")
    return 0
