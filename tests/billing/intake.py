"""Helpers for payment-intake tests: signed requests and real-looking confirmation texts."""

import hashlib
import hmac
import itertools
import json

from django.utils import timezone

URL = "/api/payments/incoming"
SECRET = "test-intake-secret-0123456789"
_ids = itertools.count(1)


def signature(raw, secret=SECRET):
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def sms_body(text, *, sender="M-PESA", gateway_id=None, received_at=None):
    received_at = received_at or timezone.now()
    return {
        "sender": sender,
        "text": text,
        "received_at": received_at.isoformat() if hasattr(received_at, "isoformat") else received_at,
        "gateway_id": gateway_id or f"gw-{next(_ids)}",
    }


def post_sms(client, text=None, *, body=None, raw=None, secret=SECRET, sig=None, **fields):
    """POST one forwarded SMS, signed with ``secret`` unless ``sig`` is given ("" sends no header)."""
    if raw is None:
        raw = json.dumps(body if body is not None else sms_body(text, **fields)).encode()
    headers = {} if sig == "" else {"HTTP_X_CC_SIGNATURE": sig if sig is not None else signature(raw, secret)}
    return client.post(URL, raw, content_type="application/json", **headers)


def mpesa_text(receipt, amount, phone="26657000001", *, reference=None, remark=None, when=None):
    when = timezone.localtime(when or timezone.now())
    text = (
        f"{receipt} Confirmed. on {when.day}/{when.month}/{when.year} at {when:%I:%M %p} "
        f"M{amount} received from {phone}. New M-Pesa balance is M1,250.00."
    )
    if reference:
        text += f"\nReference: {reference}"
    if remark:
        text += f"\nRemark: {remark}"
    return text


def ecocash_text(approval, amount, *, name="Palesa Mokoena", phone="57000002", account="0046mak"):
    return (
        f"You have received M{amount} from {name}-{phone} for {account}. "
        f"Approval Code: {approval}. New wallet balance: M64,525.00."
    )
