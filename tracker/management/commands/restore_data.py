"""Restore a backup written by `backup_data` and prove the content is identical (see tracker.backup)."""

from django.core.management.base import BaseCommand, CommandError

from tracker.backup import BackupError, read_backup, restore


class Command(BaseCommand):
    help = (
        "Load a backup into a freshly migrated database (run `manage.py migrate` first), then hash "
        "every table and compare with the hashes recorded in the backup; on any difference the "
        "restore is rolled back and the command fails. A database that already holds data is "
        "refused unless --force, which replaces all of its data with the backup's."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Backup file written by backup_data (.json or .json.gz).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even if the database holds data: everything in it is replaced by the backup.",
        )

    def handle(self, *args, path, force, **options):
        try:
            manifest, objects, files = read_backup(path)
            hashes, replaced = restore(manifest, objects, force=force, files=files)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if replaced:
            self.stdout.write(self.style.WARNING("Replaced the data that was in: " + ", ".join(replaced)))
        tables = hashes["tables"]
        rows = sum(table["rows"] for table in tables.values())
        self.stdout.write(
            f"Restored {rows} rows in {len(tables)} tables from {path} "
            f"(backed up from {manifest['database_vendor']} at {manifest['created_at']})."
        )
        self.stdout.write(self.style.SUCCESS(f"Every table matches the backup; total sha256 {hashes['total']}"))
