"""The contract read with the customer before they sign: both texts on Commission Customer, from the template the
PDFs are made from, and no signature (online or from a tablet's queue) without "I have read the contract"."""

import json
import re
import uuid

import lxml.html
import pytest
from django.urls import reverse

from contracts.models import Commissioning
from contracts.rendering import ContractTerms, contract_context, contract_html
from contracts.services import contract_preview_texts
from tests.factories import AccountNumberFactory, TariffRateFactory

pytestmark = pytest.mark.django_db


def url_for(customer):
    return reverse("contracts:commission", args=[customer.pk])


def words(html):
    """The text a reader sees, whitespace folded (hidden rows and images' alt text are not part of it)."""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for hidden in root.xpath("//*[@hidden]"):
        hidden.drop_tree()
    return " ".join(root.text_content().split())


def test_it_shows_both_contracts_before_the_signature_pad(onm_client, account, signatory):
    body = onm_client.get(url_for(account.customer)).content.decode()
    pad = body.index("data-signature-pad")
    assert body.index("3. Contract") < body.index("4. Sign") < pad
    for title in ("Electricity Supply Agreement", "Tumellano ea Phepelo ea Motlakase"):
        assert body.index(title) < pad
    assert body.count(signatory.name) >= 2 and body.count(account.accountnumber) >= 2
    checkbox = re.search(r'<input type="checkbox" name="contract_read"[^>]*>', body).group(0)
    assert "required" in checkbox
    assert f'data-requires="{"id_contract_read"}"' in body
    facts = json.loads(re.search(r'<script id="contract-facts" type="application/json">(.*?)</script>', body).group(1))
    assert facts["accounts"][account.pk]["account_number"] == account.accountnumber
    assert facts["customer_types"]["HH"] == {"en": "Household", "st": "Lelapa"}


@pytest.mark.parametrize("language", ["en", "st"])
def test_the_preview_is_the_issued_text_but_for_the_reference(account, language):
    """Same template, same context: the text differs only by the reference and time, which an issue adds."""
    TariffRateFactory()
    customer = account.customer
    preview = contract_preview_texts(customer=customer, account=account)[language]
    terms = ContractTerms(
        connection_date=customer.date_service_connected,
        customer_type=customer.customer_type or "HH",
        national_id=customer.national_id,
        phone=customer.phone or customer.cell_phone_1,
    )
    from billing.selectors import tariff_rate_for

    context = contract_context(
        customer=customer, account=account, terms=terms, language=language, tariff=tariff_rate_for(customer=customer), version=1
    )
    issued = words(contract_html(context))
    assert 'data-contract-term="national_id"' in preview and "data-contract-term" not in contract_html(context)
    reference = issued[issued.rindex(" Reference " if language == "en" else " Nomoro ea tumellano ") :]
    assert f"{account.accountnumber}-{language.upper()}-v1" in reference
    assert words(preview) + reference == issued


def test_the_pdf_page_is_the_same_text_with_its_running_header(account):
    from django.template.loader import render_to_string

    TariffRateFactory()
    from billing.selectors import tariff_rate_for

    terms = ContractTerms(
        connection_date=account.customer.date_service_connected, customer_type="HH", national_id="X1234", phone=""
    )
    context = contract_context(
        customer=account.customer, account=account, terms=terms, language="en", tariff=tariff_rate_for(customer=account.customer)
    )
    page = lxml.html.document_fromstring(render_to_string("contracts/contract_en.html", context))
    for running in page.xpath("//div[@class='runhead' or @class='runfoot']"):
        running.drop_tree()
    assert " ".join(page.body.text_content().split()) == words(contract_html(context))


def test_it_refuses_a_signature_without_the_contract_read(onm_client, account, commission_post):
    response = onm_client.post(url_for(account.customer), commission_post(contract_read=None))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Read the contract with the customer before they sign." in body
    assert 'data-initial-step="3"' in body
    response = onm_client.post(url_for(account.customer), commission_post(contract_read=None, action="commission"))
    assert response.status_code == 400 and not Commissioning.objects.exists()


def test_the_review_keeps_the_contract_read(onm_client, account, commission_post):
    review = onm_client.post(url_for(account.customer), commission_post()).content.decode()
    assert '<input type="hidden" name="contract_read" value="True"' in review


def test_a_tablet_submission_without_the_contract_read_is_sent_back(onm_client, account, commission_post):
    fields = {**commission_post(contract_read=None), "account": str(account.pk)}
    del fields["action"], fields["submission_key"]
    doc = {"key": str(uuid.uuid4()), "fields": fields}
    response = onm_client.post(url_for(account.customer), json.dumps(doc), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"]["fields"]["contract_read"] == ["Read the contract with the customer before they sign."]
    assert not Commissioning.objects.exists()


def test_the_page_knows_every_account_the_form_offers(onm_client, account):
    second = AccountNumberFactory(customer=account.customer, accountnumber="0046MAK")
    body = onm_client.get(url_for(account.customer)).content.decode()
    facts = json.loads(re.search(r'<script id="contract-facts" type="application/json">(.*?)</script>', body).group(1))
    assert set(facts["accounts"]) == {account.pk, second.pk}


@pytest.mark.no_signatory
def test_without_a_provider_signatory_the_contract_step_says_why_and_goes_no_further(onm_client, account):
    body = onm_client.get(url_for(account.customer)).content.decode()
    assert "The contract cannot be shown, so the customer cannot sign yet" in body
    assert "a superadmin must set the provider" in body
    assert 'name="contract_read"' not in body
