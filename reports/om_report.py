"""The quarterly O&M report as one structure (cards, tables, SVG figures) shared by the page, the XLSX and the PDF;
the figures are made in reports.om_figures."""

import math
import time
from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from reports import selectors
from reports.om_figures import (
    Table,
    arpu_figure,
    average_figure,
    by_site_figures,
    cumulative_figure,
    customers_figure,
    decimal_sum,
    generation_figure,
    growth_figure,
    profile_figure,
    types_figure,
)
from reports.selectors.common import ratio


def om_report_build(*, quarter, site=None):
    """Everything the quarterly report shows for ``quarter`` (a Quarter) and the load-profile ``site`` (or all)."""
    with selectors.shared_reads():
        return _build(quarter, site)


def om_report_recent(*, quarter, site=None):
    """om_report_build's report as of the start of the current CC_OM_REPORT_CACHE_SECONDS window (its ``as_of``), for
    the page: a quarter's figures a minute old tell the O&M team the same, and the page costs one cache read instead
    of a dozen aggregates. Each process keeps its own copy (the default cache is per process); the windows are the
    same clock's for every process, so all of them say the same "as of" and an unchanged page keeps its ETag (a
    browser that has it gets 304, whichever worker answers)."""
    seconds = settings.CC_OM_REPORT_CACHE_SECONDS
    if seconds <= 0:
        return {**om_report_build(quarter=quarter, site=site), "as_of": None}
    now = time.time()
    window = int(now // seconds)
    key = f"cc:om-report:{window}:{quarter.first_day.isoformat()}:{site or ''}"  # site: a code checked against the sites
    report = cache.get(key)
    if report is None:
        as_of = datetime.fromtimestamp(window * seconds, tz=UTC)  # gathered after this: the page says so
        report = {**om_report_build(quarter=quarter, site=site), "as_of": as_of}
        cache.set(key, report, max(1, math.ceil((window + 1) * seconds - now)))  # kept to the window's end
    return report


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
    site_table = _site_table(label, site_list, stats, energy, sales, arpu)
    figures = [
        customers_figure(stats, label),
        growth_figure(growth, quarter),
        *by_site_figures(energy, sales, quarter),
        cumulative_figure(cumulative, quarter),
        average_figure(average, quarter),
        types_figure(load, label),
        profile_figure(profile, site, label),
        generation_figure(generation, label),
        arpu_figure(arpu, quarter),
    ]
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
        "built_at": timezone.now(),
        "quarter": quarter,
        "site": site,
        "overview": overview,
        "cards": cards,
        "site_table": site_table,
        "figures": figures,
        "tables": [overview_table, site_table, *[f.table for f in figures if f.table]],
    }


def _site_table(label, site_list, stats, energy, sales, arpu):
    """Table 1: one row per site of the site list for the quarter ``label``, and their total."""
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
    total_sales = decimal_sum(r[8] for r in site_rows)
    return Table(
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
            decimal_sum(r[7] for r in site_rows),
            total_sales,
            ratio(total_sales, total_active),
        ],
    )
