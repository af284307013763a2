"""Document -> flattened text, in the styles the archive's web and document-preview
copies come in (see /work/shared/real-samples):

- ``glued``: one table row per line, a label glued to its neighbours
  (``项目名称镇域内基础设施建设项目属性新增项目□延续项目√``), values apart by a space;
- ``cells``: one cell per line ending in `` |``, a `|` line opening each row;
- ``spaced``: one row per line, cells apart by a space;
- ``pipe``: one row per line, cells apart by `` | ``;
- ``paras``: one cell per paragraph, blank lines between.

Each Document gets one style, picked from its content, so a corpus mixes them and the
same filing always comes out the same. Checked boxes are written ``√``.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from itertools import product
from pathlib import Path

from corpus.writers.text import grid
from extract.model import CHECKED, Document, Line, outline

STYLES = ("glued", "cells", "spaced", "pipe", "paras")


def write(doc: Document, path: Path) -> None:
    path.write_bytes(render(doc).encode("utf-8"))


def style_of(doc: Document) -> str:
    digest = hashlib.sha256(repr(outline(doc)).encode("utf-8")).digest()
    return STYLES[digest[0] % len(STYLES)]


def render(doc: Document, style: str | None = None) -> str:
    style = style or style_of(doc)
    out: list[str] = []
    for _, block in doc.blocks():
        if isinstance(block, Line):
            out.append(block.text)
            continue
        for row in grid(block):
            cells = [c for c in row if c is not None]
            covered = len(row) - len(cells)
            texts = [c.text for c in cells]
            if style == "glued":
                out.append(_glue([t for t in texts if t.strip()]))
            elif style == "cells":
                out += ["|", *(f"{t} |" for t in texts)] + (["|" * covered] if covered else [])
            elif style == "spaced":
                out.append(" ".join(texts))
            elif style == "pipe":
                out.append(" | ".join(texts) + " |" + "|" * covered)
            else:
                out += [t or " " for t in texts]
    joiner = "\n\n" if style == "paras" else "\n"
    return joiner.join(out).replace(CHECKED, "√") + "\n"


def _glue(texts: list[str]) -> str:
    """Labels stick to what is beside them; two values keep a space between them."""
    out = ""
    for i, text in enumerate(texts):
        if i and not (is_label(texts[i - 1]) or is_label(text)):
            out += " "
        out += text
    return out


def is_label(text: str) -> bool:
    return text in labels() or text.endswith(("：", ":"))


@lru_cache(maxsize=1)
def labels() -> frozenset[str]:
    """Every fixed text of a template cell (label variants and amount units spelled
    out): what a flattening export glues to its neighbours."""
    from corpus.records import templates

    found: set[str] = set()

    def cells(rows):
        for spec in rows:
            if isinstance(spec, list):
                yield from ((c if isinstance(c, str) else c["text"]) for c in spec)
            elif "label" in spec:
                yield spec["label"]
                yield from cells(spec["rows"])

    for template in templates().values():
        for page in template["pages"]:
            for block in page:
                for text in cells(block.get("rows", [])):
                    found |= _expansions(text, template["amount_units"])
    return frozenset(found)


def _expansions(text: str, units: list[str]) -> set[str]:
    """The texts a template cell can show, if it shows no record value."""
    parts = re.split(r"(\{[^{}]*\})", text)
    options = []
    for part in parts:
        if part.startswith("{~"):
            options.append(part[2:-1].split("|"))
        elif part == "{amount_unit}":
            options.append(units)
        elif part.startswith("{"):
            return set()
        else:
            options.append([part])
    return {"".join(choice) for choice in product(*options)}
