"""Payments in bulk: statements recorded and posted once (claimed, then posted by a job), and the unmatched queue."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from billing.models import AccountHistory, ImportedPayment, PaymentImport
from billing.rollup import ledger_rollup_add
from billing.selectors import TariffResolver, payment_rows_classify
from billing.services.ledger import _balance_before, _lock_accounts, ledger_entry_create
from billing.signals import balances_changed_on_commit, payments_posted_on_commit
from billing.statements import StatementError, statement_read
from ccportal.batches import chunks
from ccportal.history import history_baseline, history_bulk_create, history_save
from ccportal.units import energy, kwh_for_amount, money, rate

# --- Bulk payments (imports) -----------------------------------------------------------------------------


@transaction.atomic(savepoint=False)  # its one caller, _payment_rows_record, holds the savepoint a retry needs
def ledger_payments_bulk_create(*, payments, by, reason):
    """Add many payment rows at once with the same rules as ledger_entry_create (kWh = amount ÷ rate, rounded
    half-up to 3 places; `current balance` carried forward, later rows' balances updated), in a fixed number of
    queries per 500 accounts. ``payments``: dicts with accountnumber, when, amount, rate_lsl, meterid.
    Returns the new ledger rows in the order given."""
    from customers.models import AccountNumber

    entries = []
    for item in payments:
        rate_lsl = rate(item["rate_lsl"])
        amount = money(item["amount"])
        entries.append(
            AccountHistory(
                accountnumber=item["accountnumber"],
                meterid=item.get("meterid") or "",
                transaction_date=item["when"],
                transaction_amount=amount,
                rate_used=rate_lsl,
                kwh_value=kwh_for_amount(amount, rate_lsl),
                payment=True,
            )
        )
    by_account = {}
    for order, entry in enumerate(entries):
        by_account.setdefault(entry.accountnumber, []).append((entry.transaction_date, order, entry))
    accounts = sorted(by_account)
    batches = []
    for chunk in chunks(accounts, 500):
        since = min(when for a in chunk for when, _, _ in by_account[a])
        batches.append((chunk, since))
        latest_before = (
            AccountHistory.objects.filter(accountnumber=OuterRef("pk"), transaction_date__lt=since)
            .order_by("-transaction_date", "-id")
            .values("current_balance")[:1]
        )
        before = dict(
            AccountNumber.objects.filter(pk__in=chunk).annotate(before=Subquery(latest_before)).values_list("pk", "before")
        )
        for accountnumber in set(chunk) - set(before):  # ledger accounts without a tblaccountnumbers row
            before[accountnumber] = _balance_before(accountnumber, since)
        later = {}
        for accountnumber, when, kwh in (
            AccountHistory.objects.filter(accountnumber__in=chunk, transaction_date__gte=since)
            .order_by("transaction_date", "id")
            .values_list("accountnumber", "transaction_date", "kwh_value")
        ):
            later.setdefault(accountnumber, []).append((when, kwh))
        if not any(accountnumber in later for accountnumber in chunk):
            batches.pop()  # no existing row at or after the new payments: no later balance to shift
        for accountnumber in chunk:
            # Existing rows sort before new ones at the same moment, as their smaller IDs do.
            timeline = [(when, 0, i, kwh, None) for i, (when, kwh) in enumerate(later.get(accountnumber, []))]
            timeline += [(when, 1, order, entry.kwh_value, entry) for when, order, entry in by_account[accountnumber]]
            balance = before.get(accountnumber) or Decimal("0.000")
            for _, _, _, kwh, entry in sorted(timeline, key=lambda t: t[:3]):
                balance = energy(balance + kwh)
                if entry is not None:
                    entry.current_balance = balance
    created = history_bulk_create(AccountHistory, entries, by=by, reason=reason)
    if created:
        _later_balances_shift(batches, first_new_id=min(e.pk for e in created))
        ledger_rollup_add(created)  # bulk inserts pass the rollup's signals by
    return created


def _later_balances_shift(batches, *, first_new_id):
    """Carry the new payments into the balances of the existing rows dated after them: each such row moves up
    by the kWh of the new payments before it, in one correlated UPDATE per 500 accounts (the accounts are
    locked by the caller, so every row of theirs with an ID from ``first_new_id`` is one of the new ones).
    Balances are derived values, so this writes no history rows, as in ledger_balances_recompute."""
    for chunk, since in batches:
        # Bounded below by ``since`` so that the index on (account, date) reads only the new day's rows.
        new_before = (
            AccountHistory.objects.filter(
                accountnumber=OuterRef("accountnumber"),
                transaction_date__gte=since,
                transaction_date__lt=OuterRef("transaction_date"),
                id__gte=first_new_id,
            )
            .order_by()
            .values("accountnumber")
            .annotate(total=Sum("kwh_value"))
            .values("total")
        )
        AccountHistory.objects.filter(accountnumber__in=chunk, transaction_date__gt=since, id__lt=first_new_id).filter(
            Exists(new_before)
        ).update(current_balance=F("current_balance") + Subquery(new_before))


@transaction.atomic
def _payment_rows_record(*, rows, provider, by, reason, source, payment_import=None, incoming_sms=None):
    """The one way payments are matched and posted, whether they come from a statement or the intake: classify
    the rows (billing.selectors.payment_rows_classify), post the matched ones as ledger payments at the tariff in
    force at their time (balances carried forward, rollups kept), and record every row with its fate. Sends
    billing.signals.payments_posted after the commit. Returns the ClassifiedRows and their ImportedPayments."""
    classified = payment_rows_classify(rows=rows, provider=provider)
    to_post = [c for c in classified if c.status == ImportedPayment.Status.POSTED]
    accounts = {c.accountnumber for c in to_post}
    meters = _lock_accounts(accounts)
    resolver = TariffResolver(customer_ids={c.customer_id for c in to_post}, site_codes={a[-3:] for a in accounts})
    ledger_rows = ledger_payments_bulk_create(
        payments=[
            {
                "accountnumber": c.accountnumber,
                "when": c.row.paid_at,
                "amount": c.row.amount,
                "rate_lsl": resolver.rate_for(
                    customer_id=c.customer_id, site_code=c.accountnumber[-3:], on=c.row.paid_at
                ).rate_lsl,
                "meterid": meters.get(c.accountnumber, ""),
            }
            for c in to_post
        ],
        by=by,
        reason=reason,
    )
    ledger_for = dict(zip((id(c) for c in to_post), ledger_rows, strict=True))
    now = timezone.now()
    payments = {}
    for c in classified:
        payments[id(c)] = ImportedPayment(
            source=source,
            payment_import_id=getattr(payment_import, "pk", None),
            incoming_sms_id=getattr(incoming_sms, "pk", None),
            provider=provider,
            receipt=c.row.receipt,
            row_number=c.row.row_number,
            paid_at=c.row.paid_at,
            amount=c.row.amount,
            payer_phone=c.row.payer_phone,
            payer_name=c.row.payer_name,
            details=c.row.details,
            status=c.status,
            match_method=c.match_method,
            accountnumber=c.accountnumber,
            ledger_row_id=ledger_for[id(c)].pk if id(c) in ledger_for else None,
            duplicate_of_id=c.duplicate_of_id,
            note=(c.note or c.row.ignore_reason)[:255],
            resolved_by_id=getattr(by, "pk", None) if c.status == ImportedPayment.Status.POSTED else None,
            resolved_at=now if c.status == ImportedPayment.Status.POSTED else None,
        )
    # A receipt repeated in the file points at its first row, which must have its key first.
    repeats = [c for c in classified if c.duplicate_of_row is not None]
    history_bulk_create(
        ImportedPayment, [payments[id(c)] for c in classified if c.duplicate_of_row is None], by=by, reason=reason
    )
    for c in repeats:
        payments[id(c)].duplicate_of_id = payments[id(c.duplicate_of_row)].pk
    history_bulk_create(ImportedPayment, [payments[id(c)] for c in repeats], by=by, reason=reason)
    payments_posted_on_commit(entry_ids=[row.pk for row in ledger_rows], source=str(source), by=by)
    balances_changed_on_commit(accountnumbers=accounts, by=by)
    return classified, [payments[id(c)] for c in classified]


def _once(record, attempts=3):
    """Run ``record`` (a _payment_rows_record call) again when another transaction recorded one of its receipts
    at the same moment: the unique constraint on (provider, receipt) stops it, and the next classification sees
    the other's rows (those rows are then duplicates). A unique key, not a check-then-insert."""
    for attempt in range(attempts):
        try:
            return record()
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _payment_rows_post(*, payment_import, rows, by):
    # The import's row lock: two postings of one import (a confirm and a stale-claim retry) run one after the other,
    # and the second finds it posted.
    if PaymentImport.objects.select_for_update().values_list("status", flat=True).get(pk=payment_import.pk) == (
        PaymentImport.Status.POSTED
    ):
        raise PaymentImportStateError([(None, "This statement has already been posted.")])
    classified, _ = _payment_rows_record(
        rows=rows,
        provider=payment_import.provider,
        by=by,
        reason=f"{payment_import.get_provider_display()} import #{payment_import.pk} ({payment_import.filename})",
        source=ImportedPayment.Source.STATEMENT,
        payment_import=payment_import,
    )
    counts = {status: 0 for status in ImportedPayment.Status.values}
    for c in classified:
        counts[c.status] += 1
    payment_import.status = PaymentImport.Status.POSTED
    payment_import.confirmed_by = by
    payment_import.confirmed_at = timezone.now()
    payment_import.row_count = len(classified)
    payment_import.posted_count = counts["posted"]
    payment_import.unmatched_count = counts["unmatched"]
    payment_import.duplicate_count = counts["duplicate"]
    payment_import.ignored_count = counts["ignored"]
    history_save(payment_import, by=by, reason=f"Posted {counts['posted']} payments")
    return counts


def payment_rows_post(*, payment_import, rows, by, attempts=3):
    """Post a statement's rows all or nothing: matched rows become ledger payments at the tariff in force at
    their time, the others are kept with their fate. If another import or the intake posts the same receipts at
    the same moment, the unique constraint stops this one and it is classified again (those rows are then
    duplicates). The posted rows are announced (billing.signals.payments_posted) after the commit."""
    return _once(lambda: _payment_rows_post(payment_import=payment_import, rows=rows, by=by), attempts)


@transaction.atomic
def payment_import_create(*, provider, filename, content, by, store=True):
    """Record an uploaded statement for preview; the caller has already read it (statement_read)."""
    import hashlib

    from django.core.files.base import ContentFile

    payment_import = PaymentImport(
        provider=provider, filename=filename[:255], sha256=hashlib.sha256(content).hexdigest(), uploaded_by=by
    )
    if store:
        payment_import.statement.save(f"{payment_import.sha256[:16]}-{filename[-60:]}", ContentFile(content), save=False)
    history_save(payment_import, by=by, reason="Statement uploaded")
    return payment_import


class PaymentImportStateError(StatementError):
    """The import is not in the state the action needs (already being posted, or already posted)."""


def _posting_stale_after():
    return timedelta(minutes=getattr(settings, "CC_PAYMENT_IMPORT_POSTING_MINUTES", 30))


def payment_import_posting_start(*, payment_import, by):
    """Claim a previewed import for posting: the one transition preview → posting, a conditional UPDATE, so that
    of two confirms at the same moment exactly one wins and the other is told why (PaymentImportStateError).

    A claim older than CC_PAYMENT_IMPORT_POSTING_MINUTES whose posting never finished (the worker died: the posting
    rolled back, the claim stayed) may be taken again; the posting itself locks the import and refuses to run twice."""
    now = timezone.now()
    with transaction.atomic():
        history_baseline(PaymentImport.objects.filter(pk=payment_import.pk))  # before the UPDATE replaces the state
        claimed = (
            PaymentImport.objects.filter(pk=payment_import.pk)
            .filter(
                Q(status=PaymentImport.Status.PREVIEW)
                | Q(status=PaymentImport.Status.POSTING, confirmed_at__lt=now - _posting_stale_after())
            )
            .update(status=PaymentImport.Status.POSTING, confirmed_by=by, confirmed_at=now)
        )
        payment_import.refresh_from_db()
        if not claimed:
            raise PaymentImportStateError([(None, payment_import_refusal(payment_import))])
        history_save(payment_import, by=by, reason="Confirmed: posting started", after_update=True)
    return payment_import


def payment_import_refusal(payment_import):
    """Why a statement cannot be confirmed now (it is being posted, or was posted), in words."""
    if payment_import.status == PaymentImport.Status.POSTING:
        who = payment_import.confirmed_by or "the system"
        when = timezone.localtime(payment_import.confirmed_at).strftime("%H:%M")
        return f"This statement is already being posted (confirmed by {who} at {when}); reload the page for the result."
    return "This statement has already been posted."


def payment_import_post(*, payment_import, by):
    """Post an import claimed by payment_import_posting_start (re-read from storage, re-classified against the
    database as it is now). If it cannot be posted, the claim is released (posting → preview) with the reason."""
    claimed_at = payment_import.confirmed_at
    try:
        try:
            with payment_import.statement.open("rb") as handle:
                content = handle.read()
        except (ValueError, OSError):  # no file recorded, or the stored file is gone
            raise StatementError([(None, "The uploaded statement file is no longer stored; upload it again.")]) from None
        rows = statement_read(content=content, filename=payment_import.filename, provider=payment_import.provider)
        return payment_rows_post(payment_import=payment_import, rows=rows, by=by)
    except PaymentImportStateError:
        raise
    except BaseException as exc:
        _posting_release(payment_import=payment_import, claimed_at=claimed_at, by=by, error=exc)
        raise


@transaction.atomic
def _posting_release(*, payment_import, claimed_at, by, error):
    history_baseline(PaymentImport.objects.filter(pk=payment_import.pk))
    released = PaymentImport.objects.filter(
        pk=payment_import.pk, status=PaymentImport.Status.POSTING, confirmed_at=claimed_at
    ).update(status=PaymentImport.Status.PREVIEW, confirmed_by=None, confirmed_at=None)
    if released:
        payment_import.refresh_from_db()
        detail = "; ".join(m for _, m in error.errors[:2]) if isinstance(error, StatementError) else type(error).__name__
        history_save(payment_import, by=by, reason=f"Not posted: {detail}"[:200], after_update=True)


def payment_import_confirm(*, payment_import, by):
    """Confirm a previewed statement: claim it (the second of two confirms is refused) and post it."""
    payment_import = payment_import_posting_start(payment_import=payment_import, by=by)
    return payment_import_post(payment_import=payment_import, by=by)


def _payment_to_decide(payment):
    """``payment`` locked and read afresh; refused unless it still waits on the unmatched queue."""
    payment = ImportedPayment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != ImportedPayment.Status.UNMATCHED:
        raise ValidationError({"payment": f"This payment is {payment.get_status_display().lower()}, not waiting."})
    return payment


def _payment_decided(payment, *, status, by, reason):
    """Take ``payment`` off the unmatched queue as ``status``, saying who and why (its note and its history)."""
    payment.status = status
    payment.resolved_by = by
    payment.resolved_at = timezone.now()
    payment.note = reason[:255]
    history_save(payment, by=by, reason=reason)
    return payment


@transaction.atomic
def imported_payment_assign(*, payment, accountnumber, by, reason=""):
    """Post an unmatched payment to the account a person chose, at the tariff in force at its time."""
    from ccportal.normalize import NormalisationError, account_number_normalise
    from customers.models import AccountNumber

    payment = _payment_to_decide(payment)
    try:
        accountnumber = account_number_normalise(accountnumber)
    except NormalisationError as exc:
        raise ValidationError({"accountnumber": str(exc)}) from None
    if not AccountNumber.objects.filter(pk=accountnumber).exists():
        raise ValidationError({"accountnumber": f"There is no account {accountnumber}."})
    why = (reason or "").strip() or f"Assigned unmatched {payment.get_provider_display()} receipt {payment.receipt}"
    payment.ledger_row = ledger_entry_create(
        accountnumber=accountnumber,
        when=payment.paid_at,
        is_payment=True,
        amount=payment.amount,
        by=by,
        reason=why,
        source="unmatched",
    )
    payment.accountnumber = accountnumber
    payment.match_method = ImportedPayment.Match.MANUAL
    return _payment_decided(payment, status=ImportedPayment.Status.POSTED, by=by, reason=why)


@transaction.atomic
def imported_payment_dismiss(*, payment, by, reason):
    """Take an unmatched payment off the queue without posting it (e.g. not for electricity), saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this payment is dismissed."})
    payment = _payment_to_decide(payment)
    return _payment_decided(payment, status=ImportedPayment.Status.DISMISSED, by=by, reason=reason)
