"""`manage.py apply_due_tariffs`: mirror the global rate in force into tblconfig.therate (safe from cron)."""

from django.core.management.base import BaseCommand

from billing.services import config_therate_sync


class Command(BaseCommand):
    help = "Set tblconfig.therate to the global tariff in force now. Idempotent: safe to run from cron."

    def handle(self, *args, **options):
        rate_lsl, changed = config_therate_sync(by=None, reason="apply_due_tariffs: global rate in force")
        if rate_lsl is None:
            self.stdout.write("No global rate in the tariff schedule; tblconfig.therate left as it is.")
        elif changed:
            self.stdout.write(f"tblconfig.therate set to {rate_lsl} LSL/kWh.")
        else:
            self.stdout.write(f"tblconfig.therate already {rate_lsl} LSL/kWh; nothing to do.")
