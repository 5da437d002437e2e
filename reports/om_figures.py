"""The figures of the quarterly O&M report (reports.om_report): each a chart or two and its table, made from one
selector's answer (reports.selectors); Table and Figure are what the page, the XLSX and the PDF show."""

from dataclasses import dataclass, field
from decimal import Decimal

from ccportal import charts
from ccportal.quarters import quarter_parse
from reports.selectors.common import ratio

TREND_QUARTERS = 8  # how many quarters up to the chosen one the trend figures show


@dataclass
class Table:
    """A titled table: ``columns`` are (label, kind); kinds: text, int, kwh, lsl, ratio, pct."""

    title: str
    sheet: str
    columns: list
    rows: list = field(default_factory=list)
    total: list | None = None

    def cells(self):
        return [list(zip(row, (kind for _, kind in self.columns), strict=False)) for row in self.rows]

    def total_cells(self):
        return list(zip(self.total, (kind for _, kind in self.columns), strict=False)) if self.total else None


@dataclass
class Figure:
    key: str
    title: str
    note: str
    charts: list
    table: Table | None = None
    empty: str = "No data for this figure yet."

    def __post_init__(self):
        if self.table is not None and not self.table.rows:
            self.charts = []  # an empty chart says less than a sentence


def _window(labels, quarter):
    """The last TREND_QUARTERS of ``labels`` (quarter strings in time order) up to and including ``quarter``."""
    kept = [label for label in labels if quarter_parse(label) <= quarter]
    return kept[-TREND_QUARTERS:]


def _windowed(entries, quarter):
    """(the window's quarter labels, its entries) of ``entries`` ({"quarter": label, …} in time order)."""
    labels = _window([entry["quarter"] for entry in entries], quarter)
    return labels, [entry for entry in entries if entry["quarter"] in labels]


def decimal_sum(values):
    return sum((Decimal(str(v or 0)) for v in values), Decimal(0))


def customers_figure(stats, label):
    """Figure 1: customers per site in the quarter (customer-stats)."""
    codes = [s["concession"] for s in stats["sites"]]
    return Figure(
        "customers",
        f"Figure 1. Customers per site, {label}",
        "Total on record, active in the quarter, connected in the quarter.",
        [
            charts.horizontal_bar_chart(
                codes,
                {
                    "Total": [s["total"] for s in stats["sites"]],
                    "Active in quarter": [s["active"] for s in stats["sites"]],
                    "New": [s["new"] for s in stats["sites"]],
                },
                title="Customers per site",
                unit="customers",
            )
        ],
    )


def growth_figure(growth, quarter):
    """Figure 2: new connections per quarter and to date (customer-growth)."""
    growth_window, growth_rows = _windowed(growth, quarter)
    return Figure(
        "growth",
        "Figure 2. Customer growth",
        "New connections per quarter and customers connected to date.",
        [
            charts.bar_chart(growth_window, [g["new_customers"] for g in growth_rows], title="New connections", unit="customers"),
            charts.line_chart(
                growth_window,
                {"Connected to date": [g["cumulative"] for g in growth_rows]},
                title="Customers connected to date",
                unit="customers",
            ),
        ],
        Table(
            "Customer growth",
            "Growth",
            [("Quarter", "text"), ("New customers", "int"), ("Cumulative", "int")],
            [[g["quarter"], g["new_customers"], g["cumulative"]] for g in growth],
        ),
    )


def by_site_figures(energy, sales, quarter):
    """Figures 3–4: energy sold and sales by site per quarter (consumption-by-site, sales-by-site)."""
    figures = []
    trend_window = _window(list(energy["sites"][0]["quarters"]) if energy["sites"] else [], quarter)
    for key, number, data, total_key, unit, noun in (
        ("energy", 3, energy, "total_kwh", "kWh", "Energy sold"),
        ("sales", 4, sales, "total_lsl", "LSL", "Sales"),
    ):
        kind = "kwh" if unit == "kWh" else "lsl"
        all_quarters = list(data["sites"][0]["quarters"]) if data["sites"] else []
        figures.append(
            Figure(
                key,
                f"Figure {number}. {noun} by site per quarter ({unit})",
                "Payment rows only; a row's site is its account number's suffix.",
                [
                    charts.stacked_bar_chart(
                        trend_window,
                        {s["site"]: [s["quarters"][q] for q in trend_window] for s in data["sites"]},
                        title=f"{noun} by site",
                        unit=unit,
                    )
                ],
                Table(
                    f"{noun} by site per quarter ({unit})",
                    "Energy by site" if key == "energy" else "Sales by site",
                    [("Site", "text"), ("Name", "text")] + [(q, kind) for q in all_quarters] + [("Total", kind)],
                    [[s["site"], s["name"], *[s["quarters"][q] for q in all_quarters], s[total_key]] for s in data["sites"]],
                    ["Total", "", *[decimal_sum(s["quarters"][q] for s in data["sites"]) for q in all_quarters], data[total_key]],
                ),
            )
        )
    return figures


def cumulative_figure(cumulative, quarter):
    """Figures 5–6: running totals of energy sold and sales (cumulative-trends)."""
    cum_window, cum_rows = _windowed(cumulative, quarter)
    return Figure(
        "cumulative",
        "Figures 5–6. Cumulative energy sold and sales",
        "Running totals from the first sale.",
        [
            charts.line_chart(
                cum_window, {"kWh": [t["cumulative_kwh"] for t in cum_rows]}, title="Cumulative kWh sold", unit="kWh"
            ),
            charts.line_chart(cum_window, {"LSL": [t["cumulative_lsl"] for t in cum_rows]}, title="Cumulative sales", unit="LSL"),
        ],
        Table(
            "Energy sold and sales per quarter",
            "Cumulative",
            [("Quarter", "text"), ("kWh", "kwh"), ("LSL", "lsl"), ("Cumulative kWh", "kwh"), ("Cumulative LSL", "lsl")],
            [[t["quarter"], t["kwh"], t["lsl"], t["cumulative_kwh"], t["cumulative_lsl"]] for t in cumulative],
        ),
    )


def average_figure(average, quarter):
    """Figures 7–8: average daily energy and sales per active customer (avg-consumption-trend)."""
    avg_window, avg_rows = _windowed(average, quarter)
    return Figure(
        "average",
        "Figures 7–8. Average daily energy and sales per active customer",
        "Quarter's kWh (LSL) ÷ (active customers × days of the quarter).",
        [
            charts.line_chart(
                avg_window,
                {"kWh/day": [t["avg_daily_kwh_per_customer"] for t in avg_rows]},
                title="kWh per customer per day",
                unit="kWh/day",
            ),
            charts.line_chart(
                avg_window,
                {"LSL/day": [t["avg_daily_lsl_per_customer"] for t in avg_rows]},
                title="LSL per customer per day",
                unit="LSL/day",
            ),
        ],
        Table(
            "Average daily energy and sales per active customer",
            "Average daily",
            [
                ("Quarter", "text"),
                ("Active in quarter", "int"),
                ("kWh", "kwh"),
                ("LSL", "lsl"),
                ("kWh/customer/day", "ratio"),
                ("LSL/customer/day", "ratio"),
            ],
            [
                [
                    t["quarter"],
                    t["customers"],
                    t["total_kwh"],
                    t["total_lsl"],
                    t["avg_daily_kwh_per_customer"],
                    t["avg_daily_lsl_per_customer"],
                ]
                for t in average
            ],
        ),
    )


def types_figure(load, label):
    """Figure 9: energy sold by customer type in the quarter (load-curves-by-type)."""
    types = load["customer_types"]
    return Figure(
        "types",
        f"Figure 9. Energy sold by customer type, {label}",
        "Average kWh per customer per day by type (meter type, else customer type).",
        [
            charts.bar_chart(
                types,
                [c["avg_daily_kwh_per_customer"] for c in load["curves"]],
                title="kWh per customer per day by type",
                unit="kWh/day",
            )
        ],
        Table(
            f"Energy sold by customer type, {label}",
            "By type",
            [
                ("Type", "text"),
                ("Customers", "int"),
                ("kWh", "kwh"),
                ("LSL", "lsl"),
                ("kWh/day", "ratio"),
                ("kWh/customer/day", "ratio"),
            ],
            [
                [
                    c["type"],
                    c["customer_count"],
                    c["total_kwh"],
                    c["total_lsl"],
                    c["avg_daily_kwh"],
                    c["avg_daily_kwh_per_customer"],
                ]
                for c in load["curves"]
            ],
        ),
    )


def profile_figure(profile, site, label):
    """Figure 10: the 24-hour load profile by customer type (daily-load-profiles)."""
    hours = [f"{h:02d}" for h in range(24)]
    site_label = site or "all sites"
    return Figure(
        "profile",
        f"Figure 10. 24-hour load profile by customer type, {site_label}, {label}",
        "Mean power of the 10-minute meter readings per hour of day.",
        [
            charts.line_chart(
                hours,
                {p["type"]: [h["avg_kw"] for h in p["hourly"]] for p in profile["profiles"]},
                title="Mean kW by hour",
                unit="kW",
            )
        ],
        Table(
            f"24-hour load profile, {site_label}, {label} (kW)",
            "Load profile",
            [("Hour", "text")] + [(t, "ratio") for t in profile["customer_types"]],
            [[row["hour"], *[row.get(t, 0) for t in profile["customer_types"]]] for row in profile["chart_data"]],
        ),
        empty=f"No meter readings for {site_label} in {label}: choose another site or quarter.",
    )


def _loss_percent(generated, metered):
    """(generated − metered) ÷ generated in %, 1 place, rounded half-up from the kWh; None without generation."""
    return ratio((generated - metered) * 100, generated, Decimal("0.1")) if generated else None


def generation_figure(generation, label):
    """Figure 11: generation against energy sold and metered, per site (generation-vs-consumption)."""
    gen_sites = {}
    for row in generation["rows"]:
        entry = gen_sites.setdefault(row["site"], [row["site"], row["name"], Decimal(0), Decimal(0), Decimal(0), Decimal(0)])
        for i, key in enumerate(("generated_kwh", "sold_kwh", "metered_kwh", "readings_kwh"), start=2):
            entry[i] += row[key]
    gen_rows = []
    for entry in gen_sites.values():
        generated, metered = entry[2], entry[4]
        gen_rows.append([*entry, _loss_percent(generated, metered)])
    totals = generation["totals"]
    return Figure(
        "generation",
        f"Figure 11. Generation vs consumption, {label}",
        "Loss = (generated − metered) ÷ generated; metered = consumption rows of the ledger. "
        "Generation is imported with manage.py import_generation.",
        [
            charts.horizontal_bar_chart(
                [r[0] for r in gen_rows],
                {
                    "Generated": [r[2] for r in gen_rows],
                    "Sold": [r[3] for r in gen_rows],
                    "Metered": [r[4] for r in gen_rows],
                },
                title="Generation vs consumption",
                unit="kWh",
            )
        ],
        Table(
            f"Generation vs consumption, {label}",
            "Generation",
            [
                ("Site", "text"),
                ("Name", "text"),
                ("Generated kWh", "kwh"),
                ("Sold kWh", "kwh"),
                ("Metered kWh", "kwh"),
                ("Readings kWh", "kwh"),
                ("Loss %", "pct"),
            ],
            gen_rows,
            [
                "Total",
                "",
                totals["generated_kwh"],
                totals["sold_kwh"],
                totals["metered_kwh"],
                totals["readings_kwh"],
                _loss_percent(totals["generated_kwh"], totals["metered_kwh"]),
            ],
        ),
        empty=f"No generation or sales in {label}. Import generation with manage.py import_generation.",
    )


def arpu_figure(arpu, quarter):
    """Figure 12: ARPU per quarter (arpu)."""
    arpu_window, arpu_rows = _windowed(arpu["arpu"], quarter)
    return Figure(
        "arpu",
        "Figure 12. ARPU per quarter",
        "Sales ÷ customers active in the quarter.",
        [charts.line_chart(arpu_window, {"ARPU": [q["arpu"] for q in arpu_rows]}, title="ARPU", unit="LSL")],
        Table(
            "ARPU per quarter",
            "ARPU",
            [("Quarter", "text"), ("Sales (LSL)", "lsl"), ("Active in quarter", "int"), ("ARPU (LSL)", "lsl")],
            [[q["quarter"], q["total_revenue"], q["active_customers"], q["arpu"]] for q in arpu["arpu"]],
        ),
    )
