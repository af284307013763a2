"""Document -> text in the seed's export style, encoded GB18030 (a superset of GBK):
how most older archive files come."""

from __future__ import annotations

from pathlib import Path

from corpus.writers import text
from extract.model import Document


def write(doc: Document, path: Path) -> None:
    path.write_bytes(text.render(doc).encode("gb18030"))
