"""Back up the whole database to one file that `restore_data` restores exactly (see tracker.backup)."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.backup import BackupError, write_backup


class Command(BaseCommand):
    help = (
        "Write every table (users, groups, tracker data, history) to a backup file with the canonical "
        "hash of each table in its manifest. PATH ending in .gz is compressed; an existing directory "
        "gets a file named backup-<UTC time>.json.gz. Existing files are never overwritten."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Backup file to write (.json or .json.gz), or a directory.")

    def handle(self, *args, path, **options):
        target = Path(path)
        if target.is_dir():
            stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
            target = target / f"backup-{stamp}.json.gz"
        try:
            manifest = write_backup(target)
        except BackupError as error:
            raise CommandError(str(error)) from error
        tables = manifest["hashes"]["tables"]
        rows = sum(table["rows"] for table in tables.values())
        self.stdout.write(f"Backed up {rows} rows from {len(tables)} tables to {target}")
        self.stdout.write(f"Total sha256 {manifest['hashes']['total']}")
