"""Sending: a queued message is claimed by one worker, sent outside any transaction, and its outcome recorded;
retries with back-off, stale claims, and the worker's paced sweep."""

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ccportal.history import history_save
from ccportal.normalize import site_code_from_account
from ccportal.units import energy
from messaging import selectors
from messaging.gateways import DEVELOPMENT_REASON, GatewayError, gateway, gateway_name
from messaging.models import Kind, Message
from messaging.services.callbacks import delivery_reports_pending_apply, delivery_reports_pending_sweep

logger = logging.getLogger("messaging")

# A send claimed this long ago without an outcome: the worker died during it, so whether it left is unknown.
STALE_CLAIM = timedelta(minutes=10)


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
    outcome, retry_at, report_waiting = None, None, False
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
            report_waiting = True
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
        if report_waiting:  # the gateway may have reported delivery before this saved the id
            delivery_reports_pending_apply(message=message)
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
    delivery_reports_pending_sweep(now=now)
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
