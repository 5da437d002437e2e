"""Server-side SVG charts: colours any reader can tell apart, whole ticks for counts, a unit label clear of the ticks."""

import itertools
import math
import re
from decimal import Decimal

from ccportal import charts

# Machado, Oliveira and Fernandes (2009), severity 1.0, on linear RGB.
SIMULATIONS = {
    "normal": None,
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
}


def _linear(c):
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _lab(hex_colour, matrix):
    rgb = [_linear(int(hex_colour[i : i + 2], 16) / 255) for i in (1, 3, 5)]
    if matrix:
        rgb = [min(1, max(0, sum(matrix[i][j] * rgb[j] for j in range(3)))) for i in range(3)]
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))


def test_fifteen_sites_get_fifteen_colours_distinct_also_for_colour_blind_readers():
    assert len(set(charts.PALETTE)) >= 15
    for name, matrix in SIMULATIONS.items():
        closest = min(math.dist(_lab(a, matrix), _lab(b, matrix)) for a, b in itertools.combinations(charts.PALETTE[:15], 2))
        assert closest >= 15, name


def _ticks(svg):
    return re.findall(r'<text class="tick"[^>]*>([^<]*)</text>', svg)


def test_counts_get_whole_ticks_and_measurements_keep_fractions():
    assert _ticks(charts.bar_chart(["Q1", "Q2"], [3, 1], title="New", unit="customers")) == ["0", "1", "2", "3", "4"]
    assert _ticks(charts.line_chart(["Q1", "Q2"], {"n": [6, 2]}, title="n", unit="customers")) == ["0", "2", "4", "6", "8"]
    assert _ticks(charts.horizontal_bar_chart(["MAK"], {"n": [37]}, title="n")) == ["0", "10", "20", "30", "40"]
    fractional = _ticks(charts.bar_chart(["a"], [Decimal("2.5")], title="kWh", unit="kWh"))
    assert fractional[2:] == ["1.25", "1.88", "2.50"]
    stacked = charts.stacked_bar_chart(["Q1"], {s: [1] for s in "ABCDEFG"}, title="sites", unit="customers")
    assert _ticks(stacked) == ["0", "2", "4", "6", "8"]


def test_the_unit_label_sits_a_line_above_the_top_tick():
    svg = charts.bar_chart(["a", "b"], [Decimal("1234.5"), Decimal("10")], title="kWh", unit="kWh/day")
    unit_y = float(re.search(r'<text class="unit" x="[\d.]+" y="([\d.]+)"', svg)[1])
    top_tick_y = min(float(y) for y in re.findall(r'<text class="tick" x="[\d.]+" y="([\d.]+)"', svg))
    assert top_tick_y - unit_y >= charts.FONT_SIZE + 2  # baseline to baseline: a full line apart


def test_chart_text_is_at_least_eleven_units():
    svg = charts.line_chart(["a"], {"x": [1]}, title="t")
    assert int(re.search(r'font-size="(\d+)"', svg)[1]) >= 11


def test_a_line_chart_leaves_a_gap_where_nothing_was_measured():
    from ccportal.charts import line_chart

    svg = str(line_chart(["a", "b", "c", "d", "e"], {"kWh": [1, 2, None, 3, 4]}, title="t", unit="kWh"))
    assert svg.count("<polyline") == 2 and svg.count("<circle") == 4


def test_legend_entries_never_run_into_each_other_and_wrap_within_the_chart():
    """Each entry is as wide as its name ("Active in quarter" ran into "New" when every entry had 100 units)."""
    import itertools
    import re

    from ccportal.charts import CHAR_WIDTH, PAD_RIGHT, WIDTH, horizontal_bar_chart

    names = ["Total", "Active in quarter", "New", "A much longer series name", "Another long series", "Last"]
    svg = horizontal_bar_chart(["MAK"], {name: [1] for name in names}, title="t")
    entries = re.findall(r'<text x="([\d.]+)" y="([\d.]+)" fill="#333">([^<]+)</text>', svg)
    entries = [(float(x), float(y), name) for x, y, name in entries if name in names]
    assert [name for _, _, name in entries] == names
    for (x, y, name), (next_x, next_y, _) in itertools.pairwise(entries):
        if next_y == y:
            assert x + len(name) * CHAR_WIDTH < next_x - 16  # the next swatch starts after this text
    assert all(x + len(name) * CHAR_WIDTH <= WIDTH - PAD_RIGHT for x, _, name in entries)
    assert len({y for _, y, _ in entries}) >= 2  # wrapped


def test_row_labels_have_room_for_the_longest_name():
    """The Dashboard's "MAN Manamaneng" ran past the chart's left edge when the label column was a fixed 110 units."""
    import re

    from ccportal.charts import CHAR_WIDTH, horizontal_bar_chart

    labels = ["BOB Bobete", "MAN Manamaneng", "SEH Sehlabathebe"]
    svg = horizontal_bar_chart(labels, {"MWh": [1, 2, 3]}, title="MWh sold per site")
    for label in labels:
        x = float(re.search(rf'<text x="([\d.]+)" y="[\d.]+">{label}</text>', svg).group(1))
        assert x - len(label) * CHAR_WIDTH >= 0, label  # right-aligned at x: it starts inside the chart
