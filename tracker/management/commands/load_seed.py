"""Load the seed fixtures into an empty database (what `make run` does on first start)."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tracker.models import Actor, Forum, Process, Recommendation


class Command(BaseCommand):
    help = (
        "Load fixtures/*.json into the database. Refuses a database that already holds data "
        "(the seed would overwrite rows with the same ids) unless --force is given; "
        "--if-empty skips quietly instead."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--force", action="store_true", help="Load even if the database holds data.")
        group.add_argument("--if-empty", action="store_true", help="Do nothing (exit 0) if the database holds data.")

    def handle(self, *args, force, if_empty, **options):
        files = sorted(str(path) for path in (Path(settings.BASE_DIR) / "fixtures").glob("*.json"))
        if not files:
            raise CommandError("No fixtures found in fixtures/.")
        holds_data = any(model.objects.exists() for model in (Recommendation, Forum, Process, Actor))
        if holds_data and not force:
            if if_empty:
                self.stdout.write("The database already holds data; the seed was not loaded.")
                return
            raise CommandError(
                "The database already holds data; loading the seed could overwrite it. "
                "Use --force to load anyway, or --if-empty to skip."
            )
        call_command("loaddata", *files, verbosity=options.get("verbosity", 1))
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(files)} fixture files."))
