"""Bearer tokens: me, verify, refresh, logout, and the tokens the API must refuse."""

import json
import time

import jwt
import pytest
from django.conf import settings

from accounts import services
from accounts.models import Role
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
KEY = settings.SIMPLE_JWT["SIGNING_KEY"]


def post_json(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def login(client, employee):
    response = post_json(client, "/api/auth/employee-login", {"employee_id": employee.employee_id, "password": TEST_PASSWORD})
    assert response.status_code == 200
    return response.json()


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def claims_of(token):
    return jwt.decode(token, KEY, algorithms=["HS256"])


def test_me_reads_the_employee_behind_the_token(client, finance):
    tokens = login(client, finance)
    response = client.get("/api/auth/me", **bearer(tokens["access_token"]))
    assert response.status_code == 200
    assert response.json() == {
        "user_type": "employee",
        "user_id": "9003",
        "role": "finance_team",
        "name": "Finance Clerk",
        "email": finance.email,
        "permissions": {"write_customers": False, "write_transactions": True, "manage_roles": False},
    }


def test_verify_answers_204_with_a_valid_token_and_401_without(client, generic):
    tokens = login(client, generic)
    assert client.get("/api/auth/verify", **bearer(tokens["access_token"])).status_code == 204
    assert client.get("/api/auth/verify").status_code == 401
    assert client.get("/api/auth/me").status_code == 401


def _forged(claims, key=KEY, algorithm="HS256"):
    return jwt.encode(claims, key, algorithm=algorithm)


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda c, t: _forged(c, key="not-the-secret-key-but-long-enough-0123456789"), id="forged-signature"),
        pytest.param(lambda c, t: _forged(c, key=None, algorithm="none"), id="alg-none"),
        pytest.param(lambda c, t: _forged({**c, "exp": int(time.time()) - 10, "iat": int(time.time()) - 100}), id="expired"),
        pytest.param(lambda c, t: t["refresh_token"], id="refresh-as-access"),
        pytest.param(lambda c, t: _forged({k: v for k, v in c.items() if k != "family"}), id="no-family"),
        pytest.param(lambda c, t: _forged({**c, "family": "not-a-uuid"}), id="malformed-family"),
        pytest.param(lambda c, t: _forged({**c, "user_type": "customer"}), id="customer-token"),
        pytest.param(lambda c, t: t["access_token"][:-3] + "abc", id="tampered"),
        pytest.param(lambda c, t: "not-a-jwt", id="garbage"),
    ],
)
def test_it_refuses_bad_tokens_with_401(client, superadmin, forge):
    tokens = login(client, superadmin)
    token = forge(claims_of(tokens["access_token"]), tokens)
    for url in ("/api/auth/me", "/api/auth/verify"):
        response = client.get(url, **bearer(token))
        assert response.status_code == 401, url
        assert response.json() == {"detail": "Invalid or expired token."}


def test_refresh_rotates_and_the_new_refresh_token_rotates_again(client, onm):
    tokens = login(client, onm)
    response = post_json(client, "/api/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 200
    fresh = response.json()
    assert set(fresh) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert fresh["refresh_token"] != tokens["refresh_token"]
    assert claims_of(fresh["access_token"])["role"] == "onm_team"
    assert client.get("/api/auth/me", **bearer(fresh["access_token"])).status_code == 200
    newer = post_json(client, "/api/auth/refresh", {"refresh_token": fresh["refresh_token"]})
    assert newer.status_code == 200
    assert client.get("/api/auth/me", **bearer(newer.json()["access_token"])).status_code == 200


def test_refresh_refuses_an_access_token_and_names_missing_fields(client, onm):
    tokens = login(client, onm)
    assert post_json(client, "/api/auth/refresh", {"refresh_token": tokens["access_token"]}).status_code == 401
    response = post_json(client, "/api/auth/refresh", {})
    assert response.status_code == 400 and "refresh_token" in response.json()
    assert client.post("/api/auth/refresh", data="{", content_type="application/json").status_code == 400


def test_logout_blacklists_the_refresh_token(client, generic):
    tokens = login(client, generic)
    assert post_json(client, "/api/auth/logout", {"refresh_token": tokens["refresh_token"]}).status_code == 204
    assert post_json(client, "/api/auth/refresh", {"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert post_json(client, "/api/auth/logout", {"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert post_json(client, "/api/auth/logout", {}).status_code == 400


def test_a_deactivation_applies_on_the_next_request(client, onm, superadmin):
    tokens = login(client, onm)
    assert client.get("/api/auth/me", **bearer(tokens["access_token"])).status_code == 200
    services.employee_deactivate(employee=onm, by=superadmin, reason="Left the company")
    assert client.get("/api/auth/me", **bearer(tokens["access_token"])).status_code == 401
    assert client.get("/api/auth/verify", **bearer(tokens["access_token"])).status_code == 401
    assert post_json(client, "/api/auth/refresh", {"refresh_token": tokens["refresh_token"]}).status_code == 401


def test_a_role_change_applies_on_the_next_request(client, onm, superadmin):
    tokens = login(client, onm)
    services.employee_role_change(employee=onm, role=Role.GENERIC, by=superadmin, reason="Moved to stores")
    body = client.get("/api/auth/me", **bearer(tokens["access_token"])).json()
    assert body["role"] == "generic"
    assert body["permissions"] == {"write_customers": False, "write_transactions": False, "manage_roles": False}
    fresh = post_json(client, "/api/auth/refresh", {"refresh_token": tokens["refresh_token"]}).json()
    assert claims_of(fresh["access_token"])["role"] == "generic"


def test_a_password_reset_ends_the_tokens_issued_before_it(client, generic, superadmin):
    tokens = login(client, generic)
    services.employee_password_reset(employee=generic, by=superadmin)
    assert client.get("/api/auth/me", **bearer(tokens["access_token"])).status_code == 401
    assert post_json(client, "/api/auth/refresh", {"refresh_token": tokens["refresh_token"]}).status_code == 401


def test_an_om_portal_like_client_logs_in_reads_me_refreshes_and_logs_out(client, onm):
    tokens = login(client, onm)
    me = client.get("/api/auth/me", **bearer(tokens["access_token"])).json()
    assert me["user_id"] == onm.employee_id
    fresh = post_json(client, "/api/auth/refresh", {"refresh_token": tokens["refresh_token"]}).json()
    assert client.get("/api/auth/verify", **bearer(fresh["access_token"])).status_code == 204
    assert post_json(client, "/api/auth/logout", {"refresh_token": fresh["refresh_token"]}).status_code == 204
    assert post_json(client, "/api/auth/refresh", {"refresh_token": fresh["refresh_token"]}).status_code == 401
