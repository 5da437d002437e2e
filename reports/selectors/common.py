"""What the report selectors share: rounding, quarter spans, sales by site and quarter read once per report."""

import contextvars
from contextlib import contextmanager
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from billing.rollup import sales_by_site_and_quarter
from ccportal.quarters import quarter_of, quarters_between
from ccportal.units import energy, money
from customers.models import Site

SOURCE_TABLE = "tblaccounthistory1"
METER_SOURCE = "tblmeter"
RATIO_PLACES = Decimal("0.0001")


def as_kwh(value):
    return energy(value or 0)


def as_lsl(value):
    return money(value or 0)


def rounded(value, places):
    return Decimal(str(value or 0)).quantize(places, rounding=ROUND_HALF_UP)


def ratio(numerator, denominator, places=Decimal("0.01")):
    """numerator ÷ denominator rounded half-up, or 0 when the denominator is 0."""
    if not denominator:
        return Decimal(0).quantize(places)
    return (Decimal(numerator) / Decimal(denominator)).quantize(places, rounding=ROUND_HALF_UP)


def as_quarter(value):
    return quarter_of(value) if isinstance(value, (date, datetime)) else None


def month_label(value):
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


def once(key, compute):
    memo = _shared.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def site_names():
    """{code: name} for every site (one query)."""
    return once(("site_names",), lambda: dict(Site.objects.values_list("code", "name")))


def sales_by_site_quarter(quarter=None, site=None):
    """[(site, Quarter, kWh, LSL)] of payment rows, grouped in the database, in (site, time) order."""
    return once(("sales", quarter, site), lambda: _read_sales_by_site_quarter(quarter, site))


def _read_sales_by_site_quarter(quarter, site):
    first_day, last_day = (quarter.first_day, quarter.last_day) if quarter else (None, None)
    return [
        (code, as_quarter(first), as_kwh(kwh), as_lsl(lsl))
        for code, first, kwh, lsl in sales_by_site_and_quarter(first_day=first_day, last_day=last_day, site_code=site)
    ]


def sales_by_quarter():
    """{Quarter: (kWh, LSL)} of payment rows, in time order (summed over the per-site rows)."""
    totals = {}
    for _, quarter, kwh, lsl in sorted(sales_by_site_quarter(), key=lambda row: row[1]):
        before = totals.get(quarter, (Decimal(0), Decimal(0)))
        totals[quarter] = (before[0] + kwh, before[1] + lsl)
    return {quarter: (as_kwh(kwh), as_lsl(lsl)) for quarter, (kwh, lsl) in totals.items()}


def quarter_span(quarters):
    quarters = [q for q in quarters if q is not None]
    return quarters_between(min(quarters), max(quarters)) if quarters else []
