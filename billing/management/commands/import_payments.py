"""`manage.py import_payments FILE --provider mpesa|ecocash [--dry-run]`: the page's import, from a shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from billing.models import Provider
from billing.selectors import payment_outcome_counts, payment_rows_classify
from billing.services import payment_import_create, payment_rows_post
from billing.statements import StatementError, statement_read


class Command(BaseCommand):
    help = "Import an M-Pesa or EcoCash statement (CSV or XLSX): post matched payments, queue the unmatched."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--provider", required=True, choices=Provider.values)
        parser.add_argument("--dry-run", action="store_true", help="Show what would happen; write nothing.")

    def handle(self, *args, file, provider, dry_run, **options):
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        try:
            rows = statement_read(content=content, filename=path.name, provider=provider)
        except StatementError as exc:
            for number, message in exc.errors:
                self.stderr.write(f"row {number}: {message}" if number else message)
            raise CommandError("Nothing was imported.") from None
        if dry_run:
            counts = payment_outcome_counts(payment_rows_classify(rows=rows, provider=provider))
            self.stdout.write("Dry run, nothing written. " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
            return
        with transaction.atomic():
            payment_import = payment_import_create(provider=provider, filename=path.name, content=content, by=None, store=False)
            counts = payment_rows_post(payment_import=payment_import, rows=rows, by=None)
        self.stdout.write(f"Import #{payment_import.pk}: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
