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
from ccportal.units import READING_INTERVAL_HOURS, energy, money
from customers.models import AccountNumber, Customer, Meter, MeterReading, Site
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
    average_kwh_per_day: Decimal | None  # None: not enough meter readings to tell
    days_to_recharge: Decimal | None
    last_payment: AccountHistory | None
    totals: dict
    ledger_rows: int = 0
    series: object = None
    readings: object = None


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
    still shows. A fixed number of queries (8 with a `tblaccountnumbers` row, a meter and a tariff schedule).

    The daily charts, the average per day and the days to recharge come from the meter's readings
    (meter_reading_days); the ledger's consumption rows are monthly, so they only make the 12-month chart."""
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
    readings = meter_reading_days(meter.meterid if meter else "", now=now)
    average = readings.average_kwh_per_day()
    days = None
    if average:
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
        readings=readings,
    )


def _local_midnight(day):
    return datetime.combine(day, time(0, 0), tzinfo=timezone.get_current_timezone())


# A day counts towards the average per day when its readings cover at least 90% of it (a day the meter was silent
# for hours, such as the evening peak, would understate it), and the average needs
# MIN_READING_DAYS such days among the last READING_WINDOW_DAYS (today, still running, is never one of them).
READING_WINDOW_DAYS = 30
MIN_READING_DAYS = 3
READINGS_PER_DAY = int(24 / READING_INTERVAL_HOURS)


@dataclass
class ReadingDays:
    """What a meter's readings (`tblmeterdata1`, kW every 10 minutes) say about the last 30 local days
    (Africa/Maseru): the sum of kW and the number of readings per day."""

    today: date
    kw_sum: dict
    readings: dict

    def kwh(self, day):
        """kWh measured on ``day`` (each reading stands for READING_INTERVAL_HOURS), None without readings."""
        if not self.readings.get(day):
            return None
        return energy(self.kw_sum[day] * READING_INTERVAL_HOURS)

    def daily(self, days):
        """(labels, kWh or None) for the last ``days`` days, today included: the 7- and 30-day charts."""
        window = [self.today - timedelta(days=days - 1 - i) for i in range(days)]
        return [day.strftime("%d %b" if days <= 7 else "%d/%m") for day in window], [self.kwh(day) for day in window]

    @property
    def measured_days(self):
        """The past days whose readings cover at least 90% of the day, oldest first."""
        return sorted(d for d, n in self.readings.items() if d < self.today and n * 10 >= READINGS_PER_DAY * 9)

    def average_kwh_per_day(self):
        """Mean power over the measured days × 24 h (so a short gap in a measured day does not count as no use);
        None while fewer than MIN_READING_DAYS days are measured."""
        days = self.measured_days
        if len(days) < MIN_READING_DAYS:
            return None
        kw = sum((self.kw_sum[d] for d in days), Decimal(0))
        return energy(kw / sum(self.readings[d] for d in days) * 24)


def meter_reading_days(meterid, *, now=None):
    """One query: the readings of ``meterid`` over the last READING_WINDOW_DAYS local days, summed per day in the
    database (TruncDate in the current time zone, portable across SQLite, PostgreSQL and SQL Server)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    kw_sum, readings = {}, {}
    if meterid:
        first = today - timedelta(days=READING_WINDOW_DAYS - 1)
        rows = (
            MeterReading.objects.filter(
                meterid=meterid,
                whdatetime__gte=_local_midnight(first),
                whdatetime__lt=_local_midnight(today + timedelta(days=1)),
            )
            .annotate(day=TruncDate("whdatetime", tzinfo=timezone.get_current_timezone()))
            .values("day")
            .annotate(kw=Sum("power_kw"), n=Count("pk"))
            .order_by("day")
        )
        for row in rows:
            day = row["day"].date() if isinstance(row["day"], datetime) else row["day"]
            kw_sum[day], readings[day] = Decimal(row["kw"] or 0), row["n"]
    return ReadingDays(today=today, kw_sum=kw_sum, readings=readings)


@dataclass
class ConsumptionSeries:
    """kWh of the ledger's consumption rows per local calendar day (Africa/Maseru) from the first day of the month
    ``months - 1`` months ago to today, summed in the database: the 12-month chart."""

    today: date
    months: int
    per_day: dict

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
    """One query: the ledger's consumption per local day since the first month of the 12-month chart."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = _month_starts(today, months)[0]
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
