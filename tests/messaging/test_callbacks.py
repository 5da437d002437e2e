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
    assert report(client, "ATXid_not-ours").json() == {"result": "kept"}  # kept a while: its send may not be saved yet
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


# --- A report that comes before the send has saved the provider's id (#18) ---------------------------------


def test_a_report_before_the_id_is_saved_is_kept_and_applied_when_it_is(client, account, fake_at):
    from messaging.models import PendingDeliveryReport

    fake_at.next_ids.append("ATXid_early")
    # The gateway answers the send and calls back at once, before our UPDATE saving its id has committed.
    assert report(client, "ATXid_early").json() == {"result": "kept"}
    assert report(client, "ATXid_early").json() == {"result": "kept"}  # repeated: still one row
    assert PendingDeliveryReport.objects.count() == 1
    message = services.message_deliver(message_id=queue(account.customer).pk)
    message.refresh_from_db()
    assert message.provider_message_id == "ATXid_early" and message.status == Message.Status.DELIVERED
    assert message.history.first().history_change_reason.startswith("Delivery report: delivered (it came before")
    assert not PendingDeliveryReport.objects.exists()
    assert report(client, "ATXid_early").json() == {"result": "unchanged"}


def test_a_kept_failure_is_applied_and_a_kept_delivery_is_never_replaced(client, account, fake_at):
    from messaging.models import PendingDeliveryReport

    fake_at.next_ids.extend(["ATXid_failed", "ATXid_ok"])
    report(client, "ATXid_failed", status="Buffered")
    report(client, "ATXid_failed", status="Failed", failureReason="AbsentSubscriber")
    report(client, "ATXid_failed", status="Buffered")  # "on its way" never replaces an outcome
    report(client, "ATXid_ok", status="Success")
    report(client, "ATXid_ok", status="Failed", failureReason="DeliveryFailure")
    assert dict(PendingDeliveryReport.objects.values_list("provider_message_id", "status")) == {
        "ATXid_failed": "Failed",
        "ATXid_ok": "Success",
    }
    failed = services.message_deliver(message_id=queue(account.customer, key="t:1").pk)
    delivered = services.message_deliver(message_id=queue(account.customer, key="t:2").pk)
    failed.refresh_from_db(), delivered.refresh_from_db()
    assert failed.status == Message.Status.FAILED and failed.status_reason == "not delivered: AbsentSubscriber"
    assert delivered.status == Message.Status.DELIVERED


def test_the_sweep_applies_a_report_that_crossed_the_send_and_forgets_old_ones(client, account, fake_at):
    from datetime import timedelta

    from django.utils import timezone

    from messaging.models import PendingDeliveryReport

    sent = services.message_deliver(message_id=queue(account.customer).pk)
    # The instant neither saw the other: the report was kept just as the send committed its id.
    PendingDeliveryReport.objects.create(
        provider_message_id=sent.provider_message_id, status="Success", received_at=timezone.now()
    )
    PendingDeliveryReport.objects.create(
        provider_message_id="ATXid_not-ours", status="Success", received_at=timezone.now() - timedelta(hours=25)
    )
    assert services.delivery_reports_pending_sweep() == (1, 1)
    sent.refresh_from_db()
    assert sent.status == Message.Status.DELIVERED and not PendingDeliveryReport.objects.exists()
    assert services.delivery_reports_pending_sweep() == (0, 0)
