"""The New Customer field form: one JSON document per customer from the tablet's queue, applied exactly once."""

import json
import uuid

import pytest

from ccportal.models import Submission
from customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/customers/new/field/"


def document(key=None, **overrides):
    doc = {
        "key": str(key or uuid.uuid4()),
        "personal": {
            "first_name": "Mpho",
            "last_name": "Letsie",
            "gender": "Female",
            "national_id": "123456789012",
            "phone": "5775 5403",
        },
        "location": {
            "site_code": "MAK",
            "district": "Maseru",
            "city": "Ha Makebe",
            "plot_number": "MAK 0100 HH",
            "gps_y": "-29.3456789",
            "gps_x": "27.71",
        },
        "service": {"customer_type": "HH", "date_service_connected": "2026-01-15"},
    }
    doc.update(overrides)
    return doc


def send(client, doc):
    return client.post(URL, json.dumps(doc), content_type="application/json")


def test_it_registers_a_customer_from_one_json_document(onm_client, onm):
    response = send(onm_client, document())
    assert response.status_code == 201
    body = response.json()
    customer = Customer.objects.get()
    assert body == {
        "status": "applied",
        "message": f"Customer {customer.pk} Mpho Letsie registered.",
        "id": customer.pk,
        "url": f"/customers/{customer.pk}/",
    }
    assert customer.phone == "+26657755403" and customer.site_code == "MAK" and customer.gps_y == pytest.approx(-29.345679)
    assert customer.history.get().history_change_reason == "Registered with the New Customer field form"
    assert Submission.objects.get().employee == onm


def test_a_resend_of_the_key_answers_the_first_result_and_writes_nothing(onm_client):
    key = uuid.uuid4()
    first = send(onm_client, document(key))
    again = send(onm_client, document(key, personal={"first_name": "Other", "last_name": "Name"}))
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Customer.objects.count() == 1 and Submission.objects.count() == 1


def test_a_national_id_registered_meanwhile_comes_back_as_a_conflict(onm_client):
    existing = CustomerFactory(national_id="123456789012", first_name="Lerato", last_name="Mosia")
    key = uuid.uuid4()
    response = send(onm_client, document(key))
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "conflict" and body["reason"] == "national_id" and body["resolve"] == "confirm_duplicate"
    assert f"{existing.pk} Lerato Mosia" in body["message"] and body["duplicates"][0]["id"] == existing.pk
    assert Customer.objects.count() == 1 and not Submission.objects.exists()  # refusals are not kept
    # The officer decides it is another person: the same key, confirmed, is applied once.
    assert send(onm_client, document(key, confirm_duplicate=True)).status_code == 201
    assert send(onm_client, document(key, confirm_duplicate=True))["Idempotent-Replayed"] == "true"
    assert Customer.objects.count() == 2


def test_invalid_details_come_back_per_step_and_field(onm_client):
    response = send(
        onm_client, document(personal={"first_name": "", "last_name": "Letsie", "phone": "12"}, location={"site_code": "ZZZ"})
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"personal", "location"} and "first_name" in errors["personal"]
    assert "phone" in errors["personal"] and "site_code" in errors["location"]
    assert not Customer.objects.exists() and not Submission.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        json.dumps({"key": "nope"}),
        json.dumps({"key": str(uuid.uuid4()), "personal": ["x"]}),
        json.dumps({"key": str(uuid.uuid4()), "personal": {"first_name": {"x": 1}}}),
    ],
)
def test_a_document_that_is_not_ours_is_a_400(onm_client, body):
    response = onm_client.post(URL, body, content_type="application/json")
    assert response.status_code == 400 and response.json()["status"] == "invalid"
    assert not Customer.objects.exists()


def test_a_key_used_for_a_commissioning_is_refused(onm_client, onm):
    key = uuid.uuid4()
    Submission.objects.create(key=key, kind="commission", employee=onm, status_code=201, result={"status": "applied"})
    response = send(onm_client, document(key))
    assert response.status_code == 422 and not Customer.objects.exists()


def test_a_session_that_ended_is_not_applied(client):
    response = send(client, document())
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert not Customer.objects.exists()


def test_a_reader_cannot_send(generic_client):
    assert send(generic_client, document()).status_code == 403


def test_without_javascript_the_page_posts_and_registers(onm_client):
    page = onm_client.get(URL)
    assert page.status_code == 200 and b'data-offline-queue="customer_new"' in page.content
    form = {f"{group}-{name}": value for group, values in document().items() if group != "key" for name, value in values.items()}
    response = onm_client.post(URL, form)
    customer = Customer.objects.get()
    assert response.status_code == 302 and response.url == f"/customers/{customer.pk}/"
    CustomerFactory(national_id="999999999999")
    form["personal-national_id"] = "999999999999"
    shown = onm_client.post(URL, form)
    assert shown.status_code == 409 and b"already registered" in shown.content and Customer.objects.count() == 2
    form["confirm_duplicate"] = "1"
    assert onm_client.post(URL, form).status_code == 302 and Customer.objects.count() == 3
