"""Customers per site and per quarter of connection (O&M /customer-stats, /customer-growth, /site-overview)."""

from decimal import Decimal

from django.db.models import Q
from django.db.models.functions import Upper

from customers.models import CustomerTally, Site
from customers.rollup import NOT_YET, customers_sum, tally_active_in, tally_new_in, tally_terminated
from reports.rollup import UNKNOWN_TYPE
from reports.selectors.common import as_quarter, quarter_span, ratio


def om_report_customer_stats(quarter=None):
    """Per site code (upper case): customers on record, active, new, activation rate = active ÷ total (%). For a quarter: active in
    it (SPEC §4) and connected in it; without one, all time (SPEC §2): active = not terminated, new = every
    customer with a connection date, and ``"quarter": null``."""
    if quarter is None:
        active, new = customers_sum(~tally_terminated()), customers_sum(~Q(connected_quarter=NOT_YET))
    else:
        active, new = customers_sum(tally_active_in(quarter)), customers_sum(tally_new_in(quarter))
    rows = (
        CustomerTally.objects.filter(customers__gt=0)
        .annotate(site=Upper("site_code"))  # `Concession name` as typed: "mak" is MAK, as in site-overview and arpu
        .values("site")
        .annotate(total=customers_sum(), active=active, new=new)
        .order_by("site")
    )
    sites = [
        {
            "concession": r["site"] or UNKNOWN_TYPE,
            "total": r["total"],
            "active": r["active"],
            "new": r["new"],
            "activation_rate": ratio(r["active"] * 100, r["total"], Decimal("0.1")),
        }
        for r in rows
    ]
    totals = {key: sum(s[key] for s in sites) for key in ("total", "active", "new")}
    return {"sites": sites, "totals": totals, "quarter": quarter.label if quarter else None}


def om_report_customer_growth():
    """New connections per quarter of `DATE SERVICE CONNECTED` (every quarter from the first, gaps as 0) and the
    running total. Customers without a connection date are not counted."""
    rows = (
        CustomerTally.objects.filter(customers__gt=0)
        .exclude(connected_quarter=NOT_YET)
        .values("connected_quarter")
        .annotate(n=customers_sum())
        .order_by("connected_quarter")
    )
    per_quarter = {as_quarter(r["connected_quarter"]): r["n"] for r in rows}
    growth, cumulative = [], 0
    for quarter in quarter_span(per_quarter):
        cumulative += per_quarter.get(quarter, 0)
        growth.append({"quarter": quarter.label, "new_customers": per_quarter.get(quarter, 0), "cumulative": cumulative})
    return {"growth": growth, "total": cumulative}


def customers_per_site():
    """[{site (upper case), n}] of the customer rollup, one row per site code."""
    return (
        CustomerTally.objects.filter(customers__gt=0)
        .annotate(site=Upper("site_code"))
        .values("site")
        .annotate(n=customers_sum())
        .order_by("site")
    )


def om_report_site_overview():
    """Every site (and any site code found on customers but missing from the site list) with its customers."""
    counts = {}
    for r in customers_per_site():
        counts[r["site"]] = counts.get(r["site"], 0) + r["n"]
    sites = [
        {"concession": s.name, "abbreviation": s.code, "district": s.district, "customer_count": counts.pop(s.code, 0)}
        for s in Site.objects.order_by("code")
    ]
    sites += [
        {"concession": code or UNKNOWN_TYPE, "abbreviation": code, "district": "", "customer_count": n}
        for code, n in sorted(counts.items())
    ]
    return {"sites": sites}
