"""Extraction speed and memory per format, on generated corpora:

    python -m corpus.bench [--sizes 1000,10000] [--formats txt,docx,...] [--jobs 2] [--seed 1]

For each size, a corpus of that many filings is generated in every format into a
temporary folder; then, per format, `--jobs` child processes each extract their share
of the files (`shenbao.api.process_files`, so legacy .doc files convert in batches) and
report their time and peak memory (their own resident high-water mark). Prints a
Markdown table: filings per second over the wall time of all jobs, milliseconds per
filing on one core, pages per second and CPU seconds per page for PDFs and scans, and
the largest peak MiB of one job.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus.generate import generate, suffix
from corpus.writers import WRITERS


def measure(files: list[str]) -> dict:
    """Extract `files` in this process: counts, seconds, pages, peak RSS (MiB)."""
    from shenbao.api import process_files

    start, cpu_start = time.perf_counter(), time.process_time()
    filings = failed = pages = 0
    for result in process_files(files):
        filings += len(result.declarations)
        failed += result.status != "ok"
        pages += sum(d.source.pages or 0 for d in result.declarations[:1])
    seconds = time.perf_counter() - start
    return {"files": len(files), "filings": filings, "failed": failed, "seconds": seconds, "pages": pages,
            "cpu": time.process_time() - cpu_start, "peak_mib": peak_mib()}


def peak_mib() -> float:
    """This program's peak resident memory. Not `ru_maxrss`: Linux carries that over
    from the process that forked this one (here, the benchmark holding the whole
    generated corpus), so it would measure the generator rather than the reading."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # elsewhere; Linux reports KiB


def run_jobs(files: list[str], workdir: Path, jobs: int) -> dict:
    """`jobs` children extracting interleaved shares of `files`, timed together."""
    children = []
    for job in range(jobs):
        listing = workdir / f"files-{job}.json"
        listing.write_text(json.dumps(files[job::jobs]), encoding="utf-8")
        # one core each, as the workers of `shenbao ingest` (OCR would spread over all)
        children.append(subprocess.Popen([sys.executable, "-m", "corpus.bench", "--child", str(listing)],
                                         stdout=subprocess.PIPE, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"}))
    start = time.perf_counter()
    results = [json.loads(child.communicate()[0].strip().splitlines()[-1]) for child in children]
    wall = time.perf_counter() - start
    return {"files": len(files), "failed": sum(r["failed"] for r in results), "seconds": wall,
            "cpu_seconds": sum(r["seconds"] for r in results), "pages": sum(r["pages"] for r in results),
            "cpu": sum(r["cpu"] for r in results),
            "peak_mib": max(r["peak_mib"] for r in results), "jobs": jobs}


def bench(sizes: list[int], formats: list[str], seed: int, jobs: int) -> list[dict]:
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="shenbao-bench-") as tmp:
            corpus = Path(tmp) / "corpus"
            entries = generate(corpus, size, seed, formats, defect_rate=0.0, bundle_rate=0.0)
            for fmt in formats:
                files = [str(corpus / (e.name + suffix(fmt))) for e in entries]
                rows.append({"format": fmt, "size": size, **run_jobs(files, Path(tmp), jobs)})
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| format | filings | jobs | failed | seconds | filings/s | ms/filing/core | pages/s | CPU s/page | peak MiB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        rate = r["files"] / r["seconds"] if r["seconds"] else float("inf")
        per_core = 1000 * r["cpu_seconds"] / r["files"] if r["files"] else 0
        pages = f"{r['pages'] / r['seconds']:.1f}" if r["pages"] else ""
        cpu = f"{r['cpu'] / r['pages']:.2f}" if r["pages"] else ""  # CPU time: fair on a busy machine
        lines.append(f"| {r['format']} | {r['size']} | {r['jobs']} | {r['failed']} | {r['seconds']:.1f} | {rate:.1f} "
                     f"| {per_core:.1f} | {pages} | {cpu} | {r['peak_mib']:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m corpus.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes in filings (default 1000,10000)")
    parser.add_argument("--formats", default=",".join(WRITERS), help="comma-separated formats (default: every writer)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2, help="extracting processes (default 2, the machine's cores)")
    parser.add_argument("--child", metavar="LIST", help=argparse.SUPPRESS)  # internal: measure the files in LIST
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(json.loads(Path(args.child).read_text(encoding="utf-8")))))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    print(table(bench(sizes, formats, args.seed, args.jobs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
