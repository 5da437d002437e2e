"""Revert a mistaken change from the Mutations page in Chromium, as an O&M engineer would."""

import pytest

from ccportal.history import history_save
from customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_reverts_a_change_from_the_mutations_page(page, login, screenshot, onm, superadmin):
    customer = history_save(CustomerFactory.build(first_name="Palesa"), by=onm, reason="New customer wizard")
    customer.first_name = "Wrong Name"
    history_save(customer, by=superadmin, reason="Edited the wrong customer")

    login(onm)
    page.goto("/mutations/?table=tblcustomer&action=update")
    row = page.locator("tr", has_text="Edited the wrong customer")
    row.get_by_role("link", name="Details").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("tr.changed", has_text="FIRST NAME").inner_text().split("\t")[-2:] == ["Palesa", "Wrong Name"]
    page.fill("textarea[name=reason], input[name=reason]", "Put the name back")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revert this change").click()
    page.wait_for_load_state("networkidle")
    assert "Reverted." in page.locator(".messages").inner_text()
    screenshot("mutation-reverted-tablet")
    customer.refresh_from_db()
    assert customer.first_name == "Palesa"

    # The page now shows the revert's own entry; the old entry can no longer be reverted on its own.
    assert "Revert of tblcustomer entry" in page.locator("dl.fields").inner_text()
    page.go_back()
    page.reload()
    assert page.get_by_text("cannot be reverted on its own").is_visible()
    assert page.get_by_role("button", name="Revert this change").count() == 0
    page.goto("/mutations/?action=revert")
    assert page.get_by_text("Put the name back").is_visible()
    assert Customer.history.filter(customer_id=customer.pk).count() == 3
