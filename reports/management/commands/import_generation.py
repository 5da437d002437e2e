"""manage.py import_generation FILE: load daily site generation (site code, date, kWh) from CSV or XLSX."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from customers.models import Site
from reports.generation_import import generation_file_read
from reports.services import site_generation_import


class Command(BaseCommand):
    help = (
        "Import daily site generation from a CSV or XLSX file with the columns site code, date, kWh (and optionally "
        "source). Every row is checked first; any error aborts the import with nothing written. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to a .csv or .xlsx file")
        parser.add_argument("--source", default="", help="label stored with each reading (default: the file name)")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report, write nothing")

    def handle(self, *args, file, source, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        parsed = generation_file_read(path, known_sites=set(Site.objects.values_list("code", flat=True)))
        if parsed.errors:
            for error in parsed.errors[:200]:
                self.stderr.write(error)
            more = len(parsed.errors) - 200
            raise CommandError(
                f"{len(parsed.errors)} row error(s){f' ({more} not shown)' if more > 0 else ''}; nothing was imported."
            )
        if dry_run:
            self.stdout.write(f"{len(parsed.rows)} row(s) are valid; nothing written (--dry-run).")
            return
        result = site_generation_import(
            rows=parsed.rows, source=source or path.name, by=None, reason=f"import_generation {path.name}"
        )
        self.stdout.write(
            self.style.SUCCESS(f"{path.name}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged.")
        )
