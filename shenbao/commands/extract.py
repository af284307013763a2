"""`shenbao extract PATH...`: one contract record per filing, as JSON Lines."""

from __future__ import annotations

import json
import sys

from shenbao.api import process_file
from shenbao.commands.paths import expand_paths


def add_parser(sub) -> None:
    p = sub.add_parser("extract", help="print one Declaration per filing as JSON Lines")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or directories (searched recursively)")


def run(args) -> int:
    status = 0
    for path in expand_paths(args.paths):
        result = process_file(path)
        if result.status != "ok":
            print(f"shenbao: {path}: {result.reason}", file=sys.stderr)
            status = 1
            continue
        for declaration in result.declarations:
            sys.stdout.write(json.dumps(declaration.to_json(), ensure_ascii=False) + "\n")
    return status
