"""Clients written for the old server (SPEC §2): 8-hour tokens, the old claims read by a sibling service the way the
old middleware decoded them (no audience), an audience only when configured, and a case-insensitive Bearer scheme."""

import json
import runpy
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from django.conf import settings
from rest_framework_simplejwt import state
from rest_framework_simplejwt.backends import TokenBackend

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
SECRET = settings.SIMPLE_JWT["SIGNING_KEY"]
SETTINGS_FILE = str(Path(settings.BASE_DIR) / "ccportal" / "settings.py")
OLD_CLAIMS = {"sub", "user_type", "role", "name", "email", "iat", "exp"}


def login(client, employee):
    payload = {"employee_id": employee.employee_id, "password": TEST_PASSWORD}
    response = client.post("/api/auth/employee-login", data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 200
    return response.json()


# --- lifetime ---------------------------------------------------------------------------------------------------


def settings_with(monkeypatch, **environment):
    """The settings module as it reads this environment (run afresh, not the settings of this process)."""
    for name in ("CC_JWT_EXPIRY_HOURS", "CC_JWT_ACCESS_MINUTES", "CC_JWT_AUDIENCE", "CC_CORS_ORIGINS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(SETTINGS_FILE)


@pytest.mark.parametrize(
    "environment, lifetime",
    [
        ({}, timedelta(hours=8)),
        ({"CC_JWT_EXPIRY_HOURS": "10"}, timedelta(hours=10)),  # the old server's setting
        ({"CC_JWT_ACCESS_MINUTES": "45"}, timedelta(minutes=45)),
        ({"CC_JWT_EXPIRY_HOURS": "10", "CC_JWT_ACCESS_MINUTES": "45"}, timedelta(minutes=45)),  # minutes win
    ],
)
def test_the_access_lifetime_is_8_hours_unless_a_setting_says_otherwise(monkeypatch, environment, lifetime):
    assert settings_with(monkeypatch, **environment)["SIMPLE_JWT"]["ACCESS_TOKEN_LIFETIME"] == lifetime


def test_a_lifetime_of_zero_stops_start_up(monkeypatch):
    with pytest.raises(SystemExit, match="CC_JWT_ACCESS_MINUTES"):
        settings_with(monkeypatch, CC_JWT_ACCESS_MINUTES="0")


def test_the_audience_and_cors_origins_are_unset_by_default(monkeypatch):
    defaults = settings_with(monkeypatch)
    assert defaults["SIMPLE_JWT"]["AUDIENCE"] is None
    assert defaults["CORS_ALLOWED_ORIGINS"] == []
    configured = settings_with(monkeypatch, CC_JWT_AUDIENCE="om-portal", CC_CORS_ORIGINS="https://om.example.org")
    assert configured["SIMPLE_JWT"]["AUDIENCE"] == "om-portal"
    assert configured["CORS_ALLOWED_ORIGINS"] == ["https://om.example.org"]


def test_the_login_says_8_hours_and_the_token_lasts_them(client, onm):
    body = login(client, onm)
    assert body["expires_in"] == 28800
    claims = jwt.decode(body["access_token"], SECRET, algorithms=["HS256"])
    # exp counts from the login's moment, iat from the access token's (a second later when a second ticks between)
    assert 28800 - 1 <= claims["exp"] - claims["iat"] <= 28800


# --- a sibling service that verifies tokens as the old middleware did ----------------------------------------


def test_pyjwt_decodes_the_access_token_the_old_way(client, finance):
    """The old middleware: jwt.decode(token, CC_JWT_SECRET, algorithms=["HS256"]), no audience argument."""
    token = login(client, finance)["access_token"]
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert set(claims) >= OLD_CLAIMS
    assert (claims["sub"], claims["user_type"], claims["role"]) == ("9003", "employee", "finance_team")
    assert (claims["name"], claims["email"]) == ("Finance Clerk", finance.email)
    assert isinstance(claims["iat"], int) and isinstance(claims["exp"], int)


def test_python_jose_decodes_the_access_token_the_old_way(client, onm):
    """The old server's own library (python-jose), called as its middleware called it."""
    from jose import jwt as jose_jwt

    token = login(client, onm)["access_token"]
    claims = jose_jwt.decode(token, SECRET, algorithms=["HS256"])
    assert set(claims) >= OLD_CLAIMS
    assert (claims["sub"], claims["role"], claims["email"]) == ("9002", "onm_team", onm.email)


def test_a_token_with_an_audience_is_what_an_old_decoder_refuses(client, onm):
    """Why aud is off by default: both libraries refuse a token carrying aud when given no audience."""
    from jose import JWTError
    from jose import jwt as jose_jwt

    claims = jwt.decode(login(client, onm)["access_token"], SECRET, algorithms=["HS256"])
    with_audience = jwt.encode({**claims, "aud": "cc-portal"}, SECRET, algorithm="HS256")
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(with_audience, SECRET, algorithms=["HS256"])
    with pytest.raises(JWTError, match="audience"):
        jose_jwt.decode(with_audience, SECRET, algorithms=["HS256"])


@pytest.fixture
def audience(monkeypatch):
    """CC_JWT_AUDIENCE=om-portal for this test (simplejwt's token backend is built once, from the settings)."""
    backend = state.token_backend
    monkeypatch.setattr(
        state,
        "token_backend",
        TokenBackend(backend.algorithm, backend.signing_key, backend.verifying_key, "om-portal", backend.issuer),
    )
    return "om-portal"


def test_with_an_audience_set_tokens_carry_it_and_must_carry_it(client, generic, audience):
    tokens = login(client, generic)
    claims = jwt.decode(tokens["access_token"], SECRET, algorithms=["HS256"], audience=audience)
    assert claims["aud"] == audience
    assert client.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").status_code == 200
    for forged in (
        {k: v for k, v in claims.items() if k != "aud"},
        {**claims, "aud": "another-service"},
    ):
        token = jwt.encode(forged, SECRET, algorithm="HS256")
        assert client.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


# --- the Authorization scheme ---------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_the_bearer_scheme_is_case_insensitive(client, generic, scheme):
    token = login(client, generic)["access_token"]
    assert client.get("/api/auth/me", HTTP_AUTHORIZATION=f"{scheme} {token}").status_code == 200
    assert client.get("/api/om-report/overview", HTTP_AUTHORIZATION=f"{scheme} {token}").status_code == 200


def test_a_client_that_echoes_token_type_is_let_in(client, generic):
    body = login(client, generic)
    assert body["token_type"] == "bearer"
    response = client.get("/api/auth/verify", HTTP_AUTHORIZATION=f"{body['token_type']} {body['access_token']}")
    assert response.status_code == 204


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "bearer", "bearer a b", "Token abc"])
def test_other_schemes_and_malformed_headers_are_refused_with_401(client, generic, header):
    response = client.get("/api/auth/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401 and isinstance(response.json()["detail"], str)
