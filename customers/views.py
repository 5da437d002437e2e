"""Pages for customers: list and live search, New Customer wizard, Customer Detail, Assign Meter."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts import roles
from accounts.roles import require
from ccportal.links import link_maker
from ccportal.submissions import SubmissionRefused, form_errors, submission_response
from customers import selectors, services
from customers.forms import (
    WIZARD_STEPS,
    AssignMeterForm,
    CustomerForm,
    ReasonForm,
    TerminateForm,
    customer_field_form,
)
from customers.models import Customer, CustomerType

LIST_PAGE_SIZE = 50
LEDGER_PAGE_SIZE = 25
WIZARD_SESSION_KEY = "customer_wizard"
FIELD_GROUPS = [
    ("Personal", ["first_name", "middle_name", "last_name", "gender", "national_id"]),
    ("Contact", ["phone", "cell_phone_1", "cell_phone_2", "email"]),
    ("Location", ["site_code", "district", "city", "plot_number", "street_address", "gps_y", "gps_x", "country"]),
    ("Service", ["customer_type", "date_service_connected", "date_service_terminated"]),
]


def _wants_partial(request):
    return bool(request.htmx) and not request.htmx.history_restore_request


def _field_label(name):
    form_field = CustomerForm.base_fields.get(name)
    label = CustomerForm.Meta.labels.get(name) or (form_field.label if form_field else None)
    return label or Customer._meta.get_field(name).verbose_name.capitalize()


def _field_display(customer, name):
    if name == "customer_type" and customer.customer_type:
        return f"{customer.customer_type} — {customer.get_customer_type_display()}"
    value = getattr(customer, name)
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return "" if value is None else value


def _field_item(customer, name, field_url):
    """One field of Customer Detail for customers/_field.html; ``field_url`` is link_maker("customers:field", pk)."""
    return {"name": name, "label": _field_label(name), "value": _field_display(customer, name), "url": field_url(name)}


# List ------------------------------------------------------------------------------------------------


def _list_rows(customers):
    """The list's cells, worked out once per row here rather than by a `{% url %}` and a chain of filters per
    cell in the template (dicts: the template engine reads a key faster than an attribute)."""
    detail_url = link_maker("customers:detail")
    account_url = link_maker("billing:account_data")
    return [
        {
            "id": customer.pk,
            "url": detail_url(customer.pk),
            "name": customer.full_name or "(no name)",
            "plot_number": customer.plot_number,
            "site_code": customer.site_code,
            "customer_type": customer.customer_type,
            "connected": customer.date_service_connected.isoformat() if customer.date_service_connected else "—",
            "phone": customer.phone or customer.cell_phone_1 or "—",
            "accounts": [(account.accountnumber, account_url(account.accountnumber)) for account in customer.account_list],
            "terminated": customer.date_service_terminated is not None,
        }
        for customer in customers
    ]


@require_GET
@require(roles.is_employee)
@vary_on_headers("HX-Request")
def customer_list(request):
    params = request.GET
    q = params.get("q", "").strip()[:100]
    filters = {
        "q": q,
        "site": params.get("site", ""),
        "customer_type": params.get("type", ""),
        "status": params.get("status", ""),
    }
    customers = selectors.customer_list(**filters)
    page, sort = selectors.customer_page(
        customers,
        sort=params.get("sort", ""),
        after=params.get("after", ""),
        before=params.get("before", ""),
        per_page=LIST_PAGE_SIZE,
    )
    context = {
        "page": page,
        "rows": _list_rows(page.object_list),
        "counts": selectors.customer_status_counts(customers, **filters),
        "count_cap": selectors.COUNT_CAP,
        "sort": sort,
        "q": q,
        "site": params.get("site", ""),
        "type": params.get("type", ""),
        "status": params.get("status", ""),
        "filtered": any(params.get(key) for key in ("q", "site", "type", "status")),
        "columns": [("id", "ID"), ("name", "Name"), ("site", "Site"), ("type", "Type"), ("connected", "Connected")],
    }
    if _wants_partial(request):
        return render(request, "customers/_results.html", context)
    context.update(sites=selectors.sites(), types=CustomerType.choices)
    return render(request, "customers/list.html", context)


# New Customer wizard ----------------------------------------------------------------------------------


def _wizard_forms(stored):
    return {name: form_class(data=stored[name]) if name in stored else None for name, _, form_class in WIZARD_STEPS}


@require_http_methods(["GET", "POST"])
@require(roles.can_write_customers)
def customer_new(request):
    stored = request.session.get(WIZARD_SESSION_KEY, {})
    names = [name for name, _, _ in WIZARD_STEPS]
    if request.GET.get("restart"):
        request.session.pop(WIZARD_SESSION_KEY, None)
        return redirect("customers:new")
    step = request.POST.get("step") or request.GET.get("step") or names[0]
    if step not in names + ["review"]:
        step = names[0]
    # Each step needs the ones before it: go to the first missing one.
    for name in names:
        if name == step:
            break
        if name not in stored:
            return redirect(f"{reverse('customers:new')}?step={name}")
    if step == "review":
        return _wizard_review(request, stored)
    form_class = dict((name, form_class) for name, _, form_class in WIZARD_STEPS)[step]
    if request.method == "POST":
        form = form_class(data=request.POST)
        if "back" in request.POST:
            stored[step] = {key: request.POST.get(key, "") for key in form.fields}
            request.session[WIZARD_SESSION_KEY] = stored
            return redirect(f"{reverse('customers:new')}?step={names[max(names.index(step) - 1, 0)]}")
        if form.is_valid():
            # As typed, except dates: kept ISO, so that the step shown again reads as every date the portal shows.
            stored[step] = {
                key: value.isoformat() if isinstance(value := form.cleaned_data.get(key), date) else request.POST.get(key, "")
                for key in form.fields
            }
            request.session[WIZARD_SESSION_KEY] = stored
            following = names[names.index(step) + 1] if step != names[-1] else "review"
            return redirect(f"{reverse('customers:new')}?step={following}")
    else:
        form = form_class(initial=stored.get(step, {}))
    # Shown from the step after personal on, so the clerk sees it before saving.
    personal = stored.get("personal", {}) if step != "personal" else {}
    duplicates = _wizard_duplicates(personal) if personal else []
    return render(
        request,
        "customers/wizard.html",
        {"step": step, "steps": WIZARD_STEPS, "form": form, "duplicates": duplicates, "stored": stored},
    )


def _wizard_duplicates(personal):
    form = WIZARD_STEPS[0][2](data=personal)
    if not form.is_valid():
        return []
    data = form.cleaned_data
    return selectors.customer_duplicates(
        phones=[data.get("phone"), data.get("cell_phone_1")], national_id=data.get("national_id")
    )


def _wizard_review(request, stored):
    forms = _wizard_forms(stored)
    invalid = [name for name, form in forms.items() if form is None or not form.is_valid()]
    if invalid:
        messages.warning(request, "Please check this step again.")
        return redirect(f"{reverse('customers:new')}?step={invalid[0]}")
    data = {}
    for form in forms.values():
        data.update(form.cleaned_data)
    duplicates = selectors.customer_duplicates(
        phones=[data.get("phone"), data.get("cell_phone_1")], national_id=data.get("national_id")
    )
    if request.method == "POST":
        if "back" in request.POST:
            return redirect(f"{reverse('customers:new')}?step={WIZARD_STEPS[-1][0]}")
        customer = services.customer_create(by=request.user, **data)
        request.session.pop(WIZARD_SESSION_KEY, None)
        messages.success(request, f"Customer {customer.pk} {customer.full_name} registered.")
        return redirect("customers:detail", pk=customer.pk)
    summary = []
    for name, title, _form_class in WIZARD_STEPS:
        form = forms[name]
        rows = []
        for field_name in form.fields:
            value = form.cleaned_data.get(field_name)
            if field_name == "customer_type" and value:
                value = f"{value} — {CustomerType(value).label}"
            elif isinstance(value, date):
                value = value.strftime("%Y-%m-%d")
            rows.append((form.fields[field_name].label or _field_label(field_name), value))
        summary.append((name, title, rows))
    return render(
        request,
        "customers/wizard.html",
        {"step": "review", "steps": WIZARD_STEPS, "summary": summary, "duplicates": duplicates, "stored": stored},
    )


# New Customer, field form (offline capture) ----------------------------------------------------------------

FIELD_FORM_REASON = "Registered with the New Customer field form"


def _field_forms(data=None):
    return [(name, title, form_class(data=data, prefix=name)) for name, title, form_class in WIZARD_STEPS]


def _field_form_apply(*, key, data, flags, by):
    """One customer from the field form's data (all the wizard's steps at once, validated by the same forms);
    a national ID already registered is a conflict the officer resolves (``confirm_duplicate``)."""
    forms = _field_forms(data)
    errors = {name: form_errors(form) for name, _title, form in forms if not form.is_valid()}
    if errors:
        raise SubmissionRefused(
            422, {"status": "invalid", "message": "Some details were refused: change them and send again.", "errors": errors}
        )
    fields = {}
    for _name, _title, form in forms:
        fields.update(form.cleaned_data)
    if fields.get("national_id") and not flags.get("confirm_duplicate"):
        same = list(selectors.customer_duplicates(national_id=fields["national_id"]))
        if same:
            found = ", ".join(f"{customer.pk} {customer.full_name}" for customer in same[:3])
            raise SubmissionRefused(
                409,
                {
                    "status": "conflict",
                    "reason": "national_id",
                    "resolve": "confirm_duplicate",
                    "message": f"National ID {fields['national_id']} is already registered (customer {found}). "
                    "Register anyway if this is another person, or change or discard this one.",
                    "duplicates": [
                        {"id": customer.pk, "name": customer.full_name, "url": reverse("customers:detail", args=[customer.pk])}
                        for customer in same
                    ],
                },
            )
    customer = services.customer_create(by=by, reason=FIELD_FORM_REASON, **fields)
    message = f"Customer {customer.pk} {customer.full_name} registered."
    return 201, {
        "status": "applied",
        "message": message,
        "id": customer.pk,
        "url": reverse("customers:detail", args=[customer.pk]),
    }


@require_http_methods(["GET", "POST"])
@require(roles.can_write_customers)
def customer_new_field(request):
    """The wizard's steps on one page that works without a connection: the page's script keeps the customer on
    the device and sends one JSON document (ccportal.submissions); without JavaScript the form posts as usual."""
    if request.method == "POST" and request.content_type == "application/json":
        return submission_response(
            request,
            kind="customer_new",
            groups=[name for name, _, _ in WIZARD_STEPS],
            apply=lambda **document: _field_form_apply(by=request.user, **document),
        )
    forms = _field_forms(request.POST if request.method == "POST" else None)
    duplicates = []
    if request.method == "POST":
        flags = {"confirm_duplicate": bool(request.POST.get("confirm_duplicate"))}
        try:
            status, body = _field_form_apply(key=None, data=request.POST, flags=flags, by=request.user)
        except SubmissionRefused as refused:
            duplicates = refused.body.get("duplicates", [])
            if not duplicates:
                return render(request, "customers/new_field.html", {"forms": forms}, status=refused.status)
        else:
            messages.success(request, body["message"])
            return redirect(body["url"])
    return render(
        request, "customers/new_field.html", {"forms": forms, "duplicates": duplicates}, status=409 if duplicates else 200
    )


# Customer Detail --------------------------------------------------------------------------------------


def _detail_context(request, customer):
    field_url = link_maker("customers:field", customer.pk)
    groups = [(title, [_field_item(customer, name, field_url) for name in names]) for title, names in FIELD_GROUPS]
    accounts = list(selectors.customer_accounts(customer))
    meters = list(selectors.customer_meters(customer))
    return {
        "customer": customer,
        "groups": groups,
        "accounts": accounts,
        "meters": meters,
        "history": selectors.customer_recent_history(customer),
        "has_ledger_rows": any(item.has_ledger_rows for item in accounts + meters),
        "terminate_form": TerminateForm(prefix="terminate"),
        "delete_form": ReasonForm(prefix="delete"),
    }


@require_GET
@require(roles.is_employee)
def customer_detail(request, pk):
    customer = selectors.customer_get(pk)
    return render(request, "customers/detail.html", _detail_context(request, customer))


@require_http_methods(["GET", "POST"])
@require(roles.is_employee)
@vary_on_headers("HX-Request")
def customer_field(request, pk, field):
    """One field of Customer Detail: shown (GET), its edit form (GET ?edit=1, writers) or saved (POST)."""
    editing = request.method == "POST" or request.GET.get("edit")
    if editing:  # before any lookup: a reader is refused alike for a customer that exists and one that does not
        roles.ensure(request.user, roles.can_write_customers)
    customer = selectors.customer_get(pk)
    if field not in services.CUSTOMER_EDITABLE_FIELDS:
        raise Http404("No such field")
    item = _field_item(customer, field, link_maker("customers:field", customer.pk))
    if not editing:
        return render(request, "customers/_field.html", {"customer": customer, "item": item})
    form_class = customer_field_form(field)
    if request.method == "POST":
        form = form_class(data=request.POST, instance=Customer.objects.get(pk=customer.pk))
        if form.is_valid():
            value = form.cleaned_data[field]
            try:
                customer = services.customer_update(
                    customer=customer,
                    changes={field: value},
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"] or None,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                item["value"] = _field_display(customer, field)
                if _wants_partial(request):
                    return render(request, "customers/_field.html", {"customer": customer, "item": item, "saved": True})
                messages.success(request, f"{item['label']} changed.")
                return redirect("customers:detail", pk=customer.pk)
    else:
        form = form_class(instance=customer, initial={"version": selectors.customer_version(customer)})
    template = "customers/_field_form.html" if _wants_partial(request) else "customers/field_edit.html"
    return render(request, template, {"customer": customer, "item": item, "form": form, "edited": form[field]})


@require_POST
@require(roles.can_write_customers)
def customer_terminate(request, pk):
    customer = selectors.customer_get(pk)
    form = TerminateForm(prefix="terminate", data=request.POST)
    if form.is_valid():
        try:
            services.customer_terminate(
                customer=customer, on=form.cleaned_data["on"], by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Service of customer {customer.pk} terminated on {form.cleaned_data['on']:%Y-%m-%d}.")
            return redirect("customers:detail", pk=customer.pk)
    context = _detail_context(request, customer)
    context["terminate_form"] = form
    return render(request, "customers/detail.html", context, status=400)


@require_POST
@require(roles.can_delete_records)
def customer_delete(request, pk):
    customer = selectors.customer_get(pk)
    form = ReasonForm(prefix="delete", data=request.POST)
    if form.is_valid():
        try:
            services.customer_delete(customer=customer, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("customers:detail", pk=customer.pk)
        messages.success(request, f"Customer {pk} deleted.")
        return redirect("customers:list")
    context = _detail_context(request, customer)
    context["delete_form"] = form
    return render(request, "customers/detail.html", context, status=400)


# Assign Meter -----------------------------------------------------------------------------------------


def _likely_number(site_code):
    try:
        return selectors.account_number_next(site_code) if site_code else ""
    except ValueError:
        return ""


@require_http_methods(["GET", "POST"])
@require(roles.can_write_customers)
@vary_on_headers("HX-Request")
def assign_meter(request, pk):
    customer = selectors.customer_get(pk)
    if _wants_partial(request) and request.method == "GET":
        site_code = request.GET.get("site_code", "")
        return render(request, "customers/_next_number.html", {"likely_number": _likely_number(site_code)})
    accounts = list(selectors.customer_accounts(customer))
    if request.method == "POST":
        form = AssignMeterForm(data=request.POST, second_account=bool(accounts))
        if form.is_valid():
            data = form.cleaned_data
            try:
                account = services.meter_assign(
                    customer=customer,
                    meterid=data["meterid"],
                    site_code=data["site_code"],
                    customer_type=data["customer_type"],
                    village=data["village"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    connect_date=data["connect_date"],
                    accountnumber=data["accountnumber"] or None,
                    reason=data.get("reason", ""),
                    by=request.user,
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(
                    request, f"Meter {account.meter_id} assigned to {customer.full_name} on account {account.accountnumber}."
                )
                return redirect("customers:detail", pk=customer.pk)
    else:
        form = AssignMeterForm(
            second_account=bool(accounts),
            initial={
                "site_code": customer.site_code,
                "customer_type": customer.customer_type,
                "village": customer.city,
                "latitude": customer.gps_y,
                "longitude": customer.gps_x,
                "connect_date": customer.date_service_connected or timezone.localdate(),
            },
        )
    form.fields["site_code"].widget.attrs.update(
        {
            "hx-get": reverse("customers:assign_meter", args=[customer.pk]),
            "hx-trigger": "change",
            "hx-target": "#next-number",
            "hx-swap": "outerHTML",
        }
    )
    site_code = form.data.get("site_code") if form.is_bound else customer.site_code
    return render(
        request,
        "customers/assign_meter.html",
        {"customer": customer, "accounts": accounts, "form": form, "likely_number": _likely_number(site_code)},
    )
