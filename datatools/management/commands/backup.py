"""manage.py backup OUTPUT.tar.gz: every table and the private files in one archive."""

from django.core.management.base import BaseCommand

from datatools.backup import backup_create


class Command(BaseCommand):
    help = "Back up the database (portable JSON dump) and the private files (contracts, uploads) to a .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument("output", help="path of the archive to write, e.g. backups/cc-2026-11-25.tar.gz")

    def handle(self, *args, output, **options):
        manifest = backup_create(output=output)
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}: {manifest['objects']:,} records, {len(manifest['files'])} files."))
