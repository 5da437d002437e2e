"""The intake texts page (/payments/intake/): unreadable and ignored forwarded SMS shown verbatim and safely,
filtered and paged, posted by hand through the unmatched queue's service or dismissed, with history."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing import services
from billing.models import AccountHistory, ImportedPayment, IncomingSms
from billing.statements import StatementRow

pytestmark = pytest.mark.django_db
URL = "/payments/intake/"


def _sms(text="M25 received, thanks", *, status=IncomingSms.Status.UNREADABLE, sender="199", arrived=None, **kwargs):
    sms = IncomingSms.objects.create(
        gateway_id=f"gw-{IncomingSms.objects.count() + 1}-{sender}",
        sender=sender,
        text=text,
        received_at=timezone.now() - timedelta(minutes=5),
        status=status,
        note=kwargs.pop("note", "looks like a payment, but no known layout reads it"),
        **kwargs,
    )
    if arrived:
        IncomingSms.objects.filter(pk=sms.pk).update(arrived_at=arrived)
    return sms


def test_it_lists_unreadable_and_ignored_texts_escaped_with_controls_visible(finance_client):
    _sms("<script>alert(1)</script> M25 received\x1b[31m pay \u202e0045MAK")
    _sms("Win a bonus!", status=IncomingSms.Status.IGNORED, note="promotion")
    _sms("posted one", status=IncomingSms.Status.POSTED)
    body = finance_client.get(URL).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert "\u27e6U+001B\u27e7[31m" in body and "\u27e6U+202E\u27e7" in body and "\u202e" not in body
    assert "Win a bonus!" in body and "posted one" not in body


def test_it_cuts_a_long_text_and_shows_it_all_on_demand(finance_client):
    _sms("M25 received " + "x" * 1500 + " END")
    body = finance_client.get(URL).content.decode()
    assert "Show all (1517 characters)" in body and body.count(" END") == 1


def test_it_filters_by_status_date_and_sender(finance_client):
    old = timezone.now() - timedelta(days=10)
    _sms("old unreadable", arrived=old)
    _sms("new unreadable", sender="M-PESA")
    _sms("a bonus offer", status=IncomingSms.Status.IGNORED, note="promotion")
    assert "a bonus offer" not in finance_client.get(URL, {"status": "unreadable"}).content.decode()
    since = (timezone.localdate() - timedelta(days=2)).isoformat()
    body = finance_client.get(URL, {"since": since}).content.decode()
    assert "new unreadable" in body and "old unreadable" not in body
    body = finance_client.get(URL, {"sender": "pesa"}).content.decode()
    assert "new unreadable" in body and "old unreadable" not in body and "a bonus offer" not in body
    assert "No intake texts match these filters." in finance_client.get(URL, {"sender": "nobody"}).content.decode()


def test_it_says_when_there_is_nothing_to_decide(finance_client):
    assert "Nothing to decide" in finance_client.get(URL).content.decode()


def test_it_pages_with_a_fixed_number_of_queries(finance_client, django_assert_max_num_queries):
    for number in range(30):
        _sms(f"text {number}")
    with django_assert_max_num_queries(8):
        first = finance_client.get(URL)
    with django_assert_max_num_queries(8):
        second = finance_client.get(URL, {"page": 2})
    assert "Page 1 of 2" in first.content.decode() and second.content.decode().count("text ") == 5


def test_it_is_refused_to_staff_who_may_not_import_payments(generic_client):
    assert generic_client.get(URL).status_code == 403


def test_it_shows_one_text_whole(finance_client):
    sms = _sms("M25 received " + "y" * 600)
    body = finance_client.get(f"{URL}{sms.pk}/").content.decode()
    assert "y" * 600 in body and "Post as payment" in body


def _resolve(client, sms, **fields):
    data = {"provider": "ecocash", "receipt": "MP260416.0953.A96450", "amount": "25.00", "accountnumber": "MAK 45"}
    data["reason"] = "a new EcoCash layout"
    data.update(fields)
    return client.post(f"{URL}{sms.pk}/resolve/", data)


def test_it_posts_an_unreadable_text_through_the_unmatched_queues_service(finance_client, finance, priced_accounts):
    sms = _sms()
    response = _resolve(finance_client, sms)
    assert response.status_code == 302
    sms.refresh_from_db()
    payment = ImportedPayment.objects.get(incoming_sms=sms)
    assert sms.status == IncomingSms.Status.POSTED and sms.resolved_by == finance
    assert payment.status == ImportedPayment.Status.POSTED and payment.match_method == ImportedPayment.Match.MANUAL
    assert payment.accountnumber == "0045MAK" and payment.source == ImportedPayment.Source.INTAKE
    row = payment.ledger_row
    assert row.transaction_amount == Decimal("25.00") and row.kwh_value == Decimal("6.250")  # MAK 4.00/kWh
    reason = sms.history.latest().history_change_reason
    assert "read by a person: a new EcoCash layout" in reason and sms.history.latest().history_user == finance
    assert "a new EcoCash layout" in row.history.latest().history_change_reason


def test_a_statement_with_the_receipt_later_adds_nothing(finance_client, priced_accounts):
    _resolve(finance_client, _sms())
    row = StatementRow(
        row_number=1, receipt="MP260416.0953.A96450", paid_at=timezone.now(), amount=Decimal("25.00"), details="0045MAK"
    )
    classified, _ = services._payment_rows_record(
        rows=[row], provider="ecocash", by=None, reason="statement", source="statement", payment_import=_import()
    )
    assert classified[0].status == ImportedPayment.Status.DUPLICATE
    assert AccountHistory.objects.filter(accountnumber="0045MAK", payment=True).count() == 1


def _import():
    from billing.models import PaymentImport

    return PaymentImport.objects.create(provider="ecocash", filename="s.csv")


def test_a_receipt_already_received_is_refused_and_nothing_changes(finance_client, priced_accounts):
    _resolve(finance_client, _sms())
    second = _sms("again M25 received")
    response = _resolve(finance_client, second)
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == IncomingSms.Status.UNREADABLE and not ImportedPayment.objects.filter(incoming_sms=second)
    assert AccountHistory.objects.filter(payment=True).count() == 1


@pytest.mark.parametrize(
    "fields",
    [{"accountnumber": "9999ZZZ"}, {"amount": "0"}, {"amount": "1e30"}, {"receipt": "<bad>"}, {"reason": ""}],
)
def test_a_wrong_entry_posts_nothing(finance_client, priced_accounts, fields):
    sms = _sms()
    _resolve(finance_client, sms, **fields)
    sms.refresh_from_db()
    assert sms.status == IncomingSms.Status.UNREADABLE
    assert not ImportedPayment.objects.exists() and not AccountHistory.objects.filter(payment=True).exists()


def test_it_dismisses_a_text_with_a_reason(finance_client, finance):
    sms = _sms()
    assert finance_client.post(f"{URL}{sms.pk}/dismiss/", {"reason": "a test message from the gateway"}).status_code == 302
    sms.refresh_from_db()
    assert sms.status == IncomingSms.Status.DISMISSED and sms.note == "a test message from the gateway"
    assert sms.resolved_by == finance and "dismissed: a test message" in sms.history.latest().history_change_reason
    assert "a test message" not in finance_client.get(URL).content.decode()
    assert "a test message" in finance_client.get(URL, {"status": "dismissed"}).content.decode()


def test_a_dismissal_needs_a_reason_and_a_posted_text_cannot_be_decided(finance_client, finance, priced_accounts):
    sms = _sms()
    finance_client.post(f"{URL}{sms.pk}/dismiss/", {"reason": ""})
    sms.refresh_from_db()
    assert sms.status == IncomingSms.Status.UNREADABLE
    posted = _sms(status=IncomingSms.Status.POSTED)
    with pytest.raises(ValidationError):
        services.incoming_sms_dismiss(sms=posted, by=finance, reason="x")
    with pytest.raises(ValidationError):
        services.incoming_sms_resolve(
            sms=posted, provider="mpesa", receipt="ABC123", amount="5", accountnumber="0045MAK", by=finance, reason="x"
        )


def test_the_payment_import_page_links_to_the_texts_with_their_count(finance_client):
    _sms()
    body = finance_client.get("/payments/import/").content.decode()
    assert 'href="/payments/intake/"' in body and "1 unreadable" in body
