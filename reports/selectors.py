"""Read queries for the O&M report, the dashboard and exports; every aggregate runs in the database.

Definitions (SPEC §4): sales (LSL) = Σ `transaction amount` of payment rows; energy sold (kWh) = Σ `kwh value`
of payment rows; a customer is active in a quarter when connected on or before its last day and not terminated
before its first day; ARPU = sales ÷ active customers. A ledger row's site is its account number's last 3 letters.
Metered consumption is −Σ `kwh value` of consumption rows (payment false) and, from readings, Σ kW × 10 minutes."""

import contextvars
from contextlib import contextmanager
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import (
    TruncMonth,
    Upper,
)
from django.utils import timezone

from billing.rollup import ledger_months, sales_by_site_and_quarter
from ccportal.quarters import quarter_current, quarter_of, quarters_between
from ccportal.units import READING_INTERVAL_HOURS, energy, money
from customers.models import AccountNumber, CustomerTally, Site
from customers.rollup import (
    NOT_YET,
    active_customers_per_quarter,
    customers_sum,
    tally_active_in,
    tally_new_in,
    tally_terminated,
)
from reports.models import (
    LedgerTypeCustomer,
    LedgerTypeCustomerQuarter,
    LedgerTypeQuarter,
    ReadingHour,
    ReadingTypeHour,
    ReadingTypeMeter,
    SiteGeneration,
)
from reports.rollup import UNKNOWN_TYPE, customer_type_expression

SOURCE_TABLE = "tblaccounthistory1"
METER_SOURCE = "tblmeter"
KW_PLACES = Decimal("0.001")
RATIO_PLACES = Decimal("0.0001")


# The type of an account in tblaccountnumbers itself (total_typed_customers); the cells of reports.rollup carry theirs.
OWN_ACCOUNT_TYPE = customer_type_expression("meter__customer_type", "customer__customer_type")


def _kwh(value):
    return energy(value or 0)


def _lsl(value):
    return money(value or 0)


def _places(value, places):
    return Decimal(str(value or 0)).quantize(places, rounding=ROUND_HALF_UP)


def _ratio(numerator, denominator, places=Decimal("0.01")):
    """numerator ÷ denominator rounded half-up, or 0 when the denominator is 0."""
    if not denominator:
        return Decimal(0).quantize(places)
    return (Decimal(numerator) / Decimal(denominator)).quantize(places, rounding=ROUND_HALF_UP)


def _as_quarter(value):
    return quarter_of(value) if isinstance(value, (date, datetime)) else None


def _month_label(value):
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value:%Y-%m}"


_shared = contextvars.ContextVar("reports_shared_reads", default=None)


@contextmanager
def shared_reads():
    """Within this block, the same underlying read (sales by site and quarter, site names) runs once and is
    shared by every selector: a report page that shows many figures then reads the ledger once."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def _once(key, compute):
    memo = _shared.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def site_names():
    """{code: name} for every site (one query)."""
    return _once(("site_names",), lambda: dict(Site.objects.values_list("code", "name")))


def _sales_by_site_quarter(quarter=None, site=None):
    """[(site, Quarter, kWh, LSL)] of payment rows, grouped in the database, in (site, time) order."""
    return _once(("sales", quarter, site), lambda: _read_sales_by_site_quarter(quarter, site))


def _read_sales_by_site_quarter(quarter, site):
    first_day, last_day = (quarter.first_day, quarter.last_day) if quarter else (None, None)
    return [
        (code, _as_quarter(first), _kwh(kwh), _lsl(lsl))
        for code, first, kwh, lsl in sales_by_site_and_quarter(first_day=first_day, last_day=last_day, site_code=site)
    ]


def _sales_by_quarter():
    """{Quarter: (kWh, LSL)} of payment rows, in time order (summed over the per-site rows)."""
    totals = {}
    for _, quarter, kwh, lsl in sorted(_sales_by_site_quarter(), key=lambda row: row[1]):
        before = totals.get(quarter, (Decimal(0), Decimal(0)))
        totals[quarter] = (before[0] + kwh, before[1] + lsl)
    return {quarter: (_kwh(kwh), _lsl(lsl)) for quarter, (kwh, lsl) in totals.items()}


def _span(quarters):
    quarters = [q for q in quarters if q is not None]
    return quarters_between(min(quarters), max(quarters)) if quarters else []


# --- the O&M report, one function per /api/om-report/<name> endpoint -------------------------------------------


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
        "total_mwh": _places(_kwh(sales["kwh"]) / 1000, Decimal("0.001")),
        "total_lsl_thousands": _places(_lsl(sales["lsl"]) / 1000, Decimal("0.01")),
    }


def om_report_customer_stats(quarter=None):
    """Per site: customers on record, active, new, activation rate = active ÷ total (%). For a quarter: active in
    it (SPEC §4) and connected in it; without one, all time (SPEC §2): active = not terminated, new = every
    customer with a connection date, and ``"quarter": null``."""
    if quarter is None:
        active, new = customers_sum(~tally_terminated()), customers_sum(~Q(connected_quarter=NOT_YET))
    else:
        active, new = customers_sum(tally_active_in(quarter)), customers_sum(tally_new_in(quarter))
    rows = (
        CustomerTally.objects.filter(customers__gt=0)
        .values("site_code")
        .annotate(total=customers_sum(), active=active, new=new)
        .order_by("site_code")
    )
    sites = [
        {
            "concession": r["site_code"] or UNKNOWN_TYPE,
            "total": r["total"],
            "active": r["active"],
            "new": r["new"],
            "activation_rate": _ratio(r["active"] * 100, r["total"], Decimal("0.1")),
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
    per_quarter = {_as_quarter(r["connected_quarter"]): r["n"] for r in rows}
    growth, cumulative = [], 0
    for quarter in _span(per_quarter):
        cumulative += per_quarter.get(quarter, 0)
        growth.append({"quarter": quarter.label, "new_customers": per_quarter.get(quarter, 0), "cumulative": cumulative})
    return {"growth": growth, "total": cumulative}


def _by_site(quarter, value_index, total_key, site=None):
    rows = _sales_by_site_quarter(quarter, site)
    names = site_names()
    quarters = [quarter] if quarter else _span(q for _, q, _, _ in rows)
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
        entry[total_key] = _places(entry[total_key], places)
    return {
        "sites": list(sites.values()),
        total_key: _places(sum((s[total_key] for s in sites.values()), Decimal(0)), places),
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
    per_quarter = _sales_by_quarter()
    trends, cum_kwh, cum_lsl = [], Decimal(0), Decimal(0)
    for quarter in _span(per_quarter):
        kwh, lsl = per_quarter.get(quarter, (_kwh(0), _lsl(0)))
        cum_kwh += kwh
        cum_lsl += lsl
        trends.append(
            {"quarter": quarter.label, "kwh": kwh, "lsl": lsl, "cumulative_kwh": _kwh(cum_kwh), "cumulative_lsl": _lsl(cum_lsl)}
        )
    return {"trends": trends, "source_table": SOURCE_TABLE}


def om_report_avg_consumption_trend():
    """Per quarter with sales: active customers, energy sold, sales, and the average per active customer per day
    (days = calendar days of the quarter, up to today for the current one)."""
    per_quarter = _sales_by_quarter()
    quarters = _span(per_quarter)
    active = active_customers_per_quarter(quarters)
    today = timezone.localdate()
    trends = []
    for quarter in quarters:
        kwh, lsl = per_quarter.get(quarter, (_kwh(0), _lsl(0)))
        customer_days = active[quarter] * quarter.days_elapsed(today)
        trends.append(
            {
                "quarter": quarter.label,
                "customers": active[quarter],
                "total_kwh": kwh,
                "total_lsl": lsl,
                "avg_daily_kwh_per_customer": _ratio(kwh, customer_days, RATIO_PLACES),
                "avg_daily_lsl_per_customer": _ratio(lsl, customer_days, RATIO_PLACES),
            }
        )
    return {"trends": trends, "source_table": SOURCE_TABLE}


def _customers_per_site():
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
    for r in _customers_per_site():
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


def om_report_load_curves_by_type(quarter=None):
    """Per customer type (meter type, else customer type): energy sold, sales, customers with payments, and the daily
    averages over the calendar days of the period (the quarter, or the first to the last quarter with sales).
    Read from the payments per type and quarter and the customers per type (and quarter) of reports.rollup."""
    sums = LedgerTypeQuarter.objects.filter(payments__gt=0)
    if quarter is None:
        customers = LedgerTypeCustomer.objects.filter(payments__gt=0)
    else:
        sums = sums.filter(quarter=quarter.first_day)
        customers = LedgerTypeCustomerQuarter.objects.filter(payments__gt=0, quarter=quarter.first_day)
    counts = {
        r["customer_type"]: r["n"] for r in customers.values("customer_type").annotate(n=Count("pk")).order_by("customer_type")
    }
    per_type = {t: {} for t in counts}
    for cell in sums:
        per_type[cell.customer_type][_as_quarter(cell.quarter)] = (_kwh(cell.kwh), _lsl(cell.lsl))
    quarters = [quarter] if quarter else _span(q for rows in per_type.values() for q in rows)
    today = timezone.localdate()
    days = sum(q.days_elapsed(today) for q in quarters) if quarters else 0
    curves = []
    for account_type, customers in counts.items():
        kwh = sum((v[0] for v in per_type[account_type].values()), Decimal(0))
        lsl = sum((v[1] for v in per_type[account_type].values()), Decimal(0))
        curves.append(
            {
                "type": account_type,
                "total_kwh": _kwh(kwh),
                "total_lsl": _lsl(lsl),
                "customer_count": customers,
                "avg_daily_kwh": _ratio(kwh, days, RATIO_PLACES),
                "avg_daily_kwh_per_customer": _ratio(kwh, customers * days, RATIO_PLACES),
            }
        )
    quarterly = [{"quarter": q.label, **{t: per_type[t].get(q, (_kwh(0), None))[0] for t in counts}} for q in quarters]
    return {
        "curves": curves,
        "quarterly": quarterly,
        "customer_types": list(counts),
        "total_typed_customers": AccountNumber.objects.annotate(account_type=OWN_ACCOUNT_TYPE)
        .exclude(account_type=UNKNOWN_TYPE)
        .count(),
        "source_table": SOURCE_TABLE,
        "meter_source": METER_SOURCE,
        "quarter_filter": quarter.label if quarter else None,
    }


def _reading_hours(site=None, quarter=None):
    """Readings summed per meter, site, month and hour of day (reports.rollup), optionally for a site and a quarter."""
    return _reading_cells(ReadingHour, site, quarter)


def _reading_cells(model, site=None, quarter=None):
    """Reading rollup cells (reports.rollup) that hold readings, optionally for a site and a quarter."""
    cells = model.objects.filter(readings__gt=0)
    if site:
        cells = cells.filter(community=site.upper())
    if quarter is not None:
        cells = cells.filter(month__gte=quarter.first_day, month__lte=quarter.last_day)
    return cells


def om_report_daily_load_profiles(site=None, quarter=None):
    """Mean power (kW) per hour of day (Africa/Maseru) by meter type, from the 10-minute readings (summed per meter
    type, site, month and hour, and counted per meter, in reports.rollup); readings of meters missing from tblmeter
    are left out."""
    counts = {
        r["customer_type"]: r["n"]
        for r in _reading_cells(ReadingTypeMeter, site, quarter)
        .values("customer_type")
        .annotate(n=Count("meter_id", distinct=True))
        .order_by("customer_type")
    }
    by_type = {t: {} for t in counts}
    for r in (
        _reading_cells(ReadingTypeHour, site, quarter)
        .values("customer_type", "hour")
        .annotate(kw=Sum("kw_sum"), n=Sum("readings"))
        .order_by()
    ):
        by_type[r["customer_type"]][r["hour"]] = (_places(Decimal(r["kw"]) / r["n"], KW_PLACES), r["n"])
    profiles, chart = [], [{"hour": f"{h:02d}:00"} for h in range(24)]
    total_readings = 0
    for meter_type, meter_count in counts.items():
        by_hour = by_type[meter_type]
        hourly = [
            {"hour": h, "avg_kw": by_hour.get(h, (_places(0, KW_PLACES), 0))[0], "readings": by_hour.get(h, (0, 0))[1]}
            for h in range(24)
        ]
        peak = max(hourly, key=lambda x: (x["avg_kw"], -x["hour"]))
        for point in hourly:
            chart[point["hour"]][meter_type] = point["avg_kw"]
        total_readings += sum(p["readings"] for p in hourly)
        profiles.append(
            {
                "type": meter_type,
                "meter_count": meter_count,
                "hourly": hourly,
                "peak_hour": peak["hour"],
                "peak_kw": peak["avg_kw"],
            }
        )
    return {
        "profiles": profiles,
        "chart_data": chart if profiles else [],
        "customer_types": list(counts),
        "total_readings": total_readings,
        "meter_source": METER_SOURCE,
        "site_filter": site.upper() if site else None,
        "quarter_filter": quarter.label if quarter else None,
    }


def om_report_arpu():
    """Per quarter with sales: sales, active customers, ARPU = sales ÷ active, and the same per site."""
    rows = _sales_by_site_quarter()
    quarters = _span(q for _, q, _, _ in rows)
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
            site_revenue = _lsl(revenue.get((code, quarter), 0))
            customers = active.get(code, {}).get(quarter, 0)
            per_site[code] = {
                "name": names.get(code, code),
                "revenue": site_revenue,
                "customers": customers,
                "arpu": _ratio(site_revenue, customers),
            }
        total_revenue = _lsl(sum((revenue.get((c, quarter), Decimal(0)) for c in {c for c, _ in revenue}), Decimal(0)))
        total_active = sum(counts.get(quarter, 0) for counts in active.values())
        result.append(
            {
                "quarter": quarter.label,
                "total_revenue": total_revenue,
                "active_customers": total_active,
                "arpu": _ratio(total_revenue, total_active),
                "per_site": per_site,
            }
        )
    return {
        "arpu": result,
        "site_codes": codes,
        "site_names": {code: names.get(code, code) for code in codes},
        "source_table": SOURCE_TABLE,
    }


def om_report_generation_vs_consumption(site=None, quarter=None):
    """Per site and month: kWh generated (imported), kWh sold (payment rows), metered consumption (consumption rows)
    and from readings, and the loss ratio = (generated − metered) ÷ generated (null without generation)."""
    generation = SiteGeneration.objects.all()
    if site:
        generation = generation.filter(site_id=site.upper())
    if quarter is not None:
        generation = generation.filter(day__gte=quarter.first_day, day__lte=quarter.last_day)
    cells = {}

    def cell(code, month):
        return cells.setdefault(
            (code.upper(), _month_label(month)),
            {"generated": Decimal(0), "sold": Decimal(0), "metered": Decimal(0), "readings": Decimal(0)},
        )

    for r in (
        generation.annotate(month=TruncMonth("day")).values("site_id", "month").annotate(kwh=Sum("kwh_generated")).order_by()
    ):
        cell(r["site_id"], r["month"])["generated"] += _kwh(r["kwh"])
    first_day, last_day = (quarter.first_day, quarter.last_day) if quarter else (None, None)
    ledger = (
        ledger_months(first_day=first_day, last_day=last_day, site_code=site)
        .values("site_code", "month")
        .annotate(sold=Sum("kwh", filter=Q(payment=True)), consumed=Sum("kwh", filter=Q(payment=False)))
        .order_by()
    )
    for r in ledger:
        entry = cell(r["site_code"], r["month"])
        entry["sold"] += _kwh(r["sold"])
        entry["metered"] += -_kwh(r["consumed"])
    readings = _reading_hours(site, quarter).values("community", "month").annotate(kw=Sum("kw_sum")).order_by()
    for r in readings:
        cell(r["community"], r["month"])["readings"] += _kwh(Decimal(str(r["kw"] or 0)) * READING_INTERVAL_HOURS)
    names = site_names()

    def loss(generated, metered):
        return _ratio(generated - metered, generated, RATIO_PLACES) if generated else None

    rows = []
    totals = {"generated": Decimal(0), "sold": Decimal(0), "metered": Decimal(0), "readings": Decimal(0)}
    for (code, month), v in sorted(cells.items()):
        for key in totals:
            totals[key] += v[key]
        rows.append(
            {
                "site": code,
                "name": names.get(code, code),
                "month": month,
                "generated_kwh": _kwh(v["generated"]),
                "sold_kwh": _kwh(v["sold"]),
                "metered_kwh": _kwh(v["metered"]),
                "readings_kwh": _kwh(v["readings"]),
                "loss_ratio": loss(v["generated"], v["metered"]),
            }
        )
    return {
        "rows": rows,
        "totals": {
            "generated_kwh": _kwh(totals["generated"]),
            "sold_kwh": _kwh(totals["sold"]),
            "metered_kwh": _kwh(totals["metered"]),
            "readings_kwh": _kwh(totals["readings"]),
            "loss_ratio": loss(totals["generated"], totals["metered"]),
        },
        "site_filter": site.upper() if site else None,
        "quarter_filter": quarter.label if quarter else None,
    }


# --- the dashboard ---------------------------------------------------------------------------------------------


def dashboard_summary():
    """Cards and the per-site table of the Dashboard: customers, active, MWh sold, thousand LSL, sites."""
    overview = om_report_overview()
    customers = {r["site"]: r["n"] for r in _customers_per_site()}
    sales = {
        r["site_code"]: (_kwh(r["kwh_sum"]), _lsl(r["lsl_sum"]))
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
        kwh, lsl = sales.get(code, (_kwh(0), _lsl(0)))
        mwh = _places(kwh / 1000, Decimal("0.001"))
        count = customers.get(code, 0)
        rows.append(
            {
                "code": code or "—",
                "name": names.get(code, code or "No site"),
                "customers": count,
                "mwh": mwh,
                "lsl_thousands": _places(lsl / 1000, Decimal("0.01")),
                "mwh_per_customer": _ratio(mwh, count, Decimal("0.001")),
            }
        )
    total_customers = sum(r["customers"] for r in rows)
    total_mwh = sum((r["mwh"] for r in rows), Decimal(0))
    totals = {
        "customers": total_customers,
        "mwh": overview["total_mwh"],
        "lsl_thousands": overview["total_lsl_thousands"],
        "mwh_per_customer": _ratio(total_mwh, total_customers, Decimal("0.001")),
    }
    return {"overview": overview, "sites": rows, "totals": totals}


def quarters_with_data():
    """Quarters from the first payment to the current quarter, newest first (for the quarter picker)."""
    first = ledger_months().filter(payment=True).order_by("month").values_list("month", flat=True).first()
    current = quarter_current()
    if first is None:
        return [current]
    return list(reversed(quarters_between(min(quarter_of(first), current), current)))
