"""Customer Detail shows the contracts app's pieces by themselves once they exist, and nothing breaks before."""

from pathlib import Path

import pytest

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
WIRING = Path(__file__).parent / "wiring"


def test_before_the_contracts_app_lands_the_page_still_renders(onm_client):
    customer = CustomerFactory()
    body = onm_client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="contracts"' in body and "/commission/" not in body


@pytest.mark.urls("tests.customers.wiring.urls")
def test_with_the_contracts_app_the_link_and_partial_appear(onm_client, generic_client, settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], WIRING]}]
    customer = CustomerFactory(first_name="Ntate")
    body = onm_client.get(f"/customers/{customer.pk}/").content.decode()
    assert f'href="/customers/{customer.pk}/commission/"' in body
    assert '<p class="stand-in">Contracts of Ntate' in body
    assert "/commission/" not in generic_client.get(f"/customers/{customer.pk}/").content.decode()
