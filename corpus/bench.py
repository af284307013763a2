"""Extraction speed and memory per format, on generated corpora:

    python -m corpus.bench [--sizes 1000,10000] [--formats txt,docx,...] [--seed 1]

For each size, a corpus of that many filings is generated in every format into a
temporary folder; then, per format, a child process extracts every file
(`shenbao.api.process_file`) and reports its time and peak memory (max RSS). Prints a
Markdown table: filings per second and peak MiB, per format and size.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus.generate import generate, suffix
from corpus.writers import WRITERS


def measure(files: list[str]) -> dict:
    """Extract `files` in this process: counts, seconds, peak RSS (MiB)."""
    from shenbao.api import process_file

    start = time.perf_counter()
    filings = failed = 0
    for path in files:
        result = process_file(path)
        filings += len(result.declarations)
        failed += result.status != "ok"
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    return {"files": len(files), "filings": filings, "failed": failed, "seconds": seconds, "peak_mib": peak}


def run_child(files: list[str], workdir: Path) -> dict:
    listing = workdir / "files.json"
    listing.write_text(json.dumps(files), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "corpus.bench", "--child", str(listing)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(sizes: list[int], formats: list[str], seed: int) -> list[dict]:
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="shenbao-bench-") as tmp:
            corpus = Path(tmp) / "corpus"
            entries = generate(corpus, size, seed, formats, defect_rate=0.0, bundle_rate=0.0)
            for fmt in formats:
                files = [str(corpus / (e.name + suffix(fmt))) for e in entries]
                rows.append({"format": fmt, "size": size, **run_child(files, Path(tmp))})
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| format | filings | failed | seconds | filings/s | peak MiB |", "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        rate = r["files"] / r["seconds"] if r["seconds"] else float("inf")
        lines.append(f"| {r['format']} | {r['size']} | {r['failed']} | {r['seconds']:.1f} | {rate:.1f} | {r['peak_mib']:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m corpus.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes in filings (default 1000,10000)")
    parser.add_argument("--formats", default=",".join(WRITERS), help="comma-separated formats (default: every writer)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", metavar="LIST", help=argparse.SUPPRESS)  # internal: measure the files in LIST
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(json.loads(Path(args.child).read_text(encoding="utf-8")))))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    print(table(bench(sizes, formats, args.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
