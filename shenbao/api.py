"""The public Python API: each stage wired to the next, nothing more."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from extract.model import ExtractError
from extract.readers import prepare, read_raw
from extract.source import RawFile, open_file
from normalize import normalize_document
from normalize.model import Declaration


@dataclass
class FileResult:
    """What became of one input file. `status` is ``ok`` or ``failed``; a failed file
    has a one-line `reason` and no declarations."""

    path: str
    status: str
    sha256: str | None = None
    format: str | None = None
    reason: str | None = None
    declarations: list[Declaration] = field(default_factory=list)


def extract_file(path: str | Path) -> list[Declaration]:
    """Every filing in one file, as contract records. Raises ExtractError with the reason."""
    return normalize_document(read_raw(open_file(path)))


def process_file(path: str | Path) -> FileResult:
    """Like `extract_file`, but never raises: a bad file becomes a failed FileResult
    naming the reason, so one file can never stop a batch."""
    return next(process_files([path]))


def process_files(paths: Iterable[str | Path], batch: int = 64) -> Iterator[FileResult]:
    """`process_file` over many files, in order, `batch` files at a time so that readers
    which convert through another program (legacy .doc) start it once per batch."""
    paths = [str(p) for p in paths]
    for start in range(0, len(paths), batch):
        opened: list[tuple[str, RawFile | FileResult]] = [(p, _open(p)) for p in paths[start:start + batch]]
        try:
            prepare([raw for _, raw in opened if isinstance(raw, RawFile)])
        except Exception:  # each file's own read meets the same problem and reports it
            pass
        for path, raw in opened:
            yield raw if isinstance(raw, FileResult) else _process(path, raw)


def _open(path: str) -> RawFile | FileResult:
    try:
        return open_file(path)
    except ExtractError as exc:
        return FileResult(path, "failed", reason=str(exc))


def _process(path: str, raw: RawFile) -> FileResult:
    try:
        declarations = normalize_document(read_raw(raw))
        return FileResult(path, "ok", raw.sha256, raw.format, declarations=declarations)
    except ExtractError as exc:
        reason = str(exc)
    except Exception as exc:  # a reader's bug must not stop the batch either
        reason = f"internal error while reading ({type(exc).__name__}: {exc})"
    return FileResult(path, "failed", raw.sha256, raw.format, reason=reason)
