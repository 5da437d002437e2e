"""Commissioning kept on a tablet: one JSON document with the signature, applied once, conflicts sent back."""

import json
import uuid

import pytest

from ccportal.models import Submission
from contracts.models import Commissioning, ContractVersion
from tests.contracts.conftest import data_url
from tests.factories import AccountNumberFactory, MeterFactory

pytestmark = pytest.mark.django_db


def document(account, signature_png, key=None, **fields):
    values = {
        "account": str(account.pk),
        "connection_date": "2026-01-15",
        "customer_type": "HH",
        "national_id": "012345678901",
        "phone": "5775 5403",
        "service_phase": "Single",
        "ampacity": "Standard",
        "gps_lat": "-29.351234",
        "gps_lng": "27.612345",
        "signature": data_url(signature_png),
    }
    values.update(fields)
    return {"key": str(key or uuid.uuid4()), "fields": values}


def send(client, account, doc):
    return client.post(f"/customers/{account.customer.pk}/commission/", json.dumps(doc), content_type="application/json")


def test_it_commissions_once_however_often_it_is_sent(onm_client, account, signature_png, django_capture_on_commit_callbacks):
    doc = document(account, signature_png)
    with django_capture_on_commit_callbacks(execute=True):
        first = send(onm_client, account, doc)
    commissioning = Commissioning.objects.get()
    assert first.status_code == 201
    assert first.json() == {
        "status": "applied",
        "message": f"Palesa Mokoena is commissioned on account {account.pk}.",
        "id": commissioning.pk,
        "url": f"/commissioning/{commissioning.pk}/",
    }
    assert str(commissioning.submission_key) == doc["key"] and ContractVersion.objects.count() == 2
    again = send(onm_client, account, doc)
    assert again.status_code == 201 and again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Commissioning.objects.count() == 1 and ContractVersion.objects.count() == 2 and Submission.objects.count() == 1


def test_a_meter_assigned_to_another_account_meanwhile_is_a_conflict(onm_client, account, signature_png):
    meter = account.meter
    AccountNumberFactory(accountnumber="0046MAK", meter=meter)
    meter.accountnumber = "0046MAK"
    meter.save()
    response = send(onm_client, account, document(account, signature_png))
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "conflict" and f"Meter {meter.pk} was assigned to account 0046MAK meanwhile" in body["message"]
    assert not Commissioning.objects.exists() and not Submission.objects.exists()


def test_an_account_no_longer_the_customers_is_a_conflict(onm_client, account, signature_png):
    other = AccountNumberFactory(accountnumber="0047MAK", meter=MeterFactory())
    response = send(onm_client, account, document(other, signature_png))
    assert response.status_code == 409 and response.json()["reason"] == "account"
    assert not Commissioning.objects.exists()


def test_a_missing_signature_is_invalid_and_nothing_is_kept(onm_client, account, signature_png):
    response = send(onm_client, account, document(account, signature_png, signature=""))
    assert response.status_code == 422
    assert "signature" in response.json()["errors"]["fields"]
    assert not Commissioning.objects.exists() and not Submission.objects.exists()
