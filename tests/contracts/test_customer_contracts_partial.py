"""The Customer Detail partial: contract versions with language, date, who and links (the contract SMS is in the
customer's messages, messaging app)."""

from datetime import date

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from accounts.roles import capabilities_for
from contracts.selectors import contracts_for_customer
from contracts.services import customer_commission

pytestmark = pytest.mark.django_db


def render_partial(customer, user, versions):
    request = RequestFactory().get(f"/customers/{customer.pk}/")
    request.user = user
    context = {"customer": customer, "contract_versions": versions, "can": capabilities_for(user), "request": request}
    return render_to_string("contracts/_customer_contracts.html", context, request=request)


def commission(account, by, signature_png):
    return customer_commission(
        customer=account.customer,
        account=account,
        connection_date=date(2026, 1, 15),
        customer_type="HH",
        national_id="012345678901",
        phone="57755403",
        signature_png=signature_png,
        by=by,
    )


def test_it_lists_every_version_in_a_fixed_number_of_queries(onm, account, signature_png, django_assert_max_num_queries):
    for _ in range(3):
        commission(account, onm, signature_png)
    with django_assert_max_num_queries(1):
        versions = contracts_for_customer(account.customer)
        html = render_partial(account.customer, onm, versions)
    assert len(versions) == 6
    assert html.count("Download PDF") == 6 and "Sesotho" in html and "English" in html and "v3" in html
    assert onm.name in html and "Re-commission" in html


def test_readers_do_not_see_recommission(onm, generic, account, signature_png):
    commission(account, onm, signature_png)
    versions = contracts_for_customer(account.customer)
    assert "Re-commission" in render_partial(account.customer, onm, versions)
    assert "Re-commission" not in render_partial(account.customer, generic, versions)


def test_it_says_what_to_do_without_contracts(onm, generic, account):
    assert "Commission the customer" in render_partial(account.customer, onm, [])
    assert "No contracts yet." in render_partial(account.customer, generic, [])


def test_customer_detail_shows_the_contracts_and_the_commission_link(onm, generic, account, signature_png, client_for):
    commission(account, onm, signature_png)
    body = client_for(onm).get(f"/customers/{account.customer.pk}/").content.decode()
    assert 'id="contracts"' in body and f'href="/customers/{account.customer.pk}/commission/"' in body
    assert body.count("/download/") == 2  # English and Sesotho
    generic_body = client_for(generic).get(f"/customers/{account.customer.pk}/").content.decode()
    assert "/commission/" not in generic_body and generic_body.count("/download/") == 2
