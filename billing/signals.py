"""Signals billing sends; other apps connect receivers (billing imports none of them)."""

import django.dispatch

# Sent after the commit that posted payment rows to the ledger, with entry_ids (the tblaccounthistory1 primary
# keys of the posted payment rows), source ("statement", "intake", "unmatched" or "manual") and by (the Employee
# or None).
payments_posted = django.dispatch.Signal()
