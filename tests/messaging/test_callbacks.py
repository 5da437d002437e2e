"""Gateway callbacks: delivery reports (secret, unknown and repeated ids) and forwarded replies (STOP opts out)."""

import pytest
from django.urls import reverse

from messaging import services
from messaging.models import CustomerPreference, Kind, Message
from messaging.services import outbox
from tests.messaging.test_sending import queue

pytestmark = pytest.mark.django_db

REPORT = reverse("api-message-delivery-report")
INBOUND = reverse("api-message-inbound")


@pytest.fixture
def sent(account, fake_at):
    return services.message_deliver(message_id=queue(account.customer).pk)


def report(client, message_id, status="Success", token="callback-secret-123", **extra):
    data = {"id": message_id, "status": status, "phoneNumber": "+26657755403", "networkCode": "65101", **extra}
    return client.post(f"{REPORT}?token={token}" if token else REPORT, data)


def test_a_delivery_report_marks_the_message_delivered_once(client, sent):
    response = report(client, sent.provider_message_id)
    assert response.status_code == 200 and response.json() == {"result": "delivered"}
    sent.refresh_from_db()
    assert sent.status == Message.Status.DELIVERED and sent.delivered_at is not None
    history = sent.history.count()
    again = report(client, sent.provider_message_id)  # gateways repeat reports
    assert again.json() == {"result": "unchanged"} and sent.history.count() == history
    late_failure = report(client, sent.provider_message_id, status="Failed", failureReason="DeliveryFailure")
    assert late_failure.json() == {"result": "unchanged"}
    sent.refresh_from_db()
    assert sent.status == Message.Status.DELIVERED


def test_a_failed_report_records_the_reason(client, sent):
    response = report(client, sent.provider_message_id, status="Failed", failureReason="AbsentSubscriber")
    assert response.json() == {"result": "failed"}
    sent.refresh_from_db()
    assert sent.status == Message.Status.FAILED and sent.status_reason == "not delivered: AbsentSubscriber"
    assert sent.can_be_resent


def test_buffered_and_unknown_ids_change_nothing(client, sent):
    assert report(client, sent.provider_message_id, status="Buffered").json() == {"result": "unchanged"}
    assert report(client, "ATXid_not-ours").json() == {"result": "unknown"}
    sent.refresh_from_db()
    assert sent.status == Message.Status.SENT


def test_the_secret_may_come_in_a_header(client, sent):
    response = client.post(
        REPORT, {"id": sent.provider_message_id, "status": "Success"}, HTTP_X_CC_CALLBACK_TOKEN="callback-secret-123"
    )
    assert response.json() == {"result": "delivered"}


@pytest.mark.parametrize("token", ["", "wrong"])
def test_without_the_secret_nothing_changes(client, sent, token):
    response = report(client, sent.provider_message_id, token=token)
    assert response.status_code == 401
    sent.refresh_from_db()
    assert sent.status == Message.Status.SENT


def test_no_secret_configured_refuses_every_callback(client, sent, settings):
    settings.CC_SMS_CALLBACK_SECRET = ""
    assert report(client, sent.provider_message_id, token="anything").status_code == 401


def test_a_report_without_an_id_is_a_400_naming_it(client, sent):
    response = client.post(f"{REPORT}?token=callback-secret-123", {"status": "Success"})
    assert response.status_code == 400 and "id" in response.json()


def test_stop_opts_the_customer_out(client, account):
    response = client.post(
        f"{INBOUND}?token=callback-secret-123", {"from": "+26657755403", "to": "12345", "text": " stop ", "id": "in-1"}
    )
    assert response.status_code == 200 and response.json() == {"result": "opted out 1 customer(s)"}
    preference = CustomerPreference.objects.get(customer=account.customer)
    assert preference.opted_out and preference.opt_out_reason.startswith("replied STOP by SMS on ")
    # From then on, nothing is sent to them.
    message = outbox._message_build(
        kind=Kind.MANUAL,
        trigger_key="x",
        text="hi",
        customer=account.customer,
        accountnumber="",
        language="st",
        by=None,
        preference=preference,
        now=preference.opted_out_at,
    )
    assert message.status == Message.Status.CANCELLED


def test_other_replies_are_ignored(client, account):
    response = client.post(f"{INBOUND}?token=callback-secret-123", {"from": "+26657755403", "text": "Thank you"})
    assert response.json() == {"result": "ignored"} and not CustomerPreference.objects.exists()
    assert client.post(f"{INBOUND}?token=callback-secret-123", {"text": "STOP"}).status_code == 400
    assert client.post(INBOUND, {"from": "+26657755403", "text": "STOP"}).status_code == 401
    assert not CustomerPreference.objects.exists()
