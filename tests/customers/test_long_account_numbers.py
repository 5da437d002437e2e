"""Account numbers past 9,999 per site (11235MAK): every part of the portal takes them like 0045MAK."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from billing import selectors as billing_selectors
from billing.statements import StatementRow, account_candidates
from customers import selectors
from customers.models import AccountNumber
from tests.customers.factories import account_with_ledger
from tests.factories import AccountNumberFactory, CustomerFactory, TariffRateFactory, aware

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_account():
    TariffRateFactory(rate_lsl=Decimal("5.00"), effective_from=aware(2019, 1, 1))
    when = timezone.localtime() - timedelta(days=2)
    return account_with_ledger("11235MAK", [(when, True, "10.000", "50.00", "10.000")], first_name="Rethabile")


def test_customer_data_opens_and_other_spellings_redirect(generic_client, big_account):
    response = generic_client.get("/accounts/11235MAK/")
    assert response.status_code == 200 and b"Rethabile" in response.content
    assert generic_client.get("/accounts/mak 11235/").url == "/accounts/11235MAK/"
    assert generic_client.get("/accounts/", {"account": "MAK11235"}).url == "/accounts/11235MAK/"


@pytest.mark.parametrize("q", ["11235MAK", "mak 11235", "11235"])
def test_the_search_finds_it(generic_client, big_account, q):
    response = generic_client.get("/customers/", {"q": q})
    assert [c.pk for c in response.context["page"].object_list] == [big_account.customer_id]


def test_a_number_alone_is_that_number_at_each_site_not_a_prefix_of_longer_ones(generic_client, big_account):
    short = AccountNumberFactory(accountnumber="1123KET")
    response = generic_client.get("/customers/", {"q": "1123"})
    assert [c.pk for c in response.context["page"].object_list] == [short.customer_id]


def test_assign_meter_takes_a_typed_long_number(onm_client):
    customer = CustomerFactory(site_code="MAK")
    response = onm_client.post(
        f"/customers/{customer.pk}/assign-meter/",
        {
            "meterid": "SMRSD-26-00011235",
            "site_code": "MAK",
            "customer_type": "HH",
            "village": "Ha Makebe",
            "accountnumber": "mak 11235",
        },
    )
    assert response.status_code == 302
    assert AccountNumber.objects.get(accountnumber="11235MAK").customer == customer


def test_statement_details_and_the_payment_lookup_api_match_it(generic, big_account):
    row = StatementRow(
        row_number=2,
        receipt="RCP11235",
        paid_at=aware(2026, 1, 5),
        amount=Decimal("20.00"),
        details="paid 11235 MAK",
        account_candidates=account_candidates("paid 11235 MAK"),
    )
    (classified,) = billing_selectors.payment_rows_classify(rows=[row], provider="mpesa")
    assert (classified.outcome, classified.accountnumber) == ("matched", "11235MAK")
    client = APIClient()
    client.force_authenticate(generic)
    body = client.get("/api/payments/lookup", {"q": "mak 11235"}).json()
    assert body["kind"] == "account" and body["account"]["accountnumber"] == "11235MAK"
    assert body["account"]["balance_kwh"] == 10.0


def test_the_next_number_after_9999_is_10000():
    AccountNumberFactory(accountnumber="9999MAK")
    assert selectors.account_number_next("MAK") == "10000MAK"
