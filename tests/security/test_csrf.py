"""CSRF (ASVS 3.5): every non-API URL that accepts a data-changing method refuses it without a token, htmx or not;
the API is never authenticated by the session cookie, so it needs no CSRF token. Driven by the permission matrix,
so URLs added later are covered once they have their entry."""

import pytest
from django.test import Client

from accounts.models import Role
from tests.security.urlmatrix import ALLOW, ANONYMOUS, METHODS, REFUSE, build_url, describe, send
from tests.test_permission_matrix import matrix_cases

pytestmark = pytest.mark.django_db

WRITE_METHODS = [method for method in METHODS if method != "GET"]


def _csrf_refusal(response):
    return response.status_code == 403 and b"CSRF verification failed" in response.content


def _writes(kind_filter):
    """(case, entry, method, role): each write a role may make (superadmin, or anonymous where it may)."""
    for case, entry in matrix_cases():
        if not kind_filter(case.kind):
            continue
        for method in WRITE_METHODS:
            pol = entry.methods.get(method)
            for role in (Role.SUPERADMIN, ANONYMOUS):
                if pol is not None and pol.expect(role) == ALLOW:
                    yield case, entry, method, role


def test_every_write_without_a_csrf_token_is_refused(people, world):
    failures, checked = [], 0
    for case, entry, method, role in _writes(lambda kind: kind != "api"):
        url = build_url(case, entry, world)
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            client = Client(enforce_csrf_checks=True)
            if role != ANONYMOUS:
                client.force_login(people[role])
            response = send(client, method, url, **headers)
            checked += 1
            if not _csrf_refusal(response):
                failures.append(f"{method} {url} as {role} {headers or ''}: {describe(response)}")
    assert checked > 0
    assert not failures, "accepted without a CSRF token:\n" + "\n".join(failures)


def test_a_valid_csrf_token_lets_an_htmx_post_through(people):
    """The refusals above are the CSRF check's: the same kind of request with the token goes through."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(people[Role.SUPERADMIN])
    token = str(client.get("/profile/").context["csrf_token"])
    response = client.post("/profile/", {}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200 and not _csrf_refusal(response)


# The OpenAPI schema and its Swagger UI are read in a browser by a logged-in employee (SPEC §2): GET only.
SESSION_READABLE = {"api-schema", "api-docs"}


def test_the_api_is_not_authenticated_by_a_session_cookie(people, world):
    """A logged-in browser session alone gets 401 from every API endpoint that needs a login (so no CSRF risk)."""
    failures, checked = [], 0
    client = Client()
    client.force_login(people[Role.SUPERADMIN])
    for case, entry in matrix_cases():
        if case.kind != "api":
            continue
        if case.key in SESSION_READABLE:
            assert set(entry.methods) == {"GET"}, case.key  # read-only: a session cannot be made to change anything
            continue
        for method, pol in entry.methods.items():
            if method in METHODS and pol.expect(ANONYMOUS) == REFUSE:
                response = send(client, method, build_url(case, entry, world))
                checked += 1
                if response.status_code != 401:
                    failures.append(f"{method} {case.route} with a session cookie only: {describe(response)}")
    assert checked > 0
    assert not failures, "\n".join(failures)
