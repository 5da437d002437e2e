"""Customer Detail on an 800 px tablet: one primary action that follows the customer's state, a field being edited
labelled once, and Assign Meter showing the accounts a customer already has."""

import pytest

from customers.models import Site
from customers.sites import SITES
from tests.factories import AccountNumberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDER_THAN_THE_VIEWPORT = """() => Array.from(document.querySelectorAll("#main *"))
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1).map(el => el.tagName + "." + el.className)"""


@pytest.fixture(autouse=True)
def sites(db):
    """Transactional tests flush the data migration's sites: put them back."""
    for code, name, district, kind in SITES:
        Site.objects.get_or_create(code=code, defaults={"name": name, "district": district, "kind": kind})


def test_a_field_edited_inline_shows_its_label_once_at_800_px(page, login, screenshot, onm):
    account = AccountNumberFactory(accountnumber="0091MAK", customer__phone="+26657755403", customer__site_code="MAK")
    customer = account.customer
    page.set_viewport_size({"width": 800, "height": 1100})
    login(onm)
    page.goto(f"/customers/{customer.pk}/")
    primary = page.locator("#customer-actions a.primary")
    assert primary.count() == 1 and primary.inner_text() == "Commission"

    page.click("#field-phone .edit-link")
    row = page.locator("#field-phone.editing")
    row.wait_for()
    phone_labels = row.get_by_text("Phone", exact=True)
    assert phone_labels.count() == 1 and phone_labels.is_visible()
    page.get_by_role("textbox", name="Phone", exact=True).focus()  # the row's label is the input's label
    assert page.evaluate("document.activeElement.name") == "phone"
    assert page.evaluate(WIDER_THAN_THE_VIEWPORT) == []
    row.scroll_into_view_if_needed()
    screenshot("customer-detail-edit-800")

    page.fill("#field-phone input[name=phone]", "5775 5404")
    page.fill("#field-phone input[name=reason]", "New SIM")
    page.click("#field-phone button[type=submit]")
    page.locator("#field-phone .badge.ok").wait_for()
    assert page.locator("#field-phone").get_by_text("Phone", exact=True).count() == 1

    page.click("#customer-actions >> text=Assign meter")
    page.wait_for_url("**/assign-meter/")
    existing = page.locator("#existing-accounts")
    assert "0091MAK" in existing.inner_text() and account.meter_id in existing.inner_text()
    assert page.get_by_label("Why another account").is_visible()
    assert page.evaluate(WIDER_THAN_THE_VIEWPORT) == []
    screenshot("customer-assign-second-meter-800")
