"""The payment pages: statement import with its preview and confirmation, the unmatched-payments queue, the
payment lookup. Thin: parse, call, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles
from billing import selectors, services
from billing.forms import (
    AssignPaymentForm,
    ReasonForm,
    StatementUploadForm,
    errors_of,
)
from billing.models import ImportedPayment, IncomingSms, PaymentImport, Provider
from billing.statements import COLUMNS, StatementError, max_bytes, statement_read, statement_sample
from ccportal.links import local_next

PREVIEW_ROWS = 500
SAMPLE_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

# --- Payment import --------------------------------------------------------------------------------------


def _import_page(request, form, status=200):
    queue = Paginator(selectors.unmatched_payments(), 25).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "queue": queue,
        "recent": PaymentImport.objects.select_related("uploaded_by", "confirmed_by")[:10],
        "texts_to_decide": selectors.incoming_sms_to_decide(status=IncomingSms.Status.UNREADABLE).count(),
        "assign_form": AssignPaymentForm(),
        "dismiss_form": ReasonForm(),
        "providers": [(Provider(provider), columns) for provider, columns in COLUMNS.items()],
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
def payment_import_sample(request, provider, file_format):
    """A sample statement for the provider, written from the importer's own column definitions."""
    if provider not in COLUMNS or file_format not in SAMPLE_TYPES:
        raise Http404("No such sample")
    response = HttpResponse(statement_sample(provider=provider, file_format=file_format), content_type=SAMPLE_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{provider}-statement-sample.{file_format}"'
    return response


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
            classified=selectors.classified_names_add(classified[:PREVIEW_ROWS]),
            total=len(classified),
            counts=selectors.payment_outcome_counts(classified),
        )
    else:
        payments = payment_import.payments.select_related("ledger_row", "resolved_by").order_by("row_number")
        context["payments"] = Paginator(payments, 50).get_page(request.GET.get("page"))
    return render(request, "billing/payment_import_detail.html", context)


def _back_to_queue(request):
    return redirect(local_next(request, reverse("billing:payment_import")))


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
            messages.error(request, f"Receipt {payment.receipt}: " + " ".join(m for ms in errors_of(exc).values() for m in ms))
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
            messages.error(request, f"Receipt {payment.receipt}: " + " ".join(m for ms in errors_of(exc).values() for m in ms))
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
