"""What the gateway calls back with: delivery reports (kept a while when they come before the message's provider
id is saved) and forwarded replies (STOP opts out)."""

from django.db import transaction
from django.utils import timezone

from ccportal.history import history_save
from ccportal.normalize import phone_search_key
from messaging.models import Message
from messaging.services.rules import customer_preference_set

# --- Gateway callbacks -----------------------------------------------------------------------------------------

# Africa's Talking delivery report statuses; Sent, Submitted and Buffered are on their way (no change).
REPORT_DELIVERED = {"success", "delivered"}
REPORT_FAILED = {"failed", "rejected", "absentsubscriber", "expired", "undelivered"}


@transaction.atomic
def delivery_report_apply(*, provider_message_id, status, failure_reason="", now=None):
    """Apply a gateway's delivery report. Unknown ids are ignored; a repeated report changes nothing; a report
    never moves a delivered message back. Returns "delivered", "failed", "unchanged" or "unknown"."""
    provider_message_id = str(provider_message_id or "").strip()[:100]
    status_key = str(status or "").strip().lower().replace(" ", "")
    if not provider_message_id:
        return "unknown"
    message = Message.objects.select_for_update().filter(provider_message_id=provider_message_id).order_by("-pk").first()
    if message is None:
        return "unknown"
    if status_key in REPORT_DELIVERED and message.status in (Message.Status.SENT, Message.Status.FAILED):
        message.status, message.status_reason = Message.Status.DELIVERED, ""
        message.delivered_at = now or timezone.now()
        history_save(message, by=None, reason="Delivery report: delivered")
        return "delivered"
    if status_key in REPORT_FAILED and message.status == Message.Status.SENT:
        reason = str(failure_reason or "").strip()[:200] or str(status).strip()[:200]
        message.status, message.status_reason = Message.Status.FAILED, f"not delivered: {reason}"[:500]
        history_save(message, by=None, reason=f"Delivery report: {reason}"[:100])
        return "failed"
    return "unchanged"


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
