"""What the gateway calls back with: delivery reports (kept a while when they come before the message's provider
id is saved) and forwarded replies (STOP opts out)."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from ccportal.history import history_save
from ccportal.normalize import phone_search_key
from messaging.models import Message, PendingDeliveryReport
from messaging.services.rules import customer_preference_set

# --- Gateway callbacks -----------------------------------------------------------------------------------------

# Africa's Talking delivery report statuses; Sent, Submitted and Buffered are on their way (no change).
REPORT_DELIVERED = {"success", "delivered"}
REPORT_FAILED = {"failed", "rejected", "absentsubscriber", "expired", "undelivered"}


@transaction.atomic
def delivery_report_apply(*, provider_message_id, status, failure_reason="", now=None):
    """Apply a gateway's delivery report. A report for an id no message has yet is kept (the gateway may call back
    before the send has saved the id it answered with) and applied when the id is saved; a repeated report changes
    nothing; a report never moves a delivered message back. Returns "delivered", "failed", "unchanged", "kept"
    (waiting for its message) or "unknown" (no id)."""
    provider_message_id = str(provider_message_id or "").strip()[:100]
    if not provider_message_id:
        return "unknown"
    now = now or timezone.now()
    message = Message.objects.select_for_update().filter(provider_message_id=provider_message_id).order_by("-pk").first()
    if message is None:
        _report_keep(provider_message_id=provider_message_id, status=status, failure_reason=failure_reason, now=now)
        return "kept"
    return _report_to_message(message, status=status, failure_reason=failure_reason, now=now)


def _report_to_message(message, *, status, failure_reason, now, late=False):
    """Apply one report to ``message`` (locked by the caller)."""
    status_key = str(status or "").strip().lower().replace(" ", "")
    came = " (it came before the message id was saved)" if late else ""
    if status_key in REPORT_DELIVERED and message.status in (Message.Status.SENT, Message.Status.FAILED):
        message.status, message.status_reason = Message.Status.DELIVERED, ""
        message.delivered_at = now
        history_save(message, by=None, reason=f"Delivery report: delivered{came}"[:100])
        return "delivered"
    if status_key in REPORT_FAILED and message.status == Message.Status.SENT:
        reason = str(failure_reason or "").strip()[:200] or str(status).strip()[:200]
        message.status, message.status_reason = Message.Status.FAILED, f"not delivered: {reason}"[:500]
        history_save(message, by=None, reason=f"Delivery report: {reason}{came}"[:100])
        return "failed"
    return "unchanged"


def _is_final(status):
    key = str(status or "").strip().lower().replace(" ", "")
    return key in REPORT_DELIVERED or key in REPORT_FAILED


def _report_keep(*, provider_message_id, status, failure_reason, now):
    """Keep a report for an id not saved yet, one row per id (the unique key decides, also for two reports at the
    same moment). A later report replaces it, except that "on its way" never replaces an outcome and nothing
    replaces "delivered"."""
    fields = {"status": str(status or "").strip()[:40], "failure_reason": str(failure_reason or "").strip()[:200]}
    try:
        with transaction.atomic():
            PendingDeliveryReport.objects.create(provider_message_id=provider_message_id, received_at=now, **fields)
            return
    except IntegrityError:
        pass
    kept = PendingDeliveryReport.objects.select_for_update().get(provider_message_id=provider_message_id)
    delivered = str(kept.status).strip().lower().replace(" ", "") in REPORT_DELIVERED
    if delivered or (_is_final(kept.status) and not _is_final(status)):
        return
    PendingDeliveryReport.objects.filter(pk=kept.pk).update(received_at=now, **fields)


def delivery_reports_pending_apply(*, message):
    """Apply the report kept for ``message``'s provider id, if one came before the id was saved (the caller holds
    the message's lock, in the transaction that saves the id). Returns the result or None."""
    if not message.provider_message_id:
        return None
    kept = PendingDeliveryReport.objects.select_for_update().filter(provider_message_id=message.provider_message_id).first()
    if kept is None:
        return None
    result = _report_to_message(message, status=kept.status, failure_reason=kept.failure_reason, now=kept.received_at, late=True)
    kept.delete()
    return result


def delivery_reports_pending_sweep(*, now=None):
    """The worker's sweep: apply kept reports whose id a message has by now (a report that came while the send
    was being saved, in the instant neither saw the other), and forget those older than
    CC_SMS_PENDING_REPORT_HOURS (an id that is not ours). Returns (applied, forgotten)."""
    now = now or timezone.now()
    ids = list(
        PendingDeliveryReport.objects.filter(
            Exists(Message.objects.filter(provider_message_id=OuterRef("provider_message_id")))
        ).values_list("provider_message_id", flat=True)[:1000]
    )
    applied = 0
    for provider_message_id in ids:
        with transaction.atomic():
            message = Message.objects.select_for_update().filter(provider_message_id=provider_message_id).order_by("-pk").first()
            if message is not None and delivery_reports_pending_apply(message=message) is not None:
                applied += 1
    horizon = now - timedelta(hours=settings.CC_SMS_PENDING_REPORT_HOURS)
    forgotten, _ = PendingDeliveryReport.objects.filter(received_at__lt=horizon).delete()
    return applied, forgotten


STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "EMISA", "EMA"}


@transaction.atomic
def inbound_message_receive(*, number, text, received_at=None):
    """A reply forwarded by the gateway. STOP (or EMISA, "stop" in Sesotho) opts out every customer with that
    number. Returns the IDs of the customers opted out (empty for any other text or an unknown number)."""
    from customers.selectors import customer_duplicates

    word = "".join(str(text or "").split()).upper().strip(".!")
    if word not in STOP_WORDS:
        return []
    key = phone_search_key(number)
    if not key:
        return []
    when = timezone.localtime(received_at or timezone.now())
    opted = []
    for customer in customer_duplicates(phones=[key]):
        customer_preference_set(
            customer=customer,
            opted_out=True,
            reason=f"replied {word} by SMS on {when:%Y-%m-%d %H:%M}",
            by=None,
        )
        opted.append(customer.pk)
    return opted
