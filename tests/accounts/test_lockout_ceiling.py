"""The per-employee lockout ceiling across addresses (issue #16 item 9): guesses spread over many addresses are
slowed by a growing, capped cool-down, on the login page and the API; it never locks an employee out for good."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.lockout import ceiling_cooldown_seconds
from accounts.models import LoginCeiling
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
API = "/api/auth/employee-login"
ADDRESSES = ["10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.4"]


def api_login(client, employee_id, password, address):
    payload = json.dumps({"employee_id": employee_id, "password": password})
    return client.post(API, data=payload, content_type="application/json", REMOTE_ADDR=address)


def spread_guesses(client, employee_id, count=16):
    """``count`` wrong passwords, one address after the other, each address below the per-address limit."""
    return [api_login(client, employee_id, f"guess-{i}-wrong", ADDRESSES[i % len(ADDRESSES)]).status_code for i in range(count)]


def cool_down_passes(employee_id):
    """Move the employee's last failure back past its cool-down (the test's clock, not a sleep)."""
    row = LoginCeiling.objects.get(username=employee_id)
    LoginCeiling.objects.filter(pk=row.pk).update(
        last_failure_at=row.last_failure_at - timedelta(seconds=ceiling_cooldown_seconds(row.failures) + 1)
    )


def test_sixteen_guesses_from_four_addresses_then_the_right_password_from_a_fifth_waits(client, generic):
    answers = spread_guesses(client, generic.employee_id)
    limit = settings.CC_LOCKOUT_EMPLOYEE_FAILURES
    assert answers == [401] * limit + [429] * (16 - limit)  # no address reached its own limit of 5
    response = api_login(client, generic.employee_id, TEST_PASSWORD, "10.0.1.5")
    assert response.status_code == 429 and "access_token" not in response.json()
    assert "from several addresses: try again in 30 seconds" in response.json()["detail"]
    assert response["Retry-After"] == "30"
    assert LoginCeiling.objects.get(username=generic.employee_id).failures == limit  # refusals are not counted
    cool_down_passes(generic.employee_id)
    response = api_login(client, generic.employee_id, TEST_PASSWORD, "10.0.1.5")
    assert response.status_code == 200 and "access_token" in response.json()
    assert not LoginCeiling.objects.filter(username=generic.employee_id).exists()  # a login clears the count


def test_the_login_page_gives_the_cool_down_answer_too(client, generic):
    spread_guesses(client, generic.employee_id, settings.CC_LOCKOUT_EMPLOYEE_FAILURES)
    response = client.post("/login/", {"username": generic.employee_id, "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.1.5")
    assert response.status_code == 429 and b"from several addresses" in response.content
    assert "_auth_user_id" not in client.session
    cool_down_passes(generic.employee_id)
    response = client.post("/login/", {"username": generic.employee_id, "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.1.5")
    assert response.status_code == 200 and client.session["_auth_user_id"] == str(generic.pk)  # the landing page


def test_the_cool_down_grows_with_each_further_failure_and_is_capped(client, generic):
    limit = settings.CC_LOCKOUT_EMPLOYEE_FAILURES
    spread_guesses(client, generic.employee_id, limit)
    waits = []
    for i in range(8):
        cool_down_passes(generic.employee_id)
        assert api_login(client, generic.employee_id, "still-wrong", f"10.0.2.{i}").status_code == 401
        waits.append(int(api_login(client, generic.employee_id, TEST_PASSWORD, "10.0.1.9")["Retry-After"]))
    assert waits == [60, 120, 240, 480, 600, 600, 600, 600]
    assert ceiling_cooldown_seconds(10_000) == settings.CC_LOCKOUT_EMPLOYEE_COOLDOWN_MAX_SECONDS


def test_a_quiet_spell_starts_the_count_again(client, generic):
    spread_guesses(client, generic.employee_id, settings.CC_LOCKOUT_EMPLOYEE_FAILURES)
    quiet = timedelta(minutes=settings.CC_LOCKOUT_EMPLOYEE_WINDOW_MINUTES, seconds=1)
    LoginCeiling.objects.update(last_failure_at=timezone.now() - quiet)
    assert api_login(client, generic.employee_id, "wrong-again", ADDRESSES[0]).status_code == 401
    assert LoginCeiling.objects.get(username=generic.employee_id).failures == 1


def test_an_address_the_employee_logged_in_from_is_not_slowed(client, generic):
    assert api_login(client, generic.employee_id, TEST_PASSWORD, "10.0.9.9").status_code == 200
    spread_guesses(client, generic.employee_id)
    assert api_login(client, generic.employee_id, TEST_PASSWORD, "10.0.1.5").status_code == 429  # a new address
    assert api_login(client, generic.employee_id, TEST_PASSWORD, "10.0.9.9").status_code == 200  # their own desk


def test_other_employees_are_not_slowed(client, generic, onm):
    spread_guesses(client, generic.employee_id)
    assert api_login(client, onm.employee_id, TEST_PASSWORD, "10.0.1.5").status_code == 200


def test_a_superadmin_unlock_clears_the_ceiling(client, admin_client, generic):
    spread_guesses(client, generic.employee_id)
    page = admin_client.get("/roles/").content.decode()
    assert "Locked out" in page and "after 10 from any addresses" in page and "at most 10 minutes" in page
    admin_client.post(f"/roles/{generic.pk}/unlock/")
    assert not LoginCeiling.objects.exists()
    assert api_login(client, generic.employee_id, TEST_PASSWORD, "10.0.1.5").status_code == 200


def test_unknown_employee_numbers_are_counted_and_slowed_alike(client):
    answers = spread_guesses(client, "no-such-employee", settings.CC_LOCKOUT_EMPLOYEE_FAILURES + 1)
    assert answers[-1] == 429  # the answer does not tell a guesser whether the number exists
