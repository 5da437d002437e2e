"""Commissioning kept on a tablet: one JSON document with the signature, applied once, conflicts sent back."""

import json
import uuid

import pytest

from ccportal.models import Submission
from contracts.models import Commissioning, ContractVersion
from tests.factories import AccountNumberFactory, MeterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(commission_post):
    """The commissioning as the tablet's queue sends it: the same fields, one JSON document with its own key."""

    def make(account, key=None, **fields):
        values = {**commission_post(**fields), "account": str(account.pk)}
        del values["action"], values["submission_key"]
        return {"key": str(key or uuid.uuid4()), "fields": values}

    return make


def send(client, account, doc):
    return client.post(f"/customers/{account.customer.pk}/commission/", json.dumps(doc), content_type="application/json")


def test_it_commissions_once_however_often_it_is_sent(onm_client, account, document, django_capture_on_commit_callbacks):
    doc = document(account)
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


def test_a_meter_assigned_to_another_account_meanwhile_is_a_conflict(onm_client, account, document):
    meter = account.meter
    AccountNumberFactory(accountnumber="0046MAK", meter=meter)
    meter.accountnumber = "0046MAK"
    meter.save()
    response = send(onm_client, account, document(account))
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "conflict" and f"Meter {meter.pk} was assigned to account 0046MAK meanwhile" in body["message"]
    assert not Commissioning.objects.exists() and not Submission.objects.exists()


def test_an_account_no_longer_the_customers_is_a_conflict(onm_client, account, document):
    other = AccountNumberFactory(accountnumber="0047MAK", meter=MeterFactory())
    response = send(onm_client, account, document(other))
    assert response.status_code == 409 and response.json()["reason"] == "account"
    assert not Commissioning.objects.exists()


def test_a_missing_signature_is_invalid_and_nothing_is_kept(onm_client, account, document):
    response = send(onm_client, account, document(account, signature=""))
    assert response.status_code == 422
    assert "signature" in response.json()["errors"]["fields"]
    assert not Commissioning.objects.exists() and not Submission.objects.exists()
