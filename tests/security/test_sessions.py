"""Sessions (ASVS 7.2-7.4), for every login form of the project: a new session key at login (no fixation), a
logout that ends the session on the server, a password change that ends the employee's other sessions, and cookie
flags. The idle and absolute limits and the one-time password flow are in tests/accounts/test_profile_and_sessions.py;
production cookie names and Secure in test_deployment.py."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_FORMS = ["login", "admin:login"]  # every page that logs an employee in with a password
NEW_PASSWORD = "another-long-passphrase-42"


def _login(client, url_name, employee):
    client.get(reverse(url_name))
    return client.post(reverse(url_name), {"username": employee.employee_id, "password": TEST_PASSWORD})


@pytest.mark.parametrize("url_name", LOGIN_FORMS)
def test_the_session_key_changes_at_login(url_name, superadmin):
    client = Client()
    client.get(reverse(url_name))
    client.session.save()  # an anonymous session an attacker could have planted
    planted = client.session.session_key
    response = _login(client, url_name, superadmin)
    assert response.status_code in (200, 302)  # the portal's login answers with the landing page itself
    assert client.session["_auth_user_id"] == str(superadmin.pk)
    assert client.session.session_key != planted
    planted_client = Client()
    planted_client.cookies[settings.SESSION_COOKIE_NAME] = planted
    assert planted_client.get("/profile/").status_code == 302  # the planted key is not logged in


@pytest.mark.parametrize("url_name", LOGIN_FORMS)
def test_the_session_cookie_is_http_only_and_same_site(url_name, superadmin):
    response = _login(Client(), url_name, superadmin)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600


@pytest.mark.parametrize("logout_url", ["/logout/", "/admin/logout/"])
def test_logout_ends_the_session_on_the_server(logout_url, superadmin):
    client = Client()
    _login(client, "login", superadmin)
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.post(logout_url).status_code in (200, 302)
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    response = replay.get("/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_password_change_ends_the_other_sessions_but_not_this_one(generic):
    here, elsewhere = Client(), Client()
    _login(here, "login", generic)
    _login(elsewhere, "login", generic)
    data = {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert here.post("/profile/", data).status_code == 302
    assert here.get("/profile/").status_code == 200
    response = elsewhere.get("/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_deactivated_employee_is_logged_out_on_the_next_request(admin_client, onm):
    session = Client()
    _login(session, "login", onm)
    assert session.get("/profile/").status_code == 200
    admin_client.post(f"/roles/{onm.pk}/deactivate/", {"reason": "Left the company"})
    response = session.get("/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
