"""What messaging does when billing or contracts announce a change (connected in MessagingConfig.ready)."""

import logging

from messaging import services

logger = logging.getLogger("messaging")


# Sources whose request must answer fast: the receipt is queued by the worker (within a second with db_worker; at
# once with the immediate backend of small installs and tests). Statement imports queue theirs in one batch inline.
DEFERRED_RECEIPTS = {"intake"}


def on_payments_posted(sender, *, entry_ids, source, by=None, **kwargs):
    if source in DEFERRED_RECEIPTS:
        from messaging.tasks import receipts_queue

        receipts_queue.enqueue(list(entry_ids), source, getattr(by, "pk", None))
        return
    services.receipts_queue(entry_ids=entry_ids, source=source, by=by)


def on_balances_changed(sender, *, accountnumbers, by=None, **kwargs):
    # Never urgent (quiet hours, a daily limit): checked by the worker, out of the request that wrote the ledger.
    from messaging.tasks import low_balance_check

    low_balance_check.enqueue(list(accountnumbers), getattr(by, "pk", None))


def on_commissioned(sender, *, commissioning_id, by=None, link_base_url="", **kwargs):
    services.contract_link_queue(commissioning_id=commissioning_id, by=by, link_base_url=link_base_url)
