"""Printable payment receipts and account statements (WeasyPrint), in English or Sesotho, for an A4 page or an
80 mm receipt printer."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from ccportal.normalize import NormalisationError, account_number_normalise
from ccportal.units import energy, money

STATEMENT_MAX_ROWS = 2000

LABELS = {
    "en": {
        "receipt": "Payment receipt",
        "statement": "Account statement",
        "receipt_number": "Receipt number",
        "date": "Date",
        "customer": "Customer",
        "account": "Account",
        "meter": "Meter",
        "amount": "Amount paid",
        "kwh": "Electricity bought",
        "rate": "Tariff",
        "balance_after": "Balance after this payment",
        "balance_now": "Balance now",
        "paid_by": "Paid by",
        "period": "Period",
        "opening": "Opening balance",
        "closing": "Closing balance",
        "payment": "Payment",
        "consumption": "Consumption",
        "kind": "Entry",
        "lsl": "LSL",
        "balance": "Balance (kWh)",
        "total_paid": "Total paid",
        "total_kwh_bought": "kWh bought",
        "total_kwh_used": "kWh used",
        "no_rows": "No entries in this period.",
        "printed": "Printed",
        "thanks": "Thank you.",
        "help": "Customer service",
        "truncated": "Only the first {n} entries are shown; print a shorter period for the rest.",
    },
    "st": {
        "receipt": "Rasiti ea patala",
        "statement": "Tlaleho ea ak'haonte",
        "receipt_number": "Nomoro ea rasiti",
        "date": "Letsatsi",
        "customer": "Moreki",
        "account": "Ak'haonte",
        "meter": "Mitara",
        "amount": "Chelete e lefiloeng",
        "kwh": "Motlakase o rekiloeng",
        "rate": "Theko",
        "balance_after": "Saleng ka mor'a patala ena",
        "balance_now": "Saleng hona joale",
        "paid_by": "E lefiloe ke",
        "period": "Nako",
        "opening": "Saleng sa qalo",
        "closing": "Saleng sa qetello",
        "payment": "Patala",
        "consumption": "Tšebeliso",
        "kind": "Ngoliso",
        "lsl": "LSL",
        "balance": "Saleng (kWh)",
        "total_paid": "Kakaretso ea lipatala",
        "total_kwh_bought": "kWh tse rekiloeng",
        "total_kwh_used": "kWh tse sebelisitsoeng",
        "no_rows": "Ha ho lingoliso nakong ena.",
        "printed": "E hatisitsoe",
        "thanks": "Kea leboha.",
        "help": "Thuso ho bareki",
        "truncated": "Ho bontšoa lingoliso tse {n} tsa pele feela; hatisa nako e khuts'oane bakeng sa tse ling.",
    },
}


class NotPrintable(Exception):
    """No such payment or account."""


def _pdf(template, context, *, size, rows=0):
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # A receipt roll has no fixed length: the page is as long as what is printed on it.
    context["page_size"] = "A4" if size == "a4" else f"80mm {90 + 6 * rows}mm"
    context["narrow"] = size != "a4"
    html = render_to_string(template, context)
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)).write_pdf()


def _organisation():
    return {
        "name": settings.CC_ORGANISATION["administrator"],
        "phones": settings.CC_ORGANISATION["customer_service_phones"],
    }


def receipt_pdf(*, entry_id, size="a4", language="en"):
    from billing.models import AccountHistory, ImportedPayment
    from billing.selectors import account_balance_kwh
    from customers.models import AccountNumber

    entry = AccountHistory.objects.filter(pk=entry_id, payment=True).first()
    if entry is None:
        raise NotPrintable
    account = AccountNumber.objects.select_related("customer").filter(pk=entry.accountnumber).first()
    imported = ImportedPayment.objects.filter(ledger_row_id=entry.pk).order_by("pk").first()
    context = {
        "t": LABELS[language],
        "language": language,
        "organisation": _organisation(),
        "entry": entry,
        "paid_at": timezone.localtime(entry.transaction_date),
        "receipt_number": imported.receipt if imported else f"L{entry.pk}",
        "paid_by": f"{imported.get_provider_display()} {imported.payer_phone}".strip() if imported else "",
        "customer": account.customer if account else None,
        "accountnumber": entry.accountnumber,
        "amount": money(entry.transaction_amount),
        "kwh": energy(entry.kwh_value),
        "rate": entry.rate_used,
        "balance_after": energy(entry.current_balance or 0),
        "balance_now": energy(account_balance_kwh(entry.accountnumber)),
        "printed_at": timezone.localtime(),
    }
    return _pdf("messaging/receipt_pdf.html", context, size=size, rows=2)


def statement_pdf(*, accountnumber, date_from=None, date_to=None, size="a4", language="en"):
    from billing.models import AccountHistory
    from customers.models import AccountNumber

    try:
        accountnumber = account_number_normalise(accountnumber)
    except NormalisationError:
        raise NotPrintable from None
    account = AccountNumber.objects.select_related("customer").filter(pk=accountnumber).first()
    ledger = AccountHistory.objects.filter(accountnumber=accountnumber)
    if account is None and not ledger.exists():
        raise NotPrintable
    today = timezone.localdate()
    date_to = date_to or today
    date_from = date_from or (date_to - timedelta(days=30))
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(date_from, time.min), zone)
    end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min), zone)
    opening = (
        ledger.filter(transaction_date__lt=start)
        .order_by("-transaction_date", "-id")
        .values_list("current_balance", flat=True)
        .first()
    )
    period = ledger.filter(transaction_date__gte=start, transaction_date__lt=end)
    rows = list(period.order_by("transaction_date", "id")[:STATEMENT_MAX_ROWS])
    totals = period.aggregate(
        paid=Sum("transaction_amount", filter=Q(payment=True)),
        bought=Sum("kwh_value", filter=Q(payment=True)),
        used=Sum("kwh_value", filter=Q(payment=False)),
    )
    closing = (
        ledger.filter(transaction_date__lt=end)
        .order_by("-transaction_date", "-id")
        .values_list("current_balance", flat=True)
        .first()
    )
    context = {
        "t": LABELS[language],
        "language": language,
        "organisation": _organisation(),
        "customer": account.customer if account else None,
        "accountnumber": accountnumber,
        "date_from": date_from,
        "date_to": date_to,
        "opening": energy(opening or 0),
        "closing": energy(closing or 0),
        "rows": [
            {
                "when": timezone.localtime(r.transaction_date),
                "payment": r.payment,
                "amount": money(r.transaction_amount),
                "kwh": energy(r.kwh_value),
                "balance": energy(r.current_balance or 0),
            }
            for r in rows
        ],
        "truncated": LABELS[language]["truncated"].format(n=STATEMENT_MAX_ROWS) if len(rows) == STATEMENT_MAX_ROWS else "",
        "total_paid": money(totals["paid"] or Decimal("0")),
        "total_bought": energy(totals["bought"] or Decimal("0")),
        "total_used": energy(-(totals["used"] or Decimal("0"))),
        "printed_at": timezone.localtime(),
    }
    return _pdf("messaging/statement_pdf.html", context, size=size, rows=len(rows) + 8)
