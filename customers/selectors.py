"""Read queries for customers, meters and accounts: search, duplicates, next account number."""

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Length, Upper
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThan, StartsWith
from django.http import Http404

from billing.models import AccountHistory
from ccportal.keyset import Key, keyset_page
from ccportal.normalize import (
    ACCOUNT_DIGITS_MAX,
    ACCOUNT_NUMBER_CANONICAL,
    account_number_format,
    account_number_or_none,
    phone_search_key,
)
from customers.models import AccountNumber, Customer, CustomerTally, Meter, Site, name_key, phone_digits_reversed
from customers.rollup import NOT_YET, customers_sum

CUSTOMER_SORTS = {
    "id": ("customer_id",),
    "name": ("last_name", "first_name", "customer_id"),
    "site": ("site_code", "customer_id"),
    "type": ("customer_type", "customer_id"),
    "connected": ("date_service_connected", "customer_id"),
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


def _name_starts_with(field, prefix):
    """The name column ``field`` starts with ``prefix`` (upper case): a range on the code-point-ordered key, exact
    on its own, so the database estimates it from the key index's statistics (a common surname walks the primary
    key in page order and stops at the page's last row; a rare one reads its few matches from the key index)."""
    following = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    key = name_key(field)
    return Q(GreaterThanOrEqual(key, prefix), LessThan(key, following))


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
    columns = ["first_name", "middle_name", "last_name"]

    def any_column(word):
        match = Q()
        for column in columns:
            match |= _name_starts_with(column, word)
        return match

    others = Q()
    for word in words[1:]:
        others &= any_column(word)
    match = Q()
    for column in columns:
        match |= _name_starts_with(column, words[0]) & others
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
    are exact and come from the customer rollup (customers.rollup: a few thousand cells, whatever the number of
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
