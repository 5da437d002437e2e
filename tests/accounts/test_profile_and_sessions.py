"""My Profile, the forced change of a one-time password, and the session rules (rotation, 8 h idle, 12 h absolute)."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils.html import escape

from accounts.middleware import LOGIN_AT_KEY, SEEN_AT_KEY
from accounts.models import Role
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-brand-new-passphrase-7"


def test_each_role_sees_its_profile(client_for, role_user):
    response = client_for(role_user).get("/profile/")
    assert response.status_code == 200
    page = response.content.decode()
    assert role_user.employee_id in page and escape(role_user.get_role_display()) in page


def test_each_role_sees_only_the_pages_it_may(client_for, role_user):
    client = client_for(role_user)
    expected = 200 if role_user.role == Role.SUPERADMIN else 403
    assert client.get("/roles/").status_code == expected
    assert ("/roles/" in client.get("/profile/").content.decode()) is (role_user.role == Role.SUPERADMIN)


def test_profile_needs_login(client):
    assert client.get("/profile/").status_code == 302


def test_it_changes_the_password_only_with_the_old_one(client_for, generic):
    client = client_for(generic)
    data = {"old_password": "wrong-password-1", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    response = client.post("/profile/", data)
    assert response.status_code == 200 and b"Your old password was entered incorrectly" in response.content
    response = client.post("/profile/", {**data, "old_password": TEST_PASSWORD}, follow=True)
    assert b"Your password is changed" in response.content
    generic.refresh_from_db()
    assert generic.check_password(NEW_PASSWORD)
    assert client.get("/profile/").status_code == 200  # this session stays logged in


def test_it_applies_the_password_validators(client_for, generic):
    client = client_for(generic)
    data = {"old_password": TEST_PASSWORD, "new_password1": "12345", "new_password2": "12345"}
    response = client.post("/profile/", data)
    assert b"too short" in response.content and b"entirely numeric" in response.content
    generic.refresh_from_db()
    assert generic.check_password(TEST_PASSWORD)


def test_a_one_time_password_must_be_changed_at_first_login(client, make_employee):
    employee = make_employee(Role.ONM_TEAM, employee_id="3200", must_change_password=True)
    response = client.post("/login/", {"username": "3200", "password": TEST_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/profile/set-password/"
    for url in ("/", "/profile/", "/roles/"):
        assert client.get(url)["Location"] == "/profile/set-password/"
    htmx = client.get("/", HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == "/profile/set-password/"
    response = client.post("/profile/set-password/", {"new_password1": "short", "new_password2": "short"})
    assert b"too short" in response.content
    response = client.post("/profile/set-password/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == "/"
    employee.refresh_from_db()
    assert not employee.must_change_password and employee.check_password(NEW_PASSWORD)
    assert employee.history.latest().history_change_reason == "Password changed by the employee"
    assert client.get("/").status_code == 200
    assert client.get("/profile/set-password/")["Location"] == "/profile/"


def test_logout_is_a_post_even_with_a_one_time_password(client, make_employee):
    make_employee(Role.GENERIC, employee_id="3300", must_change_password=True)
    client.post("/login/", {"username": "3300", "password": TEST_PASSWORD})
    assert client.post("/logout/").status_code == 302
    assert client.get("/profile/set-password/").status_code == 302


def test_login_rotates_the_session_key_and_stamps_it(client, generic):
    client.get("/login/")
    client.session.save()
    before = client.session.session_key
    client.post("/login/", {"username": generic.employee_id, "password": TEST_PASSWORD})
    assert client.session.session_key != before
    assert abs(client.session[LOGIN_AT_KEY] - time.time()) < 60


def test_sessions_expire_after_8_hours_idle():
    assert settings.SESSION_COOKIE_AGE == 8 * 3600


def test_it_saves_an_active_session_once_per_refresh_period_not_on_every_request(client_for, generic):
    client = client_for(generic)
    session = client.session
    session[SEEN_AT_KEY] = int(time.time())
    session.save()
    seen_expiry = Session.objects.get(pk=session.session_key).expire_date
    response = client.get("/profile/")
    assert response.status_code == 200 and settings.SESSION_COOKIE_NAME not in response.cookies
    assert Session.objects.get(pk=session.session_key).expire_date == seen_expiry

    session[SEEN_AT_KEY] = int(time.time()) - settings.CC_SESSION_REFRESH_SECONDS
    session.save(must_create=False)
    Session.objects.filter(pk=session.session_key).update(expire_date=seen_expiry - timedelta(hours=1))
    response = client.get("/profile/")
    assert settings.SESSION_COOKIE_NAME in response.cookies  # the cookie's expiry moves on too
    refreshed = Session.objects.get(pk=session.session_key)
    assert refreshed.expire_date > seen_expiry - timedelta(minutes=1)
    assert abs(refreshed.get_decoded()[SEEN_AT_KEY] - time.time()) < 60


def test_a_session_ends_12_hours_after_login_however_active(client_for, generic):
    client = client_for(generic)
    session = client.session
    session[LOGIN_AT_KEY] = int(time.time()) - settings.CC_SESSION_ABSOLUTE_SECONDS + 60
    session.save()
    assert client.get("/profile/").status_code == 200
    session[LOGIN_AT_KEY] = int(time.time()) - settings.CC_SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get("/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/profile/").status_code == 302  # logged out, not just redirected once
