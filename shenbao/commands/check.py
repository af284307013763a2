"""`shenbao check PATH...`: every filing in the given files checked, the cross-filing rules
run across all of them, Findings printed as JSON Lines (or a table for people)."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

import rules
from shenbao.commands.paths import Reading

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}

EXIT_CODES = """\
exit status:
  0  every file was read (findings or not, unless --fail-on says otherwise)
  1  a file could not be read (named on stderr); the others were still checked
  2  --fail-on was given and a finding of that severity or worse was raised
     (takes precedence over 1)"""


def add_parser(sub) -> None:
    p = sub.add_parser(
        "check",
        help="check filings for contradictions; Findings as JSON Lines",
        description="Check every filing in the given files, and across them. Prints one JSON line per\n"
        "Finding, then one per rule that could not run on a filing ({\"not_checked\": CODE, ...}).",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or directories (searched recursively)")
    p.add_argument("--format", choices=("jsonl", "table"), default="jsonl", help="output format (default: jsonl)")
    p.add_argument("--fail-on", choices=("error", "warning"),
                   help="exit 2 when a finding of this severity (warning: or error) is raised")


def run(args) -> int:
    declarations, where = [], {}
    reading = Reading(args.paths)
    for result in reading:
        for d in result.declarations:
            if d.id not in where:  # the same content under two paths is one filing
                where[d.id] = f"{result.path}#{d.source.record_index}"
                declarations.append(d)
    status = 1 if reading.failed else 0
    result = rules.check(declarations)
    if args.format == "table":
        _print_table(result, where)
    else:
        for item in [*result.findings, *result.not_checked]:
            sys.stdout.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")
    if args.fail_on and any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK[args.fail_on] for f in result.findings):
        return 2
    return status


def _print_table(result: rules.CheckResult, where: dict[str, str]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=True)
    table.add_column("code", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("filing", overflow="fold", max_width=32)
    table.add_column("message", overflow="fold", ratio=1)
    for f in result.findings:
        table.add_row(f.code, f.severity, where.get(f.declaration, f.declaration), f.message)
    console = Console()
    console.print(table)
    skipped = Counter(n.code for n in result.not_checked)
    if skipped:
        listed = ", ".join(f"{code} ×{n}" for code, n in sorted(skipped.items()))
        console.print(f"not checked (inputs missing; --format jsonl gives the reasons): {listed}")
