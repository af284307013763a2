"""Punctuation settled by its ink: marks the recogniser confuses on a worn low-resolution
scan, told apart by shapes any typeface gives them.

RapidOCR reads a line as a whole and is least sure of small marks: on a noisy 150-dpi
page it takes 《 for （ (》 for ）), ； for ：, and a half-width ( for a full-width （.
The pixels settle it: 《 is two chevrons side by side, wider for its height than （; the
lower half of ； is a comma, with more ink than the dot above it, where the two dots of
： weigh the same; a full-width bracket leaves half an em of paper outside it. Each mark
is looked for in the ink around where the recogniser placed it; where the ink is not
found or does not settle it, the recogniser's reading stands.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# reading -> (what it is when its ink is doubled, what it is when single)
BRACKETS = {"（": ("《", "（"), "《": ("《", "（"), "）": ("》", "）"), "》": ("》", "）"), "(": ("《", "（"), ")": ("》", "）")}
HALF_WIDTH = {"（": "(", "）": ")"}
# Full-width punctuation inks one half of its em: paper follows these, and precedes those.
INK_LEFT, INK_RIGHT, HALF_EM = set("、，。；：！？）》」』】〕"), set("（《「『【〔“‘"), 0.5
STOPS = set("：；")
OUTER_GAP = (0.3, 0.45)  # em of paper outside a bracket: ( ) at most the first, （ ） at least the second
REACH = 0.6  # em either side of where the recogniser placed a mark, to look for its ink
NARROW = 0.45  # em: a punctuation mark's ink is at most this wide
# Between these bounds the ink does not settle it, and the recogniser's reading stands.
DOUBLE_WIDTH = (0.32, 0.4)  # width for height: （） at most the first, 《》 at least the second
COMMA_INK = (1.25, 1.35)  # ink of the lower mark against the dot above: ： at most the first, ； at least the second


@dataclass
class Blob:
    x0: int
    y0: int
    x1: int  # exclusive
    y1: int
    mass: float  # darkness summed over the box and a pixel around it

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0


def settle(text: str, centres: list[float], band: np.ndarray, gray: np.ndarray) -> str:
    """`text` read on one line, whose ink is `band` (its rows: one line of text; `gray`
    the same pixels as grey levels), its characters centred at `centres` (x, pixels of
    `band`), with confusable marks re-decided from their ink."""
    if not any(ch in BRACKETS or ch in STOPS for ch in text) or len(centres) != len(text) or not band.size:
        return text
    em = float(band.shape[0])
    blobs = _blobs(band, gray)
    inked = np.flatnonzero(band.any(axis=0))
    chars = list(text)
    for i, ch in enumerate(chars):
        if ch in BRACKETS or ch in STOPS:
            near = [b for b in blobs if abs((b.x0 + b.x1) / 2 - centres[i]) <= REACH * em and b.width <= NARROW * em]
            if ch in STOPS:
                chars[i] = _stop(near, centres[i], em) or ch
                continue
            bracket = _bracket(near, centres[i], em)
            if bracket is None:
                continue
            doubled, single = BRACKETS[ch]
            ratio = bracket.width / bracket.height
            chars[i] = doubled if ratio >= DOUBLE_WIDTH[1] else single if ratio <= DOUBLE_WIDTH[0] else ch
            if chars[i] == single:
                chars[i] = _width(single, bracket, inked, em, text, i) or (ch if ch in "()" else single)
    return "".join(chars)


def _width(bracket: str, ink: Blob, inked: np.ndarray, em: float, text: str, i: int) -> str | None:
    """（ or (: a full-width bracket leaves half an em of paper on its outer side, a
    half-width one hardly any. Measured to the next ink that way, less the paper the
    neighbour leaves on its own (》 before （); undecided at a line's end."""
    opening = bracket == "（"
    if opening:
        before = inked[inked < ink.x0]
        if i == 0 or not before.size:
            return None
        gap = (ink.x0 - before[-1] - 1) / em - (HALF_EM if text[i - 1] in INK_LEFT else 0.0)
    else:
        after = inked[inked >= ink.x1]
        if i == len(text) - 1 or not after.size:
            return None
        gap = (after[0] - ink.x1) / em - (HALF_EM if text[i + 1] in INK_RIGHT else 0.0)
    return HALF_WIDTH[bracket] if gap <= OUTER_GAP[0] else bracket if gap >= OUTER_GAP[1] else None


def _blobs(region: np.ndarray, gray: np.ndarray) -> list[Blob]:
    """The connected pieces of ink. Their darkness is summed from the grey levels: a
    threshold turns a dot blurred by the scan into more or fewer pixels at random."""
    count, _, stats, _ = cv2.connectedComponentsWithStats((region > 0).astype(np.uint8), connectivity=8)
    darkness = np.maximum(float(np.median(gray)) - gray.astype(np.float32), 0.0)  # the paper is the median: text is sparse
    return [Blob(int(x), int(y), int(x + w), int(y + h), float(darkness[max(y - 1, 0):y + h + 1, max(x - 1, 0):x + w + 1].sum()))
            for x, y, w, h, _ in stats[1:count]]


def _bracket(near: list[Blob], centre: float, em: float) -> Blob | None:
    """The ink of a bracket the recogniser placed at `centre`: the tall narrow piece
    nearest it. The two chevrons of 《 stand side by side, so its ink is wider for its
    height than a round bracket's (at 150 dpi they blur into one stroke)."""
    tall = [b for b in near if b.height >= 0.6 * em]
    return min(tall, key=lambda b: abs((b.x0 + b.x1) / 2 - centre)) if tall else None


def _stop(near: list[Blob], centre: float, em: float) -> str | None:
    """： or ；: two marks one above the other, the lower one a dot like the upper or a
    comma, taller and heavier than the dot."""
    small = [b for b in near if b.height <= 0.6 * em]
    pairs = [(a, b) for a in small for b in small if a.y1 <= b.y0 and _columns_overlap(a, b)]
    if not pairs:
        return None
    upper, lower = min(pairs, key=lambda p: abs((p[0].x0 + p[0].x1) / 2 - centre))
    ratio = lower.mass / max(upper.mass, 1.0)
    return "；" if ratio >= COMMA_INK[1] else "：" if ratio <= COMMA_INK[0] else None


def _columns_overlap(a: Blob, b: Blob) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 0
