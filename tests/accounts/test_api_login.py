"""POST /api/auth/employee-login: the response of SPEC §2 and every refusal."""

import json

import jwt
import pytest
from django.conf import settings

from accounts.models import Role
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
URL = "/api/auth/employee-login"


def post_json(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def test_it_answers_every_field_of_the_login_response(client, onm):
    response = post_json(client, URL, {"employee_id": onm.employee_id, "password": TEST_PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in", "user"}
    assert isinstance(body["access_token"], str) and isinstance(body["refresh_token"], str)
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 28800 and isinstance(body["expires_in"], int)  # 8 hours, as the old server
    assert body["user"] == {
        "user_type": "employee",
        "employee_id": "9002",
        "name": "Onm Engineer",
        "email": onm.email,
        "cc_role": "onm_team",
        "permissions": {"write_customers": True, "write_transactions": True, "manage_roles": False},
    }


def test_the_access_token_carries_the_claims_of_the_spec(client, finance):
    body = post_json(client, URL, {"employee_id": finance.employee_id, "password": TEST_PASSWORD}).json()
    header = jwt.get_unverified_header(body["access_token"])
    claims = jwt.decode(body["access_token"], settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"])
    assert header["alg"] == "HS256"
    assert claims["sub"] == "9003" and claims["role"] == "finance_team" and claims["name"] == "Finance Clerk"
    assert claims["user_type"] == "employee" and claims["token_type"] == "access"
    assert claims["email"] == finance.email and finance.email
    assert "aud" not in claims  # CC_JWT_AUDIENCE is unset by default
    # exp counts from the login's moment, iat from the access token's (a second later when a second ticks between)
    assert settings.CC_JWT_ACCESS_MINUTES * 60 == 8 * 3600
    assert 8 * 3600 - 1 <= claims["exp"] - claims["iat"] <= 8 * 3600
    assert len(claims["jti"]) >= 32
    refresh_claims = jwt.decode(body["refresh_token"], settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"])
    assert refresh_claims["token_type"] == "refresh" and refresh_claims["jti"] != claims["jti"]
    assert refresh_claims["family"] == claims["family"]


def test_it_records_the_last_login_without_a_history_row(client, generic):
    history_rows = generic.history.count()
    post_json(client, URL, {"employee_id": generic.employee_id, "password": TEST_PASSWORD})
    client.post("/login/", {"username": generic.employee_id, "password": TEST_PASSWORD})
    generic.refresh_from_db()
    assert generic.last_login is not None
    assert generic.history.count() == history_rows


@pytest.mark.parametrize("employee_id, password", [("9004", "wrong-password-1"), ("0000", TEST_PASSWORD), ("unknown", "x")])
def test_it_gives_one_answer_for_a_wrong_password_or_an_unknown_employee(client, generic, employee_id, password):
    response = post_json(client, URL, {"employee_id": employee_id, "password": password})
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid credentials"}


def test_it_refuses_a_deactivated_employee(client, make_employee):
    employee = make_employee(Role.ONM_TEAM, employee_id="4242", is_active=False)
    response = post_json(client, URL, {"employee_id": employee.employee_id, "password": TEST_PASSWORD})
    assert response.status_code == 401 and response.json() == {"detail": "Invalid credentials"}


def test_it_refuses_a_one_time_password_until_the_employee_sets_their_own(client, make_employee):
    employee = make_employee(Role.GENERIC, employee_id="4343", must_change_password=True)
    response = post_json(client, URL, {"employee_id": employee.employee_id, "password": TEST_PASSWORD})
    assert response.status_code == 403 and "one-time password" in response.json()["detail"]


@pytest.mark.parametrize(
    "payload, fields",
    [
        ({}, {"employee_id", "password"}),
        ({"employee_id": "9004"}, {"password"}),
        ({"password": TEST_PASSWORD}, {"employee_id"}),
        ({"employee_id": "", "password": ""}, {"employee_id", "password"}),
        ({"employee_id": "   ", "password": TEST_PASSWORD}, {"employee_id"}),
        ({"employee_id": None, "password": TEST_PASSWORD}, {"employee_id"}),
        (["9004", TEST_PASSWORD], {"non_field_errors"}),
    ],
)
def test_it_names_the_missing_or_empty_fields(client, generic, payload, fields):
    response = post_json(client, URL, payload)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == fields | {"detail"}
    # a client that shows only "detail" shows every message, named by field
    for field in fields - {"non_field_errors"}:
        assert f"{field}: {body[field][0]}" in body["detail"]


@pytest.mark.parametrize(
    "body, content_type",
    [
        ('{"employee_id": "9004", "password": ', "application/json"),
        ("employee_id=9004&password=x", "application/x-www-form-urlencoded"),
        ("employee_id 9004", "text/plain"),
    ],
)
def test_it_refuses_a_body_that_is_not_json_with_400(client, generic, body, content_type):
    response = client.post(URL, data=body, content_type=content_type)
    assert response.status_code == 400
    assert "non_field_errors" in response.json() and "employee_id" in response.json()["non_field_errors"][0]


def test_it_does_not_answer_get(client):
    assert client.get(URL).status_code == 405


@pytest.mark.django_db
def test_a_bearer_request_reads_the_employee_and_its_token_family_in_one_query(client, generic):
    from accounts.api import token_pair_for

    token = token_pair_for(generic)["access_token"]
    headers = {"authorization": f"Bearer {token}"}
    client.get("/api/om-report/overview", headers=headers)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/om-report/overview", headers=headers).status_code == 200
    auth = [q["sql"] for q in queries.captured_queries if "cc_employee" in q["sql"] or "token_family" in q["sql"].lower()]
    assert len(auth) == 1 and "EXISTS" in auth[0].upper()
