"""Generate a test corpus: filings in every format, each with its gold record and the
findings it must raise.

    python -m corpus.generate --out DIR --count N --seed S [--formats txt,txt-gbk,flat,...]

Each file NAME.EXT (NAME.gbk.txt, NAME.flat.txt for the text variants) sits beside
NAME.gold.json (one record, or a list when the file holds several filings) and
NAME.findings.json. The same seed gives the same files, byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from corpus.defects import DEFECTS, expected_findings, inject
from corpus.layout import document, gold
from corpus.records import Filing, new_filing, templates
from corpus.writers import WRITERS, write_document

# How a format's files are named after NAME (default: "." + format).
SUFFIXES = {"txt": ".txt", "txt-gbk": ".gbk.txt", "flat": ".flat.txt"}
PAIR_DEFECTS = ("duplicate", "cross_year")
BATCH = 200  # files laid out and written at a time
# The small set committed in corpus/generated/ (tests check it is what the generator makes):
#   python -m corpus.generate --out corpus/generated --count 16 --seed 256 --defects 0.6 --formats txt,txt-gbk,flat
COMMITTED = {"count": 16, "seed": 256, "defect_rate": 0.6, "formats": ["txt", "txt-gbk", "flat"]}


def suffix(fmt: str) -> str:
    return SUFFIXES.get(fmt, "." + fmt)


@dataclass
class GeneratedFile:
    name: str
    filings: list[Filing]


def plan(count: int, seed: int, defect_rate: float = 0.3, bundle_rate: float = 0.1,
         families: list[str] | None = None) -> list[GeneratedFile]:
    """The files of a corpus of `count` filings, drawn from `seed`: most hold one filing;
    a bundle holds two or three filings of one unit and year; a pair defect adds its
    companion as a file of its own."""
    rng = random.Random(seed)
    specs = templates()
    families = families or list(specs)
    width = max(4, len(str(count)))
    used: set = set()
    files: list[GeneratedFile] = []
    made = 0

    def add(filings: list[Filing]) -> None:
        nonlocal made
        files.append(GeneratedFile(f"g{len(files) + 1:0{width}d}_{filings[0].template['family']}", filings))
        made += len(filings)

    while made < count:
        template = specs[rng.choice(families)]
        first = new_filing(rng, template, used)
        room = count - made
        if room >= 2 and rng.random() < bundle_rate:
            more = [new_filing(rng, template, used, base=first) for _ in range(min(room, rng.randint(2, 3)) - 1)]
            add([first, *more])
            continue
        companion = None
        if rng.random() < defect_rate:
            names = [d for d in template["defects"] if d in DEFECTS and (room >= 2 or d not in PAIR_DEFECTS)]
            rng.shuffle(names)
            for name in names:  # the first that finds a place in this filing
                companion = inject(rng, first, name)
                if first.defects:
                    break
        add([first])
        if companion is not None:
            add([companion])
    return files


def write_files(entries: list[GeneratedFile], out: Path, formats: list[str], options: dict[str, dict] | None = None) -> None:
    """Each entry's gold, expected findings and file in every format. A writer offering
    `write_many(items)` (one LibreOffice run for many .doc files) gets them all at once;
    `options[fmt]` are passed to that format's writer."""
    docs = []
    for entry in entries:
        golds = [gold(f) for f in entry.filings]
        text = json.dumps(golds[0] if len(golds) == 1 else golds, ensure_ascii=False, indent=1) + "\n"
        (out / f"{entry.name}.gold.json").write_text(text, encoding="utf-8")
        findings = json.dumps(expected_findings(golds, entry.filings), ensure_ascii=False, indent=1) + "\n"
        (out / f"{entry.name}.findings.json").write_text(findings, encoding="utf-8")
        docs.append((document(entry.filings, entry.name, hashlib.sha256(text.encode("utf-8")).hexdigest()), entry.name))
    for fmt in formats:
        module = import_module(WRITERS[fmt])
        items = [(doc, out / (name + suffix(fmt))) for doc, name in docs]
        if hasattr(module, "write_many"):
            module.write_many(items)
        else:
            for doc, path in items:
                write_document(doc, fmt, path, **(options or {}).get(fmt, {}))


def generate(out: str | Path, count: int, seed: int, formats: list[str] | None = None,
             defect_rate: float = 0.3, bundle_rate: float = 0.1, scan_wear: str = "") -> list[GeneratedFile]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    formats = list(WRITERS) if formats is None else formats
    unknown = [f for f in formats if f not in WRITERS]
    if unknown:
        raise ValueError(f"no writer for {', '.join(unknown)} (writers: {', '.join(WRITERS)})")
    options = {}
    if scan_wear:
        from corpus.writers.scan import Wear  # numpy, pdfium: only when scans are worn to order

        options["scan"] = {"wear": Wear.parse(scan_wear)}
    files = plan(count, seed, defect_rate, bundle_rate)
    for start in range(0, len(files), BATCH):  # bounded memory for large corpora
        write_files(files[start:start + BATCH], out, formats, options)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m corpus.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="directory to write into (created if missing)")
    parser.add_argument("--count", type=int, default=20, help="number of filings (default 20)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--formats", default=",".join(WRITERS),
                        help=f"comma-separated formats (default: every writer: {','.join(WRITERS)})")
    parser.add_argument("--defects", type=float, default=0.3, help="share of filings given a defect (default 0.3)")
    parser.add_argument("--bundles", type=float, default=0.1,
                        help="share of files holding several filings of one unit (default 0.1)")
    parser.add_argument("--scan-wear", default="", metavar="SPEC",
                        help="how scans are worn, e.g. dpi=300,noise=8,blur=0.6,jpeg_quality=70,max_rotation=2,turn=90")
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    try:
        files = generate(args.out, args.count, args.seed, formats, args.defects, args.bundles, args.scan_wear)
    except ValueError as exc:
        print(f"corpus.generate: {exc}", file=sys.stderr)
        return 2
    print(f"{sum(len(f.filings) for f in files)} filings in {len(files)} files × {len(formats)} formats -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
