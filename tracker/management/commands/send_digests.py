"""Send the e-mail digests of follows by e-mail and purge unconfirmed follows (tracker.follows)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from tracker import follows


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--today must be a date as YYYY-MM-DD, not {text!r}.") from error


class Command(BaseCommand):
    help = (
        "Queue one digest e-mail per confirmed follow that is due (daily: digested through an earlier day; "
        "weekly: through a day at least 7 days back), listing the matching progress updates approved up to "
        "midnight at the start of today; nothing for a follow with nothing new, and never the same digest "
        "twice. Then delete follows left unconfirmed for 48 hours. Run once a day from cron; the background "
        "worker sends the e-mails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be sent and purged; write nothing."
        )
        parser.add_argument("--today", type=_date, help="Run as on this date (YYYY-MM-DD); default: today.")

    def handle(self, *args, dry_run, today, **options):
        if isinstance(today, str):  # call_command(today="YYYY-MM-DD") skips the parser's conversion
            today = _date(today)
        run = follows.send_digests(today, dry_run=dry_run)
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{run.sent} digest(s) {verb} queued; {run.nothing_new} follow(s) had nothing new; "
            f"{run.gone} follow(s) of a page that is gone were skipped; "
            f"{run.purged} unconfirmed follow(s) {verb} deleted."
        )
