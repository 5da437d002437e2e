"""/customers/<id>/assign-meter/: the server allocates NNNNSSS in the transaction, refuses a meter in use."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from customers import selectors, services
from customers.models import AccountNumber, Meter, Site
from tests.factories import AccountNumberFactory, CustomerFactory, LedgerRowFactory, MeterFactory

pytestmark = pytest.mark.django_db


def form(**overrides):
    data = {"meterid": "SMRSD-26-00000001", "site_code": "MAK", "customer_type": "HH", "village": "Ha Makebe"}
    data.update(overrides)
    return data


def test_the_first_account_of_a_site_is_0001():
    assert selectors.account_number_next("KET") == "0001KET"


def test_the_next_number_looks_at_accounts_meters_and_legacy_ledger_rows():
    AccountNumberFactory(accountnumber="0041MAK")
    assert selectors.account_number_next("MAK") == "0042MAK"
    MeterFactory(accountnumber="0050MAK")
    assert selectors.account_number_next("MAK") == "0051MAK"
    LedgerRowFactory(accountnumber="0051MAK")  # legacy: ledger rows but no tblaccountnumbers row
    LedgerRowFactory(accountnumber="0052MAK")
    assert selectors.account_number_next("mak") == "0053MAK"
    AccountNumberFactory(accountnumber="0099KET")
    MeterFactory(accountnumber="9MAK")  # junk in legacy data is ignored
    assert selectors.account_number_next("MAK") == "0053MAK"


def test_a_site_past_9999_customers_gets_longer_numbers():
    AccountNumberFactory(accountnumber="9999MAK")
    assert selectors.account_number_next("MAK") == "10000MAK"
    AccountNumberFactory(accountnumber="11234MAK")
    MeterFactory(accountnumber="0999MAK")  # text order would put 0999 above 11234: the length comes first
    assert selectors.account_number_next("MAK") == "11235MAK"


def test_a_full_site_says_so():
    AccountNumberFactory(accountnumber="9999999MAK")
    with pytest.raises(ValueError):
        selectors.account_number_next("MAK")


def test_it_shows_the_likely_number_and_assigns_the_meter(onm_client, onm):
    customer = CustomerFactory(site_code="MAK", customer_type="SME", city="Ha Makebe", gps_y=-29.5, gps_x=27.6)
    AccountNumberFactory(accountnumber="0044MAK")
    page = onm_client.get(f"/customers/{customer.pk}/assign-meter/")
    assert b"0045MAK" in page.content and b'value="SME" selected' in page.content
    response = onm_client.post(f"/customers/{customer.pk}/assign-meter/", form(meterid=" smrsd-26-00000001 ", latitude="-29.5"))
    assert response.status_code == 302 and response.url == f"/customers/{customer.pk}/"
    account = AccountNumber.objects.get(accountnumber="0045MAK")
    assert account.customer == customer and account.meter_id == "SMRSD-26-00000001" and account.community == "MAK"
    meter = Meter.objects.get(pk="SMRSD-26-00000001")
    assert (meter.customer, meter.accountnumber, meter.community, meter.current_status) == (customer, "0045MAK", "MAK", "active")
    assert meter.latitude == -29.5 and meter.customer_connect_date is not None
    assert account.history.get().history_user == onm and meter.history.get().history_user == onm


def test_changing_the_site_updates_the_likely_number_by_htmx(onm_client):
    customer = CustomerFactory()
    response = onm_client.get(f"/customers/{customer.pk}/assign-meter/", {"site_code": "KET"}, headers={"HX-Request": "true"})
    assert b"0001KET" in response.content and b"<html" not in response.content


def test_a_meter_on_another_active_account_is_refused_naming_it(onm_client):
    taken = AccountNumberFactory(accountnumber="0012MAK", meter__meterid="SMRSD-26-00000001")
    customer = CustomerFactory()
    response = onm_client.post(f"/customers/{customer.pk}/assign-meter/", form())
    assert response.status_code == 200
    error = response.context["form"].errors["meterid"][0]
    assert "0012MAK" in error and str(taken.customer_id) in error
    assert AccountNumber.objects.count() == 1
    assert Meter.objects.get(pk="SMRSD-26-00000001").customer_id == taken.customer_id


def test_a_meter_whose_customer_was_terminated_can_be_reassigned(onm):
    old = AccountNumberFactory(
        accountnumber="0012MAK", meter__meterid="SMRSD-26-00000001", customer__date_service_terminated="2025-01-01"
    )
    customer = CustomerFactory()
    account = services.meter_assign(customer=customer, meterid="SMRSD-26-00000001", site_code="MAK", customer_type="HH", by=onm)
    assert account.accountnumber == "0013MAK"
    assert Meter.objects.get(pk="SMRSD-26-00000001").customer == customer
    assert AccountNumber.objects.get(pk=old.pk).customer_id == old.customer_id  # the old account stays for its ledger


@pytest.mark.parametrize("typed", ["MAK0045", "mak 45", "0045mak", "45-MAK"])
def test_a_typed_legacy_account_number_is_normalised(onm_client, typed):
    customer = CustomerFactory()
    response = onm_client.post(f"/customers/{customer.pk}/assign-meter/", form(accountnumber=typed))
    assert response.status_code == 302
    assert AccountNumber.objects.get().accountnumber == "0045MAK"


@pytest.mark.parametrize(
    "typed,message", [("hello", "is not an account number"), ("0045KET", "belongs to site KET"), ("0001MAK", "already exists")]
)
def test_bad_or_taken_account_numbers_are_refused(onm_client, typed, message):
    AccountNumberFactory(accountnumber="0001MAK")
    customer = CustomerFactory()
    response = onm_client.post(f"/customers/{customer.pk}/assign-meter/", form(accountnumber=typed))
    assert response.status_code == 200
    assert message in response.context["form"].errors["accountnumber"][0]
    assert AccountNumber.objects.count() == 1 and not Meter.objects.filter(pk="SMRSD-26-00000001").exists()


def test_the_form_shows_field_errors(onm_client):
    customer = CustomerFactory()
    response = onm_client.post(f"/customers/{customer.pk}/assign-meter/", {"meterid": " ", "site_code": "", "latitude": "x"})
    assert set(response.context["form"].errors) >= {"meterid", "site_code", "customer_type", "latitude"}


@pytest.mark.parametrize("who", ["generic", "finance"])
def test_readers_cannot_assign(client_for, request, who):
    customer = CustomerFactory()
    client = client_for(request.getfixturevalue(who))
    assert client.get(f"/customers/{customer.pk}/assign-meter/").status_code == 403
    assert client.post(f"/customers/{customer.pk}/assign-meter/", form()).status_code == 403
    assert not Meter.objects.exists()


def test_an_unknown_customer_is_a_404(onm_client):
    assert onm_client.get("/customers/424242/assign-meter/").status_code == 404


def test_a_clash_on_the_number_is_retried(onm, monkeypatch):
    """Another clerk took the proposed number a moment ago: the primary key refuses it and we take the next."""
    AccountNumberFactory(accountnumber="0001MAK")
    stale = iter(["0001MAK"])
    real = selectors.account_number_next
    monkeypatch.setattr(selectors, "account_number_next", lambda site: next(stale, None) or real(site))
    account = services.meter_assign(customer=CustomerFactory(), meterid="M-1", site_code="MAK", customer_type="HH", by=onm)
    assert account.accountnumber == "0002MAK"
    assert AccountNumber.objects.count() == 2 and Meter.objects.filter(accountnumber="0002MAK").count() == 1
    assert not Meter.objects.filter(accountnumber="0001MAK").exists()  # the failed attempt's write was rolled back


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_at_once_get_distinct_numbers(make_employee):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")
    Site.objects.update_or_create(code="MAK", defaults={"name": "Ha Makebe", "district": "Maseru"})
    clerk = make_employee("onm_team", employee_id="8801")
    first, second = CustomerFactory(), CustomerFactory()
    AccountNumberFactory(accountnumber="0009MAK")
    # Both clerks press Save at the same moment; the second queues on the site row until the first commits.
    barrier = threading.Barrier(2, timeout=20)
    results, errors = {}, []

    def assign(customer, meterid):
        try:
            barrier.wait()
            results[meterid] = services.meter_assign(
                customer=customer, meterid=meterid, site_code="MAK", customer_type="HH", by=clerk
            ).accountnumber
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=assign, args=(c, m)) for c, m in ((first, "M-A"), (second, "M-B"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sorted(results.values()) == ["0010MAK", "0011MAK"]
    assert AccountNumber.objects.filter(accountnumber__in=["0010MAK", "0011MAK"]).count() == 2


def test_service_refuses_a_meter_already_active(onm):
    AccountNumberFactory(accountnumber="0003MAK", meter__meterid="M-9")
    with pytest.raises(ValidationError) as refused:
        services.meter_assign(customer=CustomerFactory(), meterid="M-9", site_code="MAK", customer_type="HH", by=onm)
    assert "0003MAK" in str(refused.value)


def test_a_customer_without_an_account_sees_the_page_as_before(onm_client):
    customer = CustomerFactory(site_code="MAK")
    body = onm_client.get(f"/customers/{customer.pk}/assign-meter/").content.decode()
    assert 'id="existing-accounts"' not in body and 'name="reason"' not in body


def test_a_customer_with_an_account_sees_it_first_and_gives_a_reason_for_another(onm_client, onm):
    first = AccountNumberFactory(accountnumber="0061MAK", customer__site_code="MAK")
    customer = first.customer
    body = onm_client.get(f"/customers/{customer.pk}/assign-meter/").content.decode()
    shown = body.index('id="existing-accounts"')
    assert shown < body.index('<form method="post" class="card"') and "already has an account" in body
    assert "0061MAK" in body[shown:] and first.meter_id in body[shown:] and "another account with a new number" in body
    assert 'name="reason"' in body

    refused = onm_client.post(f"/customers/{customer.pk}/assign-meter/", form(meterid="M-SECOND"))
    assert refused.status_code == 200 and "Say why this customer needs another account." in refused.content.decode()
    assert customer.accounts.count() == 1

    response = onm_client.post(
        f"/customers/{customer.pk}/assign-meter/", form(meterid="M-SECOND", reason="Second meter for the shop")
    )
    assert response.status_code == 302
    second = customer.accounts.exclude(pk="0061MAK").get()
    record = second.history.get()
    assert record.history_change_reason == "Meter assigned: Second meter for the shop" and record.history_user == onm
    assert Meter.objects.get(pk="M-SECOND").history.first().history_change_reason == "Meter assigned: Second meter for the shop"


def test_the_service_refuses_a_second_account_without_a_reason(onm):
    first = AccountNumberFactory(accountnumber="0071MAK")
    with pytest.raises(ValidationError) as refused:
        services.meter_assign(customer=first.customer, meterid="M-2", site_code="MAK", customer_type="HH", by=onm, reason="  ")
    assert "already has account 0071MAK" in refused.value.message_dict["reason"][0]
    assert not Meter.objects.filter(pk="M-2").exists()
    account = services.meter_assign(customer=CustomerFactory(), meterid="M-3", site_code="MAK", customer_type="HH", by=onm)
    assert account.history.get().history_change_reason == "Meter assigned"
