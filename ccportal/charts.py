"""Server-side SVG charts: the same figure in a page and in a PDF, with no CDN and no script.

Each function returns a SafeString holding one <svg> with a viewBox, so it scales to its container."""

from decimal import Decimal
from html import escape

from django.utils.safestring import mark_safe

PALETTE = ["#1f6f8b", "#f0a202", "#2a9d8f", "#e76f51", "#6d597a", "#8ab17d", "#b56576", "#457b9d", "#e9c46a", "#264653"]
WIDTH, HEIGHT = 640, 280
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 12, 16, 48


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


def _frame(title, top, unit, labels, body, legend=()):
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT + (18 if legend else 0)}" xmlns="http://www.w3.org/2000/svg" '
        f'role="img" aria-label="{escape(title)}" font-family="DejaVu Sans, sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        y = PAD_TOP + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{PAD_LEFT}" y1="{y:.1f}" x2="{WIDTH - PAD_RIGHT}" y2="{y:.1f}" stroke="#e3e6ea"/>')
        parts.append(f'<text x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{_fmt(top * i / 4)}</text>')
    if unit:
        parts.append(f'<text x="4" y="{PAD_TOP - 4}" fill="#555">{escape(unit)}</text>')
    n = max(len(labels), 1)
    every = max(1, (n + 11) // 12)
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = PAD_LEFT + plot_w * (i + 0.5) / n
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - PAD_BOTTOM + 14}" text-anchor="middle" fill="#333">{escape(str(label))}</text>'
        )
    parts.extend(body)
    for i, name in enumerate(legend):
        x = PAD_LEFT + i * 90
        parts.append(f'<rect x="{x}" y="{HEIGHT + 2}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>')
        parts.append(f'<text x="{x + 14}" y="{HEIGHT + 11}" fill="#333">{escape(str(name))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bar_chart(labels, values, *, title, unit="", color=PALETTE[0]):
    """Vertical bars, one per label."""
    return stacked_bar_chart(labels, {"": values}, title=title, unit=unit, colors=[color], legend=False)


def stacked_bar_chart(labels, series, *, title, unit="", colors=PALETTE, legend=True):
    """Bars stacked by series: ``series`` maps a name to a list of values aligned with ``labels``."""
    names = list(series)
    totals = [sum(Decimal(str(series[name][i] or 0)) for name in names) for i in range(len(labels))]
    top = _nice_max(max(totals, default=0))
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    n = max(len(labels), 1)
    bar_w = plot_w / n * 0.7
    body = []
    for i, label in enumerate(labels):
        x = PAD_LEFT + plot_w * i / n + (plot_w / n - bar_w) / 2
        base = 0.0
        for s, name in enumerate(names):
            value = float(series[name][i] or 0)
            if value <= 0:
                continue
            h = plot_h * value / top
            y = PAD_TOP + plot_h - base - h
            tip = f"{label}{' ' + str(name) if name else ''}: {_fmt(value)} {unit}".strip()
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colors[s % len(colors)]}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            base += h
    return _frame(title, top, unit, labels, body, legend=names if legend and len(names) > 1 else ())


def line_chart(labels, series, *, title, unit="", colors=PALETTE):
    """One line per series (a name mapped to values aligned with ``labels``), with a dot per point."""
    names = list(series)
    top = _nice_max(max((float(v or 0) for name in names for v in series[name]), default=0))
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    n = max(len(labels), 1)
    body = []
    for s, name in enumerate(names):
        color = colors[s % len(colors)]
        points = []
        for i, value in enumerate(series[name]):
            x = PAD_LEFT + plot_w * (i + 0.5) / n
            y = PAD_TOP + plot_h - plot_h * float(value or 0) / top
            points.append((x, y, value, labels[i]))
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for x, y, value, label in points:
            tip = f"{label}{' ' + str(name) if len(names) > 1 else ''}: {_fmt(value or 0)} {unit}".strip()
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}"><title>{escape(tip)}</title></circle>')
    return _frame(title, top, unit, labels, body, legend=names if len(names) > 1 else ())
