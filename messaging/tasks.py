"""Background work of customer messages (Django's task framework through django-tasks): tasks take primary
keys or plain values, never model instances."""

from django_tasks import task

from messaging import services


@task()
def message_send(message_id):
    """Send one queued message (claimed exactly once; a failed attempt is queued again with back-off)."""
    message = services.message_deliver(message_id=message_id)
    return message.status if message is not None else "not claimed"


@task()
def messages_send_due():
    """Send every due queued message at the gateway's rate (after a large import, and for retries)."""
    from django.conf import settings

    return services.messages_send_due(threads=settings.CC_SMS_SEND_THREADS)


@task()
def receipts_queue(entry_ids, source, by_id=None):
    """Queue the receipts of posted payments from the worker: the payment intake's request (the SMS gateway waits
    on it) hands its receipt over rather than composing it inside the request."""
    return len(services.receipts_queue(entry_ids=entry_ids, source=source, by=_employee(by_id)))


@task()
def low_balance_check(accountnumbers, by_id=None):
    """Check the low-balance rules of accounts whose balance changed (billing.signals.balances_changed)."""
    return len(services.low_balance_check(accountnumbers=accountnumbers, by=_employee(by_id)))


def _employee(pk):
    from accounts.models import Employee

    return Employee.objects.filter(pk=pk).first() if pk else None
