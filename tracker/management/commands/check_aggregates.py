"""Recount the maintained status counts and report any drift (see tracker.models.aggregates)."""

from django.core.management.base import BaseCommand, CommandError

from tracker.backup import snapshot
from tracker.models import aggregates


class Command(BaseCommand):
    help = (
        "Recount the status counts the dashboard and the index pages read (maintained by triggers in "
        "the same transaction as every change) and compare them with what is kept. Exits with an error "
        "listing every difference if they drift apart; --rebuild replaces them with the recount."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="Replace the maintained counts with a recount after reporting."
        )

    def handle(self, *args, rebuild, **options):
        with snapshot():  # one consistent view of a database in use
            differences = aggregates.drift()
        for table, key, held, counted in differences:
            self.stdout.write(f"{table} {key}: kept {held}, recounted {counted}")
        if rebuild:
            counts, actors = aggregates.rebuild()
            self.stdout.write(f"Rebuilt {counts} status counts and {actors} actors' report counts.")
            return
        if differences:
            raise CommandError(
                f"{len(differences)} maintained counts differ from a recount. Run `manage.py check_aggregates "
                "--rebuild` to replace them, and report how they drifted (a write path the triggers miss)."
            )
        self.stdout.write("The maintained status counts agree with a recount.")
