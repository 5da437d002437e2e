"""Shared fixtures: one employee per role, logged-in clients, factories."""

import os

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from accounts.models import Role
from tests.factories import TEST_PASSWORD, EmployeeFactory

ROLES = [Role.SUPERADMIN, Role.ONM_TEAM, Role.FINANCE_TEAM, Role.GENERIC]

# Property-based tests: modest example counts so the suite stays quick; CI (.ci/run) replays the same examples
# every run (derandomized), a developer's run explores new ones.
hypothesis_settings.register_profile("dev", max_examples=50, deadline=None)
hypothesis_settings.register_profile("ci", max_examples=50, deadline=None, derandomize=True, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture
def password():
    return TEST_PASSWORD


@pytest.fixture
def make_employee(db):
    def make(role=Role.GENERIC, **kwargs):
        return EmployeeFactory(role=role, **kwargs)

    return make


@pytest.fixture
def superadmin(make_employee):
    return make_employee(Role.SUPERADMIN, employee_id="9001", name="Super Admin")


@pytest.fixture
def onm(make_employee):
    return make_employee(Role.ONM_TEAM, employee_id="9002", name="Onm Engineer")


@pytest.fixture
def finance(make_employee):
    return make_employee(Role.FINANCE_TEAM, employee_id="9003", name="Finance Clerk")


@pytest.fixture
def generic(make_employee):
    return make_employee(Role.GENERIC, employee_id="9004", name="Generic Staff")


def _client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_for():
    """client_for(user) -> a Django test client logged in as that employee."""
    return _client_for


@pytest.fixture
def admin_client(superadmin):  # noqa: F811 - replaces pytest-django's admin_client with our superadmin
    return _client_for(superadmin)


@pytest.fixture
def onm_client(onm):
    return _client_for(onm)


@pytest.fixture
def finance_client(finance):
    return _client_for(finance)


@pytest.fixture
def generic_client(generic):
    return _client_for(generic)


@pytest.fixture(params=ROLES)
def role_user(request, make_employee):
    """Parametrised: one employee of each role."""
    return make_employee(request.param, employee_id=f"77{ROLES.index(request.param)}")


@pytest.fixture(autouse=True)
def _rollups_stay_equal(request):
    """Every test that touched the database leaves each rollup (ccportal.rollup) equal to its table: a write path
    that goes past them fails the test that exercises it, wherever it is."""
    uses_db = request.node.get_closest_marker("django_db") is not None
    for name in ("transactional_db", "db"):
        if name in request.fixturenames:
            request.getfixturevalue(name)  # set up before this fixture, so torn down after its check
            uses_db = True
            break
    yield
    if not uses_db or request.node.get_closest_marker("skip_rollup_check"):
        return
    from django.db import connection

    if connection.in_atomic_block and connection.needs_rollback:
        return
    from ccportal.rollup import rollups_differences

    assert rollups_differences() == {}, "a rollup (ccportal.rollup) no longer equals its table"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the O&M report page and the Tables counts keep figures for a while)."""
    from django.core.cache import cache

    cache.clear()
    yield
