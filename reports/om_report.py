"""The quarterly O&M report as one structure (cards, tables, SVG figures) shared by the page, the XLSX and the PDF."""

from dataclasses import dataclass, field
from decimal import Decimal

from ccportal import charts
from ccportal.quarters import quarter_parse
from reports import selectors

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


def _sum(values):
    return sum((Decimal(str(v or 0)) for v in values), Decimal(0))


def om_report_build(*, quarter, site=None):
    """Everything the quarterly report shows for ``quarter`` (a Quarter) and the load-profile ``site`` (or all)."""
    with selectors.shared_reads():
        return _build(quarter, site)


def _build(quarter, site):
    label = quarter.label
    overview = selectors.om_report_overview()
    stats = selectors.om_report_customer_stats(quarter)
    site_list = selectors.om_report_site_overview()["sites"]
    growth = selectors.om_report_customer_growth()["growth"]
    energy = selectors.om_report_consumption_by_site()
    sales = selectors.om_report_sales_by_site()
    cumulative = selectors.om_report_cumulative_trends()["trends"]
    average = selectors.om_report_avg_consumption_trend()["trends"]
    load = selectors.om_report_load_curves_by_type(quarter)
    profile = selectors.om_report_daily_load_profiles(site=site, quarter=quarter)
    arpu = selectors.om_report_arpu()
    generation = selectors.om_report_generation_vs_consumption(quarter=quarter)

    # Table 1: one row per site for the quarter.
    stats_by_code = {s["concession"]: s for s in stats["sites"]}
    energy_by_code = {s["site"]: s["quarters"].get(label, 0) for s in energy["sites"]}
    sales_by_code = {s["site"]: s["quarters"].get(label, 0) for s in sales["sites"]}
    arpu_q = next((q for q in arpu["arpu"] if q["quarter"] == label), None)
    site_rows = []
    for s in site_list:
        code = s["abbreviation"]
        st = stats_by_code.get(code, {"total": 0, "active": 0, "new": 0, "activation_rate": Decimal("0.0")})
        site_sales = sales_by_code.get(code, Decimal(0))
        site_rows.append(
            [
                code,
                s["concession"],
                s["district"],
                st["total"],
                st["active"],
                st["new"],
                st["activation_rate"],
                energy_by_code.get(code, Decimal(0)),
                site_sales,
                arpu_q["per_site"][code]["arpu"] if arpu_q and code in arpu_q["per_site"] else Decimal("0.00"),
            ]
        )
    total_active = sum(r[4] for r in site_rows)
    total_sales = _sum(r[8] for r in site_rows)
    site_table = Table(
        f"Table 1. Sites in {label}",
        "Sites",
        [
            ("Code", "text"),
            ("Site", "text"),
            ("District", "text"),
            ("Customers", "int"),
            ("Active in quarter", "int"),
            ("New", "int"),
            ("Active %", "pct"),
            ("kWh sold", "kwh"),
            ("Sales (LSL)", "lsl"),
            ("ARPU (LSL)", "lsl"),
        ],
        site_rows,
        [
            "",
            "Total",
            "",
            sum(r[3] for r in site_rows),
            total_active,
            sum(r[5] for r in site_rows),
            "",
            _sum(r[7] for r in site_rows),
            total_sales,
            (total_sales / total_active).quantize(Decimal("0.01")) if total_active else Decimal("0.00"),
        ],
    )

    figures = []
    codes = [s["concession"] for s in stats["sites"]]
    figures.append(
        Figure(
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
    )
    growth_window = _window([g["quarter"] for g in growth], quarter)
    growth_rows = [g for g in growth if g["quarter"] in growth_window]
    figures.append(
        Figure(
            "growth",
            "Figure 2. Customer growth",
            "New connections per quarter and customers connected to date.",
            [
                charts.bar_chart(
                    growth_window, [g["new_customers"] for g in growth_rows], title="New connections", unit="customers"
                ),
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
    )
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
                    ["Total", "", *[_sum(s["quarters"][q] for s in data["sites"]) for q in all_quarters], data[total_key]],
                ),
            )
        )
    cum_window = _window([t["quarter"] for t in cumulative], quarter)
    cum_rows = [t for t in cumulative if t["quarter"] in cum_window]
    figures.append(
        Figure(
            "cumulative",
            "Figures 5–6. Cumulative energy sold and sales",
            "Running totals from the first sale.",
            [
                charts.line_chart(
                    cum_window, {"kWh": [t["cumulative_kwh"] for t in cum_rows]}, title="Cumulative kWh sold", unit="kWh"
                ),
                charts.line_chart(
                    cum_window, {"LSL": [t["cumulative_lsl"] for t in cum_rows]}, title="Cumulative sales", unit="LSL"
                ),
            ],
            Table(
                "Energy sold and sales per quarter",
                "Cumulative",
                [("Quarter", "text"), ("kWh", "kwh"), ("LSL", "lsl"), ("Cumulative kWh", "kwh"), ("Cumulative LSL", "lsl")],
                [[t["quarter"], t["kwh"], t["lsl"], t["cumulative_kwh"], t["cumulative_lsl"]] for t in cumulative],
            ),
        )
    )
    avg_window = _window([t["quarter"] for t in average], quarter)
    avg_rows = [t for t in average if t["quarter"] in avg_window]
    figures.append(
        Figure(
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
    )
    types = load["customer_types"]
    figures.append(
        Figure(
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
    )
    hours = [f"{h:02d}" for h in range(24)]
    site_label = site or "all sites"
    figures.append(
        Figure(
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
    )
    gen_sites = {}
    for row in generation["rows"]:
        entry = gen_sites.setdefault(row["site"], [row["site"], row["name"], Decimal(0), Decimal(0), Decimal(0), Decimal(0)])
        for i, key in enumerate(("generated_kwh", "sold_kwh", "metered_kwh", "readings_kwh"), start=2):
            entry[i] += row[key]
    gen_rows = []
    for entry in gen_sites.values():
        generated, metered = entry[2], entry[4]
        loss = ((generated - metered) / generated * 100).quantize(Decimal("0.1")) if generated else None
        gen_rows.append([*entry, loss])
    totals = generation["totals"]
    figures.append(
        Figure(
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
                    (totals["loss_ratio"] * 100).quantize(Decimal("0.1")) if totals["loss_ratio"] is not None else None,
                ],
            ),
            empty=f"No generation or sales in {label}. Import generation with manage.py import_generation.",
        )
    )
    arpu_window = _window([q["quarter"] for q in arpu["arpu"]], quarter)
    arpu_rows = [q for q in arpu["arpu"] if q["quarter"] in arpu_window]
    figures.append(
        Figure(
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
    )
    cards = [
        ("Customers", overview["total_customers"], "int"),
        ("Active customers", overview["active_customers"], "int"),
        ("Terminated", overview["terminated_customers"], "int"),
        ("Sites", overview["total_sites"], "int"),
        ("MWh sold", overview["total_mwh"], "mwh"),
        ("'000 LSL sales", overview["total_lsl_thousands"], "lsl"),
    ]
    overview_table = Table(
        "Overview (whole history)", "Overview", [("Figure", "text"), ("Value", "text")], [[c[0], c[1]] for c in cards]
    )
    return {
        "quarter": quarter,
        "site": site,
        "overview": overview,
        "cards": cards,
        "site_table": site_table,
        "figures": figures,
        "tables": [overview_table, site_table, *[f.table for f in figures if f.table]],
    }
