"""The Tariffs page: the schedule in force, its history, setting and ending a rate."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from accounts import roles
from billing import selectors, services
from billing.forms import (
    ReasonForm,
    TariffHistoryFilterForm,
    TariffRateForm,
    add_errors,
    errors_of,
)
from billing.models import TariffRate
from customers.models import Customer, Site

# --- Tariffs ---------------------------------------------------------------------------------------------


def _tariff_context(request, form=None, open_dialog=False):
    filters = TariffHistoryFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    history = selectors.tariff_history(
        scope=data.get("scope", ""), key=data.get("key", ""), since=data.get("since"), until=data.get("until")
    )
    page = Paginator(history, 25).get_page(request.GET.get("page"))
    customers_rows = selectors.tariff_schedule(TariffRate.Scope.CUSTOMER)
    names = dict(
        Customer.objects.filter(pk__in=[int(r.scope_key) for r in customers_rows if r.scope_key.isdigit()][:1000]).values_list(
            "pk", "first_name"
        )
    )
    for row in customers_rows:
        row.customer_name = names.get(int(row.scope_key)) if row.scope_key.isdigit() else ""
    globals_ = selectors.tariff_schedule(TariffRate.Scope.GLOBAL)
    return {
        "resolved": selectors.tariff_rate_for(),
        "global_rows": globals_,
        "pending_global": [r for r in globals_ if r.state == "scheduled"],
        "site_rows": selectors.tariff_schedule(TariffRate.Scope.SITE),
        "customer_rows": customers_rows,
        "sites": Site.objects.order_by("code"),
        "history_page": page,
        "filters": filters,
        "history_filtered": any(data.get(name) for name in ("scope", "key", "since", "until")),
        "form": form or TariffRateForm(initial={"scope": "global"}),
        "end_form": ReasonForm(),
        "open_dialog": open_dialog,
    }


@require_GET
@roles.require(roles.is_employee)
def tariffs(request):
    context = _tariff_context(request)
    if request.htmx and request.htmx.target == "tariff-history":
        response = render(request, "billing/_tariff_history.html", context)
    else:
        response = render(request, "billing/tariffs.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
@roles.require(roles.can_manage_tariffs)
def tariff_set(request):
    form = TariffRateForm(request.POST)
    if form.is_valid():
        try:
            row = services.tariff_rate_set(
                scope=form.cleaned_data["scope"],
                scope_key=form.cleaned_data["scope_key"],
                rate_lsl=form.cleaned_data["rate_lsl"],
                effective_from=form.cleaned_data["effective_from"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Saved: {row}.")
            return redirect("billing:tariffs")
    return render(request, "billing/tariffs.html", _tariff_context(request, form=form, open_dialog=True), status=400)


@require_POST
@roles.require(roles.can_manage_tariffs)
def tariff_end(request, pk):
    row = get_object_or_404(TariffRate, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the rate ends; nothing was changed.")
        return redirect("billing:tariffs")
    try:
        services.tariff_rate_end(tariff_rate=row, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in errors_of(exc).values() for m in ms))
    else:
        messages.success(request, f"Ended: {row}.")
    return redirect("billing:tariffs")
