"""The contract SMS: sent after the commit through a pluggable sender; a failure is recorded and can be re-sent."""

import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from contracts.models import Commissioning
from contracts.services import commissioning_sms_send, customer_commission

pytestmark = pytest.mark.django_db


class Gateway:
    """A real HTTP server standing in for the company's SMS gateway; answers ``status`` and records requests."""

    def __init__(self):
        self.status = 200
        self.requests = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                gateway.requests.append(parse_qs(urlparse(self.path).query))
                self.send_response(gateway.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/generate_and_send.php"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    gateway = Gateway()
    settings.CC_SMS_BACKEND = "contracts.sms.HttpSmsBackend"
    settings.CC_SMS_HTTP_URL = gateway.url
    settings.CC_SMS_HTTP_TIMEOUT = 5
    yield gateway
    gateway.close()


def commission(account, by, signature_png, captured):
    with captured(execute=True):
        return customer_commission(
            customer=account.customer,
            account=account,
            connection_date=date(2026, 1, 15),
            customer_type="HH",
            national_id="012345678901",
            phone="5775 5403",
            signature_png=signature_png,
            by=by,
            link_base_url="https://cc.example.org/",
        )


def test_the_sms_goes_after_commit_with_the_sesotho_link(
    onm, account, signature_png, gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        commissioning = customer_commission(
            customer=account.customer,
            account=account,
            connection_date=date(2026, 1, 15),
            customer_type="HH",
            national_id="012345678901",
            phone="5775 5403",
            signature_png=signature_png,
            by=onm,
            link_base_url="https://cc.example.org/",
        )
        assert gateway.requests == []  # nothing is sent before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    (request,) = gateway.requests
    assert request["number"] == ["26657755403"] and request["type"] == ["welcome"]
    message = request["message"][0]
    assert "Tumellano" in message and "0045MAK" in message and "https://cc.example.org/contracts/link/" in message
    commissioning.refresh_from_db()
    assert commissioning.sms_status == "sent" and commissioning.sms_sent_at and commissioning.sms_error == ""


def test_a_failed_sms_is_recorded_and_can_be_resent(
    onm, onm_client, account, signature_png, gateway, django_capture_on_commit_callbacks
):
    gateway.status = 500
    commissioning = commission(account, onm, signature_png, django_capture_on_commit_callbacks)
    commissioning.refresh_from_db()
    assert Commissioning.objects.count() == 1  # the commissioning stands
    assert commissioning.sms_status == "failed" and "500" in commissioning.sms_error and commissioning.sms_attempts == 1
    assert commissioning.history.first().history_change_reason.startswith("Contract SMS not sent")

    gateway.status = 200
    response = onm_client.post(
        reverse("contracts:sms_resend", args=[commissioning.pk]), {"next": f"/customers/{account.customer.pk}/"}
    )
    assert response.status_code == 302 and response.url == f"/customers/{account.customer.pk}/"
    commissioning.refresh_from_db()
    assert commissioning.sms_status == "sent" and commissioning.sms_attempts == 2 and len(gateway.requests) == 2
    assert commissioning.history.first().history_user == onm


def test_an_unreachable_gateway_is_a_recorded_failure(onm, account, signature_png, settings, django_capture_on_commit_callbacks):
    settings.CC_SMS_BACKEND = "contracts.sms.HttpSmsBackend"
    settings.CC_SMS_HTTP_URL = "http://127.0.0.1:9/nothing-listens-here"
    commissioning = commission(account, onm, signature_png, django_capture_on_commit_callbacks)
    commissioning.refresh_from_db()
    assert commissioning.sms_status == "failed" and "could not be reached" in commissioning.sms_error


def test_an_unknown_sender_is_a_recorded_failure(onm, account, signature_png, settings, django_capture_on_commit_callbacks):
    settings.CC_SMS_BACKEND = "contracts.sms.NoSuchBackend"
    commissioning = commission(account, onm, signature_png, django_capture_on_commit_callbacks)
    commissioning.refresh_from_db()
    assert commissioning.sms_status == "failed" and "CC_SMS_BACKEND" in commissioning.sms_error


def test_the_logging_sender_is_the_default(onm, account, signature_png, caplog, django_capture_on_commit_callbacks):
    with caplog.at_level("INFO", logger="contracts.sms"):
        commissioning = commission(account, onm, signature_png, django_capture_on_commit_callbacks)
    commissioning.refresh_from_db()
    assert commissioning.sms_status == "sent"
    assert "+26657755403" in caplog.text and "/contracts/link/" in caplog.text


def test_only_writers_can_resend(generic_client, onm, account, signature_png, django_capture_on_commit_callbacks):
    commissioning = commission(account, onm, signature_png, django_capture_on_commit_callbacks)
    url = reverse("contracts:sms_resend", args=[commissioning.pk])
    assert generic_client.post(url).status_code == 403
    assert generic_client.get(url).status_code in (403, 405)
    commissioning_sms_send(commissioning=commissioning, by=onm)
    commissioning.refresh_from_db()
    assert commissioning.sms_attempts == 2
