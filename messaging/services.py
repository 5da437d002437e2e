"""Every change to customer messages: putting messages in the outbox (receipts, low-balance alerts, contract
links, resends), sending one exactly once, delivery reports, opt-outs, templates and low-balance rules."""

import functools
import logging
import threading
import time
from datetime import datetime, timedelta
from decimal import Decimal

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ccportal.history import history_bulk_create, history_save
from ccportal.normalize import phone_search_key, site_code_from_account
from ccportal.units import energy, money
from messaging import selectors
from messaging.gateways import DEVELOPMENT_REASON, GatewayError, gateway, gateway_name
from messaging.models import CustomerPreference, Kind, Language, LowBalanceRule, LowBalanceState, Message, MessageTemplate
from messaging.texts import template_check, text_fill

logger = logging.getLogger("messaging")

# A send claimed this long ago without an outcome: the worker died during it, so whether it left is unknown.
STALE_CLAIM = timedelta(minutes=10)
# More messages than this at once are sent by one draining task (or the worker), not a task each.
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
        return "", f"invalid number {text!r}: {exc}"
    if not phonenumbers.is_valid_number(parsed):
        return "", f"invalid number {text!r}: not a valid phone number"
    if phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.FIXED_LINE:
        return "", f"invalid number {text!r}: a landline cannot receive SMS"
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
    for start in range(0, len(keys), 1000):
        taken.update(Message.objects.filter(trigger_key__in=keys[start : start + 1000]).values_list("trigger_key", flat=True))
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
    for start in range(0, len(entry_ids), 1000):
        chunk = entry_ids[start : start + 1000]
        entries += list(
            AccountHistory.objects.filter(pk__in=chunk, payment=True).values_list(
                "id", "accountnumber", "transaction_date", "transaction_amount", "kwh_value", named=True
            )
        )
        receipts.update(ImportedPayment.objects.filter(ledger_row_id__in=chunk).values_list("ledger_row_id", "receipt"))
    accountnumbers = sorted({e.accountnumber for e in entries})
    local_dates = {}
    accounts, balances = {}, {}
    for start in range(0, len(accountnumbers), 1000):
        chunk = accountnumbers[start : start + 1000]
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


# --- Sending ---------------------------------------------------------------------------------------------------


def message_claim(*, message_id, now=None):
    """Take a due queued message for sending: one conditional UPDATE, so of two workers only one gets it."""
    now = now or timezone.now()
    return bool(
        Message.objects.filter(pk=message_id, status=Message.Status.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=Message.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def _alert_outdated(message):
    """Why a low-balance alert that waited (quiet hours, retries) should no longer go: the balance has risen to
    its rule's level since. "" otherwise."""
    if message.kind != Kind.LOW_BALANCE or not message.accountnumber:
        return ""
    balance = selectors.balances_of([message.accountnumber]).get(message.accountnumber)
    rules = selectors.low_balance_rules()
    rule = rules.get(site_code_from_account(message.accountnumber), rules[""])
    if balance is not None and balance >= rule.threshold_kwh:
        return f"not sent: the balance has risen to {energy(balance):.3f} kWh since"
    return ""


def retry_delay(attempt):
    """Seconds to wait after failed attempt number ``attempt`` (1, 2, …): doubling from CC_SMS_RETRY_SECONDS."""
    return settings.CC_SMS_RETRY_SECONDS * 2 ** max(attempt - 1, 0)


def message_deliver(*, message_id, now=None):
    """Send one message if it is due and nobody else is sending it; record the outcome. Never raises for the
    gateway's failures: a retryable one queues the message again after a growing delay, until
    CC_SMS_MAX_ATTEMPTS attempts, then it fails with the reason. Returns the message (or None if not claimed)."""
    if not message_claim(message_id=message_id, now=now):
        return None
    message = Message.objects.get(pk=message_id)
    stale = _alert_outdated(message)
    if stale:
        with transaction.atomic():
            message = Message.objects.select_for_update().get(pk=message_id)
            message.status, message.status_reason, message.claimed_at = Message.Status.CANCELLED, stale, None
            history_save(message, by=None, reason=stale[:100])
        return message
    outcome, retry_at = None, None
    try:
        # Outside any transaction: a slow gateway must not hold database locks.
        outcome = gateway().send(number=message.number, text=message.text)
    except GatewayError as exc:
        error = exc
    except Exception as exc:  # a broken gateway class must not leave the message claimed for ever
        logger.exception("SMS gateway failed for message %s", message_id)
        error = GatewayError(f"the SMS gateway failed: {type(exc).__name__}", retryable=True)
    else:
        error = None
    finished = timezone.now()
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.status != Message.Status.SENDING:
            return message  # a delivery report or a person changed it meanwhile
        message.gateway = gateway_name()[:40]
        if error is None and outcome.development:
            message.status, message.status_reason = Message.Status.NOT_SENT_DEVELOPMENT, DEVELOPMENT_REASON
            why = DEVELOPMENT_REASON
        elif error is None:
            message.status, message.status_reason = Message.Status.SENT, ""
            message.provider_message_id = outcome.provider_message_id
            message.sent_at = finished
            why = f"Sent to the gateway (attempt {message.attempts})"
        elif error.retryable and message.attempts < settings.CC_SMS_MAX_ATTEMPTS:
            retry_at = finished + timedelta(seconds=retry_delay(message.attempts))
            message.status = Message.Status.QUEUED
            message.status_reason = f"attempt {message.attempts} failed: {error.reason}"[:500]
            message.next_attempt_at = retry_at
            why = f"Attempt {message.attempts} failed, next at {timezone.localtime(retry_at):%H:%M:%S}: {error.reason}"
        else:
            message.status, message.status_reason = Message.Status.FAILED, error.reason
            why = f"Failed after {message.attempts} attempt(s): {error.reason}"
        message.claimed_at = None
        history_save(message, by=None, reason=why[:100])
    if retry_at is not None:
        _retry_enqueue(message.pk, retry_at)
    return message


def _retry_enqueue(message_id, at):
    """Queue the next attempt at ``at`` when the task backend can defer; otherwise the worker's sweep
    (messages_send_due, queued by the scheduler every CC_MESSAGES_SEND_SECONDS) sends it once it is due."""
    from django_tasks import default_task_backend

    from messaging.tasks import message_send

    if default_task_backend.supports_defer:
        transaction.on_commit(lambda: message_send.using(run_after=at).enqueue(message_id))


def messages_stale_fail(*, now=None):
    """A message claimed long ago without an outcome (its worker stopped mid-send) fails: whether it left is
    unknown, so it is not sent again by itself (a person may resend it)."""
    now = now or timezone.now()
    stale = list(
        Message.objects.filter(status=Message.Status.SENDING, claimed_at__lt=now - STALE_CLAIM).values_list("pk", flat=True)
    )
    for pk in stale:
        with transaction.atomic():
            message = Message.objects.select_for_update().get(pk=pk)
            if message.status == Message.Status.SENDING:
                message.status = Message.Status.FAILED
                message.status_reason = "the sender stopped during the send: it may or may not have left; resend if needed"
                history_save(message, by=None, reason="Send interrupted")
    return len(stale)


class Pacer:
    """Spaces sends evenly so that no second holds more than ``rate_per_second`` of them (kept RATE_MARGIN
    under the limit: a send that leaves late must not push the next one into the same second at the gateway)."""

    RATE_MARGIN = 0.95

    def __init__(self, rate_per_second, *, clock=time.monotonic, sleep=time.sleep):
        self.interval = 1.0 / (rate_per_second * self.RATE_MARGIN) if rate_per_second and rate_per_second > 0 else 0.0
        self.clock, self.sleep = clock, sleep
        self.next_at = None
        self.lock = threading.Lock()

    def wait(self):
        with self.lock:
            now = self.clock()
            at = now if self.next_at is None else max(self.next_at, now)
            self.next_at = at + self.interval
        delay = at - self.clock()
        if delay > 0:
            self.sleep(delay)


def _due_ids(*, now, count):
    return list(
        Message.objects.filter(status=Message.Status.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now or timezone.now()))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:count]
    )


def messages_send_due(*, limit=None, rate_per_second=None, threads=1, now=None, sleep=time.sleep, clock=time.monotonic):
    """Send every due queued message, oldest first, at most ``rate_per_second`` (CC_SMS_RATE_PER_SECOND) per
    second, from ``threads`` senders at once (a gateway call takes longer than the gap the rate allows, so one
    sender alone falls behind a fast gateway). Returns {status: count} of the messages this call handled."""
    rate_per_second = rate_per_second or settings.CC_SMS_RATE_PER_SECOND
    pacer = Pacer(rate_per_second, clock=clock, sleep=sleep)
    messages_stale_fail(now=now)
    counts, handled = {}, 0
    lock = threading.Lock()

    def send(pk):
        nonlocal handled
        pacer.wait()
        message = message_deliver(message_id=pk, now=now)
        if message is not None:
            with lock:
                handled += 1
                counts[message.status] = counts.get(message.status, 0) + 1

    while limit is None or handled < limit:
        batch = _due_ids(now=now, count=min(500, limit - handled) if limit else 500)
        if not batch:
            break
        before = handled
        if threads <= 1:
            for pk in batch:
                send(pk)
        else:
            _send_in_threads(batch, send, threads)
        if handled == before:
            break  # due but claimed by nobody (taken by another worker, or not visible to the senders): stop
    return counts


def _send_in_threads(ids, send, threads):
    """Run send(pk) for every id from ``threads`` threads, each with its own database connection (closed at
    its end)."""
    import queue

    from django.db import connection

    work = queue.Queue()
    for pk in ids:
        work.put(pk)
    errors = []

    def run():
        try:
            while True:
                try:
                    pk = work.get_nowait()
                except queue.Empty:
                    return
                send(pk)
        except Exception as exc:  # reported after the others finish
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=run, name=f"sms-sender-{n}") for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]


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


# --- Preferences, templates, rules -----------------------------------------------------------------------------


@transaction.atomic
def customer_preference_set(*, customer, by, reason, language=None, opted_out=None):
    """Set a customer's message language and/or opt them out (a reason is required) or back in."""
    reason = (reason or "").strip()
    preference = CustomerPreference.objects.select_for_update().filter(customer_id=customer.pk).first()
    preference = preference or CustomerPreference(customer_id=customer.pk)
    if language is not None:
        if language not in Language.values:
            raise ValidationError({"language": f"{language!r} is not a language: use st or en."})
        preference.language = language
    if opted_out is not None and opted_out != preference.opted_out:
        if not reason:
            raise ValidationError({"reason": "Say why the customer opts out or back in."})
        preference.opted_out = opted_out
        preference.opt_out_reason = reason[:255] if opted_out else ""
        preference.opted_out_at = timezone.now() if opted_out else None
    history_save(preference, by=by, reason=(reason or "Message preferences changed")[:100])
    return preference


@transaction.atomic
def message_template_set(*, kind, language, text, by, reason=""):
    """Save the text of one kind of message in one language (placeholders checked)."""
    if kind not in selectors.TEMPLATE_KINDS:
        raise ValidationError({"kind": f"{kind!r} has no template."})
    if language not in Language.values:
        raise ValidationError({"language": f"{language!r} is not a language: use st or en."})
    text = template_check(kind=kind, text=text)
    row = MessageTemplate.objects.select_for_update().filter(kind=kind, language=language).first()
    row = row or MessageTemplate(kind=kind, language=language)
    row.text = text
    row.updated_by = by
    history_save(row, by=by, reason=(reason or "Message template changed").strip()[:100])
    return row


@transaction.atomic
def low_balance_rule_set(*, site_code, threshold_kwh, clear_kwh, by, reason, max_per_day=None, quiet_start=None, quiet_end=None):
    """Save the global rule (site_code "") or a site's levels. The clear level must be above the threshold."""
    from customers.models import Site

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the rule changes."})
    site_code = (site_code or "").strip().upper()
    if site_code and not Site.objects.filter(code=site_code).exists():
        raise ValidationError({"site_code": f"{site_code!r} is not a site code."})
    threshold_kwh, clear_kwh = energy(threshold_kwh), energy(clear_kwh)
    if threshold_kwh < 0:
        raise ValidationError({"threshold_kwh": "The alert level cannot be negative."})
    if clear_kwh <= threshold_kwh:
        raise ValidationError({"clear_kwh": "The clear level must be above the alert level."})
    rule = LowBalanceRule.objects.select_for_update().filter(site_code=site_code).first() or LowBalanceRule(site_code=site_code)
    rule.threshold_kwh, rule.clear_kwh = threshold_kwh, clear_kwh
    if not site_code:
        rule.max_per_day = max_per_day if max_per_day is not None else settings.CC_LOW_BALANCE_MAX_PER_DAY
        rule.quiet_start, rule.quiet_end = quiet_start, quiet_end
    rule.updated_by = by
    history_save(rule, by=by, reason=reason[:100])
    return rule


@transaction.atomic
def low_balance_rule_delete(*, rule, by, reason):
    from ccportal.history import history_delete

    if not rule.site_code:
        raise ValidationError({"rule": "The global rule cannot be removed; change it instead."})
    history_delete(rule, by=by, reason=(reason or "Site rule removed")[:100])


# --- Low-balance alerts ----------------------------------------------------------------------------------------


def quiet_until(moment, start, end):
    """The end of the quiet hours ``moment`` falls in (aware, Africa/Maseru), or None outside them."""
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(moment)
    clock = local.time()
    inside = (start <= clock < end) if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, end), timezone.get_current_timezone())


@transaction.atomic
def low_balance_check(*, accountnumbers, by=None, now=None):
    """After balances changed: alert each account whose balance fell below its site's (or the global) level,
    once per episode (not again until the balance has risen above the clear level), at most max_per_day a
    local day; during quiet hours the alert is queued for when they end. Returns the messages queued."""
    from billing.selectors import tariff_rate_for
    from customers.models import AccountNumber

    accountnumbers = sorted(set(accountnumbers))
    if not accountnumbers:
        return []
    now = now or timezone.now()
    rules = selectors.low_balance_rules()
    balances = selectors.balances_of(accountnumbers)
    # A state row for each account (created in one statement, a concurrent creator's rows ignored), then locked.
    known = set()
    for start in range(0, len(accountnumbers), 1000):
        known.update(LowBalanceState.objects.filter(pk__in=accountnumbers[start : start + 1000]).values_list("pk", flat=True))
    missing = [LowBalanceState(accountnumber=a) for a in accountnumbers if a not in known]
    if connection.features.supports_ignore_conflicts:
        LowBalanceState.objects.bulk_create(missing, ignore_conflicts=True, batch_size=1000)
    else:  # SQL Server: one at a time, a concurrent creator's row kept
        for state in missing:
            LowBalanceState.objects.get_or_create(accountnumber=state.accountnumber)
    states = {}
    for start in range(0, len(accountnumbers), 1000):
        chunk = accountnumbers[start : start + 1000]
        states.update((s.pk, s) for s in LowBalanceState.objects.select_for_update().filter(pk__in=chunk).order_by("pk"))
    global_rule = rules[""]
    to_alert, changed = [], []
    today = timezone.localtime(now).date()
    for accountnumber in accountnumbers:
        state, balance = states[accountnumber], balances.get(accountnumber)
        if balance is None:
            continue
        rule = rules.get(site_code_from_account(accountnumber), global_rule)
        before = (state.armed, state.episode, state.last_balance_kwh)
        state.last_balance_kwh = balance
        if balance > rule.clear_kwh:
            state.armed = True
        elif balance < rule.threshold_kwh and state.armed:
            sent_today = state.alerts_that_day if state.alerts_day == today else 0
            if sent_today < global_rule.max_per_day:
                state.armed = False
                state.episode += 1
                state.alerts_day, state.alerts_that_day = today, sent_today + 1
                state.last_alert_at = now
                to_alert.append((accountnumber, state.episode, balance, rule))
        if (state.armed, state.episode, state.last_balance_kwh) != before:
            changed.append(state)
    LowBalanceState.objects.bulk_update(
        changed, ["armed", "episode", "alerts_day", "alerts_that_day", "last_alert_at", "last_balance_kwh"], batch_size=500
    )
    if not to_alert:
        return []
    accounts = AccountNumber.objects.select_related("customer").in_bulk([a for a, _, _, _ in to_alert])
    preferences = selectors.preferences_of({a.customer_id for a in accounts.values()})
    texts = selectors.template_texts()
    send_at = quiet_until(now, global_rule.quiet_start, global_rule.quiet_end) or now
    messages = []
    for accountnumber, episode, balance, rule in to_alert:
        account = accounts.get(accountnumber)
        customer = account.customer if account else None
        preference = preferences.get(getattr(customer, "pk", None))
        language = preference.language if preference else Language.SESOTHO
        rate_lsl = tariff_rate_for(account=accountnumber, on=now).rate_lsl
        values = {
            "first_name": getattr(customer, "first_name", ""),
            "account": accountnumber,
            "balance_kwh": f"{energy(max(balance, Decimal('0'))):.3f}",
            "balance_lsl": f"{money(max(balance, Decimal('0')) * rate_lsl):.2f}",
            "threshold_kwh": f"{rule.threshold_kwh:.3f}",
        }
        message = _message_build(
            kind=Kind.LOW_BALANCE,
            trigger_key=f"low_balance:{accountnumber}:{episode}",
            text=text_fill(texts[(Kind.LOW_BALANCE, language)], values),
            customer=customer,
            accountnumber=accountnumber,
            language=language,
            by=by,
            preference=preference,
            now=now,
            next_attempt_at=send_at,
        )
        if customer is None:
            message.status, message.status_reason = Message.Status.CANCELLED, "the account has no customer"
        elif send_at > now and message.status == Message.Status.QUEUED:
            message.status_reason = f"quiet hours: waits until {timezone.localtime(send_at):%Y-%m-%d %H:%M}"
        messages.append(message)
    inserted = _messages_insert(messages, by=by, reason="Low-balance alert")
    messages_dispatch(m.pk for m in inserted if m.status == Message.Status.QUEUED)
    return inserted
