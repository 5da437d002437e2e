"""`manage.py ledger_rollup [--check]`: rebuild the report rollups (ccportal.rollup) from their tables, or compare."""

from django.core.management.base import BaseCommand, CommandError

from ccportal.rollup import ROLLUPS, rollups_differences, rollups_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the rollups the reports read (cc_ledger_month, cc_ledger_account_quarter, cc_customer_tally, "
        "cc_reading_hour) from tblaccounthistory1, tblcustomer and tblmeterdata1. Needed only after those tables "
        "were written outside the portal (SQL, Access); --check compares without writing and exits 1 on a difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="compare the rollups with their tables; write nothing")

    def handle(self, *args, check=False, **options):
        if check:
            differences = rollups_differences()
            for name, found in differences.items():
                for key, have, want in found[:50]:
                    self.stdout.write(f"{name} {key}: rollup {have}, table {want}")
            if differences:
                count = sum(len(found) for found in differences.values())
                raise CommandError(f"{count} rollup cells differ from their tables; run `manage.py ledger_rollup`.")
            self.stdout.write("The rollups equal their tables.")
            return
        rollups_rebuild()
        for rollup in ROLLUPS:
            self.stdout.write(f"Rebuilt {rollup.target._meta.db_table}: {rollup.target.objects.count()} cells.")
