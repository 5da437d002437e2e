"""Billing pages: tariffs, financial, payment import and its unmatched queue. Thin: parse, call, render."""

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles
from billing import selectors, services
from billing.forms import AssignPaymentForm, ReasonForm, StatementUploadForm, TariffHistoryFilterForm, TariffRateForm
from billing.models import ImportedPayment, PaymentImport, TariffRate
from billing.statements import StatementError, max_bytes, statement_read
from ccportal import charts
from ccportal.fields import form_errors_add
from customers.models import Customer, Site

PREVIEW_ROWS = 500


def _errors_of(exc):
    """A ValidationError's messages as {field: [messages]}."""
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


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
            form_errors_add(form, exc)
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
        messages.error(request, " ".join(m for ms in _errors_of(exc).values() for m in ms))
    else:
        messages.success(request, f"Ended: {row}.")
    return redirect("billing:tariffs")


# --- Financial -------------------------------------------------------------------------------------------


def _financial_site(request):
    code = (request.GET.get("site") or "").strip().upper()
    return code if Site.objects.filter(code=code).exists() else ""


@require_GET
@roles.require(roles.is_employee)
def financial(request):
    site = _financial_site(request)
    summary = selectors.financial_summary(site_code=site or None)
    labels = summary["labels"]
    figures = {}
    if labels:
        figures["arpu"] = charts.line_chart(
            labels, {"ARPU": [q["arpu"] or 0 for q in summary["quarters"]]}, title="ARPU per quarter", unit="LSL"
        )
        figures["revenue"] = charts.bar_chart(
            labels, [q["sales"] for q in summary["quarters"]], title="Revenue per quarter", unit="LSL"
        )
        figures["by_site"] = charts.stacked_bar_chart(
            labels, {row["site"]: row["sales"] for row in summary["table"]}, title="Revenue by site per quarter", unit="LSL"
        )
    context = {"summary": summary, "figures": figures, "site": site, "sites": Site.objects.order_by("code")}
    return render(request, "billing/financial.html", context)


@require_GET
@roles.require(roles.is_employee)
def financial_download(request):
    from openpyxl import Workbook

    site = _financial_site(request)
    summary = selectors.financial_summary(site_code=site or None)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Revenue by site"
    sheet.append(["Site", *summary["labels"], "Total"])
    for row in summary["table"]:
        sheet.append([row["site"], *row["sales"], row["total"]])
    sheet.append(["Total", *summary["totals"], summary["grand_total"]])
    quarters = workbook.create_sheet("ARPU by quarter")
    quarters.append(["Quarter", "Revenue (LSL)", "Energy sold (kWh)", "Active customers", "ARPU (LSL)"])
    for q in summary["quarters"]:
        quarters.append([q["quarter"], q["sales"], q["energy"], q["active_customers"], q["arpu"]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="financial{"-" + site if site else ""}.xlsx"'
    return response


# --- Payment import --------------------------------------------------------------------------------------


def _import_page(request, form, status=200):
    queue = Paginator(selectors.unmatched_payments(), 25).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "queue": queue,
        "recent": PaymentImport.objects.select_related("uploaded_by", "confirmed_by")[:10],
        "assign_form": AssignPaymentForm(),
        "dismiss_form": ReasonForm(),
    }
    return render(request, "billing/payment_import.html", context, status=status)


@require_http_methods(["GET", "POST"])
@roles.require(roles.can_import_payments)
def payment_import(request):
    if request.method != "POST":
        return _import_page(request, StatementUploadForm())
    form = StatementUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form, status=400)
    upload = form.cleaned_data["statement"]
    if upload.size > max_bytes():
        form.add_error("statement", "The file is larger than 5 MB; split the statement.")
        return _import_page(request, form, status=400)
    content = upload.read()
    try:
        statement_read(content=content, filename=upload.name, provider=form.cleaned_data["provider"])
    except StatementError as exc:
        for number, message in exc.errors[:50]:
            form.add_error("statement", f"Row {number}: {message}" if number else message)
        if len(exc.errors) > 50:
            form.add_error("statement", f"… and {len(exc.errors) - 50} more rows with errors.")
        return _import_page(request, form, status=400)
    created = services.payment_import_create(
        provider=form.cleaned_data["provider"], filename=upload.name, content=content, by=request.user
    )
    return redirect("billing:payment_import_detail", pk=created.pk)


@require_GET
@roles.require(roles.can_import_payments)
def payment_import_detail(request, pk):
    payment_import = get_object_or_404(PaymentImport, pk=pk)
    context = {"payment_import": payment_import}
    if payment_import.status == PaymentImport.Status.PREVIEW:
        try:
            with payment_import.statement.open("rb") as handle:
                rows = statement_read(content=handle.read(), filename=payment_import.filename, provider=payment_import.provider)
        except (OSError, ValueError, StatementError):
            messages.error(request, "The uploaded statement can no longer be read; upload it again.")
            return redirect("billing:payment_import")
        classified = selectors.payment_rows_classify(rows=rows, provider=payment_import.provider)
        context.update(
            classified=classified[:PREVIEW_ROWS], total=len(classified), counts=selectors.payment_outcome_counts(classified)
        )
    else:
        payments = payment_import.payments.select_related("ledger_row", "resolved_by").order_by("row_number")
        context["payments"] = Paginator(payments, 50).get_page(request.GET.get("page"))
    return render(request, "billing/payment_import_detail.html", context)


@require_POST
@roles.require(roles.can_import_payments)
def payment_import_confirm(request, pk):
    payment_import = get_object_or_404(PaymentImport, pk=pk)
    try:
        counts = services.payment_import_confirm(payment_import=payment_import, by=request.user)
    except StatementError as exc:
        messages.error(request, "Nothing was posted: " + "; ".join(m for _, m in exc.errors[:5]))
        return redirect("billing:payment_import_detail", pk=pk)
    messages.success(
        request,
        f"Posted {counts['posted']} payments; {counts['unmatched']} wait in the unmatched queue, "
        f"{counts['duplicate']} duplicates and {counts['ignored']} ignored rows were not posted.",
    )
    return redirect("billing:payment_import_detail", pk=pk)


def _back_to_queue(request):
    target = request.POST.get("next") or ""
    return redirect(target if target.startswith("/") and not target.startswith("//") else reverse("billing:payment_import"))


@require_POST
@roles.require(roles.can_import_payments)
def payment_assign(request, pk):
    payment = get_object_or_404(ImportedPayment, pk=pk)
    form = AssignPaymentForm(request.POST)
    if form.is_valid():
        try:
            payment = services.imported_payment_assign(
                payment=payment,
                accountnumber=form.cleaned_data["accountnumber"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, f"Receipt {payment.receipt}: " + " ".join(m for ms in _errors_of(exc).values() for m in ms))
        else:
            messages.success(request, f"Receipt {payment.receipt} posted to {payment.accountnumber}.")
    else:
        messages.error(request, f"Receipt {payment.receipt}: enter an account number.")
    return _back_to_queue(request)


@require_POST
@roles.require(roles.can_import_payments)
def payment_dismiss(request, pk):
    payment = get_object_or_404(ImportedPayment, pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.imported_payment_dismiss(payment=payment, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, f"Receipt {payment.receipt}: " + " ".join(m for ms in _errors_of(exc).values() for m in ms))
        else:
            messages.success(request, f"Receipt {payment.receipt} dismissed.")
    else:
        messages.error(request, f"Receipt {payment.receipt}: say why it is dismissed.")
    return _back_to_queue(request)


# --- Payment lookup --------------------------------------------------------------------------------------


@require_GET
@roles.require(roles.is_employee)
def payment_lookup(request):
    query = request.GET.get("q", "")
    context = {
        "result": selectors.payment_lookup(query) if query.strip() else None,
        "q": query,
        "assign_form": AssignPaymentForm(),
    }
    template = "billing/_lookup_results.html" if request.htmx else "billing/payment_lookup.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
