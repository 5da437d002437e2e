"""Read queries for customer messages: the outbox list and a customer's messages, preferences, the template
texts in force, balances, the low-balance rules."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from ccportal.batches import IN_LIST_SIZE, chunks
from messaging.models import CustomerPreference, Kind, Language, LowBalanceRule, Message, MessageTemplate
from messaging.texts import DEFAULT_TEXTS

TEMPLATE_KINDS = (Kind.RECEIPT, Kind.LOW_BALANCE, Kind.CONTRACT_LINK)


def template_texts():
    """{(kind, language): text} in force: the saved template, else the built-in text."""
    texts = dict(DEFAULT_TEXTS)
    texts.update({(t.kind, t.language): t.text for t in MessageTemplate.objects.all()})
    return texts


def templates_overview():
    """Every kind with a template × language: (kind, language, text, saved row or None)."""
    saved = {(t.kind, t.language): t for t in MessageTemplate.objects.select_related("updated_by")}
    rows = []
    for kind in TEMPLATE_KINDS:
        for language in Language:
            row = saved.get((kind, language.value))
            rows.append(
                {
                    "kind": kind,
                    "kind_label": Kind(kind).label,
                    "language": language.value,
                    "language_label": language.label,
                    "text": row.text if row else DEFAULT_TEXTS[(kind, language.value)],
                    "saved": row,
                }
            )
    return rows


def preferences_of(customer_ids):
    ids = [i for i in set(customer_ids) if i is not None]
    preferences = {}
    for chunk in chunks(ids, IN_LIST_SIZE):
        preferences.update(CustomerPreference.objects.in_bulk(chunk))
    return preferences


def preference_for(customer):
    return CustomerPreference.objects.filter(customer_id=customer.pk).first() or CustomerPreference(customer_id=customer.pk)


def balances_of(accountnumbers):
    """{account number: kWh balance of its newest ledger row} for the accounts that have ledger rows."""
    from billing.models import AccountHistory

    latest = (
        AccountHistory.objects.filter(accountnumber=OuterRef("accountnumber"))
        .order_by("-transaction_date", "-id")
        .values("current_balance")[:1]
    )
    from customers.models import AccountNumber

    balances = {}
    accountnumbers = sorted(set(accountnumbers))
    for chunk in chunks(accountnumbers, IN_LIST_SIZE):
        balances.update(
            (a, b)
            for a, b in AccountNumber.objects.filter(pk__in=chunk).annotate(balance=Subquery(latest)).values_list("pk", "balance")
            if b is not None
        )
    return balances


class _Rule:
    def __init__(self, *, threshold_kwh, clear_kwh, max_per_day, quiet_start, quiet_end, site_code=""):
        self.site_code = site_code
        self.threshold_kwh, self.clear_kwh = threshold_kwh, clear_kwh
        self.max_per_day, self.quiet_start, self.quiet_end = max_per_day, quiet_start, quiet_end
        self.pk = None


def _quiet_hours_setting():
    text = (settings.CC_LOW_BALANCE_QUIET_HOURS or "").strip()
    if not text:
        return None, None
    start, _, end = text.partition("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def low_balance_rules():
    """{site code: rule} with "" the global rule (the saved one, else the settings' defaults)."""
    rules = {r.site_code: r for r in LowBalanceRule.objects.all()}
    if "" not in rules:
        start, end = _quiet_hours_setting()
        rules[""] = _Rule(
            threshold_kwh=settings.CC_LOW_BALANCE_KWH,
            clear_kwh=settings.CC_LOW_BALANCE_CLEAR_KWH,
            max_per_day=settings.CC_LOW_BALANCE_MAX_PER_DAY,
            quiet_start=start,
            quiet_end=end,
        )
    return rules


def message_list(*, kind="", status="", site="", number="", customer_id=None, date_from=None, date_to=None):
    """The outbox filtered; newest first. Dates are local (Africa/Maseru) and inclusive."""
    messages = Message.objects.select_related("customer", "created_by")
    if kind:
        messages = messages.filter(kind=kind)
    if status:
        messages = messages.filter(status=status)
    if site:
        messages = messages.filter(site_code=site.upper())
    if customer_id:
        messages = messages.filter(customer_id=customer_id)
    if number:
        digits = "".join(c for c in number if c.isdigit())
        messages = (
            messages.filter(Q(number__endswith=digits[-8:]) | Q(accountnumber__iexact=number.strip()))
            if digits
            else messages.filter(accountnumber__iexact=number.strip())
        )
    zone = timezone.get_current_timezone()
    if date_from:
        messages = messages.filter(created_at__gte=timezone.make_aware(datetime.combine(date_from, time.min), zone))
    if date_to:
        messages = messages.filter(
            created_at__lt=timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min), zone)
        )
    return messages.order_by("-created_at", "-id")


def messages_for_customer(customer_id, *, limit=20):
    return list(
        Message.objects.filter(customer_id=customer_id).select_related("created_by").order_by("-created_at", "-id")[:limit]
    )


def message_get(pk):
    return Message.objects.select_related("customer", "created_by").get(pk=pk)


def message_history(message):
    return list(message.history.select_related("history_user").order_by("-history_date", "-history_id")[:50])
