"""The outbox: numbers in E.164, putting messages in it (receipts, contract links, typed messages, resends) exactly
once per trigger, and starting their sending once the transaction commits."""

import functools

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ccportal.batches import IN_LIST_SIZE, chunks
from ccportal.history import history_bulk_create, history_save
from ccportal.normalize import site_code_from_account
from ccportal.spreadsheet import quote
from ccportal.units import energy, money
from messaging import selectors
from messaging.gateways import gateway_name
from messaging.models import Kind, Language, Message
from messaging.texts import text_fill

ENQUEUE_EACH_MAX = 20


class MessageError(Exception):
    """A message cannot be put in the outbox or resent; the text is shown to the user."""


# --- Numbers -----------------------------------------------------------------------------------------------


def phone_e164(value):
    """(E.164 number, "") for a valid number (Lesotho when no country code is given), else ("", reason)."""
    return _phone_e164(str(value or "").strip())


@functools.lru_cache(maxsize=65536)  # an import's receipts go to a few numbers many times
def _phone_e164(text):
    if text.endswith(".0") and text[:-2].isdigit():  # an ACDB integer that came through a float column
        text = text[:-2]
    if not text:
        return "", "no phone number"
    try:
        parsed = phonenumbers.parse(text, "LS")
    except phonenumbers.NumberParseException as exc:
        return "", f"invalid number {quote(text)}: {exc}"
    if not phonenumbers.is_valid_number(parsed):
        return "", f"invalid number {quote(text)}: not a valid phone number"
    if phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.FIXED_LINE:
        return "", f"invalid number {quote(text)}: a landline cannot receive SMS"
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), ""


def customer_number(customer):
    """The number messages go to: the customer's phone, else cell phone 1, else cell phone 2 (as found)."""
    if customer is None:
        return ""
    for value in (customer.phone, customer.cell_phone_1, customer.cell_phone_2):
        if str(value or "").strip():
            return str(value).strip()
    return ""


# --- The outbox ----------------------------------------------------------------------------------------------


def _message_build(*, kind, trigger_key, text, customer, accountnumber, language, by, preference, now, next_attempt_at=None):
    number_given = customer_number(customer) if customer is not None else ""
    message = Message(
        kind=kind,
        trigger_key=trigger_key[:100],
        text=text,
        customer_id=getattr(customer, "pk", None),
        accountnumber=accountnumber or "",
        site_code=(site_code_from_account(accountnumber) if accountnumber else (getattr(customer, "site_code", "") or "")[:3]),
        language=language,
        number_given=number_given[:40],
        created_by_id=getattr(by, "pk", None),
        created_at=now,
        next_attempt_at=next_attempt_at or now,
        gateway=gateway_name()[:40],
    )
    if preference is not None and preference.opted_out:
        message.status, message.status_reason = Message.Status.CANCELLED, f"opted out: {preference.opt_out_reason}"[:500]
        return message
    number, error = phone_e164(number_given)
    if error == "no phone number":
        message.status, message.status_reason = Message.Status.CANCELLED, "no phone number on the customer's record"
    elif error:
        message.status, message.status_reason = Message.Status.FAILED, error[:500]
    else:
        message.number = number
    return message


def _messages_insert(messages, *, by, reason):
    """Insert the messages whose trigger has none yet (one batch); a trigger taken meanwhile by another worker
    is skipped (the unique key decides, row by row, only when the batch clashes). Returns those inserted."""
    keys = [m.trigger_key for m in messages]
    taken = set()
    for chunk in chunks(keys, IN_LIST_SIZE):
        taken.update(Message.objects.filter(trigger_key__in=chunk).values_list("trigger_key", flat=True))
    fresh, seen = [], set(taken)
    for message in messages:
        if message.trigger_key not in seen:
            seen.add(message.trigger_key)
            fresh.append(message)
    if not fresh:
        return []
    try:
        with transaction.atomic():
            return history_bulk_create(Message, fresh, by=by, reason=reason)
    except IntegrityError:
        pass
    inserted = []
    for message in fresh:
        message.pk = None
        message._state.adding = True
        try:
            with transaction.atomic():
                history_save(message, by=by, reason=reason)
            inserted.append(message)
        except IntegrityError:
            continue  # another worker queued this trigger's message first
    return inserted


def messages_dispatch(message_ids):
    """Start sending the given queued messages once the current transaction commits."""
    message_ids = list(message_ids)
    if message_ids:
        transaction.on_commit(lambda: _dispatch_now(message_ids))


def _dispatch_now(message_ids):
    from django_tasks import task_backends
    from django_tasks.backends.immediate import ImmediateBackend

    from messaging.tasks import message_send, messages_send_due

    default_task_backend = task_backends["default"]  # the backend itself (the module's name is a proxy)

    now = timezone.now()
    due = list(
        Message.objects.filter(pk__in=message_ids[:10_000], status=Message.Status.QUEUED)
        .values_list("pk", "next_attempt_at")
        .order_by("pk")
    )
    defer = default_task_backend.supports_defer
    later = [(pk, at) for pk, at in due if at and at > now]
    ready = [pk for pk, at in due if not at or at <= now]
    if len(ready) <= ENQUEUE_EACH_MAX:
        for pk in ready:
            message_send.enqueue(pk)
    elif not isinstance(default_task_backend, ImmediateBackend):
        messages_send_due.enqueue()
    # else: too many to send inside this request; the scheduled messages_send_due run (jobs.schedule) sends them.
    if defer:
        for pk, at in later:
            message_send.using(run_after=at).enqueue(pk)


@transaction.atomic
def receipts_queue(*, entry_ids, source, by):
    """Queue one receipt per posted payment row (trigger "receipt:<row id>"): amount, kWh, new balance and the
    receipt number, in the customer's language. Rows that already have their receipt are skipped."""
    from billing.models import AccountHistory, ImportedPayment
    from customers.models import AccountNumber

    entry_ids = sorted(set(entry_ids))
    if not entry_ids:
        return []
    entries, receipts = [], {}
    for chunk in chunks(entry_ids, IN_LIST_SIZE):
        entries += list(
            AccountHistory.objects.filter(pk__in=chunk, payment=True).values_list(
                "id", "accountnumber", "transaction_date", "transaction_amount", "kwh_value", named=True
            )
        )
        receipts.update(ImportedPayment.objects.filter(ledger_row_id__in=chunk).values_list("ledger_row_id", "receipt"))
    accountnumbers = sorted({e.accountnumber for e in entries})
    local_dates = {}
    accounts, balances = {}, {}
    for chunk in chunks(accountnumbers, IN_LIST_SIZE):
        for account in AccountNumber.objects.filter(pk__in=chunk).select_related("customer"):
            accounts[account.pk] = account
        balances.update(selectors.balances_of(chunk))
    customers = {a.customer_id for a in accounts.values()}
    preferences = selectors.preferences_of(customers)
    texts = selectors.template_texts()
    now = timezone.now()
    messages = []
    for entry in entries:
        account = accounts.get(entry.accountnumber)
        customer = account.customer if account else None
        preference = preferences.get(getattr(customer, "pk", None))
        language = preference.language if preference else Language.SESOTHO
        values = {
            "first_name": getattr(customer, "first_name", ""),
            "account": entry.accountnumber,
            "amount": f"{money(entry.transaction_amount):.2f}",
            "kwh": f"{energy(entry.kwh_value):.3f}",
            "balance_kwh": f"{energy(balances.get(entry.accountnumber) or 0):.3f}",
            "receipt": receipts.get(entry.id) or f"L{entry.id}",
            "date": local_dates.get(entry.transaction_date)
            or local_dates.setdefault(
                entry.transaction_date, timezone.localtime(entry.transaction_date).strftime("%Y-%m-%d %H:%M")
            ),
        }
        messages.append(
            _message_build(
                kind=Kind.RECEIPT,
                trigger_key=f"receipt:{entry.id}",
                text=text_fill(texts[(Kind.RECEIPT, language)], values),
                customer=customer,
                accountnumber=entry.accountnumber,
                language=language,
                by=by,
                preference=preference,
                now=now,
            )
        )
        if customer is None:
            messages[-1].status, messages[-1].status_reason = Message.Status.CANCELLED, "the account has no customer"
    inserted = _messages_insert(messages, by=by, reason=f"Receipt for a payment ({source})")
    messages_dispatch(m.pk for m in inserted if m.status == Message.Status.QUEUED)
    return inserted


@transaction.atomic
def contract_link_queue(*, commissioning_id, by, link_base_url=""):
    """Queue the SMS with the link to the customer's contract after a commissioning (trigger
    "commissioning:<id>"), in the customer's language (the Sesotho contract when there is no English one)."""
    from contracts.links import contract_link_url
    from contracts.models import Commissioning

    commissioning = Commissioning.objects.select_related("customer").get(pk=commissioning_id)
    customer = commissioning.customer
    preference = selectors.preferences_of([customer.pk]).get(customer.pk)
    language = preference.language if preference else Language.SESOTHO
    versions = {v.language: v for v in commissioning.contract_versions.order_by("version")}
    version = versions.get(language) or versions.get(Language.SESOTHO)
    phones = settings.CC_ORGANISATION["customer_service_phones"]
    values = {
        "first_name": customer.first_name,
        "account": commissioning.account_id,
        "link": contract_link_url(version, base_url=link_base_url) if version else "",
        "days": settings.CC_CONTRACT["link_max_age_days"],
        "phone": phones[0] if phones else "",
        "organisation": settings.CC_ORGANISATION["administrator"],
    }
    message = _message_build(
        kind=Kind.CONTRACT_LINK,
        trigger_key=f"commissioning:{commissioning.pk}",
        text=text_fill(selectors.template_texts()[(Kind.CONTRACT_LINK, language)], values).strip(),
        customer=customer,
        accountnumber=commissioning.account_id,
        language=language,
        by=by,
        preference=preference,
        now=timezone.now(),
    )
    # The commissioning's own phone is the one confirmed on site.
    message.number_given = commissioning.phone or message.number_given
    if message.status != Message.Status.CANCELLED or not message.status_reason.startswith("opted out"):
        number, error = phone_e164(message.number_given)
        message.number = number
        message.status = Message.Status.QUEUED if number else Message.Status.FAILED
        message.status_reason = error
        if error == "no phone number":
            message.status, message.status_reason = Message.Status.CANCELLED, "no phone number on the commissioning"
    if version is None:
        message.status, message.status_reason = Message.Status.FAILED, "there is no contract to link to"
    inserted = _messages_insert([message], by=by, reason=f"Contract link after commissioning {commissioning.pk}")
    messages_dispatch(m.pk for m in inserted if m.status == Message.Status.QUEUED)
    return inserted[0] if inserted else Message.objects.get(trigger_key=message.trigger_key)


@transaction.atomic
def message_manual_create(*, customer, text, by, reason):
    """Queue a message typed by a member of staff to a customer."""
    reason = (reason or "").strip()
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the message."})
    if len(text) > 918:  # 6 GSM-7 parts
        raise ValidationError({"text": "A message is at most 918 characters (6 SMS)."})
    preference = selectors.preferences_of([customer.pk]).get(customer.pk)
    now = timezone.now()
    message = _message_build(
        kind=Kind.MANUAL,
        trigger_key=f"manual:{customer.pk}:{now.timestamp():.6f}:{getattr(by, 'pk', '')}",
        text=text,
        customer=customer,
        accountnumber=customer.accounts.order_by("accountnumber").values_list("pk", flat=True).first() or "",
        language=preference.language if preference else Language.SESOTHO,
        by=by,
        preference=preference,
        now=now,
    )
    history_save(message, by=by, reason=reason or "Message typed by staff")
    messages_dispatch([message.pk] if message.status == Message.Status.QUEUED else [])
    return message


@transaction.atomic
def message_resend(*, message, by, reason):
    """Queue a message that failed or was not sent again (the customer's number as it is now), saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the message is sent again."})
    message = Message.objects.select_for_update().get(pk=message.pk)
    if not message.can_be_resent:
        raise ValidationError(
            {"message": f"This message is {message.get_status_display().lower()}; only a failed or unsent one is sent again."}
        )
    if message.customer_id:
        preference = selectors.preferences_of([message.customer_id]).get(message.customer_id)
        if preference is not None and preference.opted_out:
            raise ValidationError({"message": f"The customer opted out of messages: {preference.opt_out_reason}"})
        if message.kind != Kind.CONTRACT_LINK:
            message.number_given = customer_number(message.customer)[:40] or message.number_given
    number, error = phone_e164(message.number_given)
    if error:
        raise ValidationError({"message": f"Not sent: {error}. Correct the customer's phone first."})
    now = timezone.now()
    message.number = number
    message.status, message.status_reason = Message.Status.QUEUED, ""
    message.next_attempt_at = now
    message.attempts = 0
    message.gateway = gateway_name()[:40]
    history_save(message, by=by, reason=f"Resent: {reason}"[:100])
    messages_dispatch([message.pk])
    return message
