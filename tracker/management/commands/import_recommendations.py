"""Import recommendations from a CSV or XLSX file with the public export's columns."""

from django.core.management.base import BaseCommand, CommandError

from tracker import importing
from tracker.models import User


class Command(BaseCommand):
    help = (
        "Import recommendations (upsert by code) with their themes, actors, objectives and status from a "
        "CSV or XLSX file in the columns of the public CSV export. Any invalid row rejects the whole file; "
        "--dry-run reports what would change without writing anything."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv (UTF-8; comma, semicolon or tab separated) or .xlsx file.")
        parser.add_argument("--dry-run", action="store_true", help="Validate and count; write nothing.")
        parser.add_argument(
            "--user", required=True, help="Username of the secretariat member the changes are recorded for."
        )

    def handle(self, *args, file, dry_run, user, **options):
        try:
            importer = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {user!r}.") from None
        # The admin import reads the file with the same function (importing.read_dataset).
        try:
            report = importing.import_file(file, user=importer, dry_run=dry_run)
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except OSError as exc:
            raise CommandError(f"Could not read {file}: {exc.strerror or exc}") from None
        if report.rejected:
            importing.log_rejection(importer, file, report)
            raise CommandError(
                "The file was rejected; nothing was written.\n" + "\n".join(f"  {line}" for line in report.errors)
            )
        self.stdout.write(self.style.SUCCESS(report.summary()))
