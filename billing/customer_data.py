"""Customer Data's reads: one account's banner figures, consumption series and ledger rows (/accounts/<n>/)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Subquery, Sum
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from billing.models import AccountHistory
from billing.selectors import tariff_rate_for
from ccportal.normalize import site_code_from_account
from ccportal.units import energy, money
from customers.models import AccountNumber, Customer, Meter, Site
from customers.selectors import sort_keys


@dataclass
class AccountData:
    accountnumber: str
    account: AccountNumber | None
    customer: Customer | None
    meter: Meter | None
    site: Site | None
    tariff: object
    balance_kwh: Decimal
    average_kwh_per_day: Decimal
    days_to_recharge: Decimal | None
    last_payment: AccountHistory | None
    totals: dict
    ledger_rows: int = 0
    series: object = None


def _newest_rows(accountnumber):
    """The account's newest ledger row and its newest payment row, in one query: two scalar subqueries that
    each read one entry of the index on (accountnumber, -transaction date, -ID)."""
    rows = AccountHistory.objects.filter(accountnumber=accountnumber).order_by("-transaction_date", "-id")
    newest = rows.values("pk")[:1]
    newest_payment = rows.filter(payment=True).values("pk")[:1]
    found = sorted(
        AccountHistory.objects.filter(Q(pk=Subquery(newest)) | Q(pk=Subquery(newest_payment))),
        key=lambda row: (row.transaction_date, row.id),
        reverse=True,
    )
    newest_row = found[0] if found else None
    last_payment = next((row for row in found if row.payment), None)
    return newest_row, last_payment


def account_data(accountnumber, *, now=None):
    """Banner, balance, figures, ledger size and consumption series of one account; Http404 when nothing
    at all knows the number. An account with ledger rows but no `tblaccountnumbers` row (legacy data)
    still shows. A fixed number of queries (7 with a `tblaccountnumbers` row and a tariff schedule)."""
    now = now or timezone.now()
    account = AccountNumber.objects.filter(accountnumber=accountnumber).select_related("customer", "meter").first()
    meter = account.meter if account else Meter.objects.filter(accountnumber=accountnumber).select_related("customer").first()
    customer = account.customer if account else (meter.customer if meter else None)
    newest, last_payment = _newest_rows(accountnumber)
    if account is None and meter is None and newest is None:
        raise Http404("No such account")
    site_code = site_code_from_account(accountnumber)
    site = Site.objects.filter(code=site_code).first()
    tariff = tariff_rate_for(customer=customer, site_code=site_code, on=now)
    balance = energy(newest.current_balance if newest and newest.current_balance is not None else 0)
    sums = AccountHistory.objects.filter(accountnumber=accountnumber).aggregate(
        rows=Count("pk"),
        paid_lsl=Sum("transaction_amount", filter=Q(payment=True)),
        bought_kwh=Sum("kwh_value", filter=Q(payment=True)),
        used_kwh=Sum("kwh_value", filter=Q(payment=False)),
    )
    series = account_consumption_series(accountnumber, now=now)
    consumed = sum(series.daily(30)[1], Decimal(0))
    average = energy(consumed / 30)
    days = None
    if average > 0:
        days = (max(balance, Decimal(0)) / average).quantize(Decimal("0.1"))
    totals = {
        "paid_lsl": money(sums["paid_lsl"] or 0),
        "bought_kwh": energy(sums["bought_kwh"] or 0),
        "used_kwh": energy(abs(energy(sums["used_kwh"] or 0))),
    }
    return AccountData(
        accountnumber=accountnumber,
        account=account,
        customer=customer,
        meter=meter,
        site=site,
        tariff=tariff,
        balance_kwh=balance,
        average_kwh_per_day=average,
        days_to_recharge=days,
        last_payment=last_payment,
        totals=totals,
        ledger_rows=sums["rows"],
        series=series,
    )


def _local_midnight(day):
    return datetime.combine(day, time(0, 0), tzinfo=timezone.get_current_timezone())


@dataclass
class ConsumptionSeries:
    """kWh consumed per local calendar day (Africa/Maseru) from the first day of the month ``months - 1``
    months ago to today, summed in the database; the 7-day, 30-day and 12-month charts are cut from it."""

    today: date
    months: int
    per_day: dict

    def daily(self, days):
        first = self.today - timedelta(days=days - 1)
        labels, values = [], []
        for i in range(days):
            day = first + timedelta(days=i)
            labels.append(day.strftime("%d %b") if days <= 7 else day.strftime("%d/%m"))
            values.append(abs(energy(self.per_day.get(day) or 0)))
        return labels, values

    def monthly(self):
        starts = _month_starts(self.today, self.months)
        per_month = dict.fromkeys(starts, Decimal(0))
        for day, kwh in self.per_day.items():
            month = day.replace(day=1)
            if month in per_month:
                per_month[month] += kwh or 0
        return [start.strftime("%b %y") for start in starts], [abs(energy(per_month[start])) for start in starts]


def _month_starts(today, months):
    starts = []
    year, month = today.year, today.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    starts.reverse()
    return starts


def account_consumption_series(accountnumber, *, months=12, now=None):
    """One query: consumption per local day since the first month of the 12-month chart (which starts
    before the 30-day window), for every chart and the 30-day average."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = min(_month_starts(today, months)[0], today - timedelta(days=29))
    per_day = {}
    for row in (
        AccountHistory.objects.filter(
            accountnumber=accountnumber,
            payment=False,
            transaction_date__gte=_local_midnight(first),
            transaction_date__lt=_local_midnight(today + timedelta(days=1)),
        )
        .annotate(day=TruncDate("transaction_date"))
        .values("day")
        .annotate(kwh=Sum("kwh_value"))
        .order_by("day")
    ):
        day = row["day"]
        if isinstance(day, datetime):
            day = day.date()
        per_day[day] = row["kwh"]
    return ConsumptionSeries(today=today, months=months, per_day=per_day)


def account_consumption_daily(accountnumber, *, days, now=None):
    """(labels, kWh) of consumption per calendar day (Africa/Maseru) for the last ``days`` days, today included."""
    return account_consumption_series(accountnumber, months=max(1, days // 28 + 2), now=now).daily(days)


def account_consumption_monthly(accountnumber, *, months=12, now=None):
    """(labels, kWh) of consumption per calendar month for the last ``months`` months (this one included)."""
    return account_consumption_series(accountnumber, months=months, now=now).monthly()


LEDGER_SORTS = {
    "date": ("transaction_date", "id"),
    "amount": ("transaction_amount", "id"),
    "kwh": ("kwh_value", "id"),
    "balance": ("current_balance", "id"),
}


def account_ledger(accountnumber, *, sort=""):
    order, sort = sort_keys(sort, LEDGER_SORTS, "-date")
    return AccountHistory.objects.filter(accountnumber=accountnumber).order_by(*order), sort
