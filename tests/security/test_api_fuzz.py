"""Fuzzing the API (ASVS 1.x input handling): schemathesis generates requests from /api/schema/ for every
operation, so endpoints added later are fuzzed too; none may answer with a server error. In-process through the
WSGI application, with a valid superadmin token. The normalisers' properties are in tests/ccportal/test_normalize.py."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from ccportal.wsgi import application
from tests.security.urlmatrix import bearer_for

MAX_EXAMPLES = 25  # per operation: enough to find crashes on odd input, quick enough for CI


@pytest.fixture
def token(superadmin):
    return bearer_for(superadmin)


@pytest.fixture
def api_schema(db, token):
    # Like Django's test client: the WSGI app must not close the test's connection (CONN_MAX_AGE=0 on
    # PostgreSQL) at the end of each request, or the rest of the test loses its transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", application, headers={"Authorization": token})
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,  # the same examples on every run: CI stays reproducible
)
def test_no_api_operation_answers_a_server_error(case, token):
    response = case.call(headers={"Authorization": token})
    assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code} {response.text[:500]}"
