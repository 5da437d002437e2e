"""manage.py import_acdb SOURCE [--dry-run]: bring a legacy ACDB across (see datatools.acdb.importer), here and
now in this process (the Sync page queues the same import for a worker), printing its progress as it goes."""

import time

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Employee
from datatools.acdb.runs import import_run_create, import_run_execute
from datatools.models import ImportRun


class Command(BaseCommand):
    help = (
        "Import a legacy ACDB (an .accdb/.mdb path read through the MDBTools ODBC driver, or an ODBC connection "
        "string such as DSN=acdb or DRIVER={ODBC Driver 18 for SQL Server};...) into the portal's tables."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="path to .accdb/.mdb, or an ODBC connection string (DSN=… or DRIVER=…)")
        parser.add_argument("--dry-run", action="store_true", help="do the whole import, report it, then roll it back")
        parser.add_argument("--by", metavar="EMPLOYEE_ID", help="employee recorded in history as the importer")

    def handle(self, *args, source, dry_run, by, **options):
        employee = None
        if by:
            employee = Employee.objects.filter(employee_id=by).first()
            if employee is None:
                raise CommandError(f"no employee {by!r}")
        run = import_run_create(source=source, by=employee, dry_run=dry_run)
        run = import_run_execute(run, source=source, progress=self.progress_printer())
        if run.status != ImportRun.Status.SUCCEEDED:
            raise CommandError(run.message.splitlines()[0] if run.message else run.status)
        from datatools.acdb.importer import REPORT_TABLES

        self.stdout.write(_table(run.counts, REPORT_TABLES))
        for error in run.errors:
            self.stdout.write(f"{error['level']}: {error['table']} {error['row']}: {error['reason']}")
        prefix = "Dry run (nothing saved): " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{run.message} (import run #{run.pk})"))

    def progress_printer(self, every_seconds=2.0):
        """progress(table, rows, done, total) printing a line when the table changes, and every few seconds."""
        last = {"table": None, "at": 0.0}

        def progress(table, rows, done, total):
            if table == last["table"] and time.monotonic() - last["at"] < every_seconds:
                return
            last.update(table=table, at=time.monotonic())
            of_total = f" ({done:,} of {total:,} rows in all)" if total else ""
            self.stderr.write(f"Reading {table}: {rows:,} rows{of_total}")

        return progress


def _table(counts, tables):
    columns = ["read", "new", "updated", "unchanged", "merged", "rejected"]
    width = max(len(t) for t in tables)
    lines = [f"{'table':<{width}} " + " ".join(f"{c:>9}" for c in columns)]
    for table in tables:
        row = counts.get(table, {})
        lines.append(f"{table:<{width}} " + " ".join(f"{row.get(c, 0):>9,}" for c in columns))
    return "\n".join(lines)
