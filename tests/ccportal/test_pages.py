"""The first pages: health, login, logout, dashboard."""

import json

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import Role
from tests.factories import TEST_PASSWORD


def test_health_says_ok_and_nothing_else(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


@pytest.mark.django_db
def test_it_sends_anonymous_users_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.django_db
def test_it_logs_in_with_employee_number_and_shows_the_dashboard(client, generic):
    response = client.post("/login/", {"username": generic.employee_id, "password": TEST_PASSWORD}, follow=True)
    assert response.status_code == 200
    assert b"Dashboard" in response.content and b"MWh sold" in response.content


@pytest.mark.django_db
def test_a_login_answers_with_the_landing_page_which_names_its_own_address(client, generic):
    """One round trip instead of POST → 302 → GET; app.js puts data-replace-url in the address bar."""
    response = client.post("/login/", {"username": generic.employee_id, "password": TEST_PASSWORD})
    body = response.content.decode()
    assert (
        response.status_code == 200
        and "MWh sold" in body
        and '<html lang="en" data-service-worker="/sw.js" data-replace-url="/">' in body
    )
    assert client.session["_auth_user_id"] == str(generic.pk)
    assert settings.SESSION_COOKIE_NAME in response.cookies and settings.CSRF_COOKIE_NAME in response.cookies
    assert client.get("/").status_code == 200  # the reload the address bar now asks for
    assert "data-replace-url" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_a_login_bound_elsewhere_or_with_a_one_time_password_still_redirects(client, generic, make_employee):
    response = client.post("/login/?next=/customers/", {"username": generic.employee_id, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/customers/"
    client.post("/logout/")
    make_employee(Role.GENERIC, employee_id="3400", must_change_password=True)
    response = client.post("/login/", {"username": "3400", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/profile/set-password/"


@pytest.mark.django_db
def test_it_refuses_a_wrong_password(client, generic):
    response = client.post("/login/", {"username": generic.employee_id, "password": "wrong"})
    assert response.status_code == 200
    assert b"do not match" in response.content


@pytest.mark.django_db
def test_logout_is_a_post(generic_client):
    assert generic_client.get("/logout/").status_code == 405
    assert generic_client.post("/logout/").status_code == 302
    assert generic_client.get("/").status_code == 302


@pytest.mark.django_db
def test_createsuperuser_makes_a_superadmin(monkeypatch):
    from accounts.models import Employee

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-enough-password-1")
    call_command("createsuperuser", "--noinput", "--employee_id", "9101", verbosity=0)
    employee = Employee.objects.get(employee_id="9101")
    assert employee.role == "superadmin" and employee.is_staff and employee.check_password("a-long-enough-password-1")


@pytest.mark.django_db
def test_the_page_loads_htmx_from_static_and_sends_csrf(generic_client):
    body = generic_client.get("/").content.decode()
    assert '<script src="/static/js/portal.js" defer>' in body and "X-CSRFToken" in body  # htmx is in the bundle
    assert "<script>" not in body  # no inline scripts (CSP)


@pytest.mark.django_db
def test_the_dashboard_has_the_payment_lookup_box(generic_client):
    body = generic_client.get("/").content.decode()
    assert 'id="payment-lookup-q"' in body and 'hx-get="/payments/lookup/"' in body


def test_favicon_ico_is_served_to_anyone(client):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".ico")
    path = finders.find("favicon.ico")
    with open(path, "rb") as handle:
        assert handle.read(4) == b"\x00\x00\x01\x00"  # an ICO file
