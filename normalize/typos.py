"""Known typos (typos.json), corrected only where the context says what was meant, each
correction recorded with the field path it was made in."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from normalize.model import Correction


@lru_cache(maxsize=1)
def _typos() -> list[dict]:
    return json.loads(Path(__file__).with_name("typos.json").read_text(encoding="utf-8"))["typos"]


def correct(text: str | None, path: str, corrections: list[Correction]) -> str | None:
    """`text` with known typos fixed in context; one Correction per fixed field and typo."""
    if not text:
        return text
    for typo in _typos():
        wrong, right = typo["from"], typo["to"]
        if wrong not in text:
            continue
        out, start, changed = [], 0, False
        while (at := text.find(wrong, start)) != -1:
            after = text[at + len(wrong): at + len(wrong) + 1]
            window = text[max(0, at - typo["window"]): at + len(wrong) + typo["window"]]
            fits = (not typo["not_before"] or after not in typo["not_before"]) and (
                not typo["near"] or any(word in window for word in typo["near"]))
            out.append(text[start:at] + (right if fits else wrong))
            changed |= fits
            start = at + len(wrong)
        text = "".join(out) + text[start:]
        if changed:
            corrections.append(Correction(path=path, from_=wrong, to=right, reason="lexicon"))
    return text
