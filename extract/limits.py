"""Limits on hostile input, checked from a file's headers before a reader unpacks it.

A file that would make a reader unpack gigabytes (a zip bomb), build millions of PDF
objects, or decode a gigapixel image is refused with a reason, in milliseconds and
whatever the machine's memory: the worker limits of a parallel ingest
(`dataset.parallel`) are the second line, for what no header reveals.

XML: every parser in extract/ runs without entity resolution or network access (lxml
``resolve_entities=False, no_network=True``, ``huge_tree`` off; HTML through lxml's HTML
parser, which expands no DTD entities). openpyxl parses workbook parts with lxml and
``resolve_entities=False`` and worksheets with the standard library's expat, which
refuses entity amplification (billion laughs) and loads no external entities.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from io import BytesIO

from extract.model import ExtractError

MAX_UNPACKED_BYTES = 200 * 2**20  # a form's DOCX/XLSX unpacks to a few MiB
MAX_COMPRESSION_RATIO = 100  # XML compresses ~10:1; a bomb, 1000:1 and more
MAX_ZIP_MEMBERS = 10_000
MAX_PDF_OBJECTS = 500_000  # a form is tens of pages, a few thousand objects
MAX_PDF_PAGES = 2_000
MAX_IMAGE_PIXELS = 200_000_000  # an A3 page at 600 dpi is ~70 million

_PDF_OBJECT = re.compile(rb"\d+\s+\d+\s+obj\b")
_PDF_SIZE = re.compile(rb"/Size\s+(\d+)")
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def check_zip(data: bytes, what: str) -> None:
    """Refuse a zip container (`what`: "Word document", "Excel workbook") whose directory
    promises too many members, too many bytes unpacked or a bomb's compression ratio."""
    try:
        members = zipfile.ZipFile(BytesIO(data)).infolist()
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        return  # the reader names the damage
    if len(members) > MAX_ZIP_MEMBERS:
        raise ExtractError(f"{what} refused: {len(members)} parts in its zip (the limit is {MAX_ZIP_MEMBERS})")
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ExtractError(f"{what} refused as a zip bomb: {unpacked // 2**20} MiB once unpacked "
                           f"(the limit is {MAX_UNPACKED_BYTES // 2**20} MiB)")
    for m in members:
        if m.file_size > 2**20 and m.file_size > MAX_COMPRESSION_RATIO * max(m.compress_size, 1):
            raise ExtractError(f"{what} refused as a zip bomb: {m.filename} is compressed "
                               f"{m.file_size // max(m.compress_size, 1)}:1 (the limit is {MAX_COMPRESSION_RATIO}:1)")


def check_pdf(data: bytes) -> None:
    """Refuse a PDF with more objects or pages than any form has, counted in its bytes
    (objects written out, and the cross-reference size, which counts those packed in
    object streams) before pdfium parses it."""
    declared = max((int(m) for m in _PDF_SIZE.findall(data)), default=0)
    objects = max(declared, sum(1 for _ in _PDF_OBJECT.finditer(data)))
    if objects > MAX_PDF_OBJECTS:
        raise ExtractError(f"PDF refused: {objects} objects (the limit is {MAX_PDF_OBJECTS})")
    pages = sum(1 for _ in _PDF_PAGE.finditer(data))
    if pages > MAX_PDF_PAGES:
        raise ExtractError(f"PDF refused: {pages} pages (the limit is {MAX_PDF_PAGES})")


def check_image(data: bytes) -> None:
    """Refuse an image whose header declares more pixels than a scanned page has (a
    decompression bomb), before any pixel is decoded; and make Pillow itself refuse
    one wherever else an image is opened."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # refused below, with a reason
            with Image.open(BytesIO(data)) as image:  # reads the header only
                width, height = image.size
    except Image.DecompressionBombError:
        raise ExtractError(f"image refused as a decompression bomb (over {MAX_IMAGE_PIXELS:,} pixels)") from None
    except Exception:  # noqa: BLE001 — Pillow reports damage in many types; the reader names it
        return
    if width * height > MAX_IMAGE_PIXELS:
        raise ExtractError(f"image refused as a decompression bomb ({width}×{height} pixels; "
                           f"the limit is {MAX_IMAGE_PIXELS:,})")


def check(fmt: str, data: bytes) -> None:
    """The checks for a file of format `fmt` that apply before any reader runs."""
    if fmt == "pdf":
        check_pdf(data)
    elif fmt == "image":
        check_image(data)
