"""What messaging does when billing or contracts announce a change (connected in MessagingConfig.ready)."""

import logging

from messaging import services

logger = logging.getLogger("messaging")


def on_payments_posted(sender, *, entry_ids, source, by=None, **kwargs):
    services.receipts_queue(entry_ids=entry_ids, source=source, by=by)


def on_balances_changed(sender, *, accountnumbers, by=None, **kwargs):
    services.low_balance_check(accountnumbers=accountnumbers, by=by)


def on_commissioned(sender, *, commissioning_id, by=None, link_base_url="", **kwargs):
    services.contract_link_queue(commissioning_id=commissioning_id, by=by, link_base_url=link_base_url)
