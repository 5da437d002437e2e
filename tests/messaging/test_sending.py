"""Sending through the gateways: the Africa's Talking SDK against a local fake of its API, the company gateway,
the development backend; retries with back-off, then failure with the reason; numbers refused with a reason."""

import logging
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from messaging import services
from messaging.models import Kind, Message
from messaging.services import outbox

pytestmark = pytest.mark.django_db


def queue(customer, text="Patala ea M50.00 e amohetsoe.", key="t:1"):
    message = outbox._message_build(
        kind=Kind.MANUAL,
        trigger_key=key,
        text=text,
        customer=customer,
        accountnumber="0045MAK",
        language="st",
        by=None,
        preference=None,
        now=timezone.now(),
    )
    message.save()
    return message


def test_africas_talking_gets_what_its_sdk_sends_and_the_message_is_sent(account, fake_at):
    message = queue(account.customer)
    result = services.message_deliver(message_id=message.pk)
    assert result.status == Message.Status.SENT and result.attempts == 1
    (request,) = fake_at.requests
    assert urlsplit(request["path"]).path == "/version1/messaging"
    assert request["headers"]["apiKey"] == "at-test-key" and request["headers"]["Accept"] == "application/json"
    assert request["form"] == {
        "username": "cc-portal",
        "to": "+26657755403",
        "message": "Patala ea M50.00 e amohetsoe.",
        "bulkSMSMode": "1",
        "from": "1PWR",
    }
    assert result.provider_message_id == fake_at.accepted[0][2] and result.provider_message_id.startswith("ATXid_")
    assert result.history.first().history_change_reason == "Sent to the gateway (attempt 1)"


def test_a_number_the_gateway_calls_invalid_fails_at_once_with_its_reason(account, fake_at):
    fake_at.invalid.add("+26657755403")
    result = services.message_deliver(message_id=queue(account.customer).pk)
    assert result.status == Message.Status.FAILED and result.attempts == 1
    assert result.status_reason == "Africa's Talking: InvalidPhoneNumber (403)"


def test_gateway_down_is_retried_with_back_off_then_fails_with_the_reason(account, fake_at, settings):
    fake_at.next_answers(500, 503, 500)
    message = queue(account.customer)
    first = services.message_deliver(message_id=message.pk)
    assert first.status == Message.Status.QUEUED and first.attempts == 1
    assert "Internal Server Error" in first.status_reason
    delay = (first.next_attempt_at - timezone.now()).total_seconds()
    assert 25 < delay <= 30
    # Not due yet: nobody sends it.
    assert services.message_deliver(message_id=message.pk) is None
    later = timezone.now() + timedelta(seconds=31)
    second = services.message_deliver(message_id=message.pk, now=later)
    assert second.status == Message.Status.QUEUED and second.attempts == 2
    assert 55 < (second.next_attempt_at - timezone.now()).total_seconds() <= 60  # doubled
    third = services.message_deliver(message_id=message.pk, now=later + timedelta(seconds=61))
    assert third.status == Message.Status.FAILED and third.attempts == 3
    assert third.status_reason == "Africa's Talking answered an error: Internal Server Error"
    assert len(fake_at.requests) == 3
    reasons = [h.history_change_reason for h in third.history.order_by("history_id")]
    assert reasons[-1].startswith("Failed after 3 attempt(s)") and reasons[1].startswith("Attempt 1 failed")


def test_rate_limited_and_unreachable_gateways_are_retried(account, fake_at, settings):
    fake_at.next_answers(429)
    message = queue(account.customer)
    result = services.message_deliver(message_id=message.pk)
    assert result.status == Message.Status.QUEUED and "Too Many Requests" in result.status_reason
    result = services.message_deliver(message_id=message.pk, now=timezone.now() + timedelta(minutes=1))
    assert result.status == Message.Status.SENT and result.attempts == 2

    settings.CC_SMS_AT_BASE_URL = "http://127.0.0.1:9"  # nothing listens there
    other = queue(account.customer, key="t:2")
    result = services.message_deliver(message_id=other.pk)
    assert result.status == Message.Status.QUEUED and "could not be reached" in result.status_reason


def test_a_wrong_api_key_fails_with_the_services_words(account, fake_at, settings):
    settings.CC_SMS_AT_API_KEY = "wrong"
    settings.CC_SMS_MAX_ATTEMPTS = 1
    result = services.message_deliver(message_id=queue(account.customer).pk)
    assert result.status == Message.Status.FAILED
    assert result.status_reason == "Africa's Talking answered an error: The supplied authentication is invalid"


def test_the_sandbox_flag_uses_the_sdks_sandbox_username(account, fake_at, settings):
    settings.CC_SMS_AT_SANDBOX = True
    fake_at.username = "sandbox"
    assert services.message_deliver(message_id=queue(account.customer).pk).status == Message.Status.SENT
    assert fake_at.requests[0]["form"]["username"] == "sandbox"


def test_the_company_gateway_gets_the_text_in_the_body_never_in_the_url_or_the_log(account, fake_company, caplog):
    caplog.set_level(logging.DEBUG)
    text = "Lumela Palesa. Tumellano: https://cc.example.org/contracts/link/SECRET-TOKEN/"
    result = services.message_deliver(message_id=queue(account.customer, text=text).pk)
    assert result.status == Message.Status.SENT and result.provider_message_id.startswith("cg-")
    (request,) = fake_company.requests
    assert request["path"] == "/send" and "SECRET" not in request["path"]
    assert request["form"] == {"number": "26657755403", "message": text, "type": "customer"}
    assert request["headers"]["Authorization"] == "Bearer company-token"
    assert "SECRET-TOKEN" not in caplog.text


def test_the_company_gateway_down_is_retried_and_a_refusal_fails(account, fake_company):
    fake_company.next_answers(503, 400)
    message = queue(account.customer)
    assert services.message_deliver(message_id=message.pk).status == Message.Status.QUEUED
    result = services.message_deliver(message_id=message.pk, now=timezone.now() + timedelta(minutes=1))
    assert result.status == Message.Status.FAILED and result.status_reason == "The company SMS gateway answered 400 Bad Request."


def test_the_development_backend_sends_nothing_and_says_so(account, caplog):
    caplog.set_level(logging.INFO)
    result = services.message_deliver(message_id=queue(account.customer, text="secret balance 12.5").pk)
    assert result.status == Message.Status.NOT_SENT_DEVELOPMENT
    assert result.status_label == "Not sent: development backend" and result.status_reason == "not sent: development backend"
    assert "secret balance" not in caplog.text


@pytest.mark.parametrize(
    ("phone", "status", "reason"),
    [
        ("", Message.Status.CANCELLED, "no phone number on the customer's record"),
        ("12345", Message.Status.FAILED, "invalid number '12345': not a valid phone number"),
        ("2231 2345", Message.Status.FAILED, "invalid number '2231 2345': a landline cannot receive SMS"),
        (
            "call me",
            Message.Status.FAILED,
            "invalid number 'call me': (1) The string supplied did not seem to be a phone number.",
        ),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason_and_never_sent(account, fake_at, phone, status, reason):
    customer = account.customer
    customer.phone = phone
    message = queue(customer)
    assert message.status == status and message.status_reason == reason and message.number == ""
    assert services.message_deliver(message_id=message.pk) is None
    assert fake_at.requests == []


def test_numbers_are_stored_in_e164(account):
    for given, expected in [("5775 5403", "+26657755403"), ("+266-5775-5403", "+26657755403"), ("0027821234567", "+27821234567")]:
        assert services.phone_e164(given) == (expected, "")


def test_the_worker_sends_due_messages_at_the_rate_limit(account, fake_at):
    for i in range(5):
        queue(account.customer, key=f"t:{i}")
    clock = [0.0]
    pauses = []

    def sleep(seconds):
        pauses.append(seconds)
        clock[0] += seconds

    counts = services.messages_send_due(rate_per_second=2, sleep=sleep, clock=lambda: clock[0])
    assert counts == {Message.Status.SENT: 5} and len(fake_at.accepted) == 5
    # At 2 per second (kept 5 % under) the five sends are spread over 2.1 s: the worker waits, it does not hammer.
    assert pauses == pytest.approx([1 / 1.9] * 4)


def test_a_send_interrupted_long_ago_fails_rather_than_going_twice(account):
    message = queue(account.customer)
    assert services.message_claim(message_id=message.pk)
    Message.objects.filter(pk=message.pk).update(claimed_at=timezone.now() - timedelta(minutes=11))
    assert services.messages_stale_fail() == 1
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and "may or may not have left" in message.status_reason
