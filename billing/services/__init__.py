"""Every change to the ledger and the tariff schedule: one transaction each, with history (who and why).

A module per subject: ledger, tariffs, payments (imports and the unmatched queue), intake (forwarded texts)."""

from billing.services.intake import (  # noqa: F401
    INTAKE_WHO,
    IncomingSmsReplay,
    incoming_sms_dismiss,
    incoming_sms_receive,
    incoming_sms_resolve,
)
from billing.services.ledger import (  # noqa: F401
    _lock_accounts,
    ledger_balances_recompute,
    ledger_entry_create,
    ledger_entry_delete,
    ledger_entry_update,
)
from billing.services.payments import (  # noqa: F401
    PaymentImportStateError,
    _payment_rows_record,
    imported_payment_assign,
    imported_payment_dismiss,
    ledger_payments_bulk_create,
    payment_import_confirm,
    payment_import_create,
    payment_import_post,
    payment_import_posting_start,
    payment_import_refusal,
    payment_rows_post,
)
from billing.services.tariffs import (  # noqa: F401
    config_therate_sync,
    tariff_rate_end,
    tariff_rate_set,
)
