"""`shenbao serve [--db FILE] [--port N]`: browse, facet, search and query the dataset
in a browser (Datasette, on 127.0.0.1 only), and see each filing beside its source."""

from __future__ import annotations

import sys

from dataset.db import DEFAULT_DB, DatasetError
from dataset.serve import serve


def add_parser(sub) -> None:
    p = sub.add_parser("serve", help="browse the dataset in a browser, on 127.0.0.1")
    p.add_argument("--db", default=DEFAULT_DB, metavar="FILE", help=f"dataset file (default ./{DEFAULT_DB})")
    p.add_argument("--port", type=int, default=8001, metavar="N", help="port (default 8001)")


def run(args) -> int:
    def ready(url: str) -> None:
        print(f"Serving {args.db} at {url} (Ctrl-C to stop)\n"
              "A filing's \"filing view\" link (beside its id, or its source_path) shows it beside its source.",
              flush=True)

    try:
        serve(args.db, args.port, on_ready=ready)
    except DatasetError as exc:
        print(f"shenbao: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0
