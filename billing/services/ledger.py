"""The ledger: one entry created, changed or deleted at a time, with the balances after it carried forward."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from billing.models import AccountHistory
from billing.selectors import tariff_rate_for
from billing.signals import balances_changed_on_commit, payments_posted_on_commit
from ccportal import bounds
from ccportal.batches import IN_LIST_SIZE, chunks
from ccportal.history import history_delete, history_save
from ccportal.units import energy, kwh_for_amount, money, rate


def _balance_before(accountnumber, when, exclude_id=None):
    rows = AccountHistory.objects.filter(accountnumber=accountnumber, transaction_date__lt=when)
    if exclude_id:
        rows = rows.exclude(id=exclude_id)
    latest = rows.order_by("-transaction_date", "-id").values_list("current_balance", flat=True).first()
    return latest if latest is not None else Decimal("0.000")


def ledger_balances_recompute(*, accountnumber, since):
    """Carry `current balance` forward over the rows at or after ``since`` (after a back-dated change).

    Balances are derived values, so this writes them without history rows of their own."""
    balance = _balance_before(accountnumber, since)
    changed = []
    for row in AccountHistory.objects.filter(accountnumber=accountnumber, transaction_date__gte=since).order_by(
        "transaction_date", "id"
    ):
        balance = energy(balance + row.kwh_value)
        if row.current_balance != balance:
            row.current_balance = balance
            changed.append(row)
    AccountHistory.objects.bulk_update(changed, ["current_balance"], batch_size=500)
    return balance


def _entry_values(*, accountnumber, when, is_payment, amount, kwh, rate_lsl):
    """Fill in what was not given: the rate from the tariff in force at ``when``; a payment's kWh from its
    amount (amount ÷ rate); a consumption row's amount from its kWh (kWh × rate). Consumption is stored
    with negative kWh and amount so that the balance is the running sum of `kwh value`. Values outside
    ccportal.bounds (given or derived) raise ValidationError naming the field."""
    _bounded("when", bounds.moment_check, when, label="The date and time", within=bounds.EVENT)
    try:
        if rate_lsl not in (None, ""):
            rate_lsl = rate(rate_lsl)
        else:
            rate_lsl = rate(tariff_rate_for(account=accountnumber, on=when).rate_lsl)
        _bounded("rate", bounds.number_check, rate_lsl, label="The rate", within=bounds.RATE)
        if is_payment:
            amount = money(amount)
            kwh = energy(kwh) if kwh not in (None, "") else kwh_for_amount(amount, rate_lsl)
        else:
            kwh = -abs(energy(kwh))
            amount = money(amount) if amount not in (None, "") else money(kwh * rate_lsl)
            amount = -abs(amount)
    except ValueError as exc:
        raise ValidationError({"amount": [f"{exc}."]}) from None
    _bounded("amount", bounds.number_check, amount, label="The amount", within=bounds.MONEY_SIGNED)
    _bounded("kwh", bounds.number_check, kwh, label="The kWh", within=bounds.KWH_SIGNED)
    return amount, kwh, rate_lsl


def _bounded(field, check, value, **kwargs):
    """Run a ccportal.bounds check; its refusal becomes the ValidationError of ``field``."""
    try:
        check(value, **kwargs)
    except bounds.BoundsError as error:
        raise bounds.as_validation_error(error, field) from None


@transaction.atomic
def ledger_entry_create(
    *, accountnumber, when, is_payment, by, reason, amount=None, kwh=None, rate_lsl=None, meterid="", source="manual"
):
    """Add a payment (amount given) or a consumption row (kWh consumed given) to the ledger. A payment is
    announced (billing.signals.payments_posted, with ``source``) once the transaction commits."""
    _lock_accounts([accountnumber])
    amount, kwh, rate_lsl = _entry_values(
        accountnumber=accountnumber, when=when, is_payment=is_payment, amount=amount, kwh=kwh, rate_lsl=rate_lsl
    )
    if not meterid:
        from customers.models import AccountNumber

        meterid = AccountNumber.objects.filter(accountnumber=accountnumber).values_list("meter_id", flat=True).first() or ""
    entry = AccountHistory(
        accountnumber=accountnumber,
        meterid=meterid,
        transaction_date=when,
        transaction_amount=amount,
        rate_used=rate_lsl,
        kwh_value=kwh,
        payment=is_payment,
        current_balance=energy(_balance_before(accountnumber, when) + kwh),
    )
    history_save(entry, by=by, reason=reason)
    ledger_balances_recompute(accountnumber=accountnumber, since=when)
    entry.refresh_from_db()
    if is_payment:
        payments_posted_on_commit(entry_ids=[entry.pk], source=source, by=by)
    balances_changed_on_commit(accountnumbers=[accountnumber], by=by)
    return entry


@transaction.atomic
def ledger_entry_update(*, entry, by, reason, when, is_payment, amount=None, kwh=None, rate_lsl=None):
    """Change a ledger row; balances after the earlier of its old and new dates are carried forward again."""
    _lock_accounts([entry.accountnumber])
    entry = AccountHistory.objects.select_for_update().get(pk=entry.pk)
    since = min(entry.transaction_date, when)
    amount, kwh, rate_lsl = _entry_values(
        accountnumber=entry.accountnumber, when=when, is_payment=is_payment, amount=amount, kwh=kwh, rate_lsl=rate_lsl
    )
    entry.transaction_date = when
    entry.payment = is_payment
    entry.transaction_amount = amount
    entry.kwh_value = kwh
    entry.rate_used = rate_lsl
    history_save(entry, by=by, reason=reason)
    ledger_balances_recompute(accountnumber=entry.accountnumber, since=since)
    entry.refresh_from_db()
    balances_changed_on_commit(accountnumbers=[entry.accountnumber], by=by)
    return entry


@transaction.atomic
def ledger_entry_delete(*, entry, by, reason):
    accountnumber, since = entry.accountnumber, entry.transaction_date
    _lock_accounts([accountnumber])
    history_delete(entry, by=by, reason=reason)
    ledger_balances_recompute(accountnumber=accountnumber, since=since)
    balances_changed_on_commit(accountnumbers=[accountnumber], by=by)


def _lock_accounts(accountnumbers):
    """Row-lock the accounts being posted to (in a fixed order, so two imports never deadlock) so that imports
    and single ledger entries on the same account carry balances forward one after the other (the import's
    balance shift counts on every new row of a locked account being its own). Returns {account: meter ID}."""
    from customers.models import AccountNumber

    meters = {}
    for chunk in chunks(sorted(accountnumbers), IN_LIST_SIZE):
        meters.update(AccountNumber.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk", "meter_id"))
    return {a: m or "" for a, m in meters.items()}
