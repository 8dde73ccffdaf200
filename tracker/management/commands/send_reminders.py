"""Close overdue reporting cycles and e-mail the reminders due today (tracker.reminders); run
once a day from cron (README, "Running in production")."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tracker.reminders import send_reminders


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--today must be a date as YYYY-MM-DD, not {value!r}") from error


class Command(BaseCommand):
    help = (
        "Close the open reporting cycles whose deadline + close_after_days has passed, then write one "
        "reminder per asked actor with pairs still missing (not yet reported or returned) to its focal "
        "points, at the offsets of TRACKER_REMINDER_OFFSETS (only the latest one due, never the same one "
        "twice). The e-mails are sent by the background tasks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print what would be done; write nothing.")
        parser.add_argument("--today", type=_date, help="The date to act as of (YYYY-MM-DD); default: today.")

    def handle(self, *args, dry_run=False, today=None, **options):
        today = today or timezone.localdate()
        closed, reminders = send_reminders(today, dry_run=dry_run)
        for cycle in closed:
            done = "Would close" if dry_run else "Closed"
            self.stdout.write(f"{done} cycle {cycle.slug} (deadline {cycle.deadline})")
        for reminder in reminders:
            self.stdout.write(
                f"{'Would send' if dry_run else 'Sent'} {reminder.key}: {len(reminder.items)} missing, "
                f"to {', '.join(reminder.recipients)}"
            )
        if dry_run:
            self.stdout.write(
                f"Dry run, nothing written: {len(reminders)} reminder(s) and {len(closed)} closing(s) would be done."
            )
        else:
            self.stdout.write(f"{len(reminders)} reminder(s) written, {len(closed)} cycle(s) closed.")
