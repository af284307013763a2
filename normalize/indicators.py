"""The indicator table (一级/二级/三级指标, 指标值, 备注) into Indicators.

Exports shift cells (the seed's 影响力目标 row lost its first cell) and flatten rows into
one cell per line, so cells are classified by what they say, not where they stand: a
level name sets the level (inherited by the rows below, as a merged cell would), then
come the indicator's name, its target and its note. A row holding a second level name
after a complete indicator starts another indicator (forms that show 中期 and 年度
columns side by side); identical indicators are kept once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex

from normalize.layout import Row, Seg
from normalize.model import Indicator, Target
from normalize.values import parse_target

_ASIDE = regex.compile(r"[（(][^）)]*[）)]|\s")


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(Path(__file__).with_name("indicators.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=16384)
def _key(text: str) -> str:
    key = _ASIDE.sub("", text)
    for suffix in _data()["suffixes"]:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def _has_level_suffix(text: str) -> bool:
    return any(_ASIDE.sub("", text).endswith(s) for s in _data()["suffixes"])


@lru_cache(maxsize=16384)
def level_codes(text: str) -> tuple[str | None, str | None]:
    """(level1 code, level2 code) this text can name; a level-like text (ending in 指标)
    that no list knows counts as level 2 'other'."""
    key = _key(text)
    l1, l2 = _data()["level1"].get(key), _data()["level2"].get(key)
    if l1 is None and l2 is None and _ASIDE.sub("", text).endswith("指标") and len(text) <= 16:
        l2 = "other"
    return l1, l2


@lru_cache(maxsize=16384)
def is_header_word(text: str) -> bool:
    key = _ASIDE.sub("", text)
    return key in _data()["header"] or key in _data()["note_header"]


def is_row_label(text: str) -> bool:
    """A label heading the indicator table's rows (绩效目标, 长期绩效指标)."""
    data = _data()
    return _ASIDE.sub("", text) in data["row_labels"] + data["long_term"] + data["annual"]


def is_header(texts: list[str]) -> bool:
    """A row naming at least three indicator columns."""
    return sum(1 for t in texts if is_header_word(t)) >= 3


@lru_cache(maxsize=16384)
def is_header_line(text: str) -> bool:
    """A free line naming at least three indicator columns, spaced or glued
    (`长期绩效指标一级指标二级指标指标内容指标值备注`), and little else."""
    key = _ASIDE.sub("", text)
    names = _header_words().findall(key)
    rest = _header_words().sub("", key)
    for label in _data()["row_labels"] + _data()["long_term"] + _data()["annual"]:
        rest = rest.replace(label, "")
    return len(names) >= 3 and len(rest) <= 8


def header_names(text: str) -> list[str]:
    """The column names in a header written on one free line."""
    return _header_words().findall(_ASIDE.sub("", text))


@lru_cache(maxsize=1)
def _header_words() -> regex.Pattern:
    words = sorted(set(_data()["header"]) | set(_data()["note_header"]), key=len, reverse=True)
    return regex.compile("|".join(regex.escape(w) for w in words))


@dataclass
class _Draft:
    level1: str | None = None
    level1_raw: str | None = None
    level2: str | None = None
    level2_raw: str | None = None
    name: str | None = None
    name_seg: Seg | None = None
    target: str | None = None
    has_target: bool = False
    note: str | None = None
    has_note: bool = False


@lru_cache(maxsize=1)
def _level_prefix() -> regex.Pattern:
    """Level names as written at the start of a cell, with their optional suffix."""
    names = sorted(set(_data()["level1"]) | set(_data()["level2"]), key=len, reverse=True)
    suffixes = "|".join(_data()["suffixes"])
    return regex.compile(rf"(?:{'|'.join(map(regex.escape, names))})(?:{suffixes})?")


def _unglue_levels(words: list[str]) -> list[str]:
    """`产出目标数量老年助餐服务人次` -> `产出目标`, `数量`, `老年助餐服务人次`: a flattened row
    glues its level cells to the name. A level is cut off only when written with its
    suffix (产出目标) or right after one, so a name such as 质量达标率 stays whole."""
    if not words:
        return words
    first, out = words[0], []
    while True:
        m = _level_prefix().match(first)
        if not m or m.end() == len(first):
            break
        suffixed = any(m.group(0).endswith(s) for s in _data()["suffixes"])
        if not (suffixed or out):
            break
        out.append(m.group(0))
        first = first[m.end():]
    return out + [first] + words[1:] if out else words


class IndicatorReader:
    """Reads indicator rows after a header; `indicators` holds the result."""

    def __init__(self, header: list[str], period: str = "annual"):
        self.has_note = any(_ASIDE.sub("", t) in _data()["note_header"] for t in header)
        self.period = period
        self.indicators: list[Indicator] = []
        self.sources: list[Seg] = []
        self.current = _Draft()
        self.row_has_level1 = False  # a level-1 cell was read in this row
        self.after_level2 = False  # the last filled cell was a level 2

    # -- rows of a table (cells known)
    def table_row(self, row: Row) -> None:
        texts = [s.text for s in row.segs]
        self._new_row()
        for i, seg in enumerate(row.segs):
            if seg.text or not self.current.has_target:  # an empty (spanned) cell is no note
                self._token(seg, texts[i + 1:i + 2], row_start=(i == 0 or not any(texts[:i])))
        self._emit()

    # -- a free line holding a whole row, cells separated by spaces (names may hold spaces)
    def line_row(self, row: Row) -> None:
        seg = row.segs[0]
        words = _unglue_levels(seg.text.split())
        self._new_row()
        while words and (any(level_codes(words[0])) or self._is_row_label(words[0])):
            self._token(Seg(words[0], seg.source), words[1:2], row_start=False)
            words = words[1:]
        # the target is the last word that reads as a figure, else the last word
        cut = next((i for i in range(len(words) - 1, 0, -1) if parse_target(words[i]).kind == "quantitative"),
                   len(words) - 1 if len(words) > 1 else None)
        cells = [" ".join(words)] if cut is None else [" ".join(words[:cut]), words[cut], " ".join(words[cut + 1:])]
        for text in cells:
            self._token(Seg(text, seg.source), [], row_start=False)
        self._emit()

    # -- one cell per line: rows are not known, only the order of cells
    def stream_cell(self, seg: Seg, following: list[str]) -> None:
        d = self.current
        text = seg.text
        if (self.has_note and d.has_target and not d.has_note and text and following and following[0]
                and parse_target(text).kind != "quantitative" and not any(level_codes(text))
                and parse_target(following[0]).kind == "quantitative"):
            self._emit()  # `text` is the next indicator's name, the note was left out
        self._token(seg, following, row_start=False)

    def finish(self) -> list[Indicator]:
        self._emit()
        return self.indicators

    # -- shared
    def _is_row_label(self, text: str) -> bool:
        key = _ASIDE.sub("", text)
        if key in _data()["long_term"]:
            self.period = "long_term"
        elif key in _data()["annual"]:
            self.period = "annual"
        return key in _data()["row_labels"]

    def _new_row(self) -> None:
        self._emit()
        self.row_has_level1 = self.after_level2 = False

    def _token(self, seg: Seg, following: list[str], row_start: bool) -> None:
        text = seg.text.strip()
        d = self.current
        # the cell right after a level 2 is a name, unless it is written as a level (…指标)
        name_due = self.after_level2 and d.name is None and not _has_level_suffix(text)
        if text:
            self.after_level2 = False
        if text and not name_due and (d.name is None or d.has_target):
            if self._is_row_label(text):
                return
            l1, l2 = level_codes(text)
            if l1 or l2:
                if d.name is not None:
                    self._emit()
                self._set_level(text, l1, l2, following)
                self.after_level2 = bool(self.current.level2_raw == text)
                return
        if d.name is None:
            if text:
                d.name, d.name_seg = text, seg
                self.row_has_level1 = False  # one cell per line has no rows: a name ends the levels
        elif not d.has_target:
            d.target, d.has_target = text, True
        elif self.has_note and not d.has_note:
            d.note, d.has_note = text or None, True
        elif text:
            self._emit()
            self.current.name, self.current.name_seg = text, seg

    def _set_level(self, text: str, l1: str | None, l2: str | None, following: list[str]) -> None:
        d = self.current
        next_is_level = bool(following and following[0] and any(level_codes(following[0])))
        if l1 and l2:  # a name both lists know (满意度, 成本): decide by its place and spelling
            if self.row_has_level1 or (d.level1 and not _has_level_suffix(text) and not next_is_level):
                l1 = None  # after a level 1, or bare (满意度) under one already set: a level 2
            elif next_is_level:
                l2 = None
            elif l1 != "satisfaction" and d.level1:
                l1 = None
            elif l1 != "satisfaction":
                l2 = None
        if l1:
            d.level1, d.level1_raw = l1, text
            self.row_has_level1 = True
            if not l2:
                d.level2 = d.level2_raw = None
        if l2:
            d.level2, d.level2_raw = l2, text

    def _emit(self) -> None:
        d = self.current
        if d.name is not None and (d.has_target or d.level2):
            target = parse_target(d.target)
            indicator = Indicator(
                level1=d.level1 or "other", level1_raw=d.level1_raw, level2=d.level2 or "other",
                level2_raw=d.level2_raw, name=d.name, period=self.period,
                target=Target(raw=target.raw, kind=target.kind, op=target.op, value=target.value, unit=target.unit),
                note=d.note,
            )
            same = [i for i in self.indicators if (i.name, i.target.raw, i.level2) == (indicator.name, indicator.target.raw, indicator.level2)]
            if not same:
                self.indicators.append(indicator)
                self.sources.append(d.name_seg)
        self.current = _Draft(d.level1, d.level1_raw, d.level2, d.level2_raw)
