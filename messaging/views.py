"""Pages of customer messages: the outbox (/messages/), one message with its history and resend, the templates
with a live preview, the low-balance rules, a customer's messages (an htmx partial for Customer Detail, Customer
Data and the commissioning page), and the printable receipt and statement."""

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts import roles
from customers.models import Customer
from messaging import printing, selectors, services
from messaging.forms import (
    LowBalanceRuleForm,
    ManualMessageForm,
    MessageFilterForm,
    PreferenceForm,
    PrintForm,
    ReasonForm,
    TemplateForm,
)
from messaging.gateways import is_development
from messaging.models import Kind, Language, LowBalanceRule, Message
from messaging.texts import EXAMPLE_VALUES, PLACEHOLDERS, sms_length, template_check, text_fill

PER_PAGE = 50


def _errors_into(form, exc):
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_GET
@roles.require(roles.is_employee)
@vary_on_headers("HX-Request")
def message_list(request):
    form = MessageFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.message_list(
        kind=filters.get("kind", ""),
        status=filters.get("status", ""),
        site=filters.get("site", ""),
        number=filters.get("number", ""),
        customer_id=filters.get("customer"),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "rows": page.object_list, "development": is_development()}
    template = "messaging/_message_rows.html" if request.htmx else "messaging/list.html"
    return render(request, template, context, status=400 if form.errors else 200)


def _message_or_404(pk):
    try:
        return selectors.message_get(pk)
    except Message.DoesNotExist:
        raise Http404 from None


@require_GET
@roles.require(roles.is_employee)
def message_detail(request, pk):
    message = _message_or_404(pk)
    context = {
        "message": message,
        "history": selectors.message_history(message),
        "resend_form": ReasonForm(),
        "length": sms_length(message.text),
    }
    return render(request, "messaging/detail.html", context)


@require_POST
@roles.require(roles.can_send_messages)
def message_resend(request, pk):
    message = _message_or_404(pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            message = services.message_resend(message=message, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _errors_into(form, exc)
    if form.errors:
        context = {
            "message": message,
            "history": selectors.message_history(message),
            "resend_form": form,
            "length": sms_length(message.text),
        }
        return render(request, "messaging/detail.html", context, status=400)
    message.refresh_from_db()
    flash.success(request, f"Message queued again; now: {message.status_label}.")
    return redirect("messaging:detail", pk=message.pk)


@require_GET
@roles.require(roles.is_employee)
def template_list(request):
    rows = selectors.templates_overview()
    for row in rows:
        row["length"] = sms_length(text_fill(row["text"], EXAMPLE_VALUES))
    return render(request, "messaging/templates.html", {"rows": rows})


def _template_kind_language(kind, language):
    if kind not in selectors.TEMPLATE_KINDS or language not in Language.values:
        raise Http404
    return kind, language


def _preview(kind, text):
    try:
        text = template_check(kind=kind, text=text)
    except ValidationError as exc:
        return {"error": " ".join(exc.message_dict.get("text", [])), "text": "", "length": sms_length("")}
    filled = text_fill(text, EXAMPLE_VALUES)
    return {"error": "", "text": filled, "length": sms_length(filled)}


@require_http_methods(["GET", "POST"])
@roles.require(roles.can_manage_messaging)
def template_edit(request, kind, language):
    kind, language = _template_kind_language(kind, language)
    current = selectors.template_texts()[(kind, language)]
    form = TemplateForm(request.POST or None, initial={"text": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.message_template_set(
                kind=kind, language=language, text=form.cleaned_data["text"], by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            flash.success(request, f"{Kind(kind).label} ({Language(language).label}) saved.")
            return redirect("messaging:templates")
    text = form.data.get("text", current) if form.is_bound else current
    context = {
        "form": form,
        "kind": kind,
        "language": language,
        "kind_label": Kind(kind).label,
        "language_label": Language(language).label,
        "placeholders": PLACEHOLDERS[kind],
        "preview": _preview(kind, text),
    }
    return render(request, "messaging/template_edit.html", context, status=400 if form.errors else 200)


@require_GET
@roles.require(roles.can_manage_messaging)
def template_preview(request, kind, language):
    kind, language = _template_kind_language(kind, language)
    text = request.GET.get("text", "")[:2000]
    return render(request, "messaging/_template_preview.html", {"preview": _preview(kind, text)})


@require_http_methods(["GET", "POST"])
@roles.require(roles.is_employee)
def low_balance_settings(request):
    rules = selectors.low_balance_rules()
    global_rule = rules[""]
    form = LowBalanceRuleForm(
        request.POST or None,
        initial={
            "threshold_kwh": global_rule.threshold_kwh,
            "clear_kwh": global_rule.clear_kwh,
            "max_per_day": global_rule.max_per_day,
            "quiet_start": global_rule.quiet_start,
            "quiet_end": global_rule.quiet_end,
        },
    )
    if request.method == "POST":
        roles.ensure(request.user, roles.can_manage_messaging)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.low_balance_rule_set(
                    site_code=data["site_code"],
                    threshold_kwh=data["threshold_kwh"],
                    clear_kwh=data["clear_kwh"],
                    max_per_day=data["max_per_day"],
                    quiet_start=data["quiet_start"],
                    quiet_end=data["quiet_end"],
                    by=request.user,
                    reason=data["reason"],
                )
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                flash.success(request, "Low-balance rule saved.")
                return redirect("messaging:settings")
    context = {
        "form": form,
        "global_rule": global_rule,
        "site_rules": [r for code, r in sorted(rules.items()) if code],
        "delete_form": ReasonForm(),
    }
    return render(request, "messaging/settings.html", context, status=400 if form.errors else 200)


@require_POST
@roles.require(roles.can_manage_messaging)
def low_balance_rule_delete(request, pk):
    rule = get_object_or_404(LowBalanceRule, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        flash.error(request, "Say why the site rule is removed.")
        return redirect("messaging:settings")
    try:
        services.low_balance_rule_delete(rule=rule, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        flash.error(request, " ".join(sum(exc.message_dict.values(), [])))
    else:
        flash.success(request, f"The rule of {rule.site_code} is removed; the global rule applies there.")
    return redirect("messaging:settings")


def _customer_or_404(pk):
    try:
        return Customer.objects.get(pk=pk)
    except Customer.DoesNotExist:
        raise Http404 from None


def _customer_context(request, customer, *, preference_form=None, manual_form=None):
    kind = request.GET.get("kind", "")
    rows = selectors.messages_for_customer(customer.pk)
    if kind in Kind.values:
        rows = [m for m in rows if m.kind == kind]
    preference = selectors.preference_for(customer)
    return {
        "customer": customer,
        "rows": rows,
        "kind": kind if kind in Kind.values else "",
        "preference": preference,
        "preference_form": preference_form
        or PreferenceForm(initial={"language": preference.language, "opted_out": preference.opted_out}),
        "manual_form": manual_form or ManualMessageForm(),
        "development": is_development(),
    }


@require_GET
@roles.require(roles.is_employee)
@vary_on_headers("HX-Request")
def customer_messages(request, pk):
    customer = _customer_or_404(pk)
    template = "messaging/_customer_messages.html" if request.htmx else "messaging/customer_messages.html"
    return render(request, template, _customer_context(request, customer))


def _customer_answer(request, customer, context, *, status=200):
    template = "messaging/_customer_messages.html" if request.htmx else "messaging/customer_messages.html"
    return render(request, template, context, status=status)


def _customer_form_post(request, pk, *, form_class, form_name, save, done):
    """One form of the customer's Messages panel: validate, call ``save(customer, cleaned_data)`` (a service),
    and answer with the panel (the form and its errors, 400) or, without htmx, a redirect with ``done``."""
    customer = _customer_or_404(pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            save(customer, form.cleaned_data)
        except ValidationError as exc:
            _errors_into(form, exc)
    if form.errors:
        return _customer_answer(request, customer, _customer_context(request, customer, **{form_name: form}), status=400)
    if not request.htmx:
        flash.success(request, done)
        return redirect("messaging:customer_messages", pk=customer.pk)
    return _customer_answer(request, customer, _customer_context(request, customer))


@require_POST
@roles.require(roles.can_send_messages)
def customer_preference(request, pk):
    def save(customer, data):
        services.customer_preference_set(
            customer=customer, language=data["language"], opted_out=data["opted_out"], reason=data["reason"], by=request.user
        )

    return _customer_form_post(
        request, pk, form_class=PreferenceForm, form_name="preference_form", save=save, done="Message preferences saved."
    )


@require_POST
@roles.require(roles.can_send_messages)
def customer_message_send(request, pk):
    def save(customer, data):
        services.message_manual_create(customer=customer, text=data["text"], by=request.user, reason=data["reason"])

    return _customer_form_post(
        request, pk, form_class=ManualMessageForm, form_name="manual_form", save=save, done="Message queued."
    )


def _pdf(content, filename):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _print(request, render_pdf, filename):
    """A printable PDF with the options of the query (size, lang, dates): 400 naming a bad option, 404 for
    nothing to print."""
    form = PrintForm(request.GET)
    if not form.is_valid():
        return HttpResponse(" ".join(sum(form.errors.values(), [])), status=400, content_type="text/plain")
    try:
        content = render_pdf(form.cleaned_data)
    except printing.NotPrintable:
        raise Http404 from None
    return _pdf(content, f"{filename}-{form.cleaned_data['lang']}.pdf")


@require_GET
@roles.require(roles.is_employee)
def receipt_pdf(request, entry_id):
    return _print(
        request, lambda o: printing.receipt_pdf(entry_id=entry_id, size=o["size"], language=o["lang"]), f"receipt-{entry_id}"
    )


@require_GET
@roles.require(roles.is_employee)
def statement_pdf(request, accountnumber):
    def render_pdf(o):
        return printing.statement_pdf(
            accountnumber=accountnumber, date_from=o["date_from"], date_to=o["date_to"], size=o["size"], language=o["lang"]
        )

    return _print(request, render_pdf, f"statement-{accountnumber}")
