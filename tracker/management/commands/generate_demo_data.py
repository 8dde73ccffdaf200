"""Fill the database with synthetic demo data at scale, for load tests and the benchmark.

python manage.py generate_demo_data --recommendations 100000 --updates 1000000 --seed 1
"""

import time

from django.core.management.base import BaseCommand, CommandError

from tracker import demo


class Command(BaseCommand):
    help = (
        "Replace the demo data (processes and forums with slugs starting demo-, recommendations with codes "
        "starting DEMO-) with a fresh synthetic set, identical for the same seed. Refuses a database that "
        "holds other recommendations unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--recommendations", type=int, default=100_000, help="How many recommendations.")
        parser.add_argument("--updates", type=int, default=1_000_000, help="How many approved progress updates.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed gives the same rows.")
        parser.add_argument(
            "--force", action="store_true", help="Add demo data even if the database holds real recommendations."
        )

    def handle(self, *args, recommendations, updates, seed, force, **options):
        if recommendations < 1 or updates < 0:
            raise CommandError("--recommendations must be at least 1 and --updates at least 0.")
        started = time.monotonic()
        progress = demo.stderr_progress if options["verbosity"] > 0 else None
        try:
            counts = demo.generate(recommendations, updates, seed, force=force, progress=progress)
        except demo.NonDemoData as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] > 0:
            self.stdout.write(
                f"Generated {counts['recommendations']:,} recommendations and {counts['updates']:,} progress "
                f"updates (seed {seed}) in {time.monotonic() - started:.1f} s."
            )
