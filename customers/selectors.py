"""Read queries for customers, meters and accounts: search, duplicates, next account number, Customer Data."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Length, TruncDate, Upper
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThan, StartsWith
from django.http import Http404
from django.utils import timezone

from billing.models import AccountHistory
from billing.selectors import tariff_rate_for
from ccportal.keyset import Key, keyset_page
from ccportal.normalize import (
    ACCOUNT_DIGITS_MAX,
    ACCOUNT_NUMBER_CANONICAL,
    account_number_format,
    account_number_or_none,
    phone_search_key,
    site_code_from_account,
)
from ccportal.units import energy, money
from customers.models import AccountNumber, Customer, Meter, Site, phone_digits_reversed

CUSTOMER_SORTS = {
    "id": ("customer_id",),
    "name": ("last_name", "first_name", "customer_id"),
    "site": ("site_code", "customer_id"),
    "type": ("customer_type", "customer_id"),
    "connected": ("date_service_connected", "customer_id"),
}
LEDGER_SORTS = {
    "date": ("transaction_date", "id"),
    "amount": ("transaction_amount", "id"),
    "kwh": ("kwh_value", "id"),
    "balance": ("current_balance", "id"),
}
PHONE_COLUMNS = ("phone", "cell_phone_1", "cell_phone_2")
COUNT_CAP = 1000  # the list says "more than 1,000" rather than count every match of a short search
LINKED_CUSTOMERS_MAX = 500  # customers an account number or meter serial can name (a number alone: one per site)


def sort_keys(sort, table, default):
    """The ORDER BY of a whitelisted ``sort`` parameter (``name`` or ``-name``) and the canonical value."""
    name = (sort or "").lstrip("-")
    if name not in table:
        sort, name = default, default.lstrip("-")
    descending = sort.startswith("-")
    return [f"-{key}" if descending else key for key in table[name]], sort


def sites():
    return Site.objects.all()


def site_choices():
    return [(site.code, f"{site.code} {site.name}") for site in Site.objects.all()]


def _starts_with(expression, prefix):
    """``expression`` starts with ``prefix``, written so an index on ``expression`` serves it: a range
    (prefix ≤ value < next prefix, which any collation's B-tree can scan) plus the LIKE that makes it exact."""
    following = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(GreaterThanOrEqual(expression, prefix), LessThan(expression, following), StartsWith(expression, prefix))


def _phone_matches(key):
    """Q for a phone ending in ``key`` (its last 8 digits, or fewer as typed) in any of the three phone
    columns, whatever spaces or dashes they hold."""
    match = Q()
    for field in PHONE_COLUMNS:
        match |= _starts_with(phone_digits_reversed(field), key[::-1])
    return match


def _linked_customer_ids(q, *, has_digit):
    """Customers reached through `tblaccountnumbers` or `tblmeter`: the account number in any accepted
    spelling (an exact hit), the number alone (``45`` → ``0045…`` at every site) or the meter serial. One
    indexed query, or None when ``q`` has none of these shapes. Resolved first because an OR of subqueries
    with the name and phone conditions would make the database scan `tblcustomer`."""
    accounts = Q()
    accountnumber = account_number_or_none(q)
    if accountnumber:
        accounts |= Q(accountnumber=accountnumber)
    if q.isdigit() and len(q) <= ACCOUNT_DIGITS_MAX and 0 < int(q) < 10**ACCOUNT_DIGITS_MAX:
        # The number at every site: its canonical digits, then exactly the three letters of a site code.
        digits = account_number_format(int(q), "")
        accounts |= _starts_with(F("accountnumber"), digits) & Q(Exact(Length("accountnumber"), len(digits) + 3))
    meters = Q()
    if accounts:
        meters |= accounts
    if has_digit and len(q) >= 4 and " " not in q:
        meters |= Q(Exact(Upper("meterid"), q.upper()))
    if not meters:
        return None
    by_meter = Meter.objects.filter(meters, customer__isnull=False).order_by().values_list("customer_id", flat=True)
    if not accounts:
        return list(by_meter[:LINKED_CUSTOMERS_MAX])
    by_account = AccountNumber.objects.filter(accounts).order_by().values_list("customer_id", flat=True)
    return list(by_account.union(by_meter)[:LINKED_CUSTOMERS_MAX])


def _name_matches(words):
    """Each word starts the first, middle or last name. Written as an OR over the columns of the longest
    word, each term carrying the other words as filters, so every OR term has an indexed condition (SQLite
    only uses indexes for an OR whose terms all have one; PostgreSQL is happy either way)."""
    words = sorted(set(words), key=len, reverse=True)
    columns = [Upper("first_name"), Upper("middle_name"), Upper("last_name")]

    def any_column(word):
        match = Q()
        for column in columns:
            match |= _starts_with(column, word)
        return match

    others = Q()
    for word in words[1:]:
        others &= any_column(word)
    match = Q()
    for column in columns:
        match |= _starts_with(column, words[0]) & others
    return match


def customer_search_filter(q):
    """A Q matching ``q`` by its shape, every branch served by an index (no scan of `tblcustomer`):

    - always: plot number prefix;
    - letters only: each word starts the first, middle or last name;
    - with digits: national ID prefix; the customer ID (digits only); the phone's last 8 digits (or the
      5-7 typed), whatever prefix and spacing was typed or stored; the account number in any spelling,
      the 1-4 digit number alone at any site, and the meter serial (exact, any case).

    May run one query (the account/meter lookup) while building the Q."""
    q = " ".join((q or "").split())
    if not q:
        return Q()
    text = q.upper()
    has_digit = any(character.isdigit() for character in q)
    has_letter = any(character.isalpha() for character in q)
    match = _starts_with(Upper("plot_number"), text)
    if has_letter and not has_digit:
        match |= _name_matches(text.split())
    if has_digit:
        match |= _starts_with(Upper("national_id"), text)
        if q.isdigit() and len(q) <= 9:
            match |= Q(customer_id=int(q))
        phone_key = phone_search_key(q)
        if phone_key and not has_letter:
            match |= _phone_matches(phone_key)
    linked = _linked_customer_ids(q, has_digit=has_digit)
    if linked:
        match |= Q(customer_id__in=linked)
    return match


def customer_list(*, q="", site="", customer_type="", status=""):
    """Customers matching the list page's parameters, with their account numbers prefetched as a list in
    ``account_list`` (unordered: the page orders them by its sort key)."""
    customers = Customer.objects.filter(customer_search_filter(q))
    if site:
        customers = customers.filter(site_code=site)
    if customer_type:
        customers = customers.filter(customer_type=customer_type)
    if status == "active":
        customers = customers.filter(date_service_terminated__isnull=True)
    elif status == "terminated":
        customers = customers.filter(date_service_terminated__isnull=False)
    # to_attr: a plain list per customer, not a related manager and queryset built for each of the page's rows.
    return customers.prefetch_related(
        Prefetch("accounts", queryset=AccountNumber.objects.only("accountnumber", "customer_id"), to_attr="account_list")
    )


def customer_page(customers, *, sort="", after="", before="", per_page=50):
    """One keyset page of ``customers`` in the whitelisted ``sort`` order (the key ends with the customer
    ID, so it is unique), and the canonical sort."""
    order, sort = sort_keys(sort, CUSTOMER_SORTS, "id")
    keys = [Key(name.lstrip("-"), descending=name.startswith("-")) for name in order]
    page = keyset_page(
        customers,
        keys,
        key_of=lambda customer: [getattr(customer, key.name) for key in keys],
        after=after,
        before=before,
        per_page=per_page,
    )
    return page, sort


def customer_status_counts(customers, *, cap=None, q="", site="", customer_type="", status=""):
    """{"total", "active", "terminated", "capped"} for the list page. Without a search or a type filter the counts
    are exact and come from the customer rollup (reports.rollup: a few thousand cells, whatever the number of
    customers); a search counts at most ``cap`` + 1 of its matches in one query, so it never pays for counting all
    it matches (past the cap only "capped" is meaningful)."""
    if not q and not customer_type:
        return _status_counts_from_tally(site=site, status=status)
    cap = cap or COUNT_CAP
    first = customers.order_by().values("pk", "date_service_terminated")[: cap + 1]
    counts = first.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(date_service_terminated__isnull=True)),
        terminated=Count("pk", filter=Q(date_service_terminated__isnull=False)),
    )
    counts["capped"] = counts["total"] > cap
    return counts


def _status_counts_from_tally(*, site, status):
    from reports.models import CustomerTally
    from reports.rollup import NOT_YET, customers_sum

    cells = CustomerTally.objects.filter(site_code=site) if site else CustomerTally.objects.all()
    counts = cells.aggregate(active=customers_sum(Q(terminated_on=NOT_YET)), terminated=customers_sum(~Q(terminated_on=NOT_YET)))
    if status == "active":
        counts["terminated"] = 0
    elif status == "terminated":
        counts["active"] = 0
    counts["total"] = counts["active"] + counts["terminated"]
    counts["capped"] = False
    return counts


def customer_get(pk):
    """The customer or Http404 (ids come from URLs)."""
    try:
        return Customer.objects.get(pk=pk)
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404("No such customer") from None


def customer_duplicates(*, phones=(), national_id="", exclude_pk=None):
    """Customers sharing a phone (last 8 digits, any field) or the national ID: possible duplicates."""
    match = Q()
    for phone in phones:
        key = phone_search_key(phone)
        if key:
            match |= _phone_matches(key)
    if national_id and national_id.strip():
        match |= Q(national_id__iexact=national_id.strip())
    if not match:
        return Customer.objects.none()
    customers = Customer.objects.filter(match)
    if exclude_pk:
        customers = customers.exclude(pk=exclude_pk)
    return customers.order_by("customer_id")[:10]


def customer_accountnumbers(customer):
    """Every account number the customer has or had: `tblaccountnumbers` and `tblmeter`."""
    numbers = set(AccountNumber.objects.filter(customer=customer).values_list("accountnumber", flat=True))
    numbers |= set(Meter.objects.filter(customer=customer).exclude(accountnumber="").values_list("accountnumber", flat=True))
    return sorted(numbers)


def customer_has_ledger_rows(customer):
    numbers = customer_accountnumbers(customer)
    return bool(numbers) and AccountHistory.objects.filter(accountnumber__in=numbers[:2000]).exists()


def _has_ledger_rows(number_field):
    return Exists(AccountHistory.objects.filter(accountnumber=OuterRef(number_field)))


def customer_accounts(customer):
    """The customer's accounts with their meter, kWh balance (newest ledger row, read through the index on
    (accountnumber, -transaction date, -ID)) and whether the ledger has rows for them, in one query."""
    latest = AccountHistory.objects.filter(accountnumber=OuterRef("accountnumber")).order_by("-transaction_date", "-id")
    return (
        AccountNumber.objects.filter(customer=customer)
        .select_related("meter")
        .annotate(balance_kwh=Subquery(latest.values("current_balance")[:1]), has_ledger_rows=_has_ledger_rows("accountnumber"))
        .order_by("accountnumber")
    )


def customer_meters(customer):
    """The customer's meters, each knowing whether the ledger has rows for its account number, in one query."""
    return customer.meters.annotate(has_ledger_rows=_has_ledger_rows("accountnumber")).order_by("meterid")


def customer_version(customer):
    """A token that changes whenever the customer is saved: the id of its newest history record ("0" for a
    legacy row that has none yet). Edit forms carry it so a stale save is refused instead of lost."""
    newest = Customer.history.filter(customer_id=customer.pk).order_by("-history_id").values_list("history_id", flat=True).first()
    return str(newest or 0)


def customer_recent_history(customer, limit=10):
    return customer.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit]


def account_number_next(site_code):
    """The next free account number (`NNNNSSS`) for a site: one above the highest in `tblaccountnumbers` and
    `tblmeter`, stepping over numbers that legacy ledger rows already use (accounts with no row of their own).

    The ledger is asked number by number through its (accountnumber, date) index rather than scanned, as it is
    by far the biggest table."""
    site_code = site_code.upper()
    highest = 0
    for model in (AccountNumber, Meter):
        # Portable SQL (no regex): numbers ending in the code, highest first (longest, then highest as text).
        candidates = (
            model.objects.filter(accountnumber__endswith=site_code)
            .annotate(length=Length("accountnumber"))
            .filter(length__gte=7)
            .order_by("-length", "-accountnumber")
            .values_list("accountnumber", flat=True)
            .distinct()[:20]
        )
        for value in candidates:
            match = ACCOUNT_NUMBER_CANONICAL.match(value.upper())
            if match:
                highest = max(highest, int(match["num"]))
                break
    number = highest + 1
    limit = 10**ACCOUNT_DIGITS_MAX
    while number < limit and AccountHistory.objects.filter(accountnumber=account_number_format(number, site_code)).exists():
        number += 1
    if number >= limit:
        raise ValueError(f"site {site_code} has no free account numbers left")
    return account_number_format(number, site_code)


def meter_active_account(meterid):
    """The active account (customer not terminated) the meter is on, or None."""
    account = (
        AccountNumber.objects.filter(meter_id=meterid, customer__date_service_terminated__isnull=True)
        .select_related("customer")
        .first()
    )
    if account:
        return account
    meter = Meter.objects.filter(pk=meterid).select_related("customer").first()
    if meter and meter.accountnumber and meter.customer and not meter.customer.is_terminated:
        return AccountNumber(accountnumber=meter.accountnumber, customer=meter.customer, meter=meter)
    return None


# Customer Data ---------------------------------------------------------------------------------------


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


def account_ledger(accountnumber, *, sort=""):
    order, sort = sort_keys(sort, LEDGER_SORTS, "-date")
    return AccountHistory.objects.filter(accountnumber=accountnumber).order_by(*order), sort
