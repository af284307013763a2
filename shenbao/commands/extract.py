"""`shenbao extract PATH...`: one contract record per filing, as JSON Lines."""

from __future__ import annotations

import json
import sys

from shenbao.commands.paths import Reading


def add_parser(sub) -> None:
    p = sub.add_parser("extract", help="print one Declaration per filing as JSON Lines")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or directories (searched recursively)")


def run(args) -> int:
    reading = Reading(args.paths)
    for result in reading:
        for declaration in result.declarations:
            sys.stdout.write(json.dumps(declaration.to_json(), ensure_ascii=False) + "\n")
    return 1 if reading.failed else 0
