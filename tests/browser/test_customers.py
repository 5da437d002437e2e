"""In Chromium: find a customer by live search, register one through the wizard, assign a meter, open Customer Data."""

import re
from decimal import Decimal

import pytest

from customers.models import AccountNumber, Customer, Site
from customers.sites import SITES
from tests.customers.factories import account_with_ledger
from tests.factories import CustomerFactory, TariffRateFactory, aware

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def sites(db):
    """Transactional tests flush the data migration's sites: put them back."""
    for code, name, district, kind in SITES:
        Site.objects.get_or_create(code=code, defaults={"name": name, "district": district, "kind": kind})


def test_it_finds_a_customer_as_you_type(page, login, screenshot, generic):
    CustomerFactory(first_name="Palesa", last_name="Thabane", phone="+26657755403")
    CustomerFactory(first_name="Thabo", last_name="Mokoena")
    login(generic)
    page.goto("/customers/")
    page.fill("#q", "755403")
    page.wait_for_url("**/customers/?q=755403*")
    rows = page.locator("table.customers tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1 and "Palesa" in rows.first.inner_text()
    screenshot("customers-list-tablet")


def test_it_registers_assigns_a_meter_and_opens_customer_data(page, login, screenshot, onm):
    TariffRateFactory(scope="site", scope_key="MAK", rate_lsl=Decimal("4.6000"), effective_from=aware(2020, 1, 1))
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": -29.4123456, "longitude": 27.7654321})
    login(onm)
    page.goto("/customers/new/?restart=1")
    page.fill("#id_first_name", "Mpho")
    page.fill("#id_last_name", "Letsie")
    page.fill("#id_phone", "5775 5403")
    page.click("button.primary")
    page.wait_for_url("**step=location")
    page.select_option("#id_site_code", "MAK")
    page.fill("#id_plot_number", "MAK 0100 HH")
    page.click("[data-geolocate]")
    page.wait_for_function("document.querySelector('#id_gps_y').value !== ''")
    assert page.input_value("#id_gps_y") == "-29.412346"
    screenshot("customers-wizard-location-tablet")
    page.click("button.primary")
    page.wait_for_url("**step=service")
    page.select_option("#id_customer_type", "HH")
    page.fill("#id_date_service_connected", "2026-01-15")
    page.click("button.primary")
    page.wait_for_url("**step=review")
    assert "+26657755403" in page.inner_text("main")
    screenshot("customers-wizard-review-tablet")
    page.click("button[name=save]")
    page.wait_for_url("**/customers/*/")
    customer = Customer.objects.get(first_name="Mpho")
    assert customer.gps_x == 27.765432

    # Inline edit of one field with a reason, through htmx.
    page.click("#field-middle_name .edit-link")
    page.fill("#field-middle_name input[name=middle_name]", "Mary")
    page.fill("#field-middle_name input[name=reason]", "Spelling from ID card")
    page.click("#field-middle_name button[type=submit]")
    page.locator("#field-middle_name .badge.ok").wait_for()
    assert "Mary" in page.inner_text("#field-middle_name")
    screenshot("customers-detail-tablet")

    page.click("text=Assign meter")
    page.wait_for_url("**/assign-meter/")
    assert "0001MAK" in page.inner_text("#next-number")
    page.fill("#id_meterid", "SMRSD-26-00001234")
    screenshot("customers-assign-meter-tablet")
    page.click("button.primary")
    page.wait_for_url(f"**/customers/{customer.pk}/")
    assert AccountNumber.objects.get(customer=customer).accountnumber == "0001MAK"
    page.click("text=Customer Data 0001MAK")
    page.wait_for_url("**/accounts/0001MAK/")
    assert "site rate (MAK)" in page.inner_text(".banner")
    screenshot("customers-account-data-empty-tablet")

    # Add a payment in the dialog.
    page.click("[data-open-dialog=ledger-new]")
    page.fill("#id_new-when", "2026-02-01T10:00")
    page.fill("#id_new-amount", "46")
    page.fill("#id_new-reason", "Cash at the office")
    with page.expect_navigation(url="**/accounts/0001MAK/"):  # the page posts and comes back to the same address
        page.click("#ledger-new button[type=submit]")
    assert "10.000 kWh" in page.inner_text(".cards")
    screenshot("customers-account-data-tablet")


def test_customer_data_of_a_busy_account(page, login, screenshot, finance):
    rows = []
    balance = Decimal("0")
    for day in range(1, 29):
        kwh = Decimal("20") if day % 7 == 1 else Decimal("-2.5")
        balance += kwh
        rows.append((aware(2026, 2, day, 12), kwh > 0, str(kwh), str(kwh * 5), str(balance)))
    account_with_ledger("0042MAK", rows, first_name="Busy")
    login(finance)
    page.goto("/accounts/0042MAK/?sort=kwh")
    page.locator("table.ledger").wait_for()
    page.click("table.ledger th >> text=Date")
    page.wait_for_url("**sort=date*")
    screenshot("customers-account-data-ledger-tablet")


def test_a_ledger_rows_edit_dialog_is_fetched_on_demand_by_keyboard_and_says_when_it_cannot(page, login, screenshot, finance):
    rows = [(aware(2026, 2, day, 12), True, "10.000", "46.00", str(10 * day)) for day in range(1, 4)]
    account_with_ledger("0043MAK", rows, first_name="Lazy")
    login(finance)
    page.goto("/accounts/0043MAK/")
    assert page.locator("dialog").count() == 1  # only "Add a row": no form per ledger row in the page
    edit = page.locator("table.ledger tbody tr").first.get_by_role("link", name=re.compile("^Edit"))

    page.context.set_offline(True)
    edit.focus()
    page.keyboard.press("Enter")
    page.locator(".net-error").wait_for()
    assert "No connection" in page.inner_text(".net-error")
    page.context.set_offline(False)
    page.get_by_role("button", name="Retry").click()
    dialog = page.locator("#ledger-edit dialog")
    dialog.wait_for()
    assert page.locator(".net-error").count() == 0
    page.wait_for_function("document.activeElement && document.activeElement.closest('dialog') !== null")
    screenshot("customers-account-data-edit-row-tablet")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")

    edit.click()
    dialog.locator("input[name$=-amount]").fill("92")
    dialog.locator("input[name$=-kwh]").fill("")
    dialog.locator("input[name$=-reason]").fill("Receipt said 92")
    with page.expect_navigation(url="**/accounts/0043MAK/"):
        dialog.get_by_role("button", name="Save").click()
    page.locator(".message.success").wait_for()
    assert "92.00" in page.inner_text("table.ledger")
