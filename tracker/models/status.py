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
