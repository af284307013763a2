"""Turning command-line paths into the files to read."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

from shenbao.api import FileResult, process_files

# Beside a filing in a corpus: gold records and expected findings, not filings.
SIDECAR_SUFFIXES = (".gold.json", ".findings.json")


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given, and every file below a directory (sorted, sidecars and hidden
    files skipped). A path that does not exist is passed on, so the reader names it."""
    out: list[str] = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            out.extend(
                str(f) for f in sorted(p.rglob("*"))
                if f.is_file() and not f.name.startswith(".") and not f.name.endswith(SIDECAR_SUFFIXES)
                and f.suffix.lower() not in (".md", ".json")
            )
        else:
            out.append(given)
    return out


class Reading:
    """The files behind command-line paths, read; unreadable ones are named on stderr
    (`shenbao: PATH: reason`) and counted, so a command can exit 1 after the rest."""

    def __init__(self, paths: list[str]):
        self.paths = expand_paths(paths)
        self.failed = 0

    def __iter__(self) -> Iterator[FileResult]:
        for result in process_files(self.paths):
            if result.status == "ok":
                yield result
            else:
                print(f"shenbao: {result.path}: {result.reason}", file=sys.stderr)
                self.failed += 1


def writing(out, step):
    """Run `step`, which writes to `out`; the dataset's and the file system's errors become
    one line on stderr and None, so the command exits 1 without a traceback."""
    from dataset.db import DatasetError

    try:
        return step()
    except DatasetError as exc:
        print(f"shenbao: {exc}", file=sys.stderr)
    except OSError as exc:
        print(f"shenbao: cannot write to {out}: {exc.strerror or exc}", file=sys.stderr)
    return None
