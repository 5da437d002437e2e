"""Two intake requests for one payment at the same moment (PostgreSQL): the unique keys, not a check-then-insert,
make it post once."""

import threading

import pytest
from django.db import connection
from django.test import Client

from billing.models import AccountHistory, ImportedPayment, IncomingSms
from tests.billing.intake import SECRET, mpesa_text, post_sms, sms_body

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def intake_on(settings):
    settings.CC_PAYMENT_INTAKE_SECRET = SECRET


def _at_once(bodies):
    barrier = threading.Barrier(len(bodies))
    answers, errors = [], []

    def run(body):
        from django.db import connections

        try:
            barrier.wait()
            answers.append(post_sms(Client(), body=body))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    return answers


def test_two_identical_requests_post_once(priced_accounts):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent transactions")
    body = sms_body(mpesa_text("QCC1ONCE01", "50.00", remark="0045MAK"), gateway_id="gw-same")
    answers = _at_once([body, body])
    assert sorted(a.status_code for a in answers) == [201, 409]
    assert IncomingSms.objects.count() == 1
    assert AccountHistory.objects.filter(accountnumber="0045MAK").count() == 1


def test_one_receipt_under_two_gateway_ids_posts_once(priced_accounts):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent transactions")
    text = mpesa_text("QCC1ONCE02", "50.00", remark="0045MAK")
    answers = _at_once([sms_body(text, gateway_id="gw-a"), sms_body(text, gateway_id="gw-b")])
    assert sorted(a.status_code for a in answers) == [201, 201]
    assert sorted(a.json()["status"] for a in answers) == ["duplicate", "posted"]
    assert ImportedPayment.objects.filter(receipt="QCC1ONCE02", status="posted").count() == 1
    assert AccountHistory.objects.filter(accountnumber="0045MAK").get().current_balance is not None
    assert sorted(IncomingSms.objects.values_list("status", flat=True)) == ["duplicate", "posted"]


def test_an_unmatched_receipt_sent_twice_at_once_waits_once(priced_accounts):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent transactions")
    text = mpesa_text("QCC1ONCE03", "30.00", "26662000002")
    _at_once([sms_body(text, gateway_id="gw-c"), sms_body(text, gateway_id="gw-d")])
    assert ImportedPayment.objects.filter(receipt="QCC1ONCE03", status="unmatched").count() == 1
    assert ImportedPayment.objects.filter(receipt="QCC1ONCE03", status="duplicate").count() == 1
