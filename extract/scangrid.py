"""What a scanned page draws besides text: ruling lines and checkboxes, found in the ink.

- Rules are thin runs of ink, at least `RULE_MIN` points long across or `CELL_SIDE_MIN`
  down (morphological opening with a long thin kernel), with paper beside them: strokes
  of characters in a row can run on that long but have ink beside them. Each
  run becomes an edge, which extract/pdflayout.py turns into a grid exactly as it does
  for a PDF's drawn rules: a rule missing between two cells makes them one merged cell.
- Checkboxes are small squares whose four sides are inked nearly all along; the share
  of ink inside (away from the sides) says ticked or not; a square full of ink is a
  character. Character frames (口, 国, 日) look alike, so the caller drops the squares
  smaller than a checkbox beside the text and those OCR read as a character.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extract.pdfglyphs import Rect, _edge

RULE_MIN = 20.0  # points: a horizontal rule is longer than two characters, as narrow cells are
CELL_SIDE_MIN = 9.0  # points: a vertical rule as short as the lowest row (characters are told apart by `_in_text`)
TEXT_BESIDE = 0.3  # share of a run's length with ink right beside it, above which it is text
BOX_MIN, BOX_MAX = 3.0, 14.0  # checkbox side, points (as extract/pdflayout.py expects)
TICKED = 0.06  # share of inked pixels inside a square above which it is ticked
TICK_MAX = 0.7  # share of ink inside above which a square is a character or a blot, not a thin tick
SIDE_INKED = 0.8  # share of each side's length that must be inked


@dataclass
class Rules:
    edges: list[dict]  # pdfplumber edge dicts, points
    mask: np.ndarray  # the rules' pixels (255), to be painted out before OCR


@dataclass(frozen=True)
class Square:
    rect: Rect  # points
    pixels: tuple[int, int, int, int]  # x0, y0, x1, y1
    inside: float  # share of ink inside

    @property
    def ticked(self) -> bool:
        return self.inside > TICKED

    @property
    def confidence(self) -> float:
        """1 far from the threshold, falling to 0.5 right at it."""
        distance = abs(self.inside - TICKED) / TICKED
        return round(min(1.0, 0.5 + distance), 3)


def find_rules(ink: np.ndarray, scale: float) -> Rules:
    """Horizontal and vertical rules of a straightened page (`scale`: points per pixel).
    A short vertical run is a rule only when it reaches from one horizontal rule to
    another (a cell's side), never a stroke of a character's radical."""
    horizontal, h_labels = _runs(ink, scale, True)
    vertical, v_labels = _runs(ink, scale, False)
    reach = 2.0 / scale
    vertical = {label: box for label, box in vertical.items()
                if box[3] * scale >= 3 * RULE_MIN or all(_meets(box, y, horizontal.values(), reach) for y in (box[1], box[1] + box[3]))}
    mask = np.zeros_like(ink)
    edges = []
    for found, labels, across in ((horizontal, h_labels, True), (vertical, v_labels, False)):
        for label, (x, y, w, h) in found.items():
            mask[labels == label] = 255
            if across:
                middle = (y + h / 2) * scale
                edges.append(_edge(x * scale, middle, (x + w) * scale, middle))
            else:
                middle = (x + w / 2) * scale
                edges.append(_edge(middle, y * scale, middle, (y + h) * scale))
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    return Rules(_snapped(edges), mask)


def _runs(ink: np.ndarray, scale: float, horizontal: bool) -> tuple[dict[int, tuple[int, int, int, int]], np.ndarray]:
    """Thin straight runs of ink in one direction, not inside text: label -> (x, y, w, h)."""
    length = max(int((RULE_MIN if horizontal else CELL_SIDE_MIN) / scale), 8)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if horizontal else (1, length))
    runs = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    found = {}
    for label in range(1, count):
        x, y, w, h, _ = (int(v) for v in stats[label])
        if (h if horizontal else w) <= max(4.0 / scale, 3) and not _in_text(ink, x, y, w, h, horizontal, scale):
            found[label] = (x, y, w, h)
    return found, labels


def _meets(vertical: tuple[int, int, int, int], y: float, horizontals, reach: float) -> bool:
    x = vertical[0] + vertical[2] / 2
    return any(abs(hy + hh / 2 - y) <= reach + hh and hx - reach <= x <= hx + hw + reach for hx, hy, hw, hh in horizontals)


def _in_text(ink: np.ndarray, x: int, y: int, w: int, h: int, horizontal: bool, scale: float) -> bool:
    """Whether a long run of ink is strokes of characters set side by side (a row of 一,
    or 二 beside 三) rather than a rule: a rule has paper on both sides along most of
    its length (cells are padded), crossed only where other rules meet it."""
    gap, depth = max(round(1.0 / scale), 2), max(round(1.8 / scale), 3)
    if horizontal:
        above = ink[max(y - gap - depth, 0):max(y - gap, 0), x:x + w]
        below = ink[y + h + gap:y + h + gap + depth, x:x + w]
        sides = [band.any(axis=0).mean() for band in (above, below) if band.size]
    else:
        left = ink[y:y + h, max(x - gap - depth, 0):max(x - gap, 0)]
        right = ink[y:y + h, x + w + gap:x + w + gap + depth]
        sides = [band.any(axis=1).mean() for band in (left, right) if band.size]
    return bool(sides) and min(sides) > TEXT_BESIDE


def _snapped(edges: list[dict]) -> list[dict]:
    """Rules of one line drawn in pieces (worn, or broken by a merged cell) put on one
    coordinate, so the grid gets one boundary there and not two a pixel apart."""
    out = []
    for orientation, key in (("h", "top"), ("v", "x0")):
        group = sorted((e for e in edges if e["orientation"] == orientation), key=lambda e: e[key])
        clusters: list[list[dict]] = []
        for e in group:
            if clusters and e[key] - clusters[-1][-1][key] <= 1.5:
                clusters[-1].append(e)
            else:
                clusters.append([e])
        for cluster in clusters:
            at = sum(e[key] for e in cluster) / len(cluster)
            for e in cluster:
                if orientation == "h":
                    out.append(_edge(e["x0"], at, e["x1"], at))
                else:
                    out.append(_edge(at, e["top"], at, e["bottom"]))
    return out


def find_squares(ink: np.ndarray, rules: np.ndarray, scale: float) -> list[Square]:
    """Checkbox-like squares in the ink outside the rules."""
    free = cv2.bitwise_and(ink, cv2.bitwise_not(rules))
    count, _, stats, _ = cv2.connectedComponentsWithStats(free, connectivity=8)
    lo, hi = BOX_MIN / scale, BOX_MAX / scale
    out = []
    for label in range(1, count):
        x, y, w, h = (int(v) for v in stats[label][:4])
        if not (lo <= w <= hi and lo <= h <= hi and abs(w - h) <= 0.2 * max(w, h)):
            continue
        box = free[y:y + h, x:x + w] > 0
        band = max(2, round(0.15 * w))
        sides = (box[:band].any(axis=0), box[-band:].any(axis=0), box[:, :band].any(axis=1), box[:, -band:].any(axis=1))
        if min(side.mean() for side in sides) < SIDE_INKED:
            continue
        inside = ink[y + band + 1:y + h - band - 1, x + band + 1:x + w - band - 1] > 0  # a tick touches nothing
        if inside.size == 0 or inside.mean() > TICK_MAX:
            continue
        rect = Rect(x * scale, y * scale, (x + w) * scale, (y + h) * scale, stroke=True, fill=False)
        out.append(Square(rect, (x, y, x + w, y + h), float(inside.mean())))
    return out
