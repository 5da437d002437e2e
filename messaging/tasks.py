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
