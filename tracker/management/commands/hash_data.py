"""Print the canonical hash of every table, or compare them with a backup (see tracker.backup)."""

import json

from django.core.management.base import BaseCommand, CommandError

from tracker.backup import BackupError, compare_hashes, read_backup, snapshot, table_hashes


class Command(BaseCommand):
    help = (
        "Print the canonical SHA-256 of every table and of the whole database. The hashes do not "
        "depend on the database engine, so a SQLite and a PostgreSQL database with the same content "
        "print the same lines. --check BACKUP compares them with a backup's manifest instead and "
        "fails if any table differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print the hashes as JSON.")
        parser.add_argument("--check", metavar="BACKUP", help="Compare with the hashes recorded in this backup.")

    def handle(self, *args, as_json, check, **options):
        with snapshot():  # one consistent view of a database in use
            hashes = table_hashes()
        if check:
            try:
                manifest, _objects, _files = read_backup(check)
            except BackupError as error:
                raise CommandError(str(error)) from error
            problems = compare_hashes(manifest["hashes"], hashes)
            if problems:
                raise CommandError("This database differs from the backup:\n  " + "\n  ".join(problems))
            self.stdout.write(self.style.SUCCESS(f"Every table matches {check}; total sha256 {hashes['total']}"))
            return
        if as_json:
            self.stdout.write(json.dumps(hashes, indent=2, sort_keys=True))
            return
        tables = hashes["tables"]
        for table, entry in sorted(tables.items()):
            self.stdout.write(f"{entry['sha256']}  {table} ({entry['rows']} rows)")
        rows = sum(entry["rows"] for entry in tables.values())
        self.stdout.write(f"{hashes['total']}  total ({rows} rows in {len(tables)} tables)")
