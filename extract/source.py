"""Opening a file: its bytes, hash and real format (by content first, name second),
so a mislabelled file still goes to the right reader."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from extract import limits
from extract.model import ExtractError

MAX_BYTES = 200 * 1024 * 1024  # larger files are refused, not read into memory

_EXTENSIONS = {
    ".txt": "txt", ".text": "txt", ".csv": "txt", ".tsv": "txt",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".docx": "docx", ".doc": "doc", ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls",
    ".pdf": "pdf", ".png": "image", ".jpg": "image", ".jpeg": "image",
    ".tif": "image", ".tiff": "image", ".bmp": "image",
}


@dataclass(frozen=True)
class RawFile:
    path: str
    data: bytes
    sha256: str
    format: str  # the contract's source.format


def open_file(path: str | Path) -> RawFile:
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ExtractError(f"cannot open: {exc.strerror or exc}") from None
    if p.is_dir():
        raise ExtractError("is a directory")
    if size > MAX_BYTES:
        raise ExtractError(f"too large ({size // (1024 * 1024)} MiB; the limit is {MAX_BYTES // (1024 * 1024)} MiB)")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ExtractError(f"cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise ExtractError("empty file")
    fmt = detect_format(p.name, data)
    limits.check(fmt, data)
    return RawFile(str(path), data, hashlib.sha256(data).hexdigest(), fmt)


def detect_format(name: str, data: bytes) -> str:
    head = data[:8]
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_format(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: legacy Word or Excel
        return "xls" if (b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k" in data[:65536] or b"Workbook" in data[:65536]
                         or name.lower().endswith(".xls")) else "doc"
    if head.startswith(b"{\\rtf"):  # Word's rich text, often named .doc: LibreOffice reads it
        return "doc"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM")):
        return "image"
    ext = _EXTENSIONS.get(Path(name).suffix.lower())
    sniff = data[:4096].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower().replace(b"\x00", b"")
    if sniff.startswith((b"<!doctype html", b"<html", b"<?xml")) or (ext != "txt" and b"<table" in sniff):
        return "html"
    if ext in ("txt", "html", None):
        return ext or "txt"
    return "txt"  # a name promising a binary format over plain text: read it as text


def _zip_format(data: bytes) -> str:
    try:
        names = zipfile.ZipFile(BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        raise ExtractError("damaged zip container (not a readable DOCX or XLSX)") from None
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    raise ExtractError("zip archive that is neither a Word nor an Excel document")
