"""Dates typed ISO or day-first and shown ISO on every page, whatever the browser's locale: no page renders the
browser's own date picker (<input type="date"> shows MM/DD/YYYY in en-US), every date box is the shared one."""

import re
from datetime import date, datetime

import pytest
from django import forms
from django.template import Context, Template
from django.utils import formats, timezone

from billing.forms import LedgerEntryForm
from ccportal.fields import DateField, PlausibleDateField, PlausibleDateTimeField, date_read
from customers.forms import ServiceForm
from customers.models import Customer
from reports.exports import export_filters
from tests.factories import CustomerFactory
from tests.test_permission_matrix import html_pages_as_superadmin, people, world  # noqa: F401

BROWSER_DATE_INPUTS = re.compile(r"""type=["']?(date|datetime-local|month|week)["'\s>]""")


@pytest.mark.parametrize("typed", ["2026-03-04", "04/03/2026", "4/3/2026", "04-03-2026"])
def test_it_reads_iso_and_day_first_as_the_same_date(typed):
    assert PlausibleDateField().clean(typed) == date(2026, 3, 4)
    assert DateField().clean(typed) == date(2026, 3, 4)
    assert date_read(typed) == date(2026, 3, 4)


@pytest.mark.parametrize("typed", ["03/31/2026", "2026/03/31", "31.03.2026", "March 31 2026", "2026-02-30"])
def test_it_refuses_month_first_and_other_forms_with_a_clear_message(typed):
    with pytest.raises(forms.ValidationError) as refused:
        PlausibleDateField().clean(typed)
    assert refused.value.messages == ["Enter the date as YYYY-MM-DD or DD/MM/YYYY, e.g. 2026-03-31 or 31/03/2026."]


def test_it_keeps_the_date_bounds():
    with pytest.raises(forms.ValidationError, match="2000-01-01"):
        PlausibleDateField().clean("31/12/1999")


@pytest.mark.parametrize("typed", ["2026-03-04 14:05", "2026-03-04T14:05", "04/03/2026 14:05", "04-03-2026 14:05:00"])
def test_it_reads_a_moment_iso_or_day_first(typed):
    moment = timezone.localtime(PlausibleDateTimeField().clean(typed))
    assert (moment.date(), moment.hour, moment.minute) == (date(2026, 3, 4), 14, 5)


@pytest.mark.django_db
def test_a_form_posted_day_first_saves_what_the_iso_form_saves():
    iso = ServiceForm(data={"customer_type": "HH", "date_service_connected": "2026-01-15"})
    day_first = ServiceForm(data={"customer_type": "HH", "date_service_connected": "15/01/2026"})
    assert iso.is_valid() and day_first.is_valid(), (iso.errors, day_first.errors)
    assert iso.cleaned_data["date_service_connected"] == day_first.cleaned_data["date_service_connected"] == date(2026, 1, 15)


@pytest.mark.django_db
def test_the_inline_edit_saves_a_day_first_date(onm_client):
    customer = CustomerFactory(date_service_connected=date(2024, 1, 15))
    url = f"/customers/{customer.pk}/field/date_service_connected/"
    form = onm_client.get(url + "?edit=1").content.decode()
    assert 'value="2024-01-15"' in form and 'placeholder="YYYY-MM-DD"' in form
    response = onm_client.post(url, {"date_service_connected": "20/02/2024", "reason": "paper form"})
    assert response.status_code in (200, 302), response.content.decode()[:1500]
    assert Customer.objects.get(pk=customer.pk).date_service_connected == date(2024, 2, 20)


@pytest.mark.django_db
def test_the_export_filter_reads_day_first_and_links_iso():
    filters, problems = export_filters({"from": "01/02/2025", "to": "2025-03-31"})
    assert not problems and (filters["from"], filters["to"]) == ("2025-02-01", "2025-03-31")
    _, problems = export_filters({"from": "02/31/2025"})
    assert problems and "DD/MM/YYYY" in problems[0]


def test_the_date_box_is_a_text_box_with_the_iso_hint():
    html = PlausibleDateField().widget.render("on", date(2026, 3, 4))
    for attribute in (
        'type="text"',
        'value="2026-03-04"',
        'placeholder="YYYY-MM-DD"',
        'autocomplete="off"',
    ):
        assert attribute in html
    assert "inputmode" not in html  # a numeric keypad (iPhone) has no '-' or '/': a date could not be typed
    assert re.fullmatch(re.search(r'pattern="([^"]+)"', html)[1], "04/03/2026")
    moment = PlausibleDateTimeField().widget.render("at", timezone.make_aware(datetime(2026, 3, 4, 14, 5)))
    assert 'type="text"' in moment and 'value="2026-03-04 14:05"' in moment


def test_templates_show_dates_iso_whatever_django_locale_would():
    shown = Template("{{ day }} · {{ day|date }} · {{ moment|date:'DATETIME_FORMAT' }} · {{ day|date:'SHORT_DATE_FORMAT' }}")
    moment = timezone.make_aware(datetime(2026, 3, 4, 14, 5))
    assert (
        shown.render(Context({"day": date(2026, 3, 4), "moment": moment}))
        == "2026-03-04 · 2026-03-04 · 2026-03-04 14:05 · 2026-03-04"
    )
    assert "%m/%d/%Y" not in formats.get_format("DATE_INPUT_FORMATS")


def test_the_ledger_form_reads_a_day_first_moment():
    form = LedgerEntryForm(data={"when": "01/03/2025 10:15", "kind": "payment", "amount": "50.00", "reason": "cash"})
    assert form.is_valid(), form.errors
    assert timezone.localtime(form.cleaned_data["when"]).date() == date(2025, 3, 1)


@pytest.mark.django_db
def test_no_page_renders_the_browsers_own_date_picker(people, world, onm_client):  # noqa: F811
    """Every GET page of the permission matrix as superadmin, and the pages behind a step or an edit link."""
    pages, checked = html_pages_as_superadmin(people, world), 0
    customer = world.customer
    onm_client.post("/customers/new/", {"step": "personal", "first_name": "Mpho", "last_name": "Letsie", "phone": "5775 5403"})
    onm_client.post("/customers/new/", {"step": "location", "site_code": "MAK", "district": "Maseru"})
    for url in ("/customers/new/?step=service", f"/customers/{customer.pk}/field/date_service_connected/?edit=1"):
        pages.append((url, onm_client.get(url).content.decode()))
    with_dates = []
    for url, html in pages:
        checked += 1
        assert not BROWSER_DATE_INPUTS.search(html), f"{url} renders a browser date input"
        if 'placeholder="YYYY-MM-DD' in html:
            with_dates.append(url)
    assert checked > 40
    # The pages known to take a date, so that the walk is known to reach them.
    for expected in (
        "/customers/new/?step=service",
        "/tariffs/",
        "/reports/export/",
        "/messages/",
        f"/accounts/{world.account.accountnumber}/",
    ):
        assert any(url.startswith(expected) for url in with_dates), (expected, with_dates)
