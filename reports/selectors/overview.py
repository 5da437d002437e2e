"""The portfolio overview (O&M /overview), the Dashboard's cards and table, and the quarter picker's quarters."""

from decimal import Decimal

from django.db.models import Sum

from billing.rollup import ledger_months
from ccportal.quarters import quarter_current, quarter_of, quarters_between
from customers.models import CustomerTally
from customers.rollup import customers_sum, tally_terminated
from reports.selectors.common import as_kwh, as_lsl, ratio, rounded, site_names
from reports.selectors.customers import customers_per_site


def om_report_overview():
    """Customers on record, active (total − terminated, SPEC §2) and terminated (with a termination date), sites,
    MWh sold and thousand LSL of sales over the whole ledger."""
    counts = CustomerTally.objects.aggregate(total=customers_sum(), terminated=customers_sum(tally_terminated()))
    sites = sorted(
        {
            code.upper()
            for code in CustomerTally.objects.filter(customers__gt=0)
            .exclude(site_code="")
            .order_by()
            .values_list("site_code", flat=True)
            .distinct()
        }
    )
    sales = ledger_months().filter(payment=True).aggregate(kwh=Sum("kwh"), lsl=Sum("lsl"))
    return {
        "total_customers": counts["total"],
        "active_customers": counts["total"] - counts["terminated"],
        "terminated_customers": counts["terminated"],
        "total_sites": len(sites),
        "sites": sites,
        "total_mwh": rounded(as_kwh(sales["kwh"]) / 1000, Decimal("0.001")),
        "total_lsl_thousands": rounded(as_lsl(sales["lsl"]) / 1000, Decimal("0.01")),
    }


def dashboard_summary():
    """Cards and the per-site table of the Dashboard: customers, active, MWh sold, thousand LSL, sites."""
    overview = om_report_overview()
    customers = {r["site"]: r["n"] for r in customers_per_site()}
    sales = {
        r["site_code"]: (as_kwh(r["kwh_sum"]), as_lsl(r["lsl_sum"]))
        for r in ledger_months()
        .filter(payment=True)
        .values("site_code")
        .annotate(kwh_sum=Sum("kwh"), lsl_sum=Sum("lsl"))
        .order_by()
    }
    names = site_names()
    codes = sorted((set(customers) | set(sales)) - {""}) + ([""] if "" in customers else [])
    rows = []
    for code in codes:
        kwh, lsl = sales.get(code, (as_kwh(0), as_lsl(0)))
        mwh = rounded(kwh / 1000, Decimal("0.001"))
        count = customers.get(code, 0)
        rows.append(
            {
                "code": code or "—",
                "name": names.get(code, code or "No site"),
                "customers": count,
                "mwh": mwh,
                "lsl_thousands": rounded(lsl / 1000, Decimal("0.01")),
                "mwh_per_customer": ratio(mwh, count, Decimal("0.001")),
            }
        )
    total_customers = sum(r["customers"] for r in rows)
    total_mwh = sum((r["mwh"] for r in rows), Decimal(0))
    totals = {
        "customers": total_customers,
        "mwh": overview["total_mwh"],
        "lsl_thousands": overview["total_lsl_thousands"],
        "mwh_per_customer": ratio(total_mwh, total_customers, Decimal("0.001")),
    }
    return {"overview": overview, "sites": rows, "totals": totals}


def quarters_with_data():
    """Quarters from the first payment to the current quarter, newest first (for the quarter picker)."""
    first = ledger_months().filter(payment=True).order_by("month").values_list("month", flat=True).first()
    current = quarter_current()
    if first is None:
        return [current]
    return list(reversed(quarters_between(min(quarter_of(first), current), current)))
