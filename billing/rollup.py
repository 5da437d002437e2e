"""The ledger rollup (`cc_ledger_month`): kept equal to `tblaccounthistory1` summed per site, month and kind.

Every ledger write changes the rollup in the same transaction. Single rows saved or deleted through the ORM
(services, the admin, audit reverts) are covered by the signals connected in `billing.apps`; bulk paths
(payment import, seed_demo, the ACDB import, restore) call `ledger_rollup_add` or `ledger_rollup_rebuild`
themselves. `ledger_rollup_differences` compares the rollup with the ledger (tests and `manage.py ledger_rollup
--check`)."""

from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Right, TruncMonth, Upper
from django.utils import timezone

LEDGER_SITE = Upper(Right("accountnumber", 3))
# Only these fields of a ledger row move the rollup; a save that changes none of them (a balance carried
# forward, a meter id) costs nothing.
ROLLUP_FIELDS = ("accountnumber", "transaction_date", "payment", "kwh_value", "transaction_amount")


def site_of(accountnumber):
    return (accountnumber or "")[-3:].upper()


def month_of(moment):
    """The first day of ``moment``'s month in the current time zone (Africa/Maseru)."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.date().replace(day=1)


def _key(row):
    return (site_of(row.accountnumber), month_of(row.transaction_date), bool(row.payment))


def _zero():
    return [0, Decimal(0), Decimal(0)]


def ledger_rollup_add(rows, *, sign=1):
    """Add (``sign`` 1) or take away (-1) the ledger ``rows`` (objects with the ledger's fields) in the rollup.

    One UPDATE per (site, month, kind) touched, an INSERT for a new one; call it inside the transaction that
    writes the rows."""
    deltas = defaultdict(_zero)
    for row in rows:
        delta = deltas[_key(row)]
        delta[0] += sign
        delta[1] += sign * Decimal(row.kwh_value or 0)
        delta[2] += sign * Decimal(row.transaction_amount or 0)
    for key, delta in deltas.items():
        _apply(key, *delta)


def _apply(key, count, kwh, lsl, model=None):
    from billing.models import LedgerMonth

    model = model or LedgerMonth
    site_code, month, payment = key
    if not (count or kwh or lsl):
        return
    cell = model.objects.filter(site_code=site_code, month=month, payment=payment)
    changes = {"row_count": F("row_count") + count, "kwh": F("kwh") + kwh, "lsl": F("lsl") + lsl}
    if cell.update(**changes):
        return
    try:
        with transaction.atomic():
            model.objects.create(site_code=site_code, month=month, payment=payment, row_count=count, kwh=kwh, lsl=lsl)
    except IntegrityError:
        # Another transaction created the cell between our UPDATE and INSERT: add to it instead.
        cell.update(**changes)


def _ledger_totals(ledger_model):
    rows = (
        ledger_model.objects.annotate(site=LEDGER_SITE, month=TruncMonth("transaction_date"))
        .values("site", "month", "payment")
        .annotate(n=Count("pk"), kwh=Sum("kwh_value"), lsl=Sum("transaction_amount"))
        .order_by()
    )
    totals = defaultdict(_zero)
    for r in rows:
        total = totals[(r["site"] or "", month_of(r["month"]), bool(r["payment"]))]
        total[0] += r["n"]
        total[1] += r["kwh"] or 0
        total[2] += r["lsl"] or 0
    return totals


def ledger_rollup_rebuild(*, ledger_model=None, rollup_model=None):
    """Recompute the whole rollup from the ledger (one GROUP BY). Models may be a migration's historical ones."""
    from billing.models import AccountHistory, LedgerMonth

    ledger_model = ledger_model or AccountHistory
    rollup_model = rollup_model or LedgerMonth
    with transaction.atomic():
        rollup_model.objects.all().delete()
        rollup_model.objects.bulk_create(
            [
                rollup_model(site_code=site, month=month, payment=payment, row_count=n, kwh=kwh, lsl=lsl)
                for (site, month, payment), (n, kwh, lsl) in sorted(_ledger_totals(ledger_model).items())
            ],
            batch_size=500,
        )


def ledger_rollup_differences():
    """[(site, month, payment, rollup (n, kWh, LSL), ledger (n, kWh, LSL))] where the two disagree; [] when equal."""
    from billing.models import AccountHistory, LedgerMonth

    ledger = _ledger_totals(AccountHistory)
    rollup = {
        (r.site_code, r.month, r.payment): [r.row_count, r.kwh, r.lsl]
        for r in LedgerMonth.objects.all()
        if r.row_count or r.kwh or r.lsl
    }
    differences = []
    for key in sorted(set(ledger) | set(rollup)):
        have, want = rollup.get(key, _zero()), ledger.get(key, _zero())
        if [have[0], Decimal(have[1]), Decimal(have[2])] != [want[0], Decimal(want[1]), Decimal(want[2])]:
            differences.append((*key, tuple(have), tuple(want)))
    return differences


# --- signals: single ledger rows saved or deleted through the ORM --------------------------------------------


def _before_save(sender, instance, raw=False, **kwargs):
    instance._rollup_before = None
    if raw or instance.pk is None:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not set(update_fields) & set(ROLLUP_FIELDS):
        return
    instance._rollup_before = sender.objects.filter(pk=instance.pk).only(*ROLLUP_FIELDS).first()


def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_rollup_before", None)
    instance._rollup_before = None
    if created:
        ledger_rollup_add([instance])
        return
    if before is None:  # the save wrote none of the rolled-up fields
        return
    update_fields = kwargs.get("update_fields")
    written = set(ROLLUP_FIELDS) if update_fields is None else set(update_fields) & set(ROLLUP_FIELDS)
    after = SimpleNamespace(**{f: getattr(instance if f in written else before, f) for f in ROLLUP_FIELDS})
    if all(getattr(before, f) == getattr(after, f) for f in ROLLUP_FIELDS):
        return
    ledger_rollup_add([before], sign=-1)
    ledger_rollup_add([after])


def _after_delete(sender, instance, **kwargs):
    ledger_rollup_add([instance], sign=-1)


def connect_signals():
    from django.db.models.signals import post_delete, post_save, pre_save

    from billing.models import AccountHistory

    pre_save.connect(_before_save, sender=AccountHistory, dispatch_uid="ledger_rollup_pre_save")
    post_save.connect(_after_save, sender=AccountHistory, dispatch_uid="ledger_rollup_post_save")
    post_delete.connect(_after_delete, sender=AccountHistory, dispatch_uid="ledger_rollup_post_delete")
