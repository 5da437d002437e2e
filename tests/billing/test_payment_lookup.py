"""Payment lookup: each kind of query, each fate, bad input, permissions, the API and its query count."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from billing import selectors, services
from billing.models import ImportedPayment
from tests.billing.test_payment_import_service import _import


@pytest.fixture
def imported(statement, priced_accounts, finance):
    _import(statement, "mpesa_day.csv", "mpesa", finance)
    _import(statement, "mpesa_day.csv", "mpesa", finance)  # every receipt again: duplicates
    waiting = ImportedPayment.objects.get(receipt="RCP0003", status="unmatched")
    return {"waiting": waiting}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "kind", "receipts"),
    [
        ("RCP0001", "receipt", {"RCP0001"}),
        ("rcp000", "receipt", {"RCP0001", "RCP0002", "RCP0003", "RCP0004", "RCP0005"}),
        ("mak 45", "account", {"RCP0001"}),
        ("MAK0046", "account", {"RCP0002"}),
        ("+266 5700 0002", "phone", {"RCP0002"}),
        ("57000002", "phone", {"RCP0002"}),
        ("40 2025-03-01", "amount and date", {"RCP0002"}),
        ("01/03/2025 M40.00", "amount and date", {"RCP0002"}),
    ],
)
def test_it_finds_payments_by_each_kind_of_query(imported, query, kind, receipts):
    result = selectors.payment_lookup(query)
    assert result.kind == kind
    assert {p.receipt for p in result.payments} == receipts


@pytest.mark.django_db
def test_it_shows_every_fate(imported, finance):
    services.imported_payment_dismiss(payment=imported["waiting"], by=finance, reason="school fees")
    fates = {(p.receipt, p.status) for p in selectors.payment_lookup("RCP000").payments}
    assert ("RCP0001", "posted") in fates and ("RCP0001", "duplicate") in fates
    assert ("RCP0003", "dismissed") in fates and ("RCP0004", "ignored") in fates


@pytest.mark.django_db
def test_an_account_shows_its_balance_and_ledger(imported):
    result = selectors.payment_lookup("0045mak")
    assert result.account["balance_kwh"] == Decimal("12.500")
    assert [r.transaction_amount for r in result.account["recent_payments"]] == [Decimal("50.00")]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["12", "QQ99ZZ88XX", "5 2025-02-30", "hello there", "1234"])
def test_not_found_and_malformed_input_never_crash(imported, query):
    result = selectors.payment_lookup(query)
    assert result.payments == [] and result.hint


@pytest.mark.django_db
def test_the_page_live_search_and_assign_button(imported, generic_client, finance_client, django_assert_max_num_queries):
    page = generic_client.get("/payments/lookup/")
    assert page.status_code == 200 and b'id="payment-lookup-q"' in page.content
    with django_assert_max_num_queries(8):
        partial = generic_client.get("/payments/lookup/?q=RCP0003", HTTP_HX_REQUEST="true")
    assert b"<h1>" not in partial.content and b"waiting in the unmatched queue" in partial.content
    assert b"Assign" not in partial.content  # generic reads but cannot assign
    assert "HX-Request" in partial["Vary"]
    assert b"Assign" in finance_client.get("/payments/lookup/?q=RCP0003", HTTP_HX_REQUEST="true").content
    missing = generic_client.get("/payments/lookup/?q=ZZ11ZZ11ZZ", HTTP_HX_REQUEST="true")
    assert b"No imported payment found for receipt ZZ11ZZ11ZZ" in missing.content
    response = finance_client.post(
        f"/payments/{imported['waiting'].pk}/assign/", {"accountnumber": "0046MAK", "next": "/payments/lookup/?q=RCP0003"}
    )
    assert response["Location"] == "/payments/lookup/?q=RCP0003"


@pytest.mark.django_db
def test_the_api(imported, generic, django_assert_max_num_queries):
    client = APIClient()
    assert client.get("/api/payments/lookup", {"q": "RCP0001"}).status_code in (401, 403)
    client.force_authenticate(generic)
    with django_assert_max_num_queries(6):
        response = client.get("/api/payments/lookup", {"q": "0045MAK"})
    body = response.json()
    assert response.status_code == 200 and body["kind"] == "account"
    posted = body["payments"][0]
    assert posted["receipt"] == "RCP0001" and posted["status"] == "posted" and posted["amount"] == 50.0
    assert posted["ledger_row"]["kwh_value"] == 12.5 and posted["ledger_row"]["rate_used"] == 4.0
    assert body["account"]["balance_kwh"] == 12.5
    message = "Give at least 3 characters: a receipt, account number, phone, or amount and date."
    assert client.get("/api/payments/lookup", {"q": "x"}).json() == {"q": [message], "detail": f"q: {message}"}
    dup = client.get("/api/payments/lookup", {"q": "RCP0002"}).json()["payments"]
    assert {p["status"] for p in dup} == {"posted", "duplicate"}
    assert [p["duplicate_of_status"] for p in dup if p["status"] == "duplicate"] == ["posted"]


@pytest.mark.django_db
def test_the_api_is_in_the_schema(generic):
    client = APIClient()
    client.force_authenticate(generic)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert b"/api/payments/lookup" in schema.content


@pytest.mark.django_db
def test_the_lookup_page_keeps_the_query_in_the_address_bar_and_the_dashboard_does_not(generic_client):
    page = generic_client.get("/payments/lookup/", {"q": "RCP0001"}).content.decode()
    assert 'hx-replace-url="true"' in page and 'value="RCP0001"' in page
    assert "hx-replace-url" not in generic_client.get("/").content.decode()
