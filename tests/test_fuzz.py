"""Fuzz: 2,000 damaged files through `shenbao.api.process_files`. Each comes out as
records or as a failed FileResult with a one-line reason; no exception escapes and
nothing hangs (the batch runs under an overall time limit).

The files are corpus filings (corpus/samples, corpus/generated) and the seed written as
DOCX, XLSX, HTML and PDF, truncated, with bytes flipped or spliced, zip members removed,
under the wrong extension, and plain garbage behind real and fake magic numbers. Legacy
Word (.doc, RTF) mutants are left out: each costs a LibreOffice start (~1.5 s); so is
OCR (a damaged PDF whose text layer no longer reads goes to OCR, ~20 s a page): scans
stop at its door with a refusal, the OCR reader being another test's subject.
Set SHENBAO_FUZZ_SEED to explore other mutants; a failure names its seed and file.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import random
import time
import warnings
import zipfile
from pathlib import Path

from corpus.writers import write_document
import fixtures
from extract.model import ExtractError
from extract.readers import read_document
from extract.source import detect_format
from shenbao.api import process_files

MUTANTS = 2000
OVERALL_TIMEOUT = 900  # seconds for the whole batch: only a hang comes near it
CHUNK = 25
ROOT = Path(__file__).resolve().parents[1]
EXTENSIONS = (".txt", ".html", ".docx", ".xlsx", ".xls", ".pdf", ".png", ".csv", "")
MAGIC = (b"PK\x03\x04", b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"<html><table>", b"\xef\xbb\xbf", b"\xff\xfe", b"")


def base_files(tmp: Path) -> list[Path]:
    corpus = [p for d in ("samples", "generated") for p in sorted((ROOT / "corpus" / d).glob("*.txt"))]
    seed = read_document(fixtures.SEED_TEXT)
    written = []
    for fmt in ("docx", "xlsx", "html", "pdf"):
        path = tmp / f"seed.{fmt}"
        write_document(seed, fmt, path)
        written.append(path)
    return corpus + written


def drop_member(rng: random.Random, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    gone = rng.choice(names)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            if name != gone:
                target.writestr(name, source.read(name))
    return out.getvalue()


def mutate(rng: random.Random, data: bytes) -> tuple[bytes, str | None]:
    """Damaged bytes, and an extension to give them (None: the original's)."""
    kind = rng.choice(("truncate", "flip", "flip", "splice", "drop", "rename", "garbage"))
    if kind == "truncate":
        return data[:rng.randrange(len(data))], None
    if kind in ("flip", "splice"):
        out = bytearray(data)
        for _ in range(rng.randint(1, 40)):
            at = rng.randrange(len(out))
            if kind == "flip":
                out[at] ^= 1 << rng.randrange(8)
            else:
                out[at:at + rng.randint(0, 64)] = rng.randbytes(rng.randint(0, 64))
        return bytes(out), None
    if kind == "drop" and data.startswith(b"PK"):
        return drop_member(rng, data), None
    if kind == "rename":
        return data, rng.choice(EXTENSIONS)
    return rng.choice(MAGIC) + rng.randbytes(rng.choice((0, 1, 10, 1000, 100_000))), rng.choice(EXTENSIONS)


def make_mutants(tmp: Path, seed: int) -> list[str]:
    rng = random.Random(seed)
    bases = [(p.suffix, p.read_bytes()) for p in base_files(tmp)]
    out = tmp / "mutants"
    out.mkdir()
    paths: list[str] = []
    while len(paths) < MUTANTS:
        suffix, data = rng.choice(bases)
        mutated, new_suffix = mutate(rng, data)
        name = f"m{len(paths):05d}{suffix if new_suffix is None else new_suffix}"
        if detect_legacy_word(name, mutated):
            continue
        (out / name).write_bytes(mutated)
        paths.append(str(out / name))
    return paths


def detect_legacy_word(name: str, data: bytes) -> bool:
    try:
        return detect_format(name, data) == "doc"
    except ExtractError:
        return False


def refuse_ocr(*args, **kwargs):
    raise ExtractError("needs OCR (not run in the fuzz)")


def outcomes(paths: list[str]) -> list[tuple[str, str, str | None, int]]:
    """Run in a pool worker: what became of each file (an exception escaping fails the test)."""
    out = []
    for result in process_files(paths):
        for decl in result.declarations:
            decl.to_json()  # every record must serialise as the contract says
        out.append((result.path, result.status, result.reason, len(result.declarations)))
    return out


def test_damaged_files_fail_cleanly(tmp_path, monkeypatch):
    import extract.ocr

    for name in ("read", "read_pdf"):  # what extract/readers.py and extract/pdf.py call; the pool inherits it
        monkeypatch.setattr(extract.ocr, name, refuse_ocr)
    seed = int(os.environ.get("SHENBAO_FUZZ_SEED", "20261124"))
    paths = make_mutants(tmp_path, seed)
    chunks = [paths[i:i + CHUNK] for i in range(0, len(paths), CHUNK)]
    results = []
    deadline = time.monotonic() + OVERALL_TIMEOUT
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pending = pool.imap_unordered(outcomes, chunks)
        for _ in chunks:
            results += pending.next(timeout=max(1.0, deadline - time.monotonic()))  # a hang fails here
    assert sorted(path for path, *_ in results) == sorted(paths)
    for path, status, reason, filings in results:
        assert status in ("ok", "failed"), (seed, path)
        if status == "failed":
            assert reason and reason.strip() and "\n" not in reason, (seed, path, reason)
            assert filings == 0, (seed, path)
    reasons = {reason.split(" (")[0] for _, status, reason, _ in results if status == "failed"}
    assert len(reasons) > 5  # the mutants reach many different readers' refusals
    bugs = sorted({reason for _, _, reason, _ in results if reason and reason.startswith("internal error")})
    if bugs:  # caught, so no failure here, but each is a reader's bug to fix
        warnings.warn(f"{len(bugs)} kinds of internal error in readers (seed {seed}): " + "; ".join(bugs[:10]))
