"""The intake texts a person decides: forwarded SMS no template read as a payment (unreadable) or taken for
something else (ignored), shown verbatim, posted by hand or dismissed. Beside the unmatched-payments queue, with
its permission. Thin: parse, call, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts import roles
from billing import selectors, services
from billing.forms import IncomingSmsFilterForm, IncomingSmsResolveForm, ReasonForm, errors_of
from billing.models import IncomingSms
from ccportal.links import local_next

PAGE_SIZE = 25


@require_GET
@roles.require(roles.can_import_payments)
def incoming_sms_list(request):
    form = IncomingSmsFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    texts = selectors.incoming_sms_to_decide(
        status=filters.get("status", ""),
        since=filters.get("since"),
        until=filters.get("until"),
        sender=filters.get("sender", ""),
    )
    page = Paginator(texts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": bool(filters and any(filters.values())),
        "resolve_form": IncomingSmsResolveForm(),
        "dismiss_form": ReasonForm(),
    }
    return render(request, "billing/incoming_sms_list.html", context)


@require_GET
@roles.require(roles.can_import_payments)
def incoming_sms_detail(request, pk):
    sms = get_object_or_404(IncomingSms.objects.select_related("resolved_by"), pk=pk)
    payment = getattr(sms, "payment", None) if sms.status == IncomingSms.Status.POSTED else None
    context = {"sms": sms, "payment": payment, "resolve_form": IncomingSmsResolveForm(initial={"provider": sms.provider})}
    return render(request, "billing/incoming_sms_detail.html", context)


def _back(request):
    return redirect(local_next(request, reverse("billing:incoming_sms_list")))


def _refused(request, sms, exc):
    messages.error(request, f"SMS #{sms.pk}: " + " ".join(m for ms in errors_of(exc).values() for m in ms))


@require_POST
@roles.require(roles.can_import_payments)
def incoming_sms_resolve(request, pk):
    sms = get_object_or_404(IncomingSms, pk=pk)
    form = IncomingSmsResolveForm(request.POST)
    if not form.is_valid():
        problems = " ".join(f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items())
        messages.error(request, f"SMS #{sms.pk}: nothing was posted. {problems}")
        return _back(request)
    try:
        sms, payment = services.incoming_sms_resolve(sms=sms, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _refused(request, sms, exc)
    else:
        messages.success(
            request, f"SMS #{sms.pk}: receipt {payment.receipt} ({payment.amount}) posted to {payment.accountnumber}."
        )
    return _back(request)


@require_POST
@roles.require(roles.can_import_payments)
def incoming_sms_dismiss(request, pk):
    sms = get_object_or_404(IncomingSms, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"SMS #{sms.pk}: say why it is dismissed.")
        return _back(request)
    try:
        services.incoming_sms_dismiss(sms=sms, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        _refused(request, sms, exc)
    else:
        messages.success(request, f"SMS #{sms.pk} dismissed.")
    return _back(request)
