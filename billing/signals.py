"""Signals billing sends after its writes commit, for the apps above it (messaging) to act on; billing never
imports them.

- payments_posted(entry_ids, source, by): payment rows were posted to the ledger. ``entry_ids``: the
  tblaccounthistory1 primary keys of the posted payment rows; ``source``: "statement", "intake", "unmatched"
  or "manual"; ``by``: the Employee or None.
- balances_changed(accountnumbers, by): the kWh balance of these accounts changed (a consumption row, an
  edited or deleted row, a payment), so a low-balance rule may now apply or clear.
"""

from functools import partial

import django.dispatch
from django.db import transaction

payments_posted = django.dispatch.Signal()
balances_changed = django.dispatch.Signal()

PAYMENT_SOURCES = ("statement", "intake", "unmatched", "manual")


def payments_posted_on_commit(*, entry_ids, source, by):
    """Send payments_posted once the current transaction commits (at once outside one)."""
    if source not in PAYMENT_SOURCES:
        raise ValueError(f"{source!r} is not a payment source: use one of {', '.join(PAYMENT_SOURCES)}.")
    entry_ids = list(entry_ids)
    if entry_ids:
        transaction.on_commit(partial(payments_posted.send_robust, sender=None, entry_ids=entry_ids, source=source, by=by))


def balances_changed_on_commit(*, accountnumbers, by):
    accountnumbers = sorted(set(accountnumbers))
    if accountnumbers:
        transaction.on_commit(partial(balances_changed.send_robust, sender=None, accountnumbers=accountnumbers, by=by))
