"""The OpenAPI schema and the docs page describe the auth endpoints, work without a CDN, and are for employees."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_schema_describes_the_auth_endpoints_with_examples(generic_client):
    response = generic_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    for path in ("employee-login", "me", "verify", "refresh", "logout"):
        assert f"/api/auth/{path}" in schema["paths"]
    login = schema["paths"]["/api/auth/employee-login"]["post"]
    assert set(login["responses"]) >= {"200", "400", "401", "429"}
    assert "examples" in login["requestBody"]["content"]["application/json"]
    assert "examples" in login["responses"]["200"]["content"]["application/json"]
    assert schema["paths"]["/api/auth/me"]["get"]["security"] == [{"jwtAuth": []}]
    assert schema["components"]["securitySchemes"]["jwtAuth"]["scheme"] == "bearer"


def test_the_docs_page_loads_everything_from_our_own_server(generic_client):
    client = generic_client
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui-bundle.js" in page and "/static/drf_spectacular_sidecar/" in page
    assert "//cdn" not in page and "https://" not in page
    assert "<script>" not in page  # the init script is a separate file (CSP)
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "/api/schema/" in script.content.decode()


def test_anonymous_callers_get_neither_the_schema_nor_the_docs(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 401 and "detail" in schema.json()
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"] == "/login/?next=/api/docs/"
    assert client.get("/api/docs/?script=").status_code == 302
    assert client.get("/api/docs/", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401


def test_a_bearer_token_opens_the_schema(client, onm):
    from accounts.api import token_pair_for

    token = token_pair_for(onm)["access_token"]
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and "/api/om-report/overview" in response.json()["paths"]
