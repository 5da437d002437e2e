from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self):
        from billing.rollup import LEDGER_ACCOUNT_ROLLUP, LEDGER_ROLLUP

        LEDGER_ROLLUP.connect()
        LEDGER_ACCOUNT_ROLLUP.connect()
