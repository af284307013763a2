"""A filing gives the same record whatever format it was saved in: generated filings of
every template family, written as HTML, DOCX, DOC, XLSX, XLS and PDF, read back to the
record their text export gives (everything but `source`, `provenance` and `unsure`)."""

from __future__ import annotations

import pytest

from corpus.generate import generate, suffix
from corpus.writers import WRITERS
from golden import differences
from shenbao.api import process_files

BINARY = [fmt for fmt in WRITERS if fmt in ("html", "docx", "doc", "xlsx", "xls", "pdf")]
IGNORED = ("source", "provenance", "unsure")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("formats")
    files = generate(out, 8, seed=1, formats=["txt", *BINARY], defect_rate=0.5, bundle_rate=0.0)
    return out, [f.name for f in files]


def _records(paths) -> list[list[dict]]:
    out = []
    for result in process_files(paths):
        assert result.status == "ok", f"{result.path}: {result.reason}"
        out.append([{k: v for k, v in d.to_json().items() if k not in IGNORED} for d in result.declarations])
    return out


def test_the_generated_families_are_all_there(corpus):
    _, names = corpus
    assert {name.split("_", 1)[1] for name in names} >= {"shanghai", "national", "hunan", "cost_table"}


@pytest.mark.parametrize("fmt", BINARY)
def test_every_format_gives_the_text_record(corpus, fmt):
    out, names = corpus
    texts = _records([out / (name + suffix("txt")) for name in names])
    others = _records([out / (name + suffix(fmt)) for name in names])
    for name, text, other in zip(names, texts, others):
        assert len(other) == len(text), name
        for a, b in zip(text, other):
            assert differences(a, b) == [], f"{name}{suffix(fmt)}"
