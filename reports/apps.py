from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from reports.rollup import CUSTOMER_ROLLUP, READING_ROLLUP

        CUSTOMER_ROLLUP.connect()
        READING_ROLLUP.connect()
