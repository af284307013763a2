"""Symbol-font ticks (Wingdings, Wingdings 2, Symbol) as canonical checkbox marks.

Word files and HTML saved from Word draw checkboxes as a letter in a symbol font
(``R`` in Wingdings 2 is a ticked box, ``£`` an empty one); read as plain text
they would be stray letters. The table is data (symbols.json) so a new glyph is a
data change.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

_PRIVATE_USE = re.compile("[\uf000-\uf0ff]")  # symbol-font codes as Word stores them


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[int, str]]:
    raw = json.loads((Path(__file__).with_name("symbols.json")).read_text(encoding="utf-8"))
    return {font: {int(code, 16): mark for code, mark in chars.items()}
            for font, chars in raw.items() if not font.startswith("_")}


def is_symbol_font(font: str | None) -> bool:
    return bool(font) and font.strip().strip("'\"").lower() in _table()


def symbol_mark(font: str, char: int) -> str | None:
    """The mark a symbol-font character stands for, or None when it is no checkbox.
    `char` may be the font's 8-bit code or Word's private-use F000+code."""
    if 0xF000 <= char <= 0xF0FF:
        char -= 0xF000
    return _table().get(font.strip().strip("'\"").lower(), {}).get(char)


def symbol_text(font: str, text: str, warnings: list[str]) -> str:
    """Text written in a symbol font, with its checkbox glyphs turned into marks.
    Only the font's own 8-bit range is symbols (Word writes CJK text of such a run in
    its East Asian font); whitespace stays; any other symbol is dropped and named in
    `warnings`."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch.isspace() or not (code < 0x100 or 0xF000 <= code <= 0xF0FF):
            out.append(ch)
            continue
        mark = symbol_mark(font, code)
        if mark:
            out.append(mark)
        else:
            note = f"dropped {font} symbol U+{code:04X}"
            if note not in warnings:
                warnings.append(note)
    return "".join(out)


def unfonted_text(text: str, warnings: list[str]) -> str:
    """Text in no known symbol font that still holds Word's symbol codes (U+F000 to
    U+F0FF: the font was set by a style or lost in conversion). Such a code means the
    same mark in every font that has it, or it is dropped and named in `warnings`."""
    if not _PRIVATE_USE.search(text):
        return text

    def mark(m: re.Match) -> str:
        code = ord(m.group()) - 0xF000
        marks = {chars[code] for chars in _table().values() if code in chars}
        if len(marks) == 1:
            return marks.pop()
        note = f"dropped symbol U+{code + 0xF000:04X} of an unknown font"
        if note not in warnings:
            warnings.append(note)
        return ""
    return _PRIVATE_USE.sub(mark, text)
