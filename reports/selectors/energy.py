"""Energy by customer type, load profiles from the meter readings, and generation against consumption
(O&M /load-curves-by-type, /daily-load-profiles, /generation-vs-consumption)."""

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from billing.rollup import ledger_months
from ccportal.units import READING_INTERVAL_HOURS
from reports.models import (
    AccountTypeCount,
    LedgerTypeCustomer,
    LedgerTypeCustomerQuarter,
    LedgerTypeQuarter,
    ReadingHour,
    ReadingTypeHour,
    ReadingTypeMeter,
    SiteGeneration,
)
from reports.rollup import UNKNOWN_TYPE
from reports.selectors.common import (
    METER_SOURCE,
    RATIO_PLACES,
    SOURCE_TABLE,
    as_kwh,
    as_lsl,
    as_quarter,
    month_label,
    quarter_span,
    ratio,
    rounded,
    site_names,
)

KW_PLACES = Decimal("0.001")


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
        per_type[cell.customer_type][as_quarter(cell.quarter)] = (as_kwh(cell.kwh), as_lsl(cell.lsl))
    quarters = [quarter] if quarter else quarter_span(q for rows in per_type.values() for q in rows)
    today = timezone.localdate()
    days = sum(q.days_elapsed(today) for q in quarters) if quarters else 0
    curves = []
    for account_type, customers in counts.items():
        kwh = sum((v[0] for v in per_type[account_type].values()), Decimal(0))
        lsl = sum((v[1] for v in per_type[account_type].values()), Decimal(0))
        curves.append(
            {
                "type": account_type,
                "total_kwh": as_kwh(kwh),
                "total_lsl": as_lsl(lsl),
                "customer_count": customers,
                "avg_daily_kwh": ratio(kwh, days, RATIO_PLACES),
                "avg_daily_kwh_per_customer": ratio(kwh, customers * days, RATIO_PLACES),
            }
        )
    quarterly = [{"quarter": q.label, **{t: per_type[t].get(q, (as_kwh(0), None))[0] for t in counts}} for q in quarters]
    return {
        "curves": curves,
        "quarterly": quarterly,
        "customer_types": list(counts),
        "total_typed_customers": AccountTypeCount.objects.exclude(customer_type=UNKNOWN_TYPE).aggregate(
            n=Coalesce(Sum("accounts"), 0)
        )["n"],
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
        by_type[r["customer_type"]][r["hour"]] = (rounded(Decimal(r["kw"]) / r["n"], KW_PLACES), r["n"])
    profiles, chart = [], [{"hour": f"{h:02d}:00"} for h in range(24)]
    total_readings = 0
    for meter_type, meter_count in counts.items():
        by_hour = by_type[meter_type]
        hourly = [
            {"hour": h, "avg_kw": by_hour.get(h, (rounded(0, KW_PLACES), 0))[0], "readings": by_hour.get(h, (0, 0))[1]}
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
            (code.upper(), month_label(month)),
            {"generated": Decimal(0), "sold": Decimal(0), "metered": Decimal(0), "readings": Decimal(0)},
        )

    for r in (
        generation.annotate(month=TruncMonth("day")).values("site_id", "month").annotate(kwh=Sum("kwh_generated")).order_by()
    ):
        cell(r["site_id"], r["month"])["generated"] += as_kwh(r["kwh"])
    first_day, last_day = (quarter.first_day, quarter.last_day) if quarter else (None, None)
    ledger = (
        ledger_months(first_day=first_day, last_day=last_day, site_code=site)
        .values("site_code", "month")
        .annotate(sold=Sum("kwh", filter=Q(payment=True)), consumed=Sum("kwh", filter=Q(payment=False)))
        .order_by()
    )
    for r in ledger:
        entry = cell(r["site_code"], r["month"])
        entry["sold"] += as_kwh(r["sold"])
        entry["metered"] += -as_kwh(r["consumed"])
    readings = _reading_hours(site, quarter).values("community", "month").annotate(kw=Sum("kw_sum")).order_by()
    for r in readings:
        cell(r["community"], r["month"])["readings"] += as_kwh(Decimal(str(r["kw"] or 0)) * READING_INTERVAL_HOURS)
    names = site_names()

    def loss(generated, metered):
        return ratio(generated - metered, generated, RATIO_PLACES) if generated else None

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
                "generated_kwh": as_kwh(v["generated"]),
                "sold_kwh": as_kwh(v["sold"]),
                "metered_kwh": as_kwh(v["metered"]),
                "readings_kwh": as_kwh(v["readings"]),
                "loss_ratio": loss(v["generated"], v["metered"]),
            }
        )
    return {
        "rows": rows,
        "totals": {
            "generated_kwh": as_kwh(totals["generated"]),
            "sold_kwh": as_kwh(totals["sold"]),
            "metered_kwh": as_kwh(totals["metered"]),
            "readings_kwh": as_kwh(totals["readings"]),
            "loss_ratio": loss(totals["generated"], totals["metered"]),
        },
        "site_filter": site.upper() if site else None,
        "quarter_filter": quarter.label if quarter else None,
    }
