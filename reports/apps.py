from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from reports.rollup import READING_ROLLUP, TYPE_MOVES

        READING_ROLLUP.connect()
        TYPE_MOVES.connect()
