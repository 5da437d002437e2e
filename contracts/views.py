"""Pages of the contracts app: commissioning in five steps, its result, and contract downloads."""

import hashlib
import logging

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.roles import can_set_provider_signatory, can_write_customers, is_employee, require
from billing.selectors import tariff_rate_for
from ccportal.submissions import SubmissionRefused, form_errors, submission_response
from contracts.forms import CommissionForm, ProviderSignatoryForm, commission_initial
from contracts.links import contract_link_version_id
from contracts.models import Commissioning, ContractVersion, ProviderSignatory
from contracts.rendering import NO_SIGNATORY, ContractRenderError, contract_preview_facts
from contracts.selectors import accounts_for_commissioning, commissioning_detail, provider_signature_read
from contracts.services import (
    CommissioningError,
    contract_preview_texts,
    customer_commission,
    provider_signatory_set,
)
from customers.models import Customer, CustomerType

logger = logging.getLogger("contracts")

STEPS = ("Identify", "Details", "Contract", "Sign", "Review")


def _commission_page(request, customer, accounts, form, *, step, status=200):
    context = {
        "customer": customer,
        "accounts": accounts,
        "form": form,
        "step": step,
        "steps": STEPS,
        "no_signatory": NO_SIGNATORY if not ProviderSignatory.objects.exists() else "",
    }
    if form is not None:
        # Rendered with the first account and the customer's record; the page's script keeps the text in step with
        # the form (account, details) as they change, online or not.
        try:
            context["contract_texts"] = contract_preview_texts(customer=customer, account=accounts[0])
        except ContractRenderError as exc:
            context["contract_error"] = str(exc)
        context["contract_facts"] = contract_preview_facts(accounts)
    return render(request, "contracts/commission.html", context, status=status)


def _review_page(request, customer, form, *, error="", status=200):
    data = form.cleaned_data
    context = {
        "customer": customer,
        "form": form,
        "data": data,
        "customer_type_label": dict(CustomerType.choices).get(data["customer_type"], data["customer_type"]),
        "tariff": tariff_rate_for(customer=customer),
        "standard_ampacity": settings.CC_CONTRACT["supply_ampacity"],
        "step": len(STEPS),
        "steps": STEPS,
        "error": error,
    }
    return render(request, "contracts/commission_review.html", context, status=status)


@require(can_write_customers)
@require_http_methods(["GET", "POST"])
def commission(request, customer_id):
    """Identify → Details → Contract → Sign (one form, steps shown one at a time by static/js/app.js) → Review
    (rendered by the server from the validated form) → Commission."""
    customer = get_object_or_404(Customer, pk=customer_id)
    if request.method == "POST" and request.content_type == "application/json":
        return submission_response(
            request,
            kind="commission",
            groups=["fields"],
            apply=lambda **document: _commission_apply(request, customer, **document),
        )
    accounts = list(accounts_for_commissioning(customer))
    if not accounts:
        return _commission_page(request, customer, accounts, None, step=1)
    if request.method == "GET":
        form = CommissionForm(customer=customer, initial=commission_initial(customer, accounts))
        return _commission_page(request, customer, accounts, form, step=1)

    form = CommissionForm(request.POST, customer=customer)
    action = request.POST.get("action", "review")
    if not form.is_valid():
        return _commission_page(request, customer, accounts, form, step=form.first_error_step(), status=400)
    if action == "edit":
        return _commission_page(request, customer, accounts, form, step=2)
    if action != "commission":
        return _review_page(request, customer, form)
    try:
        commissioning = customer_commission(
            customer=customer, by=request.user, link_base_url=request.build_absolute_uri("/"), **form.service_kwargs()
        )
    except (ContractRenderError, CommissioningError) as exc:
        return _review_page(request, customer, form, error=str(exc), status=422)
    messages.success(request, f"{customer.full_name} is commissioned on account {commissioning.account_id}.")
    return redirect("contracts:commissioning_detail", pk=commissioning.pk)


def _commission_apply(request, customer, *, key, data, flags):
    """A commissioning kept on a tablet (ccportal.submissions): the same form and service as online, the
    review step being the officer's own on the device. An account gone or a meter moved meanwhile is a conflict."""
    form = CommissionForm({**data, "submission_key": str(key)}, customer=customer)
    if not form.is_valid():
        if "account" in form.errors:
            raise SubmissionRefused(
                409,
                {
                    "status": "conflict",
                    "reason": "account",
                    "message": "The account chosen is no longer this customer's: open the item, choose the account again and send it.",
                },
            )
        raise SubmissionRefused(
            422,
            {
                "status": "invalid",
                "message": "Some details were refused: change them and send again.",
                "errors": {"fields": form_errors(form)},
            },
        )
    try:
        commissioning = customer_commission(
            customer=customer, by=request.user, link_base_url=request.build_absolute_uri("/"), **form.service_kwargs()
        )
    except (ContractRenderError, CommissioningError) as exc:
        raise SubmissionRefused(409, {"status": "conflict", "reason": "commissioning", "message": str(exc)}) from None
    return 201, {
        "status": "applied",
        "message": f"{customer.full_name} is commissioned on account {commissioning.account_id}.",
        "id": commissioning.pk,
        "url": reverse("contracts:commissioning_detail", args=[commissioning.pk]),
    }


@require(is_employee)
@require_GET
def commissioning_page(request, pk):
    try:
        commissioning = commissioning_detail(pk)
    except Commissioning.DoesNotExist:
        raise Http404 from None
    versions = sorted(commissioning.contract_versions.all(), key=lambda v: v.language)
    return render(request, "contracts/commissioning_detail.html", {"commissioning": commissioning, "versions": versions})


def _pdf_response(version):
    """The stored PDF, checked against its SHA-256, never cached by browsers or proxies."""
    try:
        with version.file.open("rb") as handle:
            content = handle.read()
    except (FileNotFoundError, OSError):
        logger.error("Contract file of version %s is missing: %s", version.pk, version.file.name)
        raise Http404("The contract file is missing.") from None
    if hashlib.sha256(content).hexdigest() != version.sha256:
        logger.error("Contract file of version %s does not match its SHA-256", version.pk)
        return HttpResponse("This contract file has been altered since it was issued.", status=409, content_type="text/plain")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{version.download_name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require(is_employee)
@require_GET
def download(request, pk):
    return _pdf_response(get_object_or_404(ContractVersion, pk=pk))


@require_GET
def signed_download(request, token):
    """The link in the SMS: works without a login until it expires; a tampered token is a 404."""
    try:
        version_id = contract_link_version_id(token)
    except signing.SignatureExpired:
        phones = settings.CC_ORGANISATION["customer_service_phones"]
        return render(request, "contracts/link_expired.html", {"phones": phones}, status=410)
    except signing.BadSignature:
        raise Http404 from None
    return _pdf_response(get_object_or_404(ContractVersion, pk=version_id))


@require(can_set_provider_signatory)
@require_http_methods(["GET", "POST"])
def provider_signatory(request):
    """Who signs every contract for the company: shown, and changed with a reason."""
    current = ProviderSignatory.objects.select_related("updated_by").first()
    form = ProviderSignatoryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        provider_signatory_set(
            name=data["name"],
            title=data["title"],
            title_st=data["title_st"],
            signature_png=form.signature_png,
            by=request.user,
            reason=data["reason"],
        )
        messages.success(request, f"Contracts issued from now on are signed for the company by {data['name']}.")
        return redirect("contracts:provider_signatory")
    if current and not form.is_bound:
        form = ProviderSignatoryForm(initial={"name": current.name, "title": current.title, "title_st": current.title_st})
    context = {"current": current, "form": form}
    return render(request, "contracts/provider_signatory.html", context, status=400 if form.errors else 200)


@require(can_set_provider_signatory)
@require_GET
def provider_signature_image(request):
    """The current provider signature (for the page's preview): private, never cached."""
    current = ProviderSignatory.objects.first()
    png = provider_signature_read(current) if current is not None else None
    if png is None:
        raise Http404
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response
