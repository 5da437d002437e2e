"""Every change to customer messages, by room: the outbox (messages put in it once per trigger), sending (exactly
once, with retries), the gateway's callbacks (delivery reports, replies) and the rules (preferences, templates,
low-balance alerts). Import from here: ``from messaging import services``."""

from messaging.services.callbacks import (
    REPORT_DELIVERED,
    REPORT_FAILED,
    STOP_WORDS,
    delivery_report_apply,
    delivery_reports_pending_apply,
    delivery_reports_pending_sweep,
    inbound_message_receive,
)
from messaging.services.outbox import (
    ENQUEUE_EACH_MAX,
    MessageError,
    contract_link_queue,
    customer_number,
    message_manual_create,
    message_resend,
    messages_dispatch,
    phone_e164,
    receipts_queue,
)
from messaging.services.rules import (
    customer_preference_set,
    low_balance_check,
    low_balance_rule_delete,
    low_balance_rule_set,
    message_template_set,
    quiet_until,
)
from messaging.services.sending import (
    STALE_CLAIM,
    Pacer,
    message_claim,
    message_deliver,
    messages_send_due,
    messages_stale_fail,
    retry_delay,
)

__all__ = [
    "ENQUEUE_EACH_MAX",
    "MessageError",
    "Pacer",
    "REPORT_DELIVERED",
    "REPORT_FAILED",
    "STALE_CLAIM",
    "STOP_WORDS",
    "contract_link_queue",
    "customer_number",
    "customer_preference_set",
    "delivery_report_apply",
    "delivery_reports_pending_apply",
    "delivery_reports_pending_sweep",
    "inbound_message_receive",
    "low_balance_check",
    "low_balance_rule_delete",
    "low_balance_rule_set",
    "message_claim",
    "message_deliver",
    "message_manual_create",
    "message_resend",
    "message_template_set",
    "messages_dispatch",
    "messages_send_due",
    "messages_stale_fail",
    "phone_e164",
    "quiet_until",
    "receipts_queue",
    "retry_delay",
]
