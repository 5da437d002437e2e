"""An admin creates an employee in Admin Roles; the employee logs in with the one-time password and must change it."""

import pytest

from accounts.models import Employee

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "my-own-passphrase-2026"


def test_it_creates_an_employee_who_must_change_the_one_time_password(page, login, screenshot, superadmin):
    login(superadmin)
    page.goto("/roles/")
    page.get_by_role("link", name="New employee").click()
    page.fill("input[name=employee_id]", "3400")
    page.fill("input[name=name]", "Mpho Letsie")
    page.fill("input[name=email]", "mpho@example.org")
    page.select_option("select[name=role]", "finance_team")
    page.get_by_role("button", name="Create employee").click()
    one_time_password = page.locator("#one-time-password").inner_text().strip()
    assert len(one_time_password) == 17
    screenshot("accounts-one-time-password")

    page.get_by_role("link", name="Back to Admin Roles").click()
    row = page.locator("tr", has_text="Mpho Letsie")
    assert row.get_by_text("One-time password").is_visible()
    row.locator("select[name=role]").select_option("onm_team")
    row.get_by_placeholder("Why").fill("Field engineer after all")
    row.get_by_role("button", name="Save").click()
    page.get_by_text("Role of 3400 Mpho Letsie changed.").wait_for()
    screenshot("accounts-roles-tablet")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/")

    page.fill("input[name=username]", "3400")
    page.fill("input[name=password]", one_time_password)
    page.click("button[type=submit]")
    page.wait_for_url("**/profile/set-password/")
    page.goto("/")
    page.wait_for_url("**/profile/set-password/")  # nothing else until the password is changed
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.wait_for_url(lambda url: url.endswith("/"))
    assert page.locator("h1").inner_text() == "Dashboard"
    employee = Employee.objects.get(employee_id="3400")
    assert employee.role == "onm_team" and not employee.must_change_password
    assert employee.check_password(NEW_PASSWORD)


def test_it_searches_and_deactivates_through_the_dialog(page, login, superadmin, onm, finance):
    login(superadmin)
    page.goto("/roles/")
    page.fill("input[name=q]", "Onm")
    page.locator("tr", has_text="Finance Clerk").wait_for(state="detached")
    row = page.locator("tr", has_text="Onm Engineer")
    row.get_by_role("button", name="Deactivate…").click()
    dialog = row.locator("dialog")
    dialog.get_by_label("Reason").fill("Contract ended")
    dialog.get_by_role("button", name="Deactivate").click()
    page.get_by_text("9002 Onm Engineer is deactivated.").wait_for()
    assert page.locator("tr", has_text="Onm Engineer").get_by_text("Deactivated", exact=True).is_visible()
    onm.refresh_from_db()
    assert not onm.is_active and onm.history.latest().history_change_reason == "Contract ended"
