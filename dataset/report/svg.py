"""Small SVG charts drawn in Python, so the report needs no plotting library and no
script to show its plots. Every data mark carries `class="mark"`, its series, category
and value as data attributes and a `<title>` tooltip: readable by people and by tests."""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT = 760, 320
LEFT, RIGHT, TOP, BOTTOM = 90, 10, 10, 60  # plot margins: axis labels left, category labels below
COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac"]


def bars(categories: list[str], series: dict[str, list[float | None]], unit: str = "") -> str:
    """Grouped bars: one group per category, one bar per series (None: no bar)."""
    top = _nice_max(v for values in series.values() for v in values if v is not None)
    group = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    width = group * 0.8 / max(len(series), 1)
    marks = []
    for s, (name, values) in enumerate(series.items()):
        for c, value in enumerate(values):
            if value is None:
                continue
            h = _y(0, top) - _y(value, top)
            x = LEFT + c * group + group * 0.1 + s * width
            marks.append(f'<rect class="mark" x="{x:.1f}" y="{_y(value, top):.1f}" width="{max(width - 1, 1):.1f}" '
                         f'height="{max(h, 0.5):.1f}" fill="{COLOURS[s % len(COLOURS)]}"'
                         f'{_data(name, categories[c], value, unit)}</rect>')
    return _chart(categories, list(series), top, unit, marks, group)


def lines(categories: list[str], series: dict[str, list[float | None]], unit: str = "") -> str:
    """One polyline per series over the categories (a gap where a value is None), a dot
    on each value."""
    top = _nice_max(v for values in series.values() for v in values if v is not None)
    step = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    marks = []
    for s, (name, values) in enumerate(series.items()):
        colour = COLOURS[s % len(COLOURS)]
        points = [(LEFT + (c + 0.5) * step, _y(v, top), c, v) for c, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
            marks.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y, c, v in points:
            marks.append(f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"'
                         f'{_data(name, categories[c], v, unit)}</circle>')
    return _chart(categories, list(series), top, unit, marks, step)


def _chart(categories: list[str], names: list[str], top: float, unit: str, marks: list[str], step: float) -> str:
    axis = []
    for i in range(5):
        value = top * i / 4
        y = _y(value, top)
        axis.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                    f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(_short(value))}</text>')
    for c, label in enumerate(categories):
        x = LEFT + (c + 0.5) * step
        axis.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{escape(_clip(label, step))}'
                    f'<title>{escape(label)}</title></text>')
    if unit:
        axis.append(f'<text x="4" y="{TOP + 8}" class="unit">{escape(unit)}</text>')
    legend = "".join(
        f'<span class="key"><i style="background:{COLOURS[s % len(COLOURS)]}"></i>{escape(name)}</span>'
        for s, name in enumerate(names) if len(names) > 1)
    svg = (f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" xmlns="http://www.w3.org/2000/svg">'
           f'{"".join(axis)}{"".join(marks)}</svg>')
    return f'<figure>{svg}<figcaption class="legend">{legend}</figcaption></figure>'


def _data(series: str, category: str, value: float, unit: str) -> str:
    """The attributes and tooltip of one data mark (the caller closes the element)."""
    return (f' data-series="{escape(series)}" data-category="{escape(category)}" data-value="{value:g}">'
            f'<title>{escape(series)} · {escape(category)}: {value:,.2f} {escape(unit)}</title>')


def _y(value: float, top: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)


def _nice_max(values) -> float:
    """A round number at or above the largest value, so the axis reads well."""
    biggest = max(values, default=0) or 1
    magnitude = 10 ** (len(str(int(biggest))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if biggest <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _short(value: float) -> str:
    for size, suffix in ((1e8, "亿"), (1e4, "万")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def _clip(label: str, room: float) -> str:
    """A category label cut to what fits under its group (about 12 px per character)."""
    fits = max(int(room // 12), 2)
    return label if len(label) <= fits else label[:fits - 1] + "…"
