"""/customers/new/: four steps validated on the server, phones normalised, duplicate warning, one history record."""

import pytest

from customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

PERSONAL = {
    "step": "personal",
    "first_name": "Mpho",
    "middle_name": "",
    "last_name": "Letsie",
    "gender": "Female",
    "national_id": "123456789012",
    "phone": "5775 5403",
    "cell_phone_1": "",
}
LOCATION = {
    "step": "location",
    "site_code": "MAK",
    "district": "Maseru",
    "city": "Ha Makebe",
    "plot_number": "MAK 0100 HH",
    "street_address": "",
    "gps_y": "-29.3456789",
    "gps_x": "27.71",
}
SERVICE = {"step": "service", "customer_type": "HH", "date_service_connected": "2026-01-15"}


def walk(client, *steps):
    for data in steps:
        response = client.post("/customers/new/", data)
        assert response.status_code == 302, response.content.decode()[:2000]
    return response


def test_it_registers_a_customer_in_four_steps(onm_client, onm):
    onm_client.get("/customers/new/?restart=1")
    assert walk(onm_client, PERSONAL).url.endswith("?step=location")
    assert walk(onm_client, LOCATION).url.endswith("?step=service")
    assert walk(onm_client, SERVICE).url.endswith("?step=review")
    review = onm_client.get("/customers/new/?step=review")
    assert b"+26657755403" in review.content and b"HH \xe2\x80\x94 Household" in review.content
    response = onm_client.post("/customers/new/", {"step": "review", "save": "1"})
    customer = Customer.objects.get()
    assert response.url == f"/customers/{customer.pk}/"
    assert customer.phone == "+26657755403" and customer.gps_y == -29.345679 and customer.site_code == "MAK"
    assert customer.record_created_by.startswith(onm.employee_id) and customer.record_create_date is not None
    assert customer.history.count() == 1
    assert customer.history.get().history_user == onm
    assert "customer_wizard" not in onm_client.session


def test_each_step_shows_field_errors(onm_client):
    response = onm_client.post("/customers/new/", {**PERSONAL, "first_name": "", "phone": "12ab"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "first_name" in errors and "not a phone number" in errors["phone"][0]
    walk(onm_client, PERSONAL)
    response = onm_client.post("/customers/new/", {**LOCATION, "site_code": "XXX", "gps_y": "-129"})
    assert set(response.context["form"].errors) == {"site_code", "gps_y"}
    walk(onm_client, LOCATION)
    response = onm_client.post("/customers/new/", {**SERVICE, "customer_type": "", "date_service_connected": "31/31/2026"})
    assert set(response.context["form"].errors) == {"customer_type", "date_service_connected"}
    assert Customer.objects.count() == 0


def test_it_sends_you_back_to_a_missing_step(onm_client):
    onm_client.get("/customers/new/?restart=1")
    response = onm_client.get("/customers/new/?step=review")
    assert response.status_code == 302 and response.url.endswith("?step=personal")
    response = onm_client.post("/customers/new/", {"step": "review", "save": "1"})
    assert response.status_code == 302 and Customer.objects.count() == 0


def test_back_keeps_what_was_typed(onm_client):
    walk(onm_client, PERSONAL)
    onm_client.post("/customers/new/", {**LOCATION, "plot_number": "kept", "back": "1"})
    response = onm_client.get("/customers/new/?step=location")
    assert b'value="kept"' in response.content


@pytest.mark.parametrize("field,value", [("phone", "+266 5775-5403"), ("national_id", "123456789012")])
def test_it_warns_of_a_possible_duplicate_before_saving(onm_client, field, value):
    existing = CustomerFactory(**{"phone": "", "national_id": "", field: value})
    walk(onm_client, PERSONAL, LOCATION, SERVICE)
    review = onm_client.get("/customers/new/?step=review")
    assert b"Possible duplicate" in review.content
    assert f"/customers/{existing.pk}/".encode() in review.content
    assert b"Save anyway" in review.content
    onm_client.post("/customers/new/", {"step": "review", "save": "1"})
    assert Customer.objects.count() == 2


def test_no_warning_without_a_match(onm_client):
    CustomerFactory(phone="+26650000000", national_id="1")
    walk(onm_client, PERSONAL, LOCATION, SERVICE)
    assert b"Possible duplicate" not in onm_client.get("/customers/new/?step=review").content


@pytest.mark.parametrize("who", ["generic", "finance"])
def test_readers_cannot_register(client_for, request, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get("/customers/new/").status_code == 403
    assert client.post("/customers/new/", PERSONAL).status_code == 403


def test_the_location_step_offers_browser_geolocation(onm_client):
    walk(onm_client, PERSONAL)
    page = onm_client.get("/customers/new/?step=location").content.decode()
    assert "data-geolocate" in page and "js/portal.js" in page and "<script>" not in page
