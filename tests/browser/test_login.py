"""Log in through the real page in Chromium and see the dashboard."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_logs_in_and_shows_the_dashboard(page, login, screenshot, generic):
    login(generic)
    assert page.locator("h1").inner_text() == "Dashboard"
    assert page.get_by_text("MWh sold", exact=True).is_visible()
    screenshot("dashboard-tablet")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/")
