"""POST /api/payments/incoming: the signature and replay rules, what is stored, matching and posting as statement
rows are, one payment once whichever road it comes by, receipts' signal, and where intake payments are seen."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from billing import selectors, services
from billing.models import AccountHistory, ImportedPayment, IncomingSms
from billing.signals import payments_posted
from billing.statements import statement_read
from tests.billing.intake import SECRET, URL, ecocash_text, mpesa_text, post_sms, signature, sms_body

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def intake_on(settings):
    settings.CC_PAYMENT_INTAKE_SECRET = SECRET  # (the rate limit's counters: tests/conftest.py empties the cache)


@pytest.fixture
def gateway():
    return Client()


@pytest.fixture
def received():
    """payments_posted calls, as (entry_ids, source, by)."""
    calls = []

    def receiver(sender, entry_ids, source, by, **kwargs):
        calls.append((entry_ids, source, by))

    payments_posted.connect(receiver)
    yield calls
    payments_posted.disconnect(receiver)


# --- Signature, replay, validation ------------------------------------------------------------------------


def test_it_posts_a_signed_mpesa_payment_at_the_tariff_in_force(
    gateway, priced_accounts, received, django_capture_on_commit_callbacks
):
    text = mpesa_text("QAB1CD2EF3", "50.00", "26657000009", remark="0045 MAK electricity")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_sms(gateway, text)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "posted"
    payment = body["payment"]
    assert (payment["source"], payment["receipt"], payment["accountnumber"], payment["match_method"]) == (
        "intake",
        "QAB1CD2EF3",
        "0045MAK",
        "account",
    )
    assert payment["sms_text"] == text and payment["import_id"] is None
    row = AccountHistory.objects.get(accountnumber="0045MAK")
    assert (row.transaction_amount, row.rate_used, row.kwh_value, row.current_balance) == (
        Decimal("50.00"),
        Decimal("4.0000"),  # MAK's site rate, in force at the payment's time
        Decimal("12.500"),
        Decimal("12.500"),
    )
    assert payment["ledger_row"]["id"] == row.pk
    reason = row.history.get().history_change_reason
    assert reason.startswith("payment intake: M-Pesa SMS") and "QAB1CD2EF3" in reason
    sms = IncomingSms.objects.get()
    assert (sms.text, sms.status, sms.provider) == (text, "posted", "mpesa")
    assert "posted to 0045MAK" in sms.history.first().history_change_reason
    assert received == [([row.pk], "intake", None)]


def test_it_matches_an_ecocash_payment_by_the_account_it_names(gateway, priced_accounts):
    response = post_sms(gateway, ecocash_text("MP260416.0953.A00001", "25"), sender="199")
    assert response.json()["status"] == "posted"
    assert response.json()["payment"]["provider"] == "ecocash"
    assert AccountHistory.objects.get(accountnumber="0046MAK").transaction_amount == Decimal("25.00")


def test_it_matches_by_the_payer_phone_when_it_is_one_accounts(gateway, priced_accounts):
    response = post_sms(gateway, mpesa_text("QAB1CD2EF4", "40.00", "26657000002"))
    assert response.json()["status"] == "posted"
    assert (response.json()["payment"]["accountnumber"], response.json()["payment"]["match_method"]) == ("0046MAK", "phone")


def test_a_payer_phone_of_two_accounts_waits_in_the_unmatched_queue(gateway, priced_accounts, client_for, finance):
    text = mpesa_text("QAB1CD2EF5", "30.00", "26662000002")
    response = post_sms(gateway, text)
    assert response.status_code == 201
    assert response.json()["status"] == "waiting"
    assert response.json()["payment"]["status"] == "unmatched"
    assert not AccountHistory.objects.exists()
    page = client_for(finance).get("/payments/import/")
    assert b"QAB1CD2EF5" in page.content and b"Payment intake: SMS from M-PESA" in page.content
    assert text.split("\n")[0].encode() in page.content
    # assigned from the queue exactly like a statement row
    payment = ImportedPayment.objects.get(receipt="QAB1CD2EF5")
    services.imported_payment_assign(payment=payment, accountnumber="0047MAK", by=finance)
    assert AccountHistory.objects.get().accountnumber == "0047MAK"


@pytest.mark.parametrize(
    "sig",
    ["", "sha256=", "sha256=" + "0" * 64, "sha1=abc", "nonsense", signature(b"another body")],
    ids=["missing", "empty", "wrong", "other scheme", "malformed", "another body"],
)
def test_a_missing_or_wrong_signature_is_refused_and_nothing_is_stored(gateway, priced_accounts, sig):
    response = post_sms(gateway, mpesa_text("QAB1CD2EF6", "50.00", remark="0045MAK"), sig=sig)
    assert response.status_code == 401
    assert not IncomingSms.objects.exists() and not AccountHistory.objects.exists()


def test_a_signature_with_another_secret_is_refused(gateway, priced_accounts):
    response = post_sms(gateway, mpesa_text("QAB1CD2EF6", "50.00", remark="0045MAK"), secret="not-the-secret")
    assert response.status_code == 401 and not IncomingSms.objects.exists()


def test_without_a_secret_the_intake_refuses_and_says_why(gateway, settings, priced_accounts):
    settings.CC_PAYMENT_INTAKE_SECRET = ""
    response = post_sms(gateway, mpesa_text("QAB1CD2EF6", "50.00"), secret="")
    assert response.status_code == 401
    assert "CC_PAYMENT_INTAKE_SECRET" in response.json()["detail"]
    assert not IncomingSms.objects.exists()


def test_a_gateway_id_seen_before_is_a_replay(gateway, priced_accounts):
    body = sms_body(mpesa_text("QAB1CD2EF7", "50.00", remark="0045MAK"), gateway_id="gw-replayed")
    assert post_sms(gateway, body=body).status_code == 201
    again = post_sms(gateway, body=body)
    assert again.status_code == 409 and "replay" in again.json()["detail"]
    assert IncomingSms.objects.count() == 1 and AccountHistory.objects.count() == 1


def test_a_received_at_ahead_of_the_clock_is_a_replay(gateway, priced_accounts, settings):
    settings.CC_PAYMENT_INTAKE_FUTURE_MINUTES = 5
    ahead = timezone.now() + timedelta(minutes=6)
    response = post_sms(gateway, mpesa_text("QAB1CD2EF8", "50.00"), received_at=ahead)
    assert response.status_code == 409 and not IncomingSms.objects.exists()
    just = timezone.now() + timedelta(minutes=4)
    assert post_sms(gateway, mpesa_text("QAB1CD2EF8", "50.00"), received_at=just).status_code == 201


def test_a_received_at_too_old_is_refused(gateway, priced_accounts):
    old = timezone.now() - timedelta(days=30)
    assert post_sms(gateway, mpesa_text("QAB1CD2EF9", "50.00"), received_at=old).status_code == 409
    assert not IncomingSms.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"received_at": "2026-04-16T09:53:12"}, "received_at"),  # no offset
        ({"received_at": "yesterday"}, "received_at"),
        ({"received_at": "99999-01-01T00:00:00+02:00"}, "received_at"),
        ({"text": "x" * 1601}, "text"),
        ({"text": "M50.00 received\x00 from"}, "text"),
        ({"text": "M50.00 received \x1b[2J from"}, "text"),
        ({"text": "   "}, "text"),
        ({"text": 50}, "text"),
        ({"sender": "S" * 41}, "sender"),
        ({"gateway_id": "id with spaces"}, "gateway_id"),
        ({"gateway_id": ""}, "gateway_id"),
        ({"gateway_id": None}, "gateway_id"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_stored(gateway, change, field):
    body = sms_body("TJK9XYZ1A2 Confirmed. M5.00 received from 26650123456.")
    body.update(change)
    response = post_sms(gateway, body=body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not IncomingSms.objects.exists()


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"\xff\xfe", b'{"text": '], ids=["text", "list", "bytes", "cut"])
def test_a_body_that_is_not_a_json_object_is_refused(gateway, raw):
    assert post_sms(gateway, raw=raw).status_code == 400


def test_a_body_too_large_is_refused_before_anything_else(gateway, settings):
    settings.CC_PAYMENT_INTAKE_MAX_BYTES = 1000
    response = post_sms(gateway, raw=json.dumps(sms_body("x" * 1200)).encode())
    assert response.status_code == 413 and not IncomingSms.objects.exists()


def test_the_rate_is_limited(gateway, settings):
    settings.CC_PAYMENT_INTAKE_RATE = "2/min"
    statuses = [post_sms(gateway, "Your balance is M5.00").status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_only_post_is_served_and_no_session_or_token_counts(gateway, client_for, superadmin):
    assert gateway.get(URL).status_code == 405
    logged_in = client_for(superadmin)
    assert post_sms(logged_in, "Your balance is M5.00", sig="").status_code == 401


def test_it_needs_no_csrf_token(priced_accounts):
    response = post_sms(Client(enforce_csrf_checks=True), "Your balance is M5.00")
    assert response.status_code == 201


# --- What is kept when the text is not a payment ---------------------------------------------------------


@pytest.mark.parametrize(
    "text, status",
    [
        ("Your M-Pesa balance is M500.00.", "ignored"),
        ("Win M10,000 in the M-Pesa promotion! Dial *200#", "ignored"),
        ("TJK9XYZ1A2 Confirmed. on 14/4/2026 at 9:00 AM M1e30 received from 26650123456.", "unreadable"),
        ("TJK9XYZ1A2 Confirmed. on 14/4/2026 at 9:00 AM M999999999.00 received from 26650123456.", "unreadable"),
    ],
)
def test_texts_that_are_not_payments_are_kept_verbatim(gateway, text, status):
    response = post_sms(gateway, text)
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["payment"]) == (status, None)
    sms = IncomingSms.objects.get()
    assert (sms.text, sms.status) == (text, status) and sms.note
    assert not ImportedPayment.objects.exists() and not AccountHistory.objects.exists()


# --- One payment, once -----------------------------------------------------------------------------------


def test_the_same_receipt_under_another_gateway_id_is_a_duplicate(gateway, priced_accounts, received):
    text = mpesa_text("QAB1CD2EG1", "50.00", remark="0045MAK")
    assert post_sms(gateway, text).json()["status"] == "posted"
    second = post_sms(gateway, text)
    assert second.json()["status"] == "duplicate"
    assert second.json()["payment"]["duplicate_of_status"] == "posted"
    assert AccountHistory.objects.count() == 1
    assert IncomingSms.objects.count() == 2


def _intake_rcp0001(gateway):
    """The statement's RCP0001 (M50.00 to 0045MAK) as its confirmation SMS."""
    return post_sms(gateway, mpesa_text("RCP0001", "50.00", "26657000001", reference="0045MAK"))


def test_intake_then_statement_posts_once(gateway, priced_accounts, statement, finance, client_for):
    assert _intake_rcp0001(gateway).json()["status"] == "posted"
    content, name = statement("mpesa_day.csv")
    payment_import = services.payment_import_create(provider="mpesa", filename=name, content=content, by=finance)
    preview = client_for(finance).get(f"/payments/import/{payment_import.pk}/")
    assert b"already received by intake" in preview.content
    rows = statement_read(content=content, filename=name, provider="mpesa")
    counts = services.payment_rows_post(payment_import=payment_import, rows=rows, by=finance)
    assert counts["posted"] == 1 and counts["duplicate"] == 1  # RCP0002 by phone; RCP0001 came by intake
    assert AccountHistory.objects.filter(accountnumber="0045MAK").count() == 1
    duplicate = ImportedPayment.objects.get(receipt="RCP0001", status="duplicate")
    assert duplicate.note == "already received by intake" and duplicate.duplicate_of.source == "intake"


def test_statement_then_intake_posts_once(gateway, priced_accounts, statement, finance):
    content, name = statement("mpesa_day.csv")
    rows = statement_read(content=content, filename=name, provider="mpesa")
    payment_import = services.payment_import_create(provider="mpesa", filename=name, content=content, by=finance)
    services.payment_rows_post(payment_import=payment_import, rows=rows, by=finance)
    response = _intake_rcp0001(gateway)
    assert response.json()["status"] == "duplicate"
    assert AccountHistory.objects.filter(accountnumber="0045MAK").count() == 1
    assert IncomingSms.objects.get().status == "duplicate"


def test_a_statement_sends_payments_posted_too(priced_accounts, statement, finance, received, django_capture_on_commit_callbacks):
    content, name = statement("mpesa_day.csv")
    rows = statement_read(content=content, filename=name, provider="mpesa")
    payment_import = services.payment_import_create(provider="mpesa", filename=name, content=content, by=finance)
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_rows_post(payment_import=payment_import, rows=rows, by=finance)
    ids = sorted(AccountHistory.objects.values_list("pk", flat=True))
    assert [(sorted(e), s, b) for e, s, b in received] == [(ids, "statement", finance)]


# --- Watching the intake ---------------------------------------------------------------------------------


def test_the_payment_lookup_shows_intake_payments_with_their_text(gateway, priced_accounts, client_for, generic):
    text = mpesa_text("QAB1CD2EG2", "50.00", remark="0045MAK")
    post_sms(gateway, text)
    page = client_for(generic).get("/payments/lookup/", {"q": "QAB1CD2EG2"})
    assert b"payment intake (SMS)" in page.content and b"Payment intake: SMS from M-PESA" in page.content
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(generic)
    found = api.get("/api/payments/lookup", {"q": "QAB1CD2EG2"}).json()["payments"][0]
    assert (found["source"], found["sms_text"], found["status"]) == ("intake", text, "posted")


def test_financial_and_the_om_report_include_intake_payments(gateway, priced_accounts, generic):
    from rest_framework.test import APIClient

    from billing.financial import financial_summary
    from ccportal.quarters import quarter_current

    post_sms(gateway, mpesa_text("QAB1CD2EG3", "50.00", remark="0045MAK"))
    post_sms(gateway, ecocash_text("MP260416.0953.A00002", "25"), sender="199")
    latest = financial_summary()["latest"]
    assert latest["sales"] == Decimal("75.00") and latest["energy"] == Decimal("18.750")
    api = APIClient()
    api.force_authenticate(generic)
    overview = api.get("/api/om-report/overview").json()
    assert overview["total_lsl_thousands"] == 0.08  # 75.00 LSL
    by_site = api.get("/api/om-report/sales-by-site", {"quarter": quarter_current().label}).json()
    assert "75" in json.dumps(by_site)


def test_the_dashboard_panel_says_when_the_last_sms_came(gateway, client_for, generic, settings):
    settings.CC_PAYMENT_INTAKE_DAY_HOURS = (0, 24)
    page = client_for(generic).get("/")
    assert b"Payment intake" in page.content and b"No payment SMS has arrived yet" in page.content
    post_sms(gateway, "Your balance is M5.00")
    page = client_for(generic).get("/")
    assert b"Last SMS:" in page.content and b"1 not payments" in page.content
    assert b"the SMS gateway may be down" not in page.content


def test_the_intake_warns_after_quiet_minutes_in_the_day_only(gateway, settings, django_assert_max_num_queries):
    settings.CC_PAYMENT_INTAKE_QUIET_MINUTES = 60
    settings.CC_PAYMENT_INTAKE_DAY_HOURS = (7, 19)
    post_sms(gateway, "Your balance is M5.00")
    last = IncomingSms.objects.get().arrived_at
    with django_assert_max_num_queries(2):
        status = selectors.payment_intake_status(now=last + timedelta(minutes=30))
    assert status["last"] == last and status["today_total"] in (0, 1)
    noon = timezone.localtime(last).replace(hour=12, minute=0)
    IncomingSms.objects.update(arrived_at=noon)
    assert not selectors.payment_intake_status(now=noon + timedelta(minutes=59))["warning"]
    assert selectors.payment_intake_status(now=noon + timedelta(minutes=61))["warning"]
    assert not selectors.payment_intake_status(now=noon.replace(hour=20))["warning"]  # evening: no warning
    # the morning counts from 07:00, not from last night's SMS
    IncomingSms.objects.update(arrived_at=noon.replace(hour=22) - timedelta(days=1))
    assert not selectors.payment_intake_status(now=noon.replace(hour=7, minute=30))["warning"]
    assert selectors.payment_intake_status(now=noon.replace(hour=8, minute=30))["warning"]


def test_the_panel_says_the_intake_is_off_without_a_secret(settings, client_for, generic):
    settings.CC_PAYMENT_INTAKE_SECRET = ""
    page = client_for(generic).get("/")
    assert b"The payment intake is off" in page.content
    assert not selectors.payment_intake_status()["warning"]
