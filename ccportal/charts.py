"""Server-side SVG charts: the same figure in a page and in a PDF, with no CDN and no script.

Each function returns a SafeString holding one <svg> with a viewBox, so it scales to its container."""

import math
from decimal import Decimal
from html import escape

from django.utils.safestring import mark_safe

# Fifteen colours (one per site), picked from the Okabe-Ito, Tol and Tableau palettes so that any two differ by
# at least 15 CIELAB units in normal vision and in simulated deuteranopia and protanopia (tests/ccportal/test_charts.py).
PALETTE = [
    "#1f6f8b", "#f0a202", "#8ab17d", "#99ddff", "#332288", "#663333", "#cc3311", "#eedd88",
    "#2a9d8f", "#0077bb", "#56b4e9", "#264653", "#ee7733", "#8c564b", "#e76f51",
]  # fmt: skip
WIDTH, HEIGHT = 640, 280
# In viewBox units. On a 1366-px desktop the narrowest chart (two to a row) is drawn about 520 px wide, a scale of
# 0.82: 14 units are 11.5 px (tests/browser/test_charts.py measures it).
FONT_SIZE = 14
CHAR_WIDTH = 0.62 * FONT_SIZE  # DejaVu Sans digits and capitals, for spacing the axis labels
# PAD_TOP leaves a line above the top tick for the unit label, so the two never overlap.
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 60, 12, 30, 48
TICKS = 4


def _text_width(text):
    """The width of ``text`` in viewBox units (CHAR_WIDTH per character: enough for capitals and digits)."""
    return len(str(text)) * CHAR_WIDTH


def _whole_max(value):
    """The axis top for counts: TICKS steps of a whole, round number (1, 2, 5 × 10ⁿ), the first reaching ``value``."""
    step = max(float(value or 0), 0) / TICKS
    magnitude = 10 ** math.floor(math.log10(step)) if step >= 1 else 1
    for multiple in (1, 2, 5, 10):
        if multiple * magnitude >= step:
            return float(multiple * magnitude * TICKS)


def _axis_max(values):
    """The axis top for ``values``: whole ticks when every value is a whole number (customers, connections)."""
    values = [float(v or 0) for v in values]
    top = max(values, default=0)
    return _whole_max(top) if all(v.is_integer() for v in values) else _nice_max(top)


def _nice_max(value):
    value = float(value or 0)
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1) if value >= 1 else 1
    for step in (1, 2, 2.5, 5, 10):
        top = step * magnitude
        if top >= value:
            return float(top)
    return float(value)


def _fmt(value):
    value = float(value)
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if abs(value) >= 1_000:
        return f"{value / 1_000:.1f}k"
    if value == int(value):
        return str(int(value))
    return f"{value:.2f}"


def _n(value):
    """A coordinate to one decimal, without a trailing ".0" (a page carries thousands of them)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _open(title, height, css="chart"):
    return [
        f'<svg class="{css}" viewBox="0 0 {WIDTH} {_n(height)}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{escape(title)}" font-family="DejaVu Sans, sans-serif" font-size="{FONT_SIZE}">',
        f"<title>{escape(title)}</title>",
    ]


def _group(attrs, items):
    """``items`` inside one <g> carrying their shared presentation attributes (said once, not per element)."""
    return [f"<g {attrs}>", *items, "</g>"] if items else []


def _frame(title, top, unit, labels, body, legend=()):
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    parts = _open(title, HEIGHT + 20 * _legend_rows(legend))
    ys = [PAD_TOP + plot_h - plot_h * i / TICKS for i in range(TICKS + 1)]
    parts += _group(
        'stroke="#e3e6ea"', [f'<line x1="{PAD_LEFT}" y1="{_n(y)}" x2="{WIDTH - PAD_RIGHT}" y2="{_n(y)}"/>' for y in ys]
    )
    ticks = [f'<text class="tick" x="{PAD_LEFT - 6}" y="{_n(y + 4)}">{_fmt(top * i / TICKS)}</text>' for i, y in enumerate(ys)]
    parts += _group('text-anchor="end" fill="#555"', ticks)
    if unit:
        parts.append(f'<text class="unit" x="4" y="{PAD_TOP - 14}" fill="#555">{escape(unit)}</text>')
    n = max(len(labels), 1)
    widest = max((_text_width(label) for label in labels), default=CHAR_WIDTH) + 8
    every = max(1, math.ceil(n * widest / plot_w))  # label every n-th bar so that no two labels touch
    names = [
        f'<text x="{_n(PAD_LEFT + plot_w * (i + 0.5) / n)}" y="{HEIGHT - PAD_BOTTOM + 14}">{escape(str(label))}</text>'
        for i, label in enumerate(labels)
        if not i % every
    ]
    parts += _group('text-anchor="middle" fill="#333"', names)
    parts.extend(body)
    parts.extend(_legend(legend, HEIGHT))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _series_groups(names, shapes, colors):
    """Each series' shapes (``shapes[name]``) in one group carrying its colour, in the order of ``names``."""
    return [part for s, name in enumerate(names) for part in _group(f'fill="{colors[s % len(colors)]}"', shapes[name])]


LEGEND_GAP = 14  # between one entry's text and the next entry's swatch


def _legend_places(names):
    """[(x, row)] of each legend entry: side by side as wide as its name (so a long name never runs into the next),
    wrapped onto a new 20-unit row when the next would pass the right edge."""
    places, x, row = [], PAD_LEFT, 0
    for name in names:
        width = 16 + _text_width(name)
        if x > PAD_LEFT and x + width > WIDTH - PAD_RIGHT:
            x, row = PAD_LEFT, row + 1
        places.append((x, row))
        x += width + LEGEND_GAP
    return places


def _legend_rows(names):
    return max((row + 1 for _, row in _legend_places(names)), default=0)


def _legend(names, top, colors=PALETTE):
    """Legend entries from ``top`` down, wrapped onto as many 20-unit rows as they need."""
    parts = []
    for i, (name, (x, row)) in enumerate(zip(names, _legend_places(names), strict=True)):
        y = top + 20 * row
        parts.append(f'<rect x="{_n(x)}" y="{_n(y + 2)}" width="12" height="12" fill="{colors[i % len(colors)]}"/>')
        parts.append(f'<text x="{_n(x + 16)}" y="{_n(y + 13)}" fill="#333">{escape(str(name))}</text>')
    return parts


def bar_chart(labels, values, *, title, unit="", color=PALETTE[0]):
    """Vertical bars, one per label."""
    return stacked_bar_chart(labels, {"": values}, title=title, unit=unit, colors=[color], legend=False)


def stacked_bar_chart(labels, series, *, title, unit="", colors=PALETTE, legend=True):
    """Bars stacked by series: ``series`` maps a name to a list of values aligned with ``labels``."""
    names = list(series)
    totals = [sum(Decimal(str(series[name][i] or 0)) for name in names) for i in range(len(labels))]
    top = _axis_max(totals)
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    n = max(len(labels), 1)
    bar_w = plot_w / n * 0.7
    bars = {name: [] for name in names}  # one group per series: its colour said once
    for i, label in enumerate(labels):
        x = PAD_LEFT + plot_w * i / n + (plot_w / n - bar_w) / 2
        base = 0.0
        for name in names:
            value = float(series[name][i] or 0)
            if value <= 0:
                continue
            h = plot_h * value / top
            y = PAD_TOP + plot_h - base - h
            tip = f"{label}{' ' + str(name) if name else ''}: {_fmt(value)} {unit}".strip()
            bars[name].append(
                f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(bar_w)}" height="{_n(h)}"><title>{escape(tip)}</title></rect>'
            )
            base += h
    body = _series_groups(names, bars, colors)
    return _frame(title, top, unit, labels, body, legend=names if legend and len(names) > 1 else ())


def line_chart(labels, series, *, title, unit="", colors=PALETTE):
    """One line per series (a name mapped to values aligned with ``labels``), with a dot per point. A None value
    (nothing measured) leaves a gap: the line stops before it and starts again after it."""
    names = list(series)
    top = _axis_max([v for name in names for v in series[name] if v is not None])
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    n = max(len(labels), 1)
    body = []
    for s, name in enumerate(names):
        color = colors[s % len(colors)]
        points, segments = [], [[]]
        for i, value in enumerate(series[name]):
            if value is None:
                segments.append([])
                continue
            x = PAD_LEFT + plot_w * (i + 0.5) / n
            y = PAD_TOP + plot_h - plot_h * float(value) / top
            points.append((x, y, value, labels[i]))
            segments[-1].append((x, y))
        for segment in segments:
            if len(segment) > 1:
                path = " ".join(f"{_n(x)},{_n(y)}" for x, y in segment)
                body.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        dots = []
        for x, y, value, label in points:
            tip = f"{label}{' ' + str(name) if len(names) > 1 else ''}: {_fmt(value or 0)} {unit}".strip()
            dots.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2.5"><title>{escape(tip)}</title></circle>')
        body += _group(f'fill="{color}"', dots)
    return _frame(title, top, unit, labels, body, legend=names if len(names) > 1 else ())


def horizontal_bar_chart(labels, series, *, title, unit="", colors=PALETTE, stacked=False):
    """One row per label (every label shown, however many) with a bar per series side by side, or stacked;
    ``series`` maps a name to values aligned with ``labels``. The figure grows in height with the labels."""
    names = list(series)
    n = max(len(labels), 1)
    if stacked:
        top = _axis_max([sum(Decimal(str(series[s][i] or 0)) for s in names) for i in range(len(labels))])
    else:
        top = _axis_max([v for s in names for v in series[s]])
    # The labels sit left of the bars, right-aligned: room for the longest (up to half the width), never less than 110.
    widest = max((_text_width(label) for label in labels), default=0)
    left, right, head = min(max(110, math.ceil(widest) + 12), WIDTH // 2), 16, 22
    row_h = 10 + (14 if stacked else 10 * len(names))
    plot_w = WIDTH - left - right
    plot_h = row_h * n
    legend = names if len(names) > 1 else []
    height = head + plot_h + 22 + 20 * _legend_rows(legend)
    parts = _open(title, height, css="chart chart-rows")
    xs = [left + plot_w * i / TICKS for i in range(TICKS + 1)]
    parts += _group('stroke="#e3e6ea"', [f'<line x1="{_n(x)}" y1="{head}" x2="{_n(x)}" y2="{head + plot_h}"/>' for x in xs])
    ticks = [f'<text class="tick" x="{_n(x)}" y="{head + plot_h + 14}">{_fmt(top * i / TICKS)}</text>' for i, x in enumerate(xs)]
    parts += _group('text-anchor="middle" fill="#555"', ticks)
    if unit:
        parts.append(f'<text class="unit" x="{WIDTH - right}" y="{head - 8}" text-anchor="end" fill="#555">{escape(unit)}</text>')
    rows, bars = [], {name: [] for name in names}
    for i, label in enumerate(labels):
        y0 = head + row_h * i + 5
        rows.append(f'<text x="{left - 6}" y="{_n(y0 + (row_h - 10) / 2 + 4)}">{escape(str(label))}</text>')
        base = 0.0
        for s, name in enumerate(names):
            value = float(series[name][i] or 0)
            w = plot_w * value / top if value > 0 else 0
            y = y0 if stacked else y0 + 10 * s
            h = row_h - 10 if stacked else 9
            x = left + (base if stacked else 0)
            tip = f"{label}{' ' + str(name) if len(names) > 1 else ''}: {_fmt(value)} {unit}".strip()
            bars[name].append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{h}"><title>{escape(tip)}</title></rect>')
            if stacked:
                base += w
    parts += _group('text-anchor="end" fill="#333"', rows)
    parts += _series_groups(names, bars, colors)
    parts.extend(_legend(legend, head + plot_h + 22, colors))
    parts.append("</svg>")
    return mark_safe("".join(parts))
