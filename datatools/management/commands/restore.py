"""manage.py restore ARCHIVE.tar.gz: load a backup into an empty, migrated database."""

from django.core.management.base import BaseCommand, CommandError

from customers.models import Customer
from datatools.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into an empty, migrated database (and its private files)."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--force", action="store_true", help="load even if the database already has customers")

    def handle(self, *args, archive, force, **options):
        if Customer.objects.exists() and not force:
            raise CommandError(
                "This database already has customers; restore into an empty one (migrate a new database first) or use --force."
            )
        try:
            manifest = backup_restore(archive_path=archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Restored {manifest['objects']:,} records and {len(manifest['files'])} files from {archive}.")
        )
