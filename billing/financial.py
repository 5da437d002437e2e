"""The Financial page's figures (SPEC §4; shared with the O&M report): quarter labels, sales and energy sold per
site and quarter, active customers, ARPU and the page's summary."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from billing.rollup import sales_by_site_and_quarter
from ccportal.quarters import quarter_parse
from ccportal.spreadsheet import quote, xlsx_row
from ccportal.units import energy, money

_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)


def quarter_label(moment):
    """ "2025 Q4" for a date or datetime (datetimes are read in local time)."""
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return f"{moment.year} Q{(moment.month - 1) // 3 + 1}"


def quarter_bounds(label):
    """("2025 Q4") -> (date(2025, 10, 1), date(2025, 12, 31)). ValueError names the expected form."""
    match = _QUARTER.match(str(label or ""))
    if not match:
        raise ValueError(f"{quote(label)} is not a quarter: write it as '2025 Q4'.")
    year, q = int(match[1]), int(match[2])
    first = date(year, 3 * q - 2, 1)
    last = (date(year + (q == 4), (3 * q) % 12 + 1, 1)) - timedelta(days=1)
    return first, last


def quarters_between(first_label, last_label):
    """Every quarter label from first to last inclusive, in time order."""
    start, _ = quarter_bounds(first_label)
    end, _ = quarter_bounds(last_label)
    labels, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        labels.append(f"{year} Q{(month - 1) // 3 + 1}")
        month += 3
        if month > 12:
            year, month = year + 1, month - 12
    return labels


def sales_by_site_quarter(*, site_code=None):
    """{(site code, quarter label): {"sales": LSL, "energy": kWh}} over payment rows; sales = Σ `transaction
    amount`, energy sold = Σ `kwh value` (SPEC §4). Read from the ledger rollup (billing.rollup)."""
    return {
        (site, quarter_label(quarter)): {"sales": money(lsl), "energy": energy(kwh)}
        for site, quarter, kwh, lsl in sales_by_site_and_quarter(site_code=site_code)
    }


def active_customers_by_site_quarter(quarters, *, site_code=None):
    """{(site code, quarter label): count}: customers connected on or before the quarter's last day and not
    terminated before its first day (SPEC §4), counted on the customer rollup in one query."""
    from customers.rollup import active_customers_per_quarter

    per_site = active_customers_per_quarter([quarter_parse(label) for label in quarters], by_site=True, site_code=site_code)
    return {(site, quarter.label): n for site, counts in per_site.items() for quarter, n in counts.items()}


def arpu(sales, active):
    """ARPU = sales ÷ active customers (LSL, 2 places); None with no active customers."""
    return money(Decimal(sales) / active) if active else None


def arpu_by_quarter(*, site_code=None):
    """[{quarter, sales, energy, active_customers, arpu}] for every quarter from the first payment to the last,
    in time order (quarters without payments are listed with 0)."""
    return financial_summary(site_code=site_code)["quarters"]


def financial_summary(*, site_code=None):
    """Everything the Financial page shows: per quarter totals and ARPU, per site × quarter sales, the latest
    quarter's figures with quarter-on-quarter growth, and ARPU by site in the latest quarter."""
    sales = sales_by_site_quarter(site_code=site_code)
    labels = sorted({q for _, q in sales}, key=quarter_bounds)
    quarters = quarters_between(labels[0], labels[-1]) if labels else []
    active = active_customers_by_site_quarter(quarters, site_code=site_code)
    sites = sorted({s for s, _ in sales} | {s for (s, q), n in active.items() if n})
    per_quarter = []
    for label in quarters:
        total = money(sum((sales.get((s, label), {}).get("sales", 0) for s in sites), Decimal("0")))
        kwh = energy(sum((sales.get((s, label), {}).get("energy", 0) for s in sites), Decimal("0")))
        customers = sum(active.get((s, label), 0) for s in sites)
        per_quarter.append(
            {"quarter": label, "sales": total, "energy": kwh, "active_customers": customers, "arpu": arpu(total, customers)}
        )
    table = [
        {
            "site": site,
            "sales": [sales.get((site, q), {}).get("sales", Decimal("0.00")) for q in quarters],
            "total": money(sum((sales.get((site, q), {}).get("sales", 0) for q in quarters), Decimal("0"))),
        }
        for site in sites
    ]
    latest = per_quarter[-1] if per_quarter else None
    previous = per_quarter[-2] if len(per_quarter) > 1 else None
    growth = None
    if latest and previous and previous["sales"]:
        growth = ((latest["sales"] - previous["sales"]) / previous["sales"] * 100).quantize(Decimal("0.1"))
    latest_by_site = []
    if latest:
        for site in sites:
            site_sales = sales.get((site, latest["quarter"]), {}).get("sales", Decimal("0.00"))
            site_active = active.get((site, latest["quarter"]), 0)
            latest_by_site.append(
                {"site": site, "sales": site_sales, "active_customers": site_active, "arpu": arpu(site_sales, site_active)}
            )
    return {
        "quarters": per_quarter,
        "labels": quarters,
        "sites": sites,
        "table": table,
        "totals": [q["sales"] for q in per_quarter],
        "grand_total": money(sum((q["sales"] for q in per_quarter), Decimal("0"))),
        "latest": latest,
        "growth_pct": growth,
        "latest_by_site": latest_by_site,
    }


def financial_xlsx(*, site_code=None):
    """The Financial page's figures as XLSX bytes: revenue by site × quarter, and ARPU by quarter."""
    import io

    from openpyxl import Workbook

    summary = financial_summary(site_code=site_code)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Revenue by site"
    sheet.append(["Site", *summary["labels"], "Total"])
    for row in summary["table"]:
        sheet.append(xlsx_row([row["site"], *row["sales"], row["total"]]))
    sheet.append(["Total", *summary["totals"], summary["grand_total"]])
    quarters = workbook.create_sheet("ARPU by quarter")
    quarters.append(["Quarter", "Revenue (LSL)", "Energy sold (kWh)", "Active in the quarter", "ARPU (LSL)"])
    for q in summary["quarters"]:
        quarters.append(xlsx_row([q["quarter"], q["sales"], q["energy"], q["active_customers"], q["arpu"]]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
