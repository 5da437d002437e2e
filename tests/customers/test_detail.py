"""/customers/<id>/: grouped fields, htmx inline edit with a reason, accounts and balances, terminate, delete."""

from datetime import date
from decimal import Decimal

import pytest

from customers.models import AccountNumber, Customer, Meter
from tests.customers.factories import account_with_ledger
from tests.factories import AccountNumberFactory, CustomerFactory, LedgerRowFactory, MeterFactory, aware

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def test_it_shows_every_group_accounts_balance_and_actions(onm_client):
    account = account_with_ledger("0007MAK", [(aware(2025, 1, 1, 10), True, "12.5", "50", "12.500")], first_name="Lerato")
    body = onm_client.get(f"/customers/{account.customer_id}/").content.decode()
    for heading in ("Personal", "Contact", "Location", "Service", "Accounts and meters", "Recent changes"):
        assert heading in body
    assert "Lerato" in body and "0007MAK" in body and "12.500 kWh" in body and account.meter_id in body
    assert "/assign-meter/" in body and "/accounts/0007MAK/" in body
    assert 'id="contracts"' in body


def test_unknown_customer_is_a_404_page(generic_client):
    response = generic_client.get("/customers/999999/")
    assert response.status_code == 404 and b"Not found" in response.content


@pytest.mark.parametrize("accounts", [1, 8])
def test_the_detail_page_runs_a_fixed_number_of_queries(generic_client, django_assert_num_queries, accounts):
    customer = CustomerFactory()
    for i in range(accounts):
        account = AccountNumberFactory(customer=customer, accountnumber=f"{i + 11:04d}MAK")
        LedgerRowFactory(accountnumber=account.accountnumber, current_balance=Decimal("3.000"))
    # session, user, customer, accounts (with balances and ledger flags), meters (with ledger flags),
    # history, contract versions, commissionings (the next step) (no session save: accounts.middleware refreshes it every few minutes)
    with django_assert_num_queries(8):
        response = generic_client.get(f"/customers/{customer.pk}/")
    assert len(response.context["accounts"]) == accounts and response.context["has_ledger_rows"]


@pytest.mark.parametrize("where", ["account", "meter", "none"])
def test_the_delete_section_knows_about_ledger_rows_on_accounts_and_on_meters(admin_client, where):
    customer = CustomerFactory()
    if where == "account":
        account = AccountNumberFactory(customer=customer, accountnumber="0031MAK")
        LedgerRowFactory(accountnumber=account.accountnumber)
    elif where == "meter":
        MeterFactory(customer=customer, accountnumber="0032MAK")
        LedgerRowFactory(accountnumber="0032MAK")
    response = admin_client.get(f"/customers/{customer.pk}/")
    assert response.context["has_ledger_rows"] == (where != "none")
    assert (b"cannot be deleted" in response.content) == (where != "none")


def test_a_writer_edits_one_field_inline_with_a_reason(onm_client, onm):
    customer = CustomerFactory(phone="+26650000001")
    form = onm_client.get(f"/customers/{customer.pk}/field/phone/?edit=1", headers=HX)
    assert b"<html" not in form.content and b'name="reason"' in form.content
    response = onm_client.post(f"/customers/{customer.pk}/field/phone/", {"phone": "5775 5403", "reason": "New SIM"}, headers=HX)
    assert response.status_code == 200 and b"+26657755403" in response.content and b"<form" not in response.content
    customer.refresh_from_db()
    assert customer.phone == "+26657755403"
    latest = customer.history.first()
    assert latest.history_change_reason == "New SIM" and latest.history_user == onm


def test_inline_edit_needs_a_reason_and_valid_value(onm_client):
    customer = CustomerFactory(phone="+26650000001")
    response = onm_client.post(f"/customers/{customer.pk}/field/phone/", {"phone": "5775 5403"}, headers=HX)
    assert b"This field is required" in response.content
    response = onm_client.post(f"/customers/{customer.pk}/field/phone/", {"phone": "hello", "reason": "x"}, headers=HX)
    assert b"not a phone number" in response.content
    response = onm_client.post(f"/customers/{customer.pk}/field/site_code/", {"site_code": "ZZZ", "reason": "x"}, headers=HX)
    assert b"Select a valid choice" in response.content
    customer.refresh_from_db()
    assert customer.phone == "+26650000001" and customer.site_code == "MAK"


def test_inline_edit_without_htmx_uses_a_page_and_redirects(onm_client):
    customer = CustomerFactory()
    assert b"<html" in onm_client.get(f"/customers/{customer.pk}/field/first_name/?edit=1").content
    response = onm_client.post(f"/customers/{customer.pk}/field/first_name/", {"first_name": "Thato", "reason": "typo"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.first_name == "Thato"


def test_only_editable_fields_can_be_edited(onm_client):
    customer = CustomerFactory()
    assert onm_client.get(f"/customers/{customer.pk}/field/record_created_by/?edit=1").status_code == 404
    assert onm_client.post(f"/customers/{customer.pk}/field/customer_id/", {"reason": "x"}).status_code == 404


@pytest.mark.parametrize("who", ["generic", "finance"])
def test_readers_see_but_cannot_edit(client_for, request, who):
    customer = CustomerFactory(first_name="Kept")
    client = client_for(request.getfixturevalue(who))
    page = client.get(f"/customers/{customer.pk}/")
    assert page.status_code == 200 and b"Edit</a>" not in page.content and b"Assign meter" not in page.content
    assert client.get(f"/customers/{customer.pk}/field/first_name/?edit=1").status_code == 403
    assert client.post(f"/customers/{customer.pk}/field/first_name/", {"first_name": "X", "reason": "x"}).status_code == 403
    assert (
        client.post(f"/customers/{customer.pk}/terminate/", {"terminate-on": "2026-01-01", "terminate-reason": "x"}).status_code
        == 403
    )
    assert client.post(f"/customers/{customer.pk}/delete/", {"delete-reason": "x"}).status_code == 403
    customer.refresh_from_db()
    assert customer.first_name == "Kept" and customer.date_service_terminated is None


def test_terminate_sets_the_date_and_the_meters_status(onm_client):
    account = AccountNumberFactory()
    response = onm_client.post(
        f"/customers/{account.customer_id}/terminate/", {"terminate-on": "2026-02-01", "terminate-reason": "Moved away"}
    )
    assert response.status_code == 302
    customer = Customer.objects.get(pk=account.customer_id)
    assert customer.date_service_terminated == date(2026, 2, 1)
    assert Meter.objects.get(pk=account.meter_id).current_status == "terminated"
    assert customer.history.first().history_change_reason == "Moved away"


def test_terminate_needs_a_date_and_reason(onm_client):
    customer = CustomerFactory()
    response = onm_client.post(f"/customers/{customer.pk}/terminate/", {"terminate-on": "", "terminate-reason": ""})
    assert response.status_code == 400
    assert set(response.context["terminate_form"].errors) == {"on", "reason"}


def test_delete_is_refused_while_ledger_rows_exist(admin_client):
    account = account_with_ledger("0003MAK", [(aware(2025, 1, 1), True, "1", "5", "1")])
    page = admin_client.get(f"/customers/{account.customer_id}/")
    assert b"cannot be deleted: terminate the service instead" in page.content
    response = admin_client.post(f"/customers/{account.customer_id}/delete/", {"delete-reason": "mistake"}, follow=True)
    assert b"terminate the service instead" in response.content
    assert Customer.objects.filter(pk=account.customer_id).exists()


@pytest.mark.parametrize("who", ["superadmin", "onm"])
def test_delete_removes_a_mistaken_record_with_history(client_for, request, who):
    account = AccountNumberFactory()
    customer_id, meterid = account.customer_id, account.meter_id
    client = client_for(request.getfixturevalue(who))
    page = client.get(f"/customers/{customer_id}/")
    assert b'data-confirm="Delete customer' in page.content
    response = client.post(f"/customers/{customer_id}/delete/", {"delete-reason": "Registered twice"})
    assert response.status_code == 302 and response.url == "/customers/"
    assert not Customer.objects.filter(pk=customer_id).exists()
    assert not AccountNumber.objects.filter(pk=account.pk).exists()
    meter = Meter.objects.get(pk=meterid)
    assert meter.customer_id is None and meter.accountnumber == ""
    deleted = Customer.history.filter(customer_id=customer_id, history_type="-").get()
    assert deleted.history_change_reason == "Registered twice"


def test_delete_needs_a_reason(admin_client):
    customer = CustomerFactory()
    assert admin_client.post(f"/customers/{customer.pk}/delete/", {"delete-reason": ""}).status_code == 400
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_delete_and_terminate_are_posts_only(admin_client):
    customer = CustomerFactory()
    assert admin_client.get(f"/customers/{customer.pk}/delete/").status_code == 405
    assert admin_client.get(f"/customers/{customer.pk}/terminate/").status_code == 405


def test_terminate_cannot_predate_the_connection(onm_client):
    customer = CustomerFactory(date_service_connected=date(2024, 1, 15))
    response = onm_client.post(f"/customers/{customer.pk}/terminate/", {"terminate-on": "2023-12-31", "terminate-reason": "typo"})
    assert response.status_code == 400 and "before it was connected" in response.context["terminate_form"].errors["on"][0]
    customer.refresh_from_db()
    assert customer.date_service_terminated is None


def test_two_staff_editing_one_customer_the_second_stale_save_is_refused_not_lost(onm, superadmin, client_for):
    customer = CustomerFactory(phone="+26650000001", city="Ha Makebe")
    first, second = client_for(onm), client_for(superadmin)
    # Both open the edit form while the customer is unchanged.
    version_a = first.get(f"/customers/{customer.pk}/field/phone/?edit=1").context["form"]["version"].value()
    version_b = second.get(f"/customers/{customer.pk}/field/city/?edit=1").context["form"]["version"].value()
    assert version_a == version_b
    saved = first.post(
        f"/customers/{customer.pk}/field/phone/", {"phone": "5775 5403", "reason": "New SIM", "version": version_a}
    )
    assert saved.status_code == 302
    stale = second.post(f"/customers/{customer.pk}/field/city/", {"city": "Ha Mafa", "reason": "Moved", "version": version_b})
    assert stale.status_code == 200 and "after you opened the form" in stale.content.decode()
    customer.refresh_from_db()
    assert (customer.phone, customer.city) == ("+26657755403", "Ha Makebe")
    # Reloading gives the new version, and the change then goes through.
    fresh = second.get(f"/customers/{customer.pk}/field/city/?edit=1").context["form"]["version"].value()
    assert (
        second.post(f"/customers/{customer.pk}/field/city/", {"city": "Ha Mafa", "reason": "Moved", "version": fresh}).status_code
        == 302
    )
    customer.refresh_from_db()
    assert (customer.phone, customer.city) == ("+26657755403", "Ha Mafa")


def primary_actions(client, customer):
    import lxml.html

    page = lxml.html.fromstring(client.get(f"/customers/{customer.pk}/").content)
    actions = page.get_element_by_id("customer-actions")
    buttons = actions.xpath(".//a[contains(concat(' ', @class, ' '), ' button ')]")
    return [a.text_content().strip() for a in buttons if "primary" in a.get("class").split()], len(buttons)


def test_the_primary_action_is_assign_meter_without_an_account(onm_client):
    assert primary_actions(onm_client, CustomerFactory()) == (["Assign meter"], 2)


def test_the_primary_action_is_commission_once_there_is_an_account(onm_client):
    account = AccountNumberFactory(accountnumber="0081MAK")
    assert primary_actions(onm_client, account.customer) == (["Commission"], 3)


def test_the_primary_action_is_customer_data_once_commissioned(onm_client, onm, settings, tmp_path):
    from contracts.models import Commissioning

    account = AccountNumberFactory(accountnumber="0082MAK")
    AccountNumberFactory(accountnumber="0083MAK", customer=account.customer)
    Commissioning.objects.create(
        customer=account.customer,
        account=account,
        commissioned_by=onm,
        connection_date=date(2026, 1, 15),
        customer_type="HH",
        national_id="012345678901",
        phone="+26657755403",
        tariff_rate_lsl=Decimal("5.0000"),
    )
    assert primary_actions(onm_client, account.customer) == (["Customer Data 0082MAK"], 4)


def test_a_customer_connected_before_the_portal_goes_to_customer_data(onm_client):
    """ACDB customers have no commissioning record; the ledger shows they are in service."""
    account = account_with_ledger("0084MAK", [(aware(2025, 1, 1, 10), True, "12.5", "50", "12.500")])
    assert primary_actions(onm_client, account.customer) == (["Customer Data 0084MAK"], 3)


def test_a_reader_gets_no_writer_action_as_primary(generic_client):
    assert primary_actions(generic_client, CustomerFactory()) == ([], 0)


@pytest.mark.parametrize("htmx", [True, False])
def test_the_field_being_edited_is_labelled_once(onm_client, htmx):
    import lxml.html

    customer = CustomerFactory(phone="+26650000001")
    response = onm_client.get(f"/customers/{customer.pk}/field/phone/?edit=1", headers=HX if htmx else {})
    page = lxml.html.fromstring(response.content)
    row = page.get_element_by_id("field-phone")
    labels = [label.text_content().strip() for label in row.xpath(".//label")]
    assert labels == ["Phone", "Reason *"]
    assert row.xpath("./dt/label")[0].get("for") == row.xpath(".//input[@name='phone']")[0].get("id")
