"""What queues a message: a payment posted (manual ledger payment, statement import, unmatched assignment),
commissioning (contract link), and what keeps it to one per trigger."""

from decimal import Decimal

import pytest
from django.urls import reverse

from billing import services as billing
from billing.models import ImportedPayment, PaymentImport
from billing.signals import payments_posted
from messaging import services
from messaging.models import CustomerPreference, Kind, Message
from tests.factories import aware

pytestmark = pytest.mark.django_db


def pay(account, by, amount="50.00", when=None, capture=None):
    with capture(execute=True):
        return billing.ledger_entry_create(
            accountnumber=account.pk,
            when=when or aware(2026, 3, 1, 14, 5),
            is_payment=True,
            amount=Decimal(amount),
            by=by,
            reason="Cash at the office",
        )


def test_a_manual_payment_sends_a_receipt_in_sesotho_by_default(account, finance, django_capture_on_commit_callbacks):
    entry = pay(account, finance, capture=django_capture_on_commit_callbacks)
    message = Message.objects.get()
    assert message.trigger_key == f"receipt:{entry.pk}" and message.kind == Kind.RECEIPT and message.language == "st"
    assert message.text == (
        "Patala ea M50.00 bakeng sa ntlo ea 0045MAK e amohetsoe (10.000 kWh). "
        f"Saleng se setseng: 10.000 kWh. Rasiti: L{entry.pk}."
    )
    assert message.number == "+26657755403" and message.customer_id == account.customer_id
    assert message.status == Message.Status.NOT_SENT_DEVELOPMENT and message.attempts == 1
    assert message.created_by == finance
    assert message.history.earliest("history_id").history_change_reason == "Receipt for a payment (manual)"


def test_the_receipt_is_in_english_for_a_customer_who_prefers_it(account, finance, django_capture_on_commit_callbacks):
    services.customer_preference_set(customer=account.customer, language="en", by=finance, reason="asked at the office")
    pay(account, finance, amount="20", capture=django_capture_on_commit_callbacks)
    pay(account, finance, amount="30", when=aware(2026, 3, 2, 9, 0), capture=django_capture_on_commit_callbacks)
    texts = list(Message.objects.filter(kind=Kind.RECEIPT).order_by("pk").values_list("text", flat=True))
    assert texts[0].startswith("Payment of M20.00 for account 0045MAK received (4.000 kWh). New balance: 4.000 kWh.")
    assert "New balance: 10.000 kWh." in texts[1]


def test_an_opted_out_customer_gets_no_receipt(account, finance, django_capture_on_commit_callbacks):
    services.customer_preference_set(customer=account.customer, opted_out=True, by=finance, reason="asked not to be texted")
    pay(account, finance, capture=django_capture_on_commit_callbacks)
    message = Message.objects.get()
    assert message.status == Message.Status.CANCELLED and message.status_reason == "opted out: asked not to be texted"
    assert message.attempts == 0


def test_a_payment_never_gets_two_receipts(account, finance, django_capture_on_commit_callbacks):
    entry = pay(account, finance, capture=django_capture_on_commit_callbacks)
    # The signal again (a re-delivery, a second worker): nothing new.
    payments_posted.send(sender=None, entry_ids=[entry.pk], source="manual", by=finance)
    assert services.receipts_queue(entry_ids=[entry.pk, entry.pk], source="manual", by=None) == []
    assert Message.objects.filter(trigger_key=f"receipt:{entry.pk}").count() == 1


def test_consumption_rows_send_no_receipt(account, finance, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        billing.ledger_entry_create(
            accountnumber=account.pk, when=aware(2026, 3, 1), is_payment=False, kwh=Decimal("1"), by=finance, reason="reading"
        )
    assert not Message.objects.filter(kind=Kind.RECEIPT).exists()


STATEMENT = (
    "Receipt No,Completion Time,Details,Transaction Status,Paid in,Withdrawn,Balance,Reason Type,Other Party Info\n"
    "RCP001,2026-03-01 10:00:00,Customer Pay Bill Online 0045MAK,Completed,50.00,,1000.00,Pay Bill Online,26657755403 - PALESA\n"
    "RCP002,2026-03-01 11:00:00,Customer Pay Bill Online,Completed,25.00,,1025.00,Pay Bill Online,26657000999 - SOMEONE\n"
)


def test_a_statement_import_sends_one_receipt_per_posted_row_with_its_receipt_number(
    account, finance, django_capture_on_commit_callbacks
):
    from billing.statements import statement_read

    content = STATEMENT.encode()
    rows = statement_read(content=content, filename="march.csv", provider="mpesa")
    payment_import = billing.payment_import_create(
        provider="mpesa", filename="march.csv", content=content, by=finance, store=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        counts = billing.payment_rows_post(payment_import=payment_import, rows=rows, by=finance)
    assert counts["posted"] == 1 and counts["unmatched"] == 1
    message = Message.objects.get(kind=Kind.RECEIPT)
    assert "Rasiti: RCP001." in message.text and "M50.00" in message.text
    assert message.history.earliest("history_id").history_change_reason == "Receipt for a payment (statement)"

    # The unmatched one, once assigned, gets its receipt too.
    waiting = ImportedPayment.objects.get(status="unmatched")
    with django_capture_on_commit_callbacks(execute=True):
        billing.imported_payment_assign(payment=waiting, accountnumber="0045MAK", by=finance)
    receipt = Message.objects.get(trigger_key=f"receipt:{ImportedPayment.objects.get(pk=waiting.pk).ledger_row_id}")
    assert "Rasiti: RCP002." in receipt.text and "M25.00" in receipt.text
    assert receipt.history.earliest("history_id").history_change_reason == "Receipt for a payment (unmatched)"
    assert PaymentImport.objects.count() == 1


def test_a_rolled_back_payment_sends_nothing(account, finance, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                billing.ledger_entry_create(
                    accountnumber=account.pk, when=aware(2026, 3, 1), is_payment=True, amount=Decimal("5"), by=finance, reason="x"
                )
                raise RuntimeError("undo")
        except RuntimeError:
            pass
    assert not Message.objects.exists()


def test_the_manual_ledger_page_queues_the_receipt(account, finance, client_for, django_capture_on_commit_callbacks):
    client = client_for(finance)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("billing:ledger_add", args=[account.pk]),
            {"new-when": "2026-03-01T10:00", "new-kind": "payment", "new-amount": "40", "new-reason": "cash"},
        )
    assert response.status_code == 302
    assert Message.objects.filter(kind=Kind.RECEIPT, accountnumber="0045MAK").count() == 1


def test_preferences_need_a_reason_to_opt_out(account, finance):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.customer_preference_set(customer=account.customer, opted_out=True, by=finance, reason="")
    preference = services.customer_preference_set(customer=account.customer, opted_out=True, by=finance, reason="no SMS please")
    assert CustomerPreference.objects.get().opted_out and preference.history.first().history_user == finance


def test_a_large_batch_is_left_to_the_worker_or_one_draining_task(account, django_capture_on_commit_callbacks, settings):
    from tests.factories import LedgerRowFactory

    entries = [LedgerRowFactory(accountnumber=account.pk, transaction_date=aware(2026, 3, 1, 8, i)).pk for i in range(25)]
    with django_capture_on_commit_callbacks(execute=True):
        services.receipts_queue(entry_ids=entries, source="statement", by=None)
    # ImmediateBackend would send 25 SMS inside the request: they wait for the worker instead.
    assert Message.objects.filter(status=Message.Status.QUEUED).count() == 25
    assert services.messages_send_due() == {Message.Status.NOT_SENT_DEVELOPMENT: 25}

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    more = [LedgerRowFactory(accountnumber=account.pk, transaction_date=aware(2026, 3, 2, 8, i)).pk for i in range(25)]
    with django_capture_on_commit_callbacks(execute=True):
        services.receipts_queue(entry_ids=more, source="statement", by=None)
    assert [r.task.name for r in default_task_backend.results] == ["messages_send_due"]
    few = [LedgerRowFactory(accountnumber=account.pk, transaction_date=aware(2026, 3, 3, 8, i)).pk for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        services.receipts_queue(entry_ids=few, source="statement", by=None)
    assert [r.task.name for r in default_task_backend.results][1:] == ["message_send"] * 3


def test_an_intake_payment_hands_its_receipt_to_the_worker(account, settings, django_capture_on_commit_callbacks):
    """The SMS gateway waits on the intake's request: it enqueues one task, and the worker composes the receipt."""
    from django_tasks import default_task_backend

    from messaging import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    entry = pay(account, None, capture=django_capture_on_commit_callbacks)  # a manual payment: composed inline
    assert Message.objects.filter(trigger_key=f"receipt:{entry.pk}").exists()
    with django_capture_on_commit_callbacks(execute=True):
        payments_posted.send(sender=None, entry_ids=[entry.pk + 1000], source="intake", by=None)
    (result,) = [r for r in default_task_backend.results if r.task.name == "receipts_queue"]
    assert result.args == [[entry.pk + 1000], "intake", None]
    later = pay(account, None, when=aware(2026, 3, 2, 9), capture=django_capture_on_commit_callbacks)
    Message.objects.filter(trigger_key=f"receipt:{later.pk}").delete()
    assert tasks.receipts_queue.call([later.pk], "intake", None) == 1
    assert Message.objects.filter(trigger_key=f"receipt:{later.pk}").exists()
