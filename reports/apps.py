from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from reports.rollup import READING_ROLLUP

        READING_ROLLUP.connect()
