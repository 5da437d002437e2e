"""Hand-written SQL for the figures of each /api/om-report/* endpoint (SPEC §4 definitions), run through
connection.cursor(). Only the date truncation comes from Django's backend operations (the one thing SQL
spells differently on each database); the rest is plain SQL. Each anchor returns its rows so the work is
done in full: it is what the endpoint could cost if it did nothing but ask the database."""

from datetime import datetime

from django.conf import settings
from django.db import connection

LEDGER = '"tblaccounthistory1"'
CUSTOMERS = '"tblcustomer"'
METERS = '"tblmeter"'
READINGS = '"tblmeterdata1"'
SITES = '"cc_site"'


def _q(name):
    return connection.ops.quote_name(name)


def _site(column):
    """Last three characters of ``column`` (the site of an account number)."""
    if connection.vendor == "sqlite":
        return f"SUBSTR({column}, -3)"
    return f"RIGHT({column}, 3)"


def _quarter_of_datetime(column):
    sql, params = connection.ops.datetime_trunc_sql("quarter", column, (), settings.TIME_ZONE)
    return sql, list(params)


def _quarter_of_date(column):
    sql, params = connection.ops.date_trunc_sql("quarter", column, ())
    return sql, list(params)


def _hour_of_datetime(column):
    sql, params = connection.ops.datetime_extract_sql("hour", column, (), settings.TIME_ZONE)
    return sql, list(params)


def _fetch(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def _payment_filter(bounds):
    """WHERE clause for payment rows, optionally within [start, end)."""
    where, params = f"{_q('payment')} = %s", [True]
    if bounds:
        where += f" AND {_q('transaction date')} >= %s AND {_q('transaction date')} < %s"
        params += list(bounds)
    return where, params


def sales_by_site_quarter(column, bounds=None):
    """Σ ``column`` of payment rows by site (account suffix) and quarter."""
    quarter, qparams = _quarter_of_datetime(_q("transaction date"))
    where, params = _payment_filter(bounds)
    site = _site(_q("accountnumber"))
    return _fetch(
        f"SELECT {site}, {quarter}, SUM({_q(column)}) FROM {LEDGER} WHERE {where} GROUP BY {site}, {quarter}",
        qparams + params + qparams,
    )


def sales_by_quarter():
    quarter, qparams = _quarter_of_datetime(_q("transaction date"))
    where, params = _payment_filter(None)
    return _fetch(
        f"SELECT {quarter}, SUM({_q('kwh value')}), SUM({_q('transaction amount')}) FROM {LEDGER} "
        f"WHERE {where} GROUP BY {quarter}",
        qparams + params + qparams,
    )


def connections_by_quarter(column="DATE SERVICE CONNECTED", by_site=False):
    quarter, qparams = _quarter_of_date(_q(column))
    site = f"{_q('Concession name')}, " if by_site else ""
    return _fetch(
        f"SELECT {site}{quarter}, COUNT(*) FROM {CUSTOMERS} WHERE {_q(column)} IS NOT NULL GROUP BY {site}{quarter}",
        qparams + qparams,
    )


def overview(bounds=None):
    customers = _fetch(
        f"SELECT COUNT(*), SUM(CASE WHEN {_q('DATE SERVICE TERMINATED')} IS NOT NULL THEN 1 ELSE 0 END), "
        f"COUNT(DISTINCT {_q('Concession name')}) FROM {CUSTOMERS}"
    )
    where, params = _payment_filter(None)
    sales = _fetch(f"SELECT SUM({_q('kwh value')}), SUM({_q('transaction amount')}) FROM {LEDGER} WHERE {where}", params)
    return customers + sales


def customer_stats(bounds=None):
    connected, terminated = _q("DATE SERVICE CONNECTED"), _q("DATE SERVICE TERMINATED")
    if bounds:
        start, end = (b.date() for b in bounds)
        active = f"CASE WHEN {connected} < %s AND ({terminated} IS NULL OR {terminated} >= %s) THEN 1 ELSE 0 END"
        new = f"CASE WHEN {connected} >= %s AND {connected} < %s THEN 1 ELSE 0 END"
        params = [end, start, start, end]
    else:
        active, new, params = f"CASE WHEN {terminated} IS NULL THEN 1 ELSE 0 END", "0", []
    site = _q("Concession name")
    return _fetch(f"SELECT {site}, COUNT(*), SUM({active}), SUM({new}) FROM {CUSTOMERS} GROUP BY {site}", params)


def customer_growth(bounds=None):
    return connections_by_quarter()


def consumption_by_site(bounds=None):
    return sales_by_site_quarter("kwh value", bounds)


def sales_by_site(bounds=None):
    return sales_by_site_quarter("transaction amount", bounds)


def cumulative_trends(bounds=None):
    return sales_by_quarter()


def avg_consumption_trend(bounds=None):
    return sales_by_quarter() + connections_by_quarter() + connections_by_quarter("DATE SERVICE TERMINATED")


def site_overview(bounds=None):
    return _fetch(
        f"SELECT s.{_q('code')}, s.{_q('name')}, s.{_q('district')}, COUNT(c.{_q('CUSTOMER ID')}) FROM {SITES} s "
        f"LEFT JOIN {CUSTOMERS} c ON c.{_q('Concession name')} = s.{_q('code')} "
        f"GROUP BY s.{_q('code')}, s.{_q('name')}, s.{_q('district')}"
    )


def load_curves_by_type(bounds=None):
    quarter, qparams = _quarter_of_datetime(f"h.{_q('transaction date')}")
    where, params = _payment_filter(bounds)
    where = where.replace(_q("payment"), f"h.{_q('payment')}").replace(_q("transaction date"), f"h.{_q('transaction date')}")
    join = f"{LEDGER} h JOIN {METERS} m ON m.{_q('accountnumber')} = h.{_q('accountnumber')}"
    ctype = f"m.{_q('customer type')}"
    totals = _fetch(
        f"SELECT {ctype}, SUM(h.{_q('kwh value')}), SUM(h.{_q('transaction amount')}), "
        f"COUNT(DISTINCT h.{_q('accountnumber')}) FROM {join} WHERE {where} GROUP BY {ctype}",
        params,
    )
    quarterly = _fetch(
        f"SELECT {ctype}, {quarter}, SUM(h.{_q('kwh value')}) FROM {join} WHERE {where} GROUP BY {ctype}, {quarter}",
        qparams + params + qparams,
    )
    return totals + quarterly


def daily_load_profiles(bounds=None):
    hour, hparams = _hour_of_datetime(f"r.{_q('whdatetime')}")
    ctype = f"m.{_q('customer type')}"
    return _fetch(
        f"SELECT {ctype}, {hour}, AVG(r.{_q('powerkW')}), COUNT(*), COUNT(DISTINCT r.{_q('meterid')}) "
        f"FROM {READINGS} r JOIN {METERS} m ON m.{_q('meterid')} = r.{_q('meterid')} GROUP BY {ctype}, {hour}",
        hparams + hparams,
    )


def arpu(bounds=None):
    return (
        sales_by_site_quarter("transaction amount")
        + connections_by_quarter(by_site=True)
        + connections_by_quarter("DATE SERVICE TERMINATED", by_site=True)
    )


def generation_vs_consumption(bounds=None):
    """kWh sold per site and month (payment rows) and kWh metered (consumption rows); the generation readings
    table belongs to the reports app and is small (one row per site and month), so it is left out."""
    month, mparams = connection.ops.datetime_trunc_sql("month", _q("transaction date"), (), settings.TIME_ZONE)
    site = _site(_q("accountnumber"))
    return _fetch(
        f"SELECT {site}, {month}, {_q('payment')}, SUM({_q('kwh value')}) FROM {LEDGER} "
        f"GROUP BY {site}, {month}, {_q('payment')}",
        list(mparams) + list(mparams),
    )


OM_REPORT = {
    "overview": (overview, False),
    "customer-stats": (customer_stats, True),
    "customer-growth": (customer_growth, False),
    "consumption-by-site": (consumption_by_site, True),
    "sales-by-site": (sales_by_site, True),
    "cumulative-trends": (cumulative_trends, False),
    "avg-consumption-trend": (avg_consumption_trend, False),
    "site-overview": (site_overview, False),
    "load-curves-by-type": (load_curves_by_type, True),
    "daily-load-profiles": (daily_load_profiles, False),
    "arpu": (arpu, False),
    "generation-vs-consumption": (generation_vs_consumption, False),
}
"""endpoint -> (anchor function, whether the endpoint takes ?quarter=)."""


def quarter_bounds(year, number, tz):
    """[start, end) of a quarter as aware datetimes."""
    start = datetime(year, 3 * number - 2, 1, tzinfo=tz)
    end = datetime(year + (number == 4), 1 if number == 4 else 3 * number + 1, 1, tzinfo=tz)
    return start, end
