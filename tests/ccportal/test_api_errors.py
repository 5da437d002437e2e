"""Under /api/ every answer is JSON, errors included, with DEBUG on or off (ccportal.api_errors); CORS for /api/*
only, from CC_CORS_ORIGINS."""

import json

import pytest
from django.test import Client

from ccportal.api_errors import errors_summary
from tests.security.urlmatrix import bearer_for

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def api(generic):
    client = Client(raise_request_exception=False)
    client.defaults["HTTP_AUTHORIZATION"] = bearer_for(generic)
    return client


def json_error(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert isinstance(body["detail"], str) and body["detail"]
    if response.has_header("Content-Length"):
        assert int(response["Content-Length"]) == len(response.content)
    return body


@pytest.mark.parametrize("path", ["/api/", "/api/nothing-here", "/api/om-report/no-such-figure", "/api/auth/x/y"])
def test_an_unknown_path_is_a_json_404(api, debug, path):
    assert json_error(api.get(path), 404) == {"detail": "Not found."}
    assert json_error(Client().get(path), 404) == {"detail": "Not found."}  # anonymous too


@pytest.mark.parametrize(
    "method, path, existing",
    [
        ("get", "/api/auth/me/", "/api/auth/me"),
        ("post", "/api/auth/employee-login/", "/api/auth/employee-login"),
        ("get", "/api/om-report/overview/", "/api/om-report/overview"),
        ("get", "/api/schema", "/api/schema/"),  # not a redirect: a POST could not follow one
        ("post", "/api/schema", "/api/schema/"),  # with DEBUG, APPEND_SLASH would make this a server error
    ],
)
def test_a_trailing_slash_variant_is_a_json_404_naming_the_path_that_exists(api, debug, method, path, existing):
    body = json_error(getattr(api, method)(path), 404)
    assert body == {"detail": f"Not found. Did you mean {existing}?"}


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/api/om-report/overview"),
        ("delete", "/api/auth/me"),
        ("get", "/api/auth/employee-login"),
        ("put", "/api/auth/refresh"),
        ("post", "/api/schema/"),
    ],
)
def test_a_wrong_method_is_a_json_405(api, debug, method, path):
    body = json_error(getattr(api, method)(path, content_type="application/json"), 405)
    assert body == {"detail": f'Method "{method.upper()}" not allowed.'}


def test_a_server_error_is_a_json_500_and_is_logged(api, debug, monkeypatch, caplog):
    from reports.selectors import overview

    def broken(**kwargs):
        raise RuntimeError("the ledger is on fire")

    monkeypatch.setattr(overview, "ledger_months", broken)
    response = api.get("/api/om-report/overview")
    assert json_error(response, 500) == {"detail": "A server error occurred."}
    assert "ledger is on fire" not in response.content.decode()
    assert any(record.levelname == "ERROR" and record.name == "django.request" for record in caplog.records)


def test_validation_errors_keep_their_fields_and_say_it_all_in_detail(api, debug):
    body = json_error(api.get("/api/om-report/customer-stats", {"quarter": "Q4 2025"}), 400)
    assert set(body) == {"quarter", "detail"}
    assert body["detail"] == f"quarter: {body['quarter'][0]}"
    login = json_error(Client().post("/api/auth/employee-login", data="{}", content_type="application/json"), 400)
    assert login["employee_id"] == ["This field is required."]
    assert login["detail"] == "employee_id: This field is required. password: This field is required."


def test_refusals_keep_their_detail(debug):
    assert json_error(Client().get("/api/auth/me"), 401) == {"detail": "Authentication credentials were not provided."}


def test_pages_keep_their_html_error_pages(admin_client, debug):
    response = Client(raise_request_exception=False).get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "errors, sentence",
    [
        ({"q": ["Give at least 3 characters."]}, "q: Give at least 3 characters."),
        ({"non_field_errors": ["Send a JSON object."]}, "Send a JSON object."),
        ({"a": ["One.", "Two."], "b": ["Three."]}, "a: One. Two. b: Three."),
        ({"user": {"email": ["Enter a valid email."]}}, "user.email: Enter a valid email."),
        (["Just this."], "Just this."),
    ],
)
def test_the_summary_names_each_field(errors, sentence):
    assert errors_summary(errors) == sentence


# --- CORS (django-cors-headers): CC_CORS_ORIGINS, /api/* only ----------------------------------------------------

ORIGIN = "https://om.example.org"


def preflight(path, origin=ORIGIN):
    return Client().options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )


def test_no_origin_is_allowed_by_default():
    response = preflight("/api/auth/employee-login")
    assert "Access-Control-Allow-Origin" not in response


def test_a_listed_origin_may_call_the_api_and_nothing_else(settings, generic):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    response = preflight("/api/auth/employee-login")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "authorization" in response["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response  # Bearer tokens, never cookies
    me = Client().get("/api/auth/me", HTTP_ORIGIN=ORIGIN, HTTP_AUTHORIZATION=bearer_for(generic))
    assert me.status_code == 200 and me["Access-Control-Allow-Origin"] == ORIGIN
    # errors carry the header too, so the browser lets the client read them
    assert Client().get("/api/auth/me", HTTP_ORIGIN=ORIGIN)["Access-Control-Allow-Origin"] == ORIGIN
    assert "Access-Control-Allow-Origin" not in preflight("/api/auth/employee-login", origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in Client().get("/login/", HTTP_ORIGIN=ORIGIN)
    assert "Access-Control-Allow-Origin" not in preflight("/login/")
