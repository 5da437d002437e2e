"""District is one of Lesotho's ten districts, from one list (customers.sites.DISTRICTS); a value from before the
list (ACDB's free text) still shows and stays selectable when the customer is edited."""

import pytest

from customers.models import Customer
from customers.sites import DISTRICTS, SITES
from tests.customers.test_wizard import LOCATION, PERSONAL, walk
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _options(html):
    start = html.index('name="district"')
    return html[start : html.index("</select>", start)]


def test_the_list_has_the_ten_districts_and_every_sites_district():
    assert len(DISTRICTS) == 10 and {district for _, _, district, _ in SITES} <= set(DISTRICTS)


def test_the_wizard_offers_the_ten_districts_as_a_choice(onm_client):
    onm_client.get("/customers/new/?restart=1")
    walk(onm_client, PERSONAL)
    html = onm_client.get("/customers/new/?step=location").content.decode()
    assert '<select name="district"' in html
    options = _options(html)
    for district in DISTRICTS:
        assert f'value="{district}"'.replace("'", "&#x27;") in options
    assert options.count("<option") == len(DISTRICTS) + 1  # and "Choose a district"


def test_the_wizard_refuses_a_district_outside_the_list(onm_client):
    onm_client.get("/customers/new/?restart=1")
    walk(onm_client, PERSONAL)
    response = onm_client.post("/customers/new/", {**LOCATION, "district": "Atlantis"})
    assert response.status_code == 200
    assert response.context["form"].errors["district"] == ["Choose one of Lesotho's ten districts from the list."]
    assert walk(onm_client, {**LOCATION, "district": "Mohale's Hoek"}).url.endswith("?step=service")


def test_a_legacy_district_shows_and_stays_selected_when_edited(onm_client):
    customer = CustomerFactory(district="Maseru Urban")
    assert "Maseru Urban" in onm_client.get(f"/customers/{customer.pk}/").content.decode()
    url = f"/customers/{customer.pk}/field/district/"
    options = _options(onm_client.get(url + "?edit=1").content.decode())
    assert '<option value="Maseru Urban" selected>' in options
    assert options.count("<option") == len(DISTRICTS) + 2
    kept = onm_client.post(url, {"district": "Maseru Urban", "reason": "checked"})
    assert kept.status_code in (200, 302) and Customer.objects.get(pk=customer.pk).district == "Maseru Urban"
    refused = onm_client.post(url, {"district": "Elsewhere", "reason": "typo"})
    assert "ten districts" in refused.content.decode() and Customer.objects.get(pk=customer.pk).district == "Maseru Urban"
    onm_client.post(url, {"district": "Maseru", "reason": "the district, not the town"})
    assert Customer.objects.get(pk=customer.pk).district == "Maseru"
    # Once a listed district, the old text is no longer offered.
    assert "Maseru Urban" not in _options(onm_client.get(url + "?edit=1").content.decode())
