"""`manage.py check_data`: list the stored rows whose dates or numbers lie outside ccportal.bounds.

Every date and moment of the portal's own tables is checked (2000-01-01 up to CC_DATES_YEARS_AHEAD years ahead,
or up to now for the events a model names), and the amounts, rates, kWh and coordinates each model names in its
`plausible_ranges`. The comparison runs in SQL and values are read back as text, so a row the database driver
cannot read (a BC date on PostgreSQL) is listed, not fatal. Exits with status 1 when any row is out of range."""

from django.core.management.base import BaseCommand, CommandError

from ccportal.data_quality import out_of_range_rows


class Command(BaseCommand):
    help = "List rows whose dates or numbers are outside the plausible ranges; exit status 1 if there are any."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=20, help="Keys listed per column (default 20).")

    def handle(self, *args, limit, **options):
        findings = out_of_range_rows(limit=limit)
        total = 0
        for finding in findings:
            total += finding.count
            self.stdout.write(
                f"{finding.table}.{finding.column}: {finding.count} row{'s' if finding.count != 1 else ''} "
                f"out of range (it must be {finding.expected})"
            )
            for key, value in finding.examples:
                self.stdout.write(f"  {finding.key_column}={key}: {value}")
            if finding.count > len(finding.examples):
                self.stdout.write(f"  … and {finding.count - len(finding.examples)} more")
        if total:
            raise CommandError(f"{total} value{'s' if total != 1 else ''} out of range in {len(findings)} column(s).")
        self.stdout.write("Every date and number checked is within its plausible range.")
