"""Two workers at once (PostgreSQL, threads): one message is sent once, one payment gets one receipt."""

import threading

import pytest
from django.db import connection

from messaging import services
from messaging.models import Message
from tests.factories import LedgerRowFactory
from tests.messaging.test_sending import queue

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(target, n=2):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        from django.db import connections

        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent transactions")


def test_two_workers_sending_one_message_deliver_it_once(account, fake_at):
    message = queue(account.customer)
    for _ in range(3):
        results = run_together(lambda: services.message_deliver(message_id=message.pk), n=4)
        message.refresh_from_db()
    assert len(fake_at.requests) == 1 and len(fake_at.accepted) == 1
    assert message.status == Message.Status.SENT and message.attempts == 1
    assert sum(r is not None for r in results) == 0  # later rounds find it sent: nobody claims it again


def test_two_workers_queueing_one_payments_receipt_make_one_message_and_one_sms(account, fake_at):
    entry = LedgerRowFactory(accountnumber=account.pk)  # a posted payment whose signal two workers handle
    results = run_together(lambda: services.receipts_queue(entry_ids=[entry.pk], source="statement", by=None), n=3)
    assert sorted(len(r) for r in results) == [0, 0, 1]
    assert Message.objects.filter(trigger_key=f"receipt:{entry.pk}").count() == 1
    assert len(fake_at.accepted) == 1  # the one that queued it sent it (after its commit)


def test_a_delivery_report_that_beats_the_send_answer_is_applied(account, fake_at):
    """The gateway reports delivery (in its own connection, committed) before its answer to the send has even
    reached us, so before our UPDATE saving the id: the report is kept, and the send applies it."""
    from django.db import connections

    from messaging.models import PendingDeliveryReport

    results = []

    def report_first(message_id):
        try:
            results.append(services.delivery_report_apply(provider_message_id=message_id, status="Success"))
        finally:
            connections.close_all()

    fake_at.on_accept = report_first
    message = services.message_deliver(message_id=queue(account.customer).pk)
    message.refresh_from_db()
    assert results == ["kept"]
    assert message.status == Message.Status.DELIVERED and not PendingDeliveryReport.objects.exists()
