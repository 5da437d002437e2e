"""Payment intake: forwarded confirmation texts received, and the texts a person decides (post as payment, dismiss)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.models import ImportedPayment, IncomingSms, Provider
from billing.services.ledger import _bounded
from billing.services.payments import _once, _payment_rows_record, imported_payment_assign
from ccportal import bounds
from ccportal.history import history_save
from ccportal.units import money

# --- Payment intake (forwarded confirmation SMS) ----------------------------------------------------------


class IncomingSmsReplay(Exception):
    """This gateway id was taken before: nothing is stored twice."""


INTAKE_WHO = "payment intake"
_INTAKE_STATUS = {
    ImportedPayment.Status.POSTED: IncomingSms.Status.POSTED,
    ImportedPayment.Status.UNMATCHED: IncomingSms.Status.WAITING,
    ImportedPayment.Status.DUPLICATE: IncomingSms.Status.DUPLICATE,
}


@transaction.atomic
def incoming_sms_receive(*, gateway_id, sender, text, received_at):
    """Take one forwarded SMS: keep it verbatim, read it (billing.payment_sms), and match and post the payment
    through the statement import's own implementation (_payment_rows_record), so a receipt that comes by both
    roads is posted once. Raises IncomingSmsReplay for a gateway id already taken (the unique key decides, also
    for two requests at the same moment). Returns (IncomingSms, ImportedPayment or None)."""
    from billing.payment_sms import sms_read

    sms = IncomingSms(gateway_id=gateway_id, sender=sender, text=text, received_at=received_at)
    try:  # no savepoint needed: a replay rolls the whole request back
        history_save(sms, by=None, reason=f"{INTAKE_WHO}: SMS received from {sender}")
    except IntegrityError:
        raise IncomingSmsReplay(gateway_id) from None
    reading = sms_read(sender=sender, text=text, received_at=received_at)
    sms.provider, sms.template = reading.provider, reading.template
    payment = None
    if reading.status == "payment":
        provider_name = dict(ImportedPayment._meta.get_field("provider").choices)[reading.provider]
        _, payments = _once(
            lambda: _payment_rows_record(
                rows=[reading.row],
                provider=reading.provider,
                by=None,
                reason=f"{INTAKE_WHO}: {provider_name} SMS #{sms.pk} ({reading.template}, receipt {reading.row.receipt})",
                source=ImportedPayment.Source.INTAKE,
                incoming_sms=sms,
            )
        )
        payment = payments[0]
        sms.status = _INTAKE_STATUS[payment.status]
        sms.note = _intake_note(payment)
    else:
        sms.status = reading.status
        sms.note = reading.note[:255]
    history_save(sms, by=None, reason=f"{INTAKE_WHO}: {sms.get_status_display().lower()}: {sms.note}"[:255])
    return sms, payment


def _intake_note(payment):
    if payment.status == ImportedPayment.Status.POSTED:
        how = "the account written in the SMS" if payment.match_method == ImportedPayment.Match.ACCOUNT else "the payer phone"
        return f"posted to {payment.accountnumber}, matched by {how}"
    if payment.status == ImportedPayment.Status.DUPLICATE:
        return f"receipt {payment.receipt} was already received"
    return "no account in the SMS and the payer phone is not one account's: waiting in the unmatched queue"


# --- Intake texts a person decides (unreadable, or ignored but really a payment) --------------------------

_DECIDABLE = (IncomingSms.Status.UNREADABLE, IncomingSms.Status.IGNORED)


def _sms_to_decide(sms):
    sms = IncomingSms.objects.select_for_update().get(pk=sms.pk)
    if sms.status not in _DECIDABLE:
        raise ValidationError({"sms": f"This text is {sms.get_status_display().lower()}: there is nothing to decide."})
    return sms


@transaction.atomic
def incoming_sms_resolve(*, sms, provider, receipt, amount, accountnumber, by, reason, paid_at=None):
    """Post an intake text no template read (or one taken for "not a payment") that a person has read: the
    receipt, amount and account they entered become a payment recorded as the intake records one (so a statement
    carrying the same receipt later adds nothing) and posted through the unmatched queue's own service
    (imported_payment_assign), at the tariff in force at ``paid_at`` (default: when the gateway received it)."""
    from billing.statements import StatementRow, receipt_read

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say how you read this text (e.g. new EcoCash layout)."})
    sms = _sms_to_decide(sms)
    if provider not in Provider.values:
        raise ValidationError({"provider": "Choose M-Pesa or EcoCash."})
    try:
        receipt = receipt_read(receipt, "receipt")
    except ValueError as exc:
        raise ValidationError({"receipt": str(exc)}) from None
    when = paid_at or sms.received_at
    _bounded("paid_at", bounds.moment_check, when, label="The payment time", within=bounds.EVENT)
    _bounded("amount", bounds.number_check, amount, label="The amount", within=bounds.MONEY)
    if amount in (None, "") or Decimal(str(amount)) <= 0:
        raise ValidationError({"amount": "A payment needs an amount above 0."})
    why = f"{INTAKE_WHO}: SMS #{sms.pk} read by a person: {reason}"
    row = StatementRow(row_number=1, receipt=receipt, paid_at=when, amount=money(amount), details=reason[:255])
    _, payments = _payment_rows_record(
        rows=[row], provider=provider, by=by, reason=why, source=ImportedPayment.Source.INTAKE, incoming_sms=sms
    )
    payment = payments[0]
    if payment.status == ImportedPayment.Status.DUPLICATE:
        raise ValidationError({"receipt": f"Receipt {receipt} was already received: nothing was posted."})
    payment = imported_payment_assign(payment=payment, accountnumber=accountnumber, by=by, reason=why)
    sms.provider = provider
    sms.status = IncomingSms.Status.POSTED
    sms.note = f"posted to {payment.accountnumber} by a person: {reason}"[:255]
    sms.resolved_by, sms.resolved_at = by, timezone.now()
    history_save(sms, by=by, reason=why[:255])
    return sms, payment


@transaction.atomic
def incoming_sms_dismiss(*, sms, by, reason):
    """Take an unreadable or ignored intake text off the list without posting anything, saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this text is dismissed."})
    sms = _sms_to_decide(sms)
    sms.status = IncomingSms.Status.DISMISSED
    sms.note = reason[:255]
    sms.resolved_by, sms.resolved_at = by, timezone.now()
    history_save(sms, by=by, reason=f"{INTAKE_WHO}: SMS #{sms.pk} dismissed: {reason}"[:255])
    return sms
