"""Misreadings OCR makes on these forms, undone where the context leaves no doubt.

- A document number's year brackets 〔〕 read as （） or half of 【】 (〔2010）, or with a
  space before the closer where its ink sits apart: （2012 ]), or the opening one
  dropped (粤财监2011]20号).
- 《》 read as <> or as the single 〈〉.
- A title's closing 》 read as ）, or its opening 《 closing as ）: brackets come in pairs,
  so a closer that matches no opener is the one the open bracket needs.
- A title whose 》 was dropped at the very end of a cell, or whose 《 was dropped at its
  very start (after an item number), gets it back.
"""

from __future__ import annotations

import re

FIXES = [
    (re.compile(r"(?<=[\u4e00-\u9fff])[（(〔【\[]((?:19|20)\d{2})\s?[）)〕】\]](?=\d{1,4}号)"),
     lambda m: m.group(0) if m.group(0)[0] + m.group(0)[-1] in ("【】", "[]") else f"〔{m.group(1)}〕"),
    # …or its opening bracket dropped: 粤财监2011]20号
    (re.compile(r"(?<=[\u4e00-\u9fff])((?:19|20)\d{2})[）)〕】\]](?=\d{1,4}号)"), lambda m: f"〔{m.group(1)}〕"),
    (re.compile(r"[<〈](?=[\u4e00-\u9fff])"), lambda m: "《"),
    (re.compile(r"(?<=[\u4e00-\u9fff）)])[>〉]"), lambda m: "》"),
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
    them with, turned into it. A pair of round brackets half full-width, half not (（…)),
    is made half-width: OCR reads full-width unless the ink showed otherwise
    (extract/ocrpunct.py), which a bracket at a line's end cannot show."""
    chars, opened = list(text), []  # (index, bracket) of the brackets open
    for i, ch in enumerate(chars):
        if ch in PAIRS:
            opened.append((i, ch))
        elif ch in CLOSERS and opened:
            j, opener = opened[-1]
            if opener == CLOSERS[ch]:
                opened.pop()
            elif {opener, ch} in ({"（", ")"}, {"(", "）"}):
                chars[j], chars[i] = "()"
                opened.pop()
            elif CONFUSED.get(ch) == PAIRS[opener] and CLOSERS[ch] not in (b for _, b in opened):
                chars[i] = PAIRS[opened.pop()[1]]
    return "".join(chars)
