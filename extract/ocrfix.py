"""Misreadings OCR makes on these forms, undone where the context leaves no doubt.

- A document number's year brackets 〔〕 read as （） or half of 【】 (〔2010）), or the
  opening one dropped (粤财监2011]20号).
- 《》 read as <>.
- A title's closing 》 read as ）, or its opening 《 closing as ）: brackets come in pairs,
  so a closer that matches no opener is the one the open bracket needs.
- A title whose 》 was dropped at the very end of a cell, or whose 《 was dropped at its
  very start (after an item number), gets it back.
"""

from __future__ import annotations

import re

FIXES = [
    (re.compile(r"(?<=[\u4e00-\u9fff])[（(〔【\[]((?:19|20)\d{2})[）)〕】\]](?=\d{1,4}号)"),
     lambda m: m.group(0) if m.group(0)[0] + m.group(0)[-1] in ("【】", "[]") else f"〔{m.group(1)}〕"),
    # …or its opening bracket dropped: 粤财监2011]20号
    (re.compile(r"(?<=[\u4e00-\u9fff])((?:19|20)\d{2})[）)〕】\]](?=\d{1,4}号)"), lambda m: f"〔{m.group(1)}〕"),
    (re.compile(r"<(?=[\u4e00-\u9fff])"), lambda m: "《"),
    (re.compile(r"(?<=[\u4e00-\u9fff）)])>"), lambda m: "》"),
]
PAIRS = {"（": "）", "(": ")", "《": "》", "〔": "〕", "【": "】", "[": "]"}
CLOSERS = {v: k for k, v in PAIRS.items()}
# A closer OCR confuses with another: what it may stand for.
CONFUSED = {"）": "》", ")": "》", "》": "）"}
TITLE_END = re.compile(r"《[^《》（）()，。；：、]+$")
TITLE_START = re.compile(r"^(\d+[、.．)）]\s*)?(?=[^《》（）()，。；：、]+》)")


def fix_misreadings(text: str) -> str:
    for pattern, replacement in FIXES:
        text = pattern.sub(replacement, text)
    text = _balance(text)
    if TITLE_END.search(text):
        text += "》"
    return TITLE_START.sub(lambda m: (m.group(1) or "") + "《", text, count=1)


def _balance(text: str) -> str:
    """Closers that match nothing open, where the bracket open is the one OCR confuses
    them with, turned into it."""
    chars, opened = list(text), []
    for i, ch in enumerate(chars):
        if ch in PAIRS:
            opened.append(ch)
        elif ch in CLOSERS:
            if opened and opened[-1] == CLOSERS[ch]:
                opened.pop()
            elif opened and CONFUSED.get(ch) == PAIRS[opened[-1]] and CLOSERS[ch] not in opened:
                chars[i] = PAIRS[opened.pop()]
    return "".join(chars)
