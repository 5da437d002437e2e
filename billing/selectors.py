"""Read queries for billing: the tariff in force, balances, payment-import matching, the tariff page and the
payment lookup. The Financial page's figures are in billing/financial.py, Customer Data's in billing/customer_data.py."""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import ngettext

from billing.models import AccountHistory, Config, ImportedPayment, IncomingSms, TariffRate
from ccportal import bounds
from ccportal.batches import IN_LIST_SIZE, chunks
from ccportal.fields import DATE_PATTERN, date_read
from ccportal.normalize import NormalisationError, account_number_or_none, phone_normalise, site_code_from_account
from ccportal.units import money
from customers.models import AccountNumber, Customer, Site


@dataclass(frozen=True)
class ResolvedRate:
    rate_lsl: Decimal
    source: str  # "customer", "site", "global" or "default"
    source_key: str
    effective_from: datetime | None


_PRIORITY = {TariffRate.Scope.CUSTOMER: 0, TariffRate.Scope.SITE: 1, TariffRate.Scope.GLOBAL: 2}


def tariff_rate_for(*, customer=None, account=None, site_code=None, on=None):
    """The rate in force at ``on`` (default now) for a customer, an account (AccountNumber or its number)
    or a site: the latest effective customer rate, else site rate, else global rate.

    Future rates apply by themselves: resolution is by date, so no job is needed. Falls back to
    `tblconfig.therate` and then to settings.CC_DEFAULT_TARIFF_LSL on an empty schedule."""
    on = on or timezone.now()
    if account is not None and customer is None:
        from customers.models import AccountNumber

        if isinstance(account, str):
            site_code = site_code or site_code_from_account(account)
            account = AccountNumber.objects.filter(accountnumber=account).select_related("customer").first()
        if account is not None:
            customer = account.customer
            site_code = site_code or account.site_code
    if customer is not None:
        site_code = customer.site_code or site_code
    scopes = Q(scope=TariffRate.Scope.GLOBAL)
    if site_code:
        scopes |= Q(scope=TariffRate.Scope.SITE, scope_key=site_code.upper())
    if customer is not None:
        scopes |= Q(scope=TariffRate.Scope.CUSTOMER, scope_key=str(customer.pk))
    candidates = (
        TariffRate.objects.filter(scopes, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on))
        .order_by("-effective_from", "-id")
        .values_list("scope", "scope_key", "rate_lsl", "effective_from", "effective_to")
    )
    return _resolve(candidates, on) or _fallback_rate()


def _resolve(candidates, on):
    """Pick from schedule rows (scope, key, rate, from, to), newest first, the one in force at ``on``:
    the latest effective customer rate, else site rate, else global rate."""
    best = None
    for scope, key, rate_lsl, effective_from, effective_to in candidates:
        if effective_from > on or (effective_to is not None and effective_to <= on):
            continue
        if best is None or _PRIORITY[scope] < _PRIORITY[best[0]]:
            best = (scope, key, rate_lsl, effective_from)
        if best[0] == TariffRate.Scope.CUSTOMER:
            break
    if best:
        return ResolvedRate(rate_lsl=best[2], source=best[0], source_key=best[1], effective_from=best[3])
    return None


def _fallback_rate():
    legacy = Config.objects.order_by("id").values_list("therate", flat=True).first()
    if legacy:
        return ResolvedRate(rate_lsl=legacy, source="global", source_key="tblconfig", effective_from=None)
    return ResolvedRate(rate_lsl=Decimal(settings.CC_DEFAULT_TARIFF_LSL), source="default", source_key="", effective_from=None)


class TariffResolver:
    """tariff_rate_for for many accounts at once (imports): loads the schedule rows of the given customers and
    sites once, then answers each (customer ID, site code, moment) in memory with the same cascade."""

    def __init__(self, *, customer_ids=(), site_codes=()):
        pairs = [(TariffRate.Scope.CUSTOMER, str(c)) for c in sorted({str(c) for c in customer_ids})]
        pairs += [(TariffRate.Scope.SITE, s) for s in sorted({str(s).upper() for s in site_codes})]
        rows = []
        # One query for a small import (an intake SMS), bounded IN lists for a large one (SQL Server's limit).
        for i, chunk in enumerate(list(chunks(pairs, IN_LIST_SIZE)) or [[]]):  # [[]]: the global rows all the same
            wanted = Q(scope=TariffRate.Scope.GLOBAL) if i == 0 else Q(pk__in=[])
            for scope in (TariffRate.Scope.CUSTOMER, TariffRate.Scope.SITE):
                if keys := [key for s, key in chunk if s == scope]:
                    wanted |= Q(scope=scope, scope_key__in=keys)
            rows += TariffRate.objects.filter(wanted).values_list(*_SCHEDULE_FIELDS)
        rows.sort(key=lambda r: (r[3], r[5]), reverse=True)
        self._by_key = {}
        for row in rows:
            self._by_key.setdefault((row[0], row[1]), []).append(row[:5])
        self._fallback = None

    def rate_for(self, *, customer_id=None, site_code="", on):
        candidates = list(self._by_key.get(("global", ""), []))
        if site_code:
            candidates += self._by_key.get(("site", site_code.upper()), [])
        if customer_id is not None:
            candidates += self._by_key.get(("customer", str(customer_id)), [])
        candidates.sort(key=lambda r: r[3], reverse=True)
        resolved = _resolve(candidates, on)
        if resolved is None:
            self._fallback = self._fallback or _fallback_rate()
            resolved = self._fallback
        return resolved


_SCHEDULE_FIELDS = ("scope", "scope_key", "rate_lsl", "effective_from", "effective_to", "id")


def account_balance_kwh(accountnumber):
    """The `current balance` of the account's newest ledger row (kWh), or 0 with no rows."""
    latest = (
        AccountHistory.objects.filter(accountnumber=accountnumber)
        .order_by("-transaction_date", "-id")
        .values_list("current_balance", flat=True)
        .first()
    )
    return latest if latest is not None else Decimal("0.000")


# --- Payment import --------------------------------------------------------------------------------------

CHUNK = 500  # rows per IN list: three phone columns × 500 stays under SQL Server's 2,100 parameters
WIDE_CHUNK = 2_000  # a one-column IN list and no other parameter: at most 2,000 per query


@dataclass
class ClassifiedRow:
    """A statement row and what an import would do with it."""

    row: object  # billing.statements.StatementRow
    status: str  # an ImportedPayment.Status value
    match_method: str = ""
    accountnumber: str = ""
    customer_id: int | None = None
    duplicate_of_id: int | None = None
    duplicate_of_row: "ClassifiedRow | None" = None  # an earlier row of the same file with this receipt
    note: str = ""
    customer_name: str = ""  # set by classified_names_add, for the preview

    @property
    def outcome(self):
        """The preview's words: matched, matched by phone, unmatched, duplicate or ignored."""
        if self.status == ImportedPayment.Status.POSTED:
            return "matched by phone" if self.match_method == ImportedPayment.Match.PHONE else "matched"
        return self.status


def payment_rows_classify(*, rows, provider):
    """Decide each statement row's fate without writing: duplicate (receipt already imported, or listed
    earlier in the same file: a re-export can repeat a receipt, which is still paid once), ignored
    (withdrawal, failed), matched by an account number written in the details, matched by payer phone (only
    when that phone belongs to exactly one account), else unmatched. A fixed number of queries per 2,000
    receipts (500 payer phones)."""

    earlier = {}
    for chunk in chunks({r.receipt for r in rows}, WIDE_CHUNK):
        # Provider and status are checked here so that the query's only parameters are the receipts.
        for receipt, receipt_id, receipt_provider, status, source in ImportedPayment.objects.filter(
            receipt__in=chunk
        ).values_list("receipt", "id", "provider", "status", "source"):
            if receipt_provider == provider and status != ImportedPayment.Status.DUPLICATE:
                earlier[receipt] = (receipt_id, source)
    accounts = {}
    for chunk in chunks({a for r in rows for a in r.account_candidates}, WIDE_CHUNK):
        accounts.update(AccountNumber.objects.filter(accountnumber__in=chunk).values_list("accountnumber", "customer_id"))
    phones = {r.payer_phone for r in rows if r.payer_phone and not any(a in accounts for a in r.account_candidates)}
    phone_customers = {}
    for chunk in chunks(phones, CHUNK):
        found = Customer.objects.filter(Q(phone__in=chunk) | Q(cell_phone_1__in=chunk) | Q(cell_phone_2__in=chunk))
        for customer_id, *numbers in found.values_list("customer_id", "phone", "cell_phone_1", "cell_phone_2"):
            for number in set(numbers) & set(chunk):
                phone_customers.setdefault(number, set()).add(customer_id)
    customer_accounts = {}
    for chunk in chunks({c for ids in phone_customers.values() for c in ids}, WIDE_CHUNK):
        for number, customer_id in AccountNumber.objects.filter(customer_id__in=chunk).values_list(
            "accountnumber", "customer_id"
        ):
            customer_accounts.setdefault(customer_id, []).append(number)
    classified, first_in_file = [], {}
    for row in rows:
        if row.receipt in earlier:
            earlier_id, source = earlier[row.receipt]
            note = "already received by intake" if source == ImportedPayment.Source.INTAKE else ""
            classified.append(ClassifiedRow(row, ImportedPayment.Status.DUPLICATE, duplicate_of_id=earlier_id, note=note))
            continue
        first = first_in_file.get(row.receipt)
        if first is not None:
            classified.append(
                ClassifiedRow(
                    row,
                    ImportedPayment.Status.DUPLICATE,
                    duplicate_of_row=first,
                    note=f"receipt {row.receipt} also on row {first.row.row_number} of this file",
                )
            )
            continue
        first_in_file[row.receipt] = _first_in_file(row, accounts, phone_customers, customer_accounts)
        classified.append(first_in_file[row.receipt])
    return classified


def _first_in_file(row, accounts, phone_customers, customer_accounts):
    """The fate of a receipt's first row in a file that was not imported before."""
    if row.ignore_reason:
        return ClassifiedRow(row, ImportedPayment.Status.IGNORED)
    account = next((a for a in row.account_candidates if a in accounts), None)
    if account:
        return ClassifiedRow(row, ImportedPayment.Status.POSTED, ImportedPayment.Match.ACCOUNT, account, accounts[account])
    owners = phone_customers.get(row.payer_phone, set())
    owned = [a for c in owners for a in customer_accounts.get(c, [])]
    if len(owned) == 1:
        return ClassifiedRow(row, ImportedPayment.Status.POSTED, ImportedPayment.Match.PHONE, owned[0], next(iter(owners)))
    return ClassifiedRow(row, ImportedPayment.Status.UNMATCHED)


def classified_names_add(classified):
    """Set each matched row's customer_name: one query per 2,000 customers, whatever the number of rows."""
    names = {}
    for chunk in chunks({item.customer_id for item in classified if item.customer_id is not None}, WIDE_CHUNK):
        for customer in Customer.objects.filter(customer_id__in=chunk).only("first_name", "middle_name", "last_name"):
            names[customer.customer_id] = customer.full_name
    for item in classified:
        item.customer_name = names.get(item.customer_id, "")
    return classified


def payment_counts_text(counts):
    """What became of a statement's rows, in words: "Posted 1 payment; 2 waiting in the unmatched queue; not
    posted: 1 duplicate, 3 ignored." (the page after confirming, and the job's result)."""
    posted, waiting, duplicate, ignored = (counts.get(key, 0) for key in ("posted", "unmatched", "duplicate", "ignored"))
    posted_text = ngettext("Posted %(n)d payment", "Posted %(n)d payments", posted) % {"n": posted}
    duplicate_text = ngettext("%(n)d duplicate", "%(n)d duplicates", duplicate) % {"n": duplicate}
    return f"{posted_text}; {waiting} waiting in the unmatched queue; not posted: {duplicate_text}, {ignored} ignored."


def payment_outcome_counts(classified):
    counts = {"matched": 0, "matched_by_phone": 0, "unmatched": 0, "duplicate": 0, "ignored": 0}
    for item in classified:
        counts[item.outcome.replace(" ", "_")] += 1
    return counts


def unmatched_payments():
    return (
        ImportedPayment.objects.filter(status=ImportedPayment.Status.UNMATCHED)
        .select_related("payment_import", "incoming_sms")
        .order_by("-paid_at", "-id")
    )


def incoming_sms_to_decide(*, status="", since=None, until=None, sender=""):
    """Intake texts no template read as a payment, newest first: ``status`` "unreadable", "ignored" or
    "dismissed" (default: unreadable and ignored, the ones to decide), ``since``/``until`` dates of arrival
    (Africa/Maseru), ``sender`` part of the sender."""
    statuses = [status] if status else [IncomingSms.Status.UNREADABLE, IncomingSms.Status.IGNORED]
    texts = IncomingSms.objects.filter(status__in=statuses).select_related("resolved_by")
    if since:
        texts = texts.filter(arrived_at__gte=_day_start(since))
    if until:
        texts = texts.filter(arrived_at__lt=_day_start(until + timedelta(days=1)))
    if sender.strip():
        texts = texts.filter(sender__icontains=sender.strip())
    return texts.order_by("-arrived_at", "-id")


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def payment_intake_status(*, now=None):
    """The Dashboard's intake panel: when the last forwarded SMS arrived, what became of today's, and whether to
    warn that none has come for CC_PAYMENT_INTAKE_QUIET_MINUTES during the day's hours (Africa/Maseru), when
    the gateway may be down. Two queries."""
    from django.db.models import Count, Max

    now = timezone.localtime(now or timezone.now())
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    last = IncomingSms.objects.aggregate(last=Max("arrived_at"))["last"]
    today = dict(IncomingSms.objects.filter(arrived_at__gte=midnight).order_by().values_list("status").annotate(n=Count("id")))
    quiet = timedelta(minutes=settings.CC_PAYMENT_INTAKE_QUIET_MINUTES)
    first_hour, last_hour = settings.CC_PAYMENT_INTAKE_DAY_HOURS
    daytime = first_hour <= now.hour < last_hour
    # The quiet time is counted from the start of the day's hours, not from an SMS of last night.
    since = max(last, now.replace(hour=first_hour, minute=0, second=0, microsecond=0)) if last else None
    return {
        "enabled": bool(settings.CC_PAYMENT_INTAKE_SECRET),
        "last": last,
        "today": {status: today.get(status, 0) for status in IncomingSms.Status.values},
        "today_total": sum(today.values()),
        "quiet_minutes": settings.CC_PAYMENT_INTAKE_QUIET_MINUTES,
        "day_hours": (first_hour, last_hour),
        "warning": bool(settings.CC_PAYMENT_INTAKE_SECRET) and daytime and (since is None or now - since > quiet),
    }


# --- Tariff page -----------------------------------------------------------------------------------------


def tariff_schedule(scope, *, on=None):
    """Rates of a scope that are in force or scheduled at ``on`` (default now), each with ``state`` "in force"
    or "scheduled"; rates already replaced or ended are left to the history. Ordered by key, then time."""
    on = on or timezone.now()
    rows = list(
        TariffRate.objects.filter(scope=scope)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on))
        .select_related("created_by")
        .order_by("scope_key", "-effective_from", "-id")
    )
    shown, seen_current = [], set()
    for row in rows:
        if row.effective_from > on:
            row.state = "scheduled"
        elif row.scope_key not in seen_current:
            row.state = "in force"
            seen_current.add(row.scope_key)
        else:
            continue
        shown.append(row)
    shown.sort(key=lambda r: (r.scope_key.zfill(10) if scope == TariffRate.Scope.CUSTOMER else r.scope_key, r.effective_from))
    return shown


def tariff_history(*, scope="", key="", since=None, until=None):
    """Every change to the schedule (newest first), with who and why, filtered by scope, key and date."""
    history = TariffRate.history.select_related("history_user").order_by("-history_date", "-history_id")
    if scope:
        history = history.filter(scope=scope)
    if key:
        history = history.filter(scope_key__iexact=key.strip())
    if since:
        history = history.filter(history_date__date__gte=since)
    if until:
        history = history.filter(history_date__date__lte=until)
    return history


# --- Payment lookup ("I paid, where is my credit?") ------------------------------------------------------

_AMOUNT_DATE = (
    re.compile(rf"^(?:M|LSL)?\s*(?P<amount>\d+(?:[.,]\d{{1,2}})?)\s*(?:on\s+)?(?P<date>{DATE_PATTERN})$", re.I),
    re.compile(rf"^(?P<date>{DATE_PATTERN})\s+(?:M|LSL)?\s*(?P<amount>\d+(?:[.,]\d{{1,2}})?)$", re.I),
)
_RECEIPT = re.compile(r"^[A-Z0-9./_-]{4,40}$")
LOOKUP_LIMIT = 25


@dataclass
class LookupResult:
    query: str
    kind: str  # "receipt", "account", "phone", "amount and date", "" (nothing searched)
    searched: str = ""  # what was searched, in words, for "not found"
    hint: str = ""  # what to try next when nothing is found
    payments: list = field(default_factory=list)
    account: dict | None = None


def _lookup_date(text):
    try:
        return date_read(text)
    except ValueError:
        return None


def _imported_payments():
    return ImportedPayment.objects.select_related(
        "payment_import",
        "payment_import__confirmed_by",
        "incoming_sms",
        "ledger_row",
        "resolved_by",
        "duplicate_of",
        "duplicate_of__ledger_row",
        "duplicate_of__resolved_by",
    ).order_by("-paid_at", "-id")


def imported_payment_for_lookup(pk):
    """One payment loaded as the payment lookup loads them (for the intake's answer)."""
    return _imported_payments().get(pk=pk)


def payment_lookup(query):
    """Find payments by what a caller can tell: a receipt or approval code (whole, or its start), an account
    number in any accepted form, a payer phone, or an amount with a date ("50 2025-03-01"). A fixed number of
    queries whatever is found; uses the shared normalisers."""

    text = re.sub(r"\s+", " ", str(query or "")).strip()[:60]
    result = LookupResult(query=text, kind="")
    if len(text) < 3:
        result.hint = "Type a receipt or approval code, an account number (0045MAK), a phone, or an amount and a date."
        return result
    for pattern in _AMOUNT_DATE:
        match = pattern.match(text)
        day = _lookup_date(match["date"]) if match else None
        if day:
            try:
                bounds.date_check(day, label="The date", within=bounds.EVENT)
                amount = bounds.number_check(money(match["amount"].replace(",", ".")), label="The amount", within=bounds.MONEY)
            except ValueError as exc:
                result.kind, result.searched, result.hint = "amount and date", text, str(exc)
                return result
            result.kind, result.searched = "amount and date", f"payments of M {amount} on {day:%Y-%m-%d}"
            result.payments = list(_imported_payments().filter(amount=amount, paid_at__date=day)[:LOOKUP_LIMIT])
            result.hint = "Check the date (the statement's time, not when the customer was credited) and the exact amount."
            return result
    accountnumber = account_number_or_none(text)
    if accountnumber and Site.objects.filter(code=accountnumber[-3:]).exists():  # else RCP0003 is a receipt
        result.kind, result.searched = "account", f"account {accountnumber}"
        result.payments = list(_imported_payments().filter(accountnumber=accountnumber)[:LOOKUP_LIMIT])
        owner = AccountNumber.objects.filter(pk=accountnumber).select_related("customer").first()
        ledger = list(
            AccountHistory.objects.filter(accountnumber=accountnumber, payment=True).order_by("-transaction_date", "-id")[:10]
        )
        if owner or ledger:
            result.account = {
                "accountnumber": accountnumber,
                "customer": owner.customer if owner else None,
                "balance_kwh": account_balance_kwh(accountnumber),
                "recent_payments": ledger,
            }
        result.hint = "Check the account number with the customer (four digits and the site code, e.g. 0045MAK)."
        return result
    digits = re.sub(r"[\s+()-]", "", text)
    if digits.isdigit() and len(digits) >= 8:
        try:
            phone = phone_normalise(text)
        except NormalisationError:
            phone = ""
        if phone:
            result.kind, result.searched = "phone", f"payments from {phone}"
            result.payments = list(_imported_payments().filter(payer_phone=phone)[:LOOKUP_LIMIT])
            owners = Customer.objects.filter(Q(phone=phone) | Q(cell_phone_1=phone) | Q(cell_phone_2=phone))
            accounts = list(AccountNumber.objects.filter(customer__in=owners).values_list("accountnumber", flat=True)[:10])
            if accounts:
                result.account = {"accounts_of_phone": accounts}
            result.hint = "The payer may have paid from another phone: search the receipt number or the account instead."
            return result
    receipt = text.upper().replace(" ", "")
    if _RECEIPT.match(receipt):
        result.kind, result.searched = "receipt", f"receipt {receipt}"
        result.payments = list(_imported_payments().filter(Q(receipt=receipt) | Q(receipt__startswith=receipt))[:LOOKUP_LIMIT])
        result.hint = (
            "Check the receipt's form (M-Pesa receipts are 10 letters and digits; EcoCash approval codes look like "
            "MP250302.0805.A00001), and whether that day's statement has been imported yet."
        )
        return result
    result.searched = f"“{text}”"
    result.hint = (
        "That is not a receipt, account number, phone or amount with a date. Try e.g. 0045MAK, +266 5700 0001, or 50 2025-03-01."
    )
    return result
