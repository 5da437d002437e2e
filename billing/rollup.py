"""The ledger rollups (`cc_ledger_month`: the ledger per site, month and kind; `cc_ledger_account_quarter`:
payment rows per account and quarter), kept equal to `tblaccounthistory1`.

Every ledger write changes both ledger rollups in the same transaction (ccportal.rollup): single rows through
the signals connected in `billing.apps`; the payment import calls `ledger_rollup_add`; seed_demo, the ACDB import
and restore call `ccportal.rollup.rollups_rebuild`. `manage.py ledger_rollup --check` compares them with the
ledger."""

from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Right, TruncMonth, TruncQuarter, Upper

from ccportal.normalize import site_code_from_account
from ccportal.rollup import Rollup, count_one, month_start, quarter_start, sum_of

LEDGER_SITE = Upper(Right("accountnumber", 3))


LEDGER_ROLLUP = Rollup(
    name="ledger_month",
    source="billing.AccountHistory",
    target="billing.LedgerMonth",
    watched=("accountnumber", "transaction_date", "payment", "kwh_value", "transaction_amount"),
    key=lambda row: (site_code_from_account(row.accountnumber), month_start(row.transaction_date), bool(row.payment)),
    values={"row_count": count_one, "kwh": sum_of("kwh_value"), "lsl": sum_of("transaction_amount")},
    db_group={"site_code": LEDGER_SITE, "month": TruncMonth("transaction_date"), "payment": F("payment")},
    db_values={"row_count": Count("pk"), "kwh": Sum("kwh_value"), "lsl": Sum("transaction_amount")},
    db_key=lambda values: (values[0] or "", month_start(values[1]), bool(values[2])),
)


LEDGER_ACCOUNT_ROLLUP = Rollup(
    name="ledger_account_quarter",
    source="billing.AccountHistory",
    target="billing.LedgerAccountQuarter",
    watched=LEDGER_ROLLUP.watched,
    where=(Q(payment=True), lambda row: bool(row.payment)),
    key=lambda row: (row.accountnumber, quarter_start(row.transaction_date)),
    values={"payments": count_one, "kwh": sum_of("kwh_value"), "lsl": sum_of("transaction_amount")},
    db_group={"account_id": F("accountnumber"), "quarter": TruncQuarter("transaction_date")},
    db_values={"payments": Count("pk"), "kwh": Sum("kwh_value"), "lsl": Sum("transaction_amount")},
    db_key=lambda values: (values[0], quarter_start(values[1])),
)


def ledger_rollup_add(rows, *, sign=1):
    """Add (``sign`` 1) or take away (-1) ledger ``rows`` in both ledger rollups; for bulk writers, inside their
    transaction."""
    LEDGER_ROLLUP.add(rows, sign=sign)
    LEDGER_ACCOUNT_ROLLUP.add(rows, sign=sign)


# --- reads -----------------------------------------------------------------------------------------------------


def ledger_months(*, first_day=None, last_day=None, site_code=None):
    """Rollup cells that hold ledger rows, optionally for months from ``first_day`` to ``last_day`` (dates) and one
    site. Reports read these instead of the ledger: same sums, ~15 sites x a few hundred months."""
    from billing.models import LedgerMonth

    cells = LedgerMonth.objects.filter(row_count__gt=0)
    if first_day is not None:
        cells = cells.filter(month__gte=first_day.replace(day=1))
    if last_day is not None:
        cells = cells.filter(month__lte=last_day)
    if site_code:
        cells = cells.filter(site_code=site_code.upper())
    return cells


def sales_by_site_and_quarter(*, first_day=None, last_day=None, site_code=None):
    """[(site code, first day of the quarter, kWh, LSL)] of payment rows (SPEC §4: energy sold = Σ `kwh value`,
    sales = Σ `transaction amount`), grouped in the database, in (site, time) order."""
    rows = (
        ledger_months(first_day=first_day, last_day=last_day, site_code=site_code)
        .filter(payment=True)
        .annotate(quarter=TruncQuarter("month"))
        .values("site_code", "quarter")
        .annotate(kwh_sum=Sum("kwh"), lsl_sum=Sum("lsl"))
        .order_by("site_code", "quarter")
    )
    return [(r["site_code"], r["quarter"], r["kwh_sum"] or Decimal(0), r["lsl_sum"] or Decimal(0)) for r in rows]
