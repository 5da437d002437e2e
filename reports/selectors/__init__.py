"""Read queries for the O&M report, the dashboard and exports; every aggregate runs in the database. One module per
subject: overview (and the Dashboard), customers, sales, energy; what they share is in common.

Definitions (SPEC §4): sales (LSL) = Σ `transaction amount` of payment rows; energy sold (kWh) = Σ `kwh value`
of payment rows; a customer is active in a quarter when connected on or before its last day and not terminated
before its first day; ARPU = sales ÷ active customers. A ledger row's site is its account number's last 3 letters.
Metered consumption is −Σ `kwh value` of consumption rows (payment false) and, from readings, Σ kW × 10 minutes."""

from reports.selectors.common import shared_reads, site_names
from reports.selectors.customers import om_report_customer_growth, om_report_customer_stats, om_report_site_overview
from reports.selectors.energy import (
    om_report_daily_load_profiles,
    om_report_generation_vs_consumption,
    om_report_load_curves_by_type,
)
from reports.selectors.overview import dashboard_summary, om_report_overview, quarters_with_data
from reports.selectors.sales import (
    om_report_arpu,
    om_report_avg_consumption_trend,
    om_report_consumption_by_site,
    om_report_cumulative_trends,
    om_report_sales_by_site,
)

__all__ = [
    "dashboard_summary",
    "om_report_arpu",
    "om_report_avg_consumption_trend",
    "om_report_consumption_by_site",
    "om_report_cumulative_trends",
    "om_report_customer_growth",
    "om_report_customer_stats",
    "om_report_daily_load_profiles",
    "om_report_generation_vs_consumption",
    "om_report_load_curves_by_type",
    "om_report_overview",
    "om_report_sales_by_site",
    "om_report_site_overview",
    "quarters_with_data",
    "shared_reads",
    "site_names",
]
