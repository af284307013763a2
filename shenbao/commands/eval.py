"""`shenbao eval DIR...`: accuracy of extraction and checks against the gold records
(NAME.gold.json) and expected findings (NAME.findings.json) beside the files."""

from __future__ import annotations

import json
import sys

from corpus.evaluate import evaluate, format_text


def add_parser(sub) -> None:
    p = sub.add_parser("eval", help="score extraction and checks against NAME.gold.json / NAME.findings.json")
    p.add_argument("paths", nargs="+", metavar="DIR", help="folders (searched recursively) or files with gold beside them")
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.add_argument("--min-accuracy", type=float, metavar="X",
                   help="exit with status 1 when field accuracy is below X (0..1)")


def run(args) -> int:
    rep = evaluate(args.paths)
    if args.json:
        sys.stdout.write(json.dumps(rep, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(format_text(rep))
    if rep["files"] == 0:
        print("shenbao eval: no file with a NAME.gold.json beside it", file=sys.stderr)
        return 1
    if args.min_accuracy is not None and (rep["accuracy"] or 0.0) < args.min_accuracy:
        print(f"shenbao eval: accuracy {rep['accuracy'] or 0.0:.4f} is below {args.min_accuracy}", file=sys.stderr)
        return 1
    return 0
