"""Customer Data (/accounts/<n>/): an account's banner, charts and ledger, and the ledger's edits by writers."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts import roles
from billing import customer_data, services
from billing.forms import (
    AccountLookupForm,
    LedgerEntryForm,
    ReasonForm,
)
from billing.models import AccountHistory
from ccportal.charts import bar_chart, line_chart
from ccportal.display import datetime_text, fixed, money_text
from ccportal.fields import form_errors_add
from ccportal.links import link_maker
from ccportal.normalize import NormalisationError, account_number_normalise
from ccportal.units import kwh_for_amount, money

LEDGER_PAGE_SIZE = 25

# --- Customer Data ----------------------------------------------------------------------------------------


@require_GET
@roles.require(roles.is_employee)
def account_lookup(request):
    form = AccountLookupForm(data=request.GET or None)
    if form.is_valid():
        return redirect("billing:account_data", accountnumber=form.cleaned_data["account"])
    return render(request, "billing/account_lookup.html", {"form": form})


def _ledger_initial(row):
    """The edit dialog's values. The figure the service derives (a payment's kWh, a consumption's amount) is
    left empty when it still equals amount ÷ rate or kWh × rate, so changing the other one recomputes it."""
    amount, kwh = abs(row.transaction_amount), abs(row.kwh_value)
    derivable = False
    if row.rate_used:
        derivable = kwh_for_amount(amount, row.rate_used) == kwh if row.payment else money(kwh * row.rate_used) == amount
    return {
        "when": timezone.localtime(row.transaction_date),
        "kind": "payment" if row.payment else "consumption",
        "amount": None if derivable and not row.payment else amount,
        "kwh": None if derivable and row.payment else kwh,
        "rate": row.rate_used,
    }


def _ledger_rows(accountnumber, entries, *, can_write):
    """The ledger table's cells, written once here rather than through a filter and, for writers, a `{% url %}`
    per row. The edit dialog is not in the table: the Edit link fetches it for its row (`ledger_edit`, GET)."""
    edit_url = link_maker("billing:ledger_edit", accountnumber)
    return [
        {
            "pk": row.pk,
            "when": datetime_text(row.transaction_date, default=""),
            "payment": row.payment,
            "amount": money_text(row.transaction_amount),
            "kwh": fixed(row.kwh_value, 3),
            "balance": fixed(row.current_balance, 3),
            "rate": fixed(row.rate_used, 4),
            "meter": row.meterid or "—",
            "edit_url": edit_url(row.pk) if can_write else "",
        }
        for row in entries
    ]


def _ledger_edit(accountnumber, entry, form=None):
    """The edit dialog of one ledger row (`billing/_ledger_edit.html`): its form, unbound unless sent back."""
    return {
        "pk": entry.pk,
        "form": form or LedgerEntryForm(prefix=f"row{entry.pk}", initial=_ledger_initial(entry)),
        "edit_url": link_maker("billing:ledger_edit", accountnumber)(entry.pk),
        "delete_url": link_maker("billing:ledger_delete", accountnumber)(entry.pk),
    }


def _account_context(request, accountnumber):
    data = customer_data.account_data(accountnumber)
    rows, sort = customer_data.account_ledger(accountnumber, sort=request.GET.get("sort", ""))
    paginator = Paginator(rows, LEDGER_PAGE_SIZE)
    paginator.count = data.ledger_rows  # counted with the totals: no second COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    can_write = roles.can_write_transactions(request.user)
    labels7, values7 = data.readings.daily(7)
    labels30, values30 = data.readings.daily(30)
    labels12, values12 = data.series.monthly()
    return {
        "data": data,
        "accountnumber": accountnumber,
        "page": page,
        "rows": _ledger_rows(accountnumber, page.object_list, can_write=can_write),
        "sort": sort,
        "add_form": LedgerEntryForm(prefix="new", initial={"kind": "payment"}) if can_write else None,
        "open_dialog": "",
        "edit": None,
        "ledger_columns": [
            ("date", "Date", ""),
            ("amount", "Amount", "num"),
            ("kwh", "kWh", "num"),
            ("balance", "Balance", "num"),
        ],
        # From the meter's readings; without any in the window the page says so instead of drawing zeros.
        "chart_7d": bar_chart(labels7, values7, title="Consumption, last 7 days", unit="kWh")
        if any(v is not None for v in values7)
        else None,
        "chart_30d": line_chart(labels30, {"kWh": values30}, title="Consumption, last 30 days", unit="kWh")
        if any(v is not None for v in values30)
        else None,
        "chart_12m": bar_chart(labels12, values12, title="Consumption, last 12 months", unit="kWh"),
    }


@require_GET
@roles.require(roles.is_employee)
@vary_on_headers("HX-Request")
def account_data(request, accountnumber):
    try:
        canonical = account_number_normalise(accountnumber)
    except NormalisationError:
        raise Http404("Not an account number") from None
    if canonical != accountnumber:
        return redirect("billing:account_data", accountnumber=canonical)
    context = _account_context(request, accountnumber)
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "billing/_ledger.html", context)
    return render(request, "billing/account_data.html", context)


def _ledger_row(accountnumber, entry_id):
    entry = AccountHistory.objects.filter(pk=entry_id, accountnumber=accountnumber).first()
    if entry is None:
        raise Http404("No such ledger row")
    return entry


def _ledger_form_failed(request, accountnumber, form, entry=None):
    """Customer Data again, with the add dialog (or ``entry``'s edit dialog) open on the form and its errors."""
    context = _account_context(request, accountnumber)
    if entry is None:
        context["open_dialog"] = "ledger-new"
        context["add_form"] = form
    else:
        context["edit"] = _ledger_edit(accountnumber, entry, form)
    return render(request, "billing/account_data.html", context, status=400)


@require_POST
@roles.require(roles.can_write_transactions)
def ledger_add(request, accountnumber):
    customer_data.account_data(accountnumber)  # 404 for an account nothing knows
    form = LedgerEntryForm(prefix="new", data=request.POST)
    if not form.is_valid():
        return _ledger_form_failed(request, accountnumber, form)
    try:
        entry = services.ledger_entry_create(
            accountnumber=accountnumber, by=request.user, reason=form.cleaned_data["reason"], **form.service_kwargs()
        )
    except ValidationError as exc:  # a derived value out of range, e.g. kWh = amount ÷ a tiny rate
        form_errors_add(form, exc)
        return _ledger_form_failed(request, accountnumber, form)
    messages.success(request, f"Ledger row added: {'payment' if entry.payment else 'consumption'} of {entry.kwh_value} kWh.")
    return redirect("billing:account_data", accountnumber=accountnumber)


@require_http_methods(["GET", "POST"])
@roles.require(roles.can_write_transactions)
@vary_on_headers("HX-Request")
def ledger_edit(request, accountnumber, entry_id):
    """GET: the row's edit dialog (for htmx, the dialog alone; otherwise Customer Data with it open). POST: save."""
    entry = _ledger_row(accountnumber, entry_id)
    if request.method == "GET":
        if request.htmx:
            return render(request, "billing/_ledger_edit.html", {"edit": _ledger_edit(accountnumber, entry)})
        context = _account_context(request, accountnumber)
        context["edit"] = _ledger_edit(accountnumber, entry)
        return render(request, "billing/account_data.html", context)
    form = LedgerEntryForm(prefix=f"row{entry.pk}", data=request.POST)
    if not form.is_valid():
        return _ledger_form_failed(request, accountnumber, form, entry=entry)
    try:
        services.ledger_entry_update(entry=entry, by=request.user, reason=form.cleaned_data["reason"], **form.service_kwargs())
    except ValidationError as exc:
        form_errors_add(form, exc)
        return _ledger_form_failed(request, accountnumber, form, entry=entry)
    messages.success(request, "Ledger row changed; balances after it were carried forward.")
    return redirect("billing:account_data", accountnumber=accountnumber)


@require_POST
@roles.require(roles.can_write_transactions)
def ledger_delete(request, accountnumber, entry_id):
    entry = _ledger_row(accountnumber, entry_id)
    form = ReasonForm(data=request.POST)
    if not form.is_valid():
        messages.error(request, "Say why you delete the ledger row.")
        return redirect("billing:account_data", accountnumber=accountnumber)
    services.ledger_entry_delete(entry=entry, by=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, "Ledger row deleted; balances after it were carried forward.")
    return redirect("billing:account_data", accountnumber=accountnumber)
