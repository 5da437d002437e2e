"""One matrix: every customers URL, the roles that may use it, and the 403 everyone else gets."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.forms import AccountLookupForm
from billing.models import AccountHistory
from tests.customers.factories import account_with_ledger
from tests.factories import CustomerFactory, aware

pytestmark = pytest.mark.django_db

EVERYONE = {"superadmin", "onm_team", "finance_team", "generic"}
CUSTOMER_WRITERS = {"superadmin", "onm_team"}
LEDGER_WRITERS = {"superadmin", "onm_team", "finance_team"}

# (method, url, data, roles allowed, status when allowed)
MATRIX = [
    ("get", "/customers/", None, EVERYONE, 200),
    ("get", "/customers/{pk}/", None, EVERYONE, 200),
    ("get", "/customers/{pk}/field/phone/", None, EVERYONE, 200),
    ("get", "/accounts/0001MAK/", None, EVERYONE, 200),
    ("get", "/accounts/?account=mak1", None, EVERYONE, 302),
    ("get", "/customers/new/", None, CUSTOMER_WRITERS, 200),
    ("get", "/customers/{pk}/assign-meter/", None, CUSTOMER_WRITERS, 200),
    ("get", "/customers/{pk}/field/phone/?edit=1", None, CUSTOMER_WRITERS, 200),
    ("post", "/customers/{pk}/field/first_name/", {"first_name": "Neo", "reason": "typo"}, CUSTOMER_WRITERS, 302),
    ("post", "/customers/{pk}/terminate/", {"terminate-on": "2026-01-01", "terminate-reason": "moved"}, CUSTOMER_WRITERS, 302),
    ("post", "/customers/{pk}/delete/", {"delete-reason": "mistake"}, CUSTOMER_WRITERS, 302),
    (
        "post",
        "/accounts/0001MAK/ledger/add/",
        {"new-when": "2026-01-01T10:00", "new-kind": "payment", "new-amount": "5", "new-reason": "cash"},
        LEDGER_WRITERS,
        302,
    ),
    ("post", "/accounts/0001MAK/ledger/{row}/delete/", {"reason": "duplicate"}, LEDGER_WRITERS, 302),
]


@pytest.mark.parametrize("method,url,data,allowed,status", MATRIX, ids=[f"{m} {u}" for m, u, *_ in MATRIX])
def test_permission_matrix(role_user, client_for, method, url, data, allowed, status):
    account = account_with_ledger("0001MAK", [(aware(2025, 1, 1), True, "1", "5", "1")])
    row = AccountHistory.objects.get()
    customer_id = account.customer_id
    if url.startswith("/customers/{pk}/delete/"):
        customer_id = CustomerFactory().pk  # a customer without ledger rows can be deleted
    client = client_for(role_user)
    response = getattr(client, method)(url.format(pk=customer_id, row=row.pk), data or {})
    expected = status if role_user.role in allowed else 403
    assert response.status_code == expected, response.content[:500]


def test_anonymous_visitors_are_sent_to_login(client):
    for url in ("/customers/", "/customers/1/", "/customers/new/", "/accounts/0001MAK/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/login/")


@given(
    st.integers(1, 9999),
    st.sampled_from(["MAK", "KET", "SHG"]),
    st.sampled_from(["{n:04d}{s}", "{s}{n}", "{s} {n}", "{n}-{s}"]),
    st.booleans(),
)
def test_the_lookup_accepts_every_spelling_of_an_account_number(number, site, shape, lower):
    typed = shape.format(n=number, s=site)
    form = AccountLookupForm(data={"account": typed.lower() if lower else typed})
    assert form.is_valid() and form.cleaned_data["account"] == f"{number:04d}{site}"
