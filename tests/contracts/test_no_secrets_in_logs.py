"""Secrets in logs (issue #16 item 10): signed contract links, JWTs, refresh tokens, passwords and Authorization
headers never reach a log record, an access-log line or an error report."""

import io
import json
import logging
import re
import sys
import time
from types import SimpleNamespace

import pytest
from django.core import signing
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import ExceptionReporter

from ccportal.logs import REDACTED, RedactingGunicornLogger, RedactSecretsFilter, secrets_redact
from contracts.links import contract_link_token
from contracts.services import customer_commission
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def everything(caplog):
    """Every record of every logger, at every level (axes is at WARNING in the settings)."""
    caplog.set_level(logging.DEBUG)
    for name in ("axes", "contracts", "messaging", "django.request", "django.server"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _logged(caplog):
    """Every message and traceback captured, as one text."""
    return "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records) + caplog.text


def commission(account, by, signature_png, capture):
    """Commission ``account`` and run what follows the commit (the contract-link SMS goes to the outbox)."""
    from datetime import date

    with capture(execute=True):
        return customer_commission(
            customer=account.customer,
            account=account,
            connection_date=date(2026, 1, 15),
            customer_type="HH",
            national_id="012345678901",
            phone="+266 5775 5403",
            signature_png=signature_png,
            by=by,
            link_base_url="https://cc.example.org/",
        )


def test_commissioning_and_the_sms_log_no_signed_link(
    onm, account, signature_png, everything, django_capture_on_commit_callbacks
):
    from messaging.models import Message

    commission(account, onm, signature_png, django_capture_on_commit_callbacks)
    message = Message.objects.get(trigger_key__startswith="commissioning:")
    # The link is in the SMS itself (its token as signed then, not recomputed: the timestamp would differ).
    token = re.search(r"/contracts/link/([^/\s]+)/", message.text)[1]
    logged = _logged(everything)
    assert token not in logged and token.split(":")[2] not in logged
    assert f"/contracts/link/{token}/" not in logged


def test_opening_an_expired_or_tampered_link_logs_no_token(
    client, onm, account, signature_png, everything, monkeypatch, settings, django_capture_on_commit_callbacks
):
    commissioning = commission(account, onm, signature_png, django_capture_on_commit_callbacks)
    token = contract_link_token(commissioning.contract_versions.get(language="st"))
    value, stamp, signature = token.split(":")
    assert client.get(reverse("contracts:signed_download", args=[f"{value}:{stamp}:{signature[:-2]}xx"])).status_code == 404
    later = time.time() + (settings.CC_CONTRACT["link_max_age_days"] + 1) * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert client.get(reverse("contracts:signed_download", args=[token])).status_code == 410
    logged = _logged(everything)
    assert "Gone: /contracts/link/" in logged and "Not Found: /contracts/link/" in logged  # django.request's warnings
    assert signature not in logged and signature[:-2] not in logged


def test_logins_and_tokens_are_never_logged(client, generic, everything):
    client.post("/login/", {"username": generic.employee_id, "password": "wrong-password-1"})
    client.post("/login/", {"username": generic.employee_id, "password": TEST_PASSWORD})
    api = client.post(
        "/api/auth/employee-login",
        data=json.dumps({"employee_id": generic.employee_id, "password": TEST_PASSWORD}),
        content_type="application/json",
    ).json()
    client.post(
        "/api/auth/employee-login",
        data=json.dumps({"employee_id": generic.employee_id, "password": "wrong-password-2"}),
        content_type="application/json",
    )
    client.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {api['access_token']}")
    client.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {api['access_token'][:-3]}abc")  # refused: logged 401
    refreshed = client.post(
        "/api/auth/refresh", data=json.dumps({"refresh_token": api["refresh_token"]}), content_type="application/json"
    ).json()
    client.post("/api/auth/refresh", data=json.dumps({"refresh_token": api["refresh_token"]}), content_type="application/json")
    logged = _logged(everything)
    assert "Unauthorized: /api/auth/me" in logged  # the refusals are logged, without what was sent
    for secret in (TEST_PASSWORD, "wrong-password-1", "wrong-password-2", api["access_token"], api["refresh_token"]):
        assert secret not in logged
    assert refreshed["access_token"] not in logged and refreshed["refresh_token"] not in logged


def test_the_filter_redacts_messages_arguments_and_tracebacks():
    link = "https://cc.example.org/contracts/link/12:1tVxYz:" + "s" * 43 + "/"
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMDAxIn0.c2lnbmF0dXJl"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecretsFilter())
    logger = logging.getLogger("tests.secrets")
    logger.addHandler(handler)
    try:
        logger.warning("sent %s with Authorization: Bearer %s and password=%s&next=/", link, jwt, "hunter22")
        try:
            raise ValueError(f"unknown url type: {link}")
        except ValueError:
            logger.exception("gateway failed; token=%s", "abc123")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "s" * 43 not in text and jwt not in text and "hunter22" not in text and "abc123" not in text
    assert "contracts/link/[redacted]/" in text and "ValueError: unknown url type" in text and "&next=/" in text


def test_the_portal_log_handlers_carry_the_filter():
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactSecretsFilter) for f in h.filters)]
    assert handlers, "the root console handler must redact"
    for name in ("django.request", "django.server", "contracts"):
        assert any(isinstance(f, RedactSecretsFilter) for f in logging.getLogger(name).filters)


def test_error_reports_hide_credentials_on_every_view():
    request = RequestFactory().post(
        "/api/auth/refresh",
        {"refresh_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "password": "hunter22", "signature": "data:image/png"},
        HTTP_AUTHORIZATION="Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIyIn0.c2ln",
        HTTP_REFERER="https://cc.example.org/contracts/link/12:1tVxYz:" + "s" * 43 + "/",
    )
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_text()
    assert "boom" in report and "hunter22" not in report and "eyJzdWIiOiIx" not in report and "eyJzdWIiOiIy" not in report
    assert "s" * 43 not in report and "data:image/png" not in report


def test_gunicorn_access_lines_carry_no_token():
    from gunicorn.config import Config

    link = "/contracts/link/12:1tVxYz:" + "s" * 43 + "/"
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": link, "PATH_INFO": link, "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1"}
    response = SimpleNamespace(status="200 OK", response_length=10, headers=[], sent=10)
    request = SimpleNamespace(headers=[("REFERER", "https://x" + link), ("AUTHORIZATION", "Bearer abc.def")])
    atoms = RedactingGunicornLogger(Config()).atoms(response, request, environ, SimpleNamespace(seconds=0, microseconds=5))
    assert "s" * 43 not in json.dumps(atoms) and "abc.def" not in json.dumps(atoms)
    assert atoms["r"] == f"GET /contracts/link/{REDACTED}/ HTTP/1.1"


def test_redaction_leaves_ordinary_text_alone():
    text = "Import #12 posted 2025-03-01 10:15:22 (0045MAK, receipt RCP0001)"
    assert secrets_redact(text) == text
