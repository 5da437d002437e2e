import logging

from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"

    def ready(self):
        # WeasyPrint logs every rendering step at INFO; only its warnings are worth a line in the log.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
