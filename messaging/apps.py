from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "customer messages"

    def ready(self):
        from billing.signals import balances_changed, payments_posted
        from contracts.signals import commissioned
        from messaging import receivers

        payments_posted.connect(receivers.on_payments_posted, dispatch_uid="messaging.receipts")
        balances_changed.connect(receivers.on_balances_changed, dispatch_uid="messaging.low_balance")
        commissioned.connect(receivers.on_commissioned, dispatch_uid="messaging.contract_link")
