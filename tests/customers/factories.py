"""Helpers for the customers tests: an account with a ledger, built through the factories."""

from decimal import Decimal

from tests.factories import AccountNumberFactory, LedgerRowFactory


def account_with_ledger(accountnumber="0001MAK", rows=(), **customer):
    """An account and its ledger rows: ``rows`` is a list of (when, payment, kwh, amount, balance)."""
    account = AccountNumberFactory(accountnumber=accountnumber, **({"customer__" + k: v for k, v in customer.items()}))
    for when, payment, kwh, amount, balance in rows:
        LedgerRowFactory(
            accountnumber=accountnumber,
            meterid=account.meter_id,
            transaction_date=when,
            payment=payment,
            kwh_value=Decimal(kwh),
            transaction_amount=Decimal(amount),
            current_balance=Decimal(balance),
        )
    return account
