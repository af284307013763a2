"""The `shenbao` command line: parses arguments and calls the API; no logic of its own.
Each subcommand lives in `shenbao/commands/NAME.py` with `add_parser(subparsers)` and
`run(args) -> int`."""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

COMMANDS = ["extract", "check", "ingest", "query", "export", "serve", "eval", "report"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="shenbao", description="Archived budget declaration forms (绩效目标申报表) into a queryable dataset, "
        "with the contradictions in and between them.")
    sub = parser.add_subparsers(dest="command", required=True)
    modules = {name: import_module(f"shenbao.commands.{name}") for name in COMMANDS}
    for module in modules.values():
        module.add_parser(sub)
    args = parser.parse_args(argv)
    try:
        return modules[args.command].run(args)
    except BrokenPipeError:  # `shenbao extract ... | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
