"""Who may use which audit and data page: one matrix, every URL, every role."""

import pytest
from django.urls import reverse

from ccportal.history import history_save
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

EVERYONE = {"superadmin", "onm_team", "finance_team", "generic"}


@pytest.fixture
def entry(superadmin):
    customer = history_save(CustomerFactory.build(), by=superadmin, reason="new")
    return customer.history.get()


def pages(entry):
    detail = reverse("datatools:mutation", args=["tblcustomer", entry.history_id])
    return [
        ("get", reverse("datatools:mutations"), EVERYONE),
        ("get", detail, {"superadmin", "onm_team", "finance_team"}),
        ("get", reverse("datatools:tables"), EVERYONE),
        ("get", reverse("datatools:table", args=["tblcustomer"]), EVERYONE),
        ("get", reverse("datatools:table_export", args=["tblcustomer"]), EVERYONE),
        ("get", reverse("datatools:sync"), {"superadmin"}),
    ]


def test_the_permission_matrix(entry, role_user, client_for, client):
    for method, url, allowed in pages(entry):
        assert client.get(url).status_code == 302, url  # anonymous: to the login page
        status = getattr(client_for(role_user), method)(url).status_code
        assert status == (200 if role_user.role in allowed else 403), (url, role_user.role, status)


def test_revert_is_for_superadmin_and_onm_only(entry, role_user, client_for):
    url = reverse("datatools:mutation_revert", args=["tblcustomer", entry.history_id])
    status = client_for(role_user).post(url).status_code
    assert status == (302 if role_user.role in {"superadmin", "onm_team"} else 403)
