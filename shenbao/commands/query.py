"""`shenbao query SQL [--db FILE] [--format table|csv|json]`: read-only SQL over the dataset."""

from __future__ import annotations

import csv
import json
import sys

from dataset.db import DEFAULT_DB, DatasetError, connect_readonly, query

MAX_CELL = 40  # display columns per cell in the table format; csv and json are never cut


def add_parser(sub) -> None:
    p = sub.add_parser("query", help="run a read-only SQL query over the dataset")
    p.add_argument("sql", metavar="SQL", help="one SELECT (or WITH … SELECT) statement")
    p.add_argument("--db", default=DEFAULT_DB, metavar="FILE", help=f"dataset file (default ./{DEFAULT_DB})")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table",
                   help="table (default), csv, or json (one JSON object per row, JSON Lines)")


def run(args) -> int:
    try:
        conn = connect_readonly(args.db)
        try:
            columns, rows = query(conn, args.sql)
        finally:
            conn.close()
    except DatasetError as exc:
        print(f"shenbao: {exc}", file=sys.stderr)
        return 1
    {"table": _table, "csv": _csv, "json": _json}[args.format](columns, rows)
    return 0


def _csv(columns: list[str], rows: list[tuple]) -> None:
    writer = csv.writer(sys.stdout)
    writer.writerow(columns)
    writer.writerows(rows)


def _json(columns: list[str], rows: list[tuple]) -> None:
    for row in rows:
        record = dict(zip(columns, row))
        sys.stdout.write(json.dumps(record, ensure_ascii=False, default=lambda b: b.hex()) + "\n")


def _table(columns: list[str], rows: list[tuple]) -> None:
    """Columns aligned by display width (a Chinese character takes two columns)."""
    from rich.cells import cell_len, set_cell_size

    def cell(value) -> str:
        text = "" if value is None else str(value).replace("\n", " ")
        return text if cell_len(text) <= MAX_CELL else set_cell_size(text, MAX_CELL - 1) + "…"

    table = [[cell(c) for c in columns]] + [[cell(v) for v in row] for row in rows]
    widths = [max(cell_len(r[i]) for r in table) for i in range(len(columns))]
    for n, line in enumerate(table):
        print("  ".join(set_cell_size(text, w) for text, w in zip(line, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
