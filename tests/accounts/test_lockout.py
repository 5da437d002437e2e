"""Repeated failures lock an employee+address pair, on the login page and the API; an admin unlocks from /roles/."""

import json

import pytest
from django.conf import settings

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
API = "/api/auth/employee-login"


def api_login(client, employee_id, password, address="10.0.0.1"):
    payload = json.dumps({"employee_id": employee_id, "password": password})
    return client.post(API, data=payload, content_type="application/json", REMOTE_ADDR=address)


def fail_until_locked(client, employee_id, address="10.0.0.1"):
    answers = [
        api_login(client, employee_id, "wrong-password-1", address).status_code for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert answers == [401] * (settings.AXES_FAILURE_LIMIT - 1) + [429]


def test_the_api_locks_after_repeated_failures_and_says_so(client, generic):
    fail_until_locked(client, generic.employee_id)
    response = api_login(client, generic.employee_id, TEST_PASSWORD)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "locked" in response.json()["detail"] and "15 minutes" in response.json()["detail"]


def test_the_lock_holds_only_for_that_employee_and_address(client, generic, onm):
    fail_until_locked(client, generic.employee_id)
    assert api_login(client, generic.employee_id, TEST_PASSWORD, address="10.0.0.2").status_code == 200
    assert api_login(client, onm.employee_id, TEST_PASSWORD).status_code == 200


def test_a_success_clears_earlier_failures(client, generic):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        api_login(client, generic.employee_id, "wrong-password-1")
    assert api_login(client, generic.employee_id, TEST_PASSWORD).status_code == 200
    assert api_login(client, generic.employee_id, "wrong-password-1").status_code == 401


def test_the_login_page_locks_and_says_so(client, generic):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/login/", {"username": generic.employee_id, "password": "wrong-password-1"})
    assert response.status_code == 429
    assert b"Too many failed logins" in response.content
    response = client.post("/login/", {"username": generic.employee_id, "password": TEST_PASSWORD})
    assert response.status_code == 429


def test_an_admin_sees_the_lockout_and_unlocks_it(client, admin_client, generic):
    fail_until_locked(client, generic.employee_id)
    page = admin_client.get("/roles/").content.decode()
    assert "Locked out" in page and f"/roles/{generic.pk}/unlock/" in page
    response = admin_client.post(f"/roles/{generic.pk}/unlock/", follow=True)
    assert b"can log in again" in response.content
    assert b"Locked out" not in response.content
    assert api_login(client, generic.employee_id, TEST_PASSWORD).status_code == 200


def test_only_a_superadmin_can_unlock(client, onm_client, generic):
    fail_until_locked(client, generic.employee_id)
    assert onm_client.post(f"/roles/{generic.pk}/unlock/").status_code == 403
    assert api_login(client, generic.employee_id, TEST_PASSWORD).status_code == 429
