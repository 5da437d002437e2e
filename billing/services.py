"""Every change to the ledger and the tariff schedule: one transaction each, with history (who and why)."""

from decimal import Decimal

from django.db import transaction

from billing.models import AccountHistory
from billing.selectors import tariff_rate_for
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
    with negative kWh and amount so that the balance is the running sum of `kwh value`."""
    rate_lsl = rate(rate_lsl) if rate_lsl not in (None, "") else rate(tariff_rate_for(account=accountnumber, on=when).rate_lsl)
    if is_payment:
        amount = money(amount)
        kwh = energy(kwh) if kwh not in (None, "") else kwh_for_amount(amount, rate_lsl)
    else:
        kwh = -abs(energy(kwh))
        amount = money(amount) if amount not in (None, "") else money(kwh * rate_lsl)
        amount = -abs(amount)
    return amount, kwh, rate_lsl


@transaction.atomic
def ledger_entry_create(*, accountnumber, when, is_payment, by, reason, amount=None, kwh=None, rate_lsl=None, meterid=""):
    """Add a payment (amount given) or a consumption row (kWh consumed given) to the ledger."""
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
    return entry


@transaction.atomic
def ledger_entry_update(*, entry, by, reason, when, is_payment, amount=None, kwh=None, rate_lsl=None):
    """Change a ledger row; balances after the earlier of its old and new dates are carried forward again."""
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
    return entry


@transaction.atomic
def ledger_entry_delete(*, entry, by, reason):
    accountnumber, since = entry.accountnumber, entry.transaction_date
    history_delete(entry, by=by, reason=reason)
    ledger_balances_recompute(accountnumber=accountnumber, since=since)
