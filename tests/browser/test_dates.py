"""In Chromium set to en-US (where <input type="date"> shows MM/DD/YYYY): the wizard's date box shows ISO, takes a
day-first date and saves the same day; the offline field form keeps and sends such a date alike."""

from datetime import date

import pytest

from customers.models import Customer, Site
from customers.sites import SITES
from tests.browser.conftest import TABLET
from tests.browser.test_field import fill_field_form, open_field_form_offline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def sites(db):
    """Transactional tests flush the data migration's sites: put them back."""
    for code, name, district, kind in SITES:
        Site.objects.get_or_create(code=code, defaults={"name": name, "district": district, "kind": kind})


@pytest.fixture
def page(browser, live_server):
    """A tablet whose browser speaks American English: the locale that writes dates month-first."""
    context = browser.new_context(viewport=TABLET, base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_the_wizard_shows_iso_and_reads_day_first_in_an_en_us_browser(page, login, screenshot, onm):
    login(onm)
    assert page.evaluate("navigator.language") == "en-US"
    assert page.evaluate("new Date(2026, 0, 15).toLocaleDateString()") == "1/15/2026"  # what the locale would show
    page.goto("/customers/new/?restart=1")
    page.fill("#id_first_name", "Mpho")
    page.fill("#id_last_name", "Letsie")
    page.fill("#id_phone", "5775 5403")
    page.click("button.primary")
    page.wait_for_url("**step=location")
    page.select_option("#id_site_code", "MAK")
    page.select_option("#id_district", "Maseru")
    page.click("button.primary")
    page.wait_for_url("**step=service")
    box = page.locator("#id_date_service_connected")
    assert box.get_attribute("type") == "text" and box.get_attribute("placeholder") == "YYYY-MM-DD"
    assert page.locator("input[type=date], input[type=datetime-local]").count() == 0
    page.select_option("#id_customer_type", "HH")
    box.fill("15/01/2026")
    page.click("button.primary")
    page.wait_for_url("**step=review")
    review = page.inner_text("main")
    assert "2026-01-15" in review and "1/15/2026" not in review and "01/15/2026" not in review
    screenshot("dates-wizard-review-en-us")
    page.goto("/customers/new/?step=service")
    assert page.input_value("#id_date_service_connected") == "2026-01-15"
    screenshot("dates-wizard-service-en-us")
    page.goto("/customers/new/?step=review")
    page.click("button[name=save]")
    page.wait_for_url("**/customers/*/")
    customer = Customer.objects.get(first_name="Mpho")
    assert customer.date_service_connected == date(2026, 1, 15) and customer.district == "Maseru"
    assert "2026-01-15" in page.inner_text("main")


def test_the_offline_field_form_sends_a_day_first_date(page, login, onm):
    login(onm)
    open_field_form_offline(page)
    fill_field_form(page)
    page.fill("input[name=service-date_service_connected]", "15/01/2026")
    page.get_by_role("button", name="Save customer").click()
    page.get_by_role("heading", name="Saved on this tablet").wait_for()
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.locator("#queue-status", has_text="Nothing waiting").wait_for(timeout=45000)
    assert Customer.objects.get().date_service_connected == date(2026, 1, 15)
