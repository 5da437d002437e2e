from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"

    def ready(self):
        from customers.rollup import CUSTOMER_ROLLUP

        CUSTOMER_ROLLUP.connect()
