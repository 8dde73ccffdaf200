"""The one status vocabulary used by recommendations, progress updates, pages and the API."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """Implementation status, in display order.

    "No information" is kept apart from "not started" (as the OGP Independent Reporting
    Mechanism does): the first means nobody has reported, the second that someone has and
    nothing has happened yet.
    """

    NO_INFORMATION = "no_information", _("No information")
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    PARTIALLY_IMPLEMENTED = "partially_implemented", _("Partially implemented")
    IMPLEMENTED = "implemented", _("Implemented")
    STALLED = "stalled", _("Stalled")
    SUPERSEDED = "superseded", _("Superseded")

    @classmethod
    def order(cls):
        """Status values in display order (the order of declaration)."""
        return list(cls.values)


# One colour per status, used by the stylesheet classes `status-<value>` and by the admin
# badges. Chosen for at least 4.5:1 contrast with white text (WCAG 2.1 AA).
STATUS_COLOURS = {
    Status.NO_INFORMATION: "#595959",
    Status.NOT_STARTED: "#8a3b12",
    Status.IN_PROGRESS: "#005a9c",
    Status.PARTIALLY_IMPLEMENTED: "#6b4ea0",
    Status.IMPLEMENTED: "#1b6e3a",
    Status.STALLED: "#b00020",
    Status.SUPERSEDED: "#404a57",
}


DEFAULT_NOT_REPORTED_MONTHS = 24


def not_reported_cutoff(on=None):
    """The date before which a recommendation's last report is too old: `on` (a date; today
    when None) minus setting TRACKER_NOT_REPORTED_MONTHS (default 24) calendar months, the day
    clamped to the month's length (29 Feb 2028 - 24 months = 28 Feb 2026); the earliest date
    (`datetime.date.min`, before which nothing lies) when the period reaches back beyond year 1,
    as an as-of date in the first years does (`as_of=0002-01-01`)."""
    import calendar
    import datetime

    from django.conf import settings
    from django.utils import timezone

    on = on or timezone.localdate()
    months = int(getattr(settings, "TRACKER_NOT_REPORTED_MONTHS", DEFAULT_NOT_REPORTED_MONTHS))
    year, month = divmod(on.year * 12 + on.month - 1 - months, 12)
    if year < datetime.MINYEAR:
        return datetime.date.min
    day = min(on.day, calendar.monthrange(year, month + 1)[1])
    return datetime.date(year, month + 1, day)


def not_reported_since(reported_since, on=None):
    """The date a recommendation is flagged "not reported since", or None when it is not flagged.

    `reported_since` is the date its silence counts from (the `reported_since` annotation of
    `RecommendationQuerySet.with_last_update()`: the report date of its latest approved update,
    else its forum's date, else the day it was loaded); it is flagged when that date is before
    `not_reported_cutoff(on)`. A derived flag beside the status, never a change of status."""
    if reported_since is None:
        return None
    return reported_since if reported_since < not_reported_cutoff(on) else None
