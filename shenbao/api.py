"""The public Python API: each stage wired to the next, nothing more."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from extract.model import ExtractError
from extract.readers import read_raw
from extract.source import open_file
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
    path = str(path)
    raw = None
    try:
        raw = open_file(path)
        declarations = normalize_document(read_raw(raw))
        return FileResult(path, "ok", raw.sha256, raw.format, declarations=declarations)
    except ExtractError as exc:
        reason = str(exc)
    except Exception as exc:  # a reader's bug must not stop the batch either
        reason = f"internal error while reading ({type(exc).__name__}: {exc})"
    return FileResult(path, "failed", raw and raw.sha256, raw and raw.format, reason=reason)
