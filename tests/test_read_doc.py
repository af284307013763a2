"""The legacy Word reader: LibreOffice converts a whole batch in one run, the
result reads like the DOCX it became, a hung conversion costs one file and not
the batch, encrypted or damaged files and a missing LibreOffice give a clear
reason; and the seed saved as .doc gives the same record as its text export.

Tests that run the real LibreOffice are skipped on a machine without it, never
in CI, which installs it."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

import olefile
import pytest

import extract.doc
from corpus.writers.doc import write_many
from corpus.writers.docx import write as write_docx
from extract.model import ExtractError, outline
from extract.readers import read_document
from extract.source import RawFile, open_file
from shenbao.api import process_file
from test_read_html import SEED, same_records, sample_document

needs_libreoffice = pytest.mark.skipif(shutil.which("soffice") is None and not os.environ.get("CI"),
                                       reason="LibreOffice is not installed")
STYLES = ("form-field", "wingdings")  # what .doc files hold; glyph text is tested with DOCX


def raw(name: str, data: bytes) -> RawFile:
    return RawFile(name, data, hashlib.sha256(data).hexdigest(), "doc")


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> dict[str, Path]:
    """The sample Document in each checkbox style, and the seed, saved as .doc."""
    folder = tmp_path_factory.mktemp("doc")
    paths = {style: folder / f"sample-{style}.doc" for style in STYLES} | {"seed": folder / "seed.doc"}
    write_many([(sample_document(), paths["form-field"]), (read_document(SEED), paths["seed"])])
    write_many([(sample_document(), paths["wingdings"])], "wingdings")
    return paths


@needs_libreoffice
def test_written_doc_reads_back_the_same_from_one_batch(docs, monkeypatch):
    raws = [open_file(docs[style]) for style in STYLES]
    assert {raw.format for raw in raws} == {"doc"}
    extract.doc.prepare(raws)
    monkeypatch.setattr(extract.doc, "_run", lambda *a: pytest.fail("LibreOffice ran again for a prepared file"))
    for raw in raws:
        doc = extract.doc.read(raw)
        assert outline(doc) == outline(sample_document()), raw.path
        assert (doc.format, doc.path, doc.sha256) == ("doc", raw.path, raw.sha256)


@needs_libreoffice
def test_an_unprepared_file_is_converted_on_its_own_and_nothing_is_written_beside_it(docs, tmp_path):
    path = tmp_path / "alone.doc"
    shutil.copy(docs["wingdings"], path)
    assert outline(read_document(path)) == outline(sample_document())
    assert list(tmp_path.iterdir()) == [path]


@needs_libreoffice
def test_seed_saved_as_doc_gives_the_same_record(docs):
    same_records(SEED, docs["seed"])


@needs_libreoffice
def test_a_doc_marked_encrypted_is_refused_before_libreoffice(docs, tmp_path, monkeypatch):
    data = bytearray(docs["wingdings"].read_bytes())
    with olefile.OleFileIO(bytes(data)) as ole:
        start = ole.direntries[ole._find(["WordDocument"])].isectStart
        offset = (start + 1) * ole.sectorsize
    data[offset + 11] |= 0x01  # FIB flags (bytes 10-11): fEncrypted, 0x0100
    (tmp_path / "locked.doc").write_bytes(bytes(data))
    monkeypatch.setattr(extract.doc, "_run", lambda *a: pytest.fail("LibreOffice ran for an encrypted file"))
    result = process_file(tmp_path / "locked.doc")
    assert (result.status, result.reason) == ("failed", "encrypted document")


def test_a_damaged_doc_is_refused_with_a_reason(tmp_path):
    word = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    (tmp_path / "broken.doc").write_bytes(word)
    result = process_file(tmp_path / "broken.doc")
    assert result.status == "failed" and result.reason.startswith("damaged legacy Word file")


def test_missing_libreoffice_is_named_with_the_package_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ExtractError, match="apt-get install libreoffice-writer-nogui"):
        extract.doc.read(raw("form.doc", b"{\\rtf1 a Word file saved as RTF}"))


FAKE_SOFFICE = """#!{python}
import pathlib, sys, time
args = sys.argv[1:]
out = pathlib.Path(args[args.index("--outdir") + 1])
for name in args[args.index("--outdir") + 2:]:
    source = pathlib.Path(name)
    if b"HANG" in source.read_bytes():
        time.sleep(600)
    (out / (source.stem + ".docx")).write_bytes(pathlib.Path({docx!r}).read_bytes())
"""


def test_a_hung_conversion_costs_only_the_file_it_hangs_on(tmp_path, monkeypatch):
    write_docx(sample_document(), tmp_path / "converted.docx")
    fake = tmp_path / "soffice"
    fake.write_text(FAKE_SOFFICE.format(python=sys.executable, docx=str(tmp_path / "converted.docx")))
    fake.chmod(0o755)
    monkeypatch.setattr(extract.doc, "soffice", lambda: str(fake))
    monkeypatch.setattr(extract.doc, "STALL_SECONDS", 1.0)
    raws = [raw(f"{i}.doc", data) for i, data in enumerate([b"first", b"HANG", b"third"])]
    extract.doc.prepare(raws)
    assert outline(extract.doc.read(raws[0])) == outline(sample_document())
    with pytest.raises(ExtractError, match="did not finish converting this file within 1 s"):
        extract.doc.read(raws[1])
    assert outline(extract.doc.read(raws[2])) == outline(sample_document())
