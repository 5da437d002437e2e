"""Energy sold and sales per site and quarter, their running totals, averages per active customer and ARPU
(O&M /consumption-by-site, /sales-by-site, /cumulative-trends, /avg-consumption-trend, /arpu)."""

from decimal import Decimal

from django.utils import timezone

from customers.rollup import active_customers_per_quarter
from reports.selectors.common import (
    RATIO_PLACES,
    SOURCE_TABLE,
    as_kwh,
    as_lsl,
    quarter_span,
    ratio,
    rounded,
    sales_by_quarter,
    sales_by_site_quarter,
    site_names,
)


def _by_site(quarter, value_index, total_key, site=None):
    rows = sales_by_site_quarter(quarter, site)
    names = site_names()
    quarters = [quarter] if quarter else quarter_span(q for _, q, _, _ in rows)
    sites = {}
    for code, q, kwh, lsl in rows:
        entry = sites.setdefault(
            code,
            {
                "site": code,
                "name": names.get(code, code),
                total_key: Decimal(0),
                "quarters": {x.label: Decimal(0) for x in quarters},
            },
        )
        value = (kwh, lsl)[value_index]
        entry["quarters"][q.label] += value
        entry[total_key] += value
    places = (Decimal("0.001"), Decimal("0.01"))[value_index]
    for entry in sites.values():
        entry[total_key] = rounded(entry[total_key], places)
    return {
        "sites": list(sites.values()),
        total_key: rounded(sum((s[total_key] for s in sites.values()), Decimal(0)), places),
        "source_table": SOURCE_TABLE,
        "quarter_filter": quarter.label if quarter else None,
    }


def om_report_consumption_by_site(quarter=None, site=None):
    """Energy sold (Σ `kwh value` of payment rows) per site and quarter."""
    return _by_site(quarter, 0, "total_kwh", site)


def om_report_sales_by_site(quarter=None, site=None):
    """Sales (Σ `transaction amount` of payment rows, LSL) per site and quarter."""
    return _by_site(quarter, 1, "total_lsl", site)


def om_report_cumulative_trends():
    """Energy sold and sales per quarter (every quarter from the first, gaps as 0) with running totals."""
    per_quarter = sales_by_quarter()
    trends, cum_kwh, cum_lsl = [], Decimal(0), Decimal(0)
    for quarter in quarter_span(per_quarter):
        kwh, lsl = per_quarter.get(quarter, (as_kwh(0), as_lsl(0)))
        cum_kwh += kwh
        cum_lsl += lsl
        trends.append(
            {
                "quarter": quarter.label,
                "kwh": kwh,
                "lsl": lsl,
                "cumulative_kwh": as_kwh(cum_kwh),
                "cumulative_lsl": as_lsl(cum_lsl),
            }
        )
    return {"trends": trends, "source_table": SOURCE_TABLE}


def om_report_avg_consumption_trend():
    """Per quarter with sales: active customers, energy sold, sales, and the average per active customer per day
    (days = calendar days of the quarter, up to today for the current one)."""
    per_quarter = sales_by_quarter()
    quarters = quarter_span(per_quarter)
    active = active_customers_per_quarter(quarters)
    today = timezone.localdate()
    trends = []
    for quarter in quarters:
        kwh, lsl = per_quarter.get(quarter, (as_kwh(0), as_lsl(0)))
        customer_days = active[quarter] * quarter.days_elapsed(today)
        trends.append(
            {
                "quarter": quarter.label,
                "customers": active[quarter],
                "total_kwh": kwh,
                "total_lsl": lsl,
                "avg_daily_kwh_per_customer": ratio(kwh, customer_days, RATIO_PLACES),
                "avg_daily_lsl_per_customer": ratio(lsl, customer_days, RATIO_PLACES),
            }
        )
    return {"trends": trends, "source_table": SOURCE_TABLE}


def om_report_arpu():
    """Per quarter with sales: sales, active customers, ARPU = sales ÷ active, and the same per site."""
    rows = sales_by_site_quarter()
    quarters = quarter_span(q for _, q, _, _ in rows)
    active = active_customers_per_quarter(quarters, by_site=True)
    names = site_names()
    revenue = {}
    for code, quarter, _, lsl in rows:
        revenue[(code, quarter)] = revenue.get((code, quarter), Decimal(0)) + lsl
    codes = sorted({code for code, _ in revenue} | {code for code in active if code})
    result = []
    for quarter in quarters:
        per_site = {}
        for code in codes:
            site_revenue = as_lsl(revenue.get((code, quarter), 0))
            customers = active.get(code, {}).get(quarter, 0)
            per_site[code] = {
                "name": names.get(code, code),
                "revenue": site_revenue,
                "customers": customers,
                "arpu": ratio(site_revenue, customers),
            }
        total_revenue = as_lsl(sum((revenue.get((c, quarter), Decimal(0)) for c in {c for c, _ in revenue}), Decimal(0)))
        total_active = sum(counts.get(quarter, 0) for counts in active.values())
        result.append(
            {
                "quarter": quarter.label,
                "total_revenue": total_revenue,
                "active_customers": total_active,
                "arpu": ratio(total_revenue, total_active),
                "per_site": per_site,
            }
        )
    return {
        "arpu": result,
        "site_codes": codes,
        "site_names": {code: names.get(code, code) for code in codes},
        "source_table": SOURCE_TABLE,
    }
