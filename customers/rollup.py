"""The rollup of `tblcustomer` (`cc_customer_tally`: customers per site, quarter of connection and day of
termination), kept equal to its table by ccportal.rollup (signals connected in `customers.apps`; rebuilt by
seed_demo, the ACDB import and restore). The customer list, the Financial page and the reports count
customers here."""

from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncQuarter, Upper

from ccportal.rollup import Rollup, count_one, quarter_start
from customers.models import CustomerTally

NOT_YET = CustomerTally.NOT_YET


def _connected_quarter(day):
    return NOT_YET if day is None else quarter_start(day)


CUSTOMER_ROLLUP = Rollup(
    name="customer_tally",
    source="customers.Customer",
    target="customers.CustomerTally",
    watched=("site_code", "date_service_connected", "date_service_terminated"),
    key=lambda row: (row.site_code or "", _connected_quarter(row.date_service_connected), row.date_service_terminated or NOT_YET),
    values={"customers": count_one},
    db_group={
        "site_code": Coalesce("site_code", Value("")),
        "connected_quarter": TruncQuarter("date_service_connected"),
        "terminated_on": F("date_service_terminated"),
    },
    db_values={"customers": Count("pk")},
    db_key=lambda values: (values[0] or "", values[1] or NOT_YET, values[2] or NOT_YET),
)


def tally_active_in(quarter):
    """Q() for tally cells of customers active in ``quarter`` (SPEC §4): connected on or before its last day
    (the connection quarter is this one or earlier) and not terminated before its first day."""
    return Q(connected_quarter__lte=quarter.first_day, terminated_on__gte=quarter.first_day)


def tally_new_in(quarter):
    return Q(connected_quarter=quarter.first_day)


def tally_terminated():
    """Q() for tally cells of customers with a termination date (the old system's "terminated", SPEC §2)."""
    return ~Q(terminated_on=NOT_YET)


def customers_sum(condition=None):
    """Σ customers of the tally, all of them or the cells matching ``condition`` (0, not NULL, when none)."""
    return Coalesce(Sum("customers", filter=condition), 0)


def active_customers_per_quarter(quarters, *, by_site=False, site_code=None):
    """Active customers per quarter (SPEC §4) in one query: {quarter: n}, or {site (upper case): {quarter: n}}
    with ``by_site``. ``quarters``: objects with ``first_day`` (ccportal.quarters.Quarter)."""
    if not quarters:
        return {}
    cells = CustomerTally.objects.all()
    if site_code:
        cells = cells.filter(site_code__iexact=site_code)
    counts = {f"q{i}": customers_sum(tally_active_in(q)) for i, q in enumerate(quarters)}
    if not by_site:
        row = cells.aggregate(**counts)
        return {q: row[f"q{i}"] for i, q in enumerate(quarters)}
    rows = cells.annotate(site=Upper("site_code")).values("site").annotate(**counts).order_by("site")
    return {row["site"]: {q: row[f"q{i}"] for i, q in enumerate(quarters)} for row in rows}
