"""Hostile input is refused within limits (extract/limits.py): zip bombs in DOCX and XLSX,
XML entity expansion and external entities, image decompression bombs, PDFs with huge
object or page counts; odd file names load; nothing is written outside the dataset and
the run's temporary directory. Each test builds its hostile file."""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

import fixtures
from corpus.writers import write_document
from dataset import ingest
from extract.model import ExtractError
from extract.readers import read_document
from shenbao.api import process_file

SECRET = "SECRET-7f3a-MARKER"
LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
          + "]>")


@pytest.fixture(scope="module")
def seed_doc():
    return read_document(fixtures.SEED_TEXT)


def office_file(tmp_path, seed_doc, fmt: str) -> Path:
    path = tmp_path / f"form.{fmt}"
    write_document(seed_doc, fmt, path)
    return path


def rezip(src: Path, dst: Path, replace: dict[str, bytes] | None = None, add_zeros: dict[str, int] | None = None,
          drop: set[str] = frozenset()) -> Path:
    """A copy of the zip at `src` with members replaced, dropped, or added as that many
    MiB of zeros (written a MiB at a time: the test itself holds no bomb in memory)."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename not in drop:
                new.writestr(info.filename, (replace or {}).get(info.filename, old.read(info.filename)))
        for name, mib in (add_zeros or {}).items():
            with new.open(name, "w", force_zip64=True) as member:
                for _ in range(mib):
                    member.write(bytes(2**20))
    return dst


def with_dtd(xml: str, dtd: str) -> str:
    """`xml` with a document type declaration before its root element."""
    if xml.startswith("<?xml"):
        end = xml.index("?>") + 2
        return xml[:end] + dtd + xml[end:]
    return dtd + xml


def text_or_refusal(path: Path) -> str:
    """Everything the reader made of the file, or the reason it refused it."""
    try:
        doc = read_document(path)
    except ExtractError as exc:
        return f"refused: {exc}"
    return "\n".join(line.text for page in doc.pages for line in page.lines) + "\n".join(
        cell.text for page in doc.pages for table in page.tables for cell in table.cells)


@pytest.mark.parametrize("fmt, member", [("docx", "word/media/image1.bin"), ("xlsx", "xl/media/image1.bin")])
def test_zip_bomb_over_the_unpacked_size_limit_is_refused(tmp_path, seed_doc, fmt, member):
    bomb = rezip(office_file(tmp_path, seed_doc, fmt), tmp_path / f"bomb.{fmt}", add_zeros={member: 210})
    assert bomb.stat().st_size < 2 * 2**20
    result = process_file(bomb)
    assert result.status == "failed" and "zip bomb" in result.reason and "MiB once unpacked" in result.reason


@pytest.mark.parametrize("fmt, member", [("docx", "word/media/image1.bin"), ("xlsx", "xl/media/image1.bin")])
def test_zip_member_compressed_beyond_the_ratio_limit_is_refused(tmp_path, seed_doc, fmt, member):
    bomb = rezip(office_file(tmp_path, seed_doc, fmt), tmp_path / f"ratio.{fmt}", add_zeros={member: 20})
    result = process_file(bomb)
    assert result.status == "failed" and "zip bomb" in result.reason and ":1" in result.reason


def test_an_ordinary_office_file_is_within_the_limits(tmp_path, seed_doc):
    for fmt in ("docx", "xlsx"):
        assert process_file(office_file(tmp_path, seed_doc, fmt)).status == "ok"


def test_entity_expansion_is_not_performed(tmp_path, seed_doc):
    """Billion laughs in the Word body, an Excel sheet and HTML: refused or read unexpanded."""
    docx = office_file(tmp_path, seed_doc, "docx")
    body = zipfile.ZipFile(docx).read("word/document.xml").decode("utf-8")
    laughing = with_dtd(body, LAUGHS).replace("</w:t>", "&lol9;</w:t>", 1)
    xlsx = office_file(tmp_path, seed_doc, "xlsx")
    sheet = zipfile.ZipFile(xlsx).read("xl/worksheets/sheet1.xml").decode("utf-8")
    html = tmp_path / "laughs.html"
    html.write_text(f"{LAUGHS}<html><body><table><tr><td>项目名称 &lol9;</td></tr></table></body></html>")
    for path in (rezip(docx, tmp_path / "laughs.docx", {"word/document.xml": laughing.encode()}),
                 rezip(xlsx, tmp_path / "laughs.xlsx", {"xl/worksheets/sheet1.xml": with_dtd(sheet, LAUGHS).replace(
                     "<t>", "<t>&lol9;", 1).encode()}),
                 html):
        assert "lollollol" not in text_or_refusal(path), path.name


def test_external_entities_are_not_loaded(tmp_path, seed_doc):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    xxe = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    docx = office_file(tmp_path, seed_doc, "docx")
    body = zipfile.ZipFile(docx).read("word/document.xml").decode("utf-8")
    xlsx = office_file(tmp_path, seed_doc, "xlsx")
    sheet = zipfile.ZipFile(xlsx).read("xl/worksheets/sheet1.xml").decode("utf-8")
    html = tmp_path / "xxe.html"
    html.write_text(f"{xxe}<html><body><table><tr><td>项目名称 &xxe;</td></tr></table></body></html>")
    for path in (rezip(docx, tmp_path / "xxe.docx", {"word/document.xml": with_dtd(body, xxe)
                                                      .replace("</w:t>", "&xxe;</w:t>", 1).encode()}),
                 rezip(xlsx, tmp_path / "xxe.xlsx", {"xl/worksheets/sheet1.xml": with_dtd(sheet, xxe)
                                                     .replace("<t>", "<t>&xxe;", 1).encode()}),
                 html):
        assert SECRET not in text_or_refusal(path), path.name


def png_header(width: int, height: int) -> bytes:
    """A PNG declaring `width`×`height` pixels, with next to no pixel data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("width, height", [(100_000, 100_000), (20_000, 15_000)])
def test_image_decompression_bomb_is_refused_from_its_header(tmp_path, width, height):
    bomb = tmp_path / "scan.png"
    bomb.write_bytes(png_header(width, height))
    result = process_file(bomb)
    assert result.status == "failed" and "decompression bomb" in result.reason


def test_pdf_declaring_millions_of_objects_is_refused(tmp_path):
    pdf = tmp_path / "objects.pdf"
    pdf.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Size 50000000 /Root 1 0 R >>\n%%EOF\n")
    result = process_file(pdf)
    assert result.status == "failed" and "50000000 objects" in result.reason


def test_pdf_with_thousands_of_pages_is_refused(tmp_path):
    pages = b"".join(b"%d 0 obj\n<< /Type /Page /Parent 2 0 R >>\nendobj\n" % (i + 3) for i in range(3000))
    pdf = tmp_path / "pages.pdf"
    pdf.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
                    b"2 0 obj\n<< /Type /Pages /Count 3000 >>\nendobj\n" + pages + b"%%EOF\n")
    result = process_file(pdf)
    assert result.status == "failed" and "3000 pages" in result.reason


def test_odd_file_names_load_and_nothing_is_written_elsewhere(tmp_path, monkeypatch, seed_doc):
    archive, tmp, out = tmp_path / "archive", tmp_path / "tmp", tmp_path / "out"
    for d in (archive, tmp, out):
        d.mkdir()
    names = ["with space.txt", "new\nline.txt", os.fsdecode(b"caf\xe9-latin1.txt"), "-starts-with-dash.txt"]
    for i, name in enumerate(names):
        fixtures.write_variant(archive, fixtures.Variant(name=f"项目{i}"), filename=name)
    if shutil.which("soffice"):  # legacy Word goes through LibreOffice, which writes a profile and conversions
        write_document(seed_doc, "doc", archive / "legacy.doc")
    before = sorted(p.name for p in archive.iterdir())
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr("tempfile.tempdir", None)

    report = ingest([archive], out / "d.db", jobs=2)
    assert report.filings >= len(names) and not report.failed
    stored = {Path(p).name for (p,) in sqlite3.connect(out / "d.db").execute("SELECT path FROM files")}
    assert {"with space.txt", "new\nline.txt", "caf\\xe9-latin1.txt", "-starts-with-dash.txt"} <= stored
    assert sorted(p.name for p in archive.iterdir()) == before
    assert [p.name for p in tmp.iterdir()] == []
    assert [p.name for p in out.iterdir()] == ["d.db"]
