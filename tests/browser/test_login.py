"""Log in through the real page in Chromium and see the dashboard."""

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_logs_in_and_shows_the_dashboard(page, login, screenshot, generic):
    requests = []
    page.on("request", lambda request: requests.append((request.method, request.url)))
    login(generic)
    assert page.locator("h1").inner_text() == "Dashboard"
    # One round trip: the POST answers with the landing page, whose address app.js puts in the address bar.
    pages = [(method, urlsplit(url).path) for method, url in requests if "/static/" not in url]
    assert pages == [("GET", "/login/"), ("POST", "/login/")] and urlsplit(page.url).path == "/"
    requests.clear()
    page.reload()  # asks for the landing page, not the login POST again
    assert [(method, urlsplit(url).path) for method, url in requests if "/static/" not in url][0] == ("GET", "/")
    assert page.locator("h1").inner_text() == "Dashboard"
    assert page.get_by_text("MWh sold", exact=True).is_visible()
    screenshot("dashboard-tablet")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/")
