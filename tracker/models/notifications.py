"""E-mails the tracker owes someone, kept as rows (an outbox) until they are sent.

A notice is written in the same transaction as the decision it reports (a submission, an
approval, a return), so a decision is never made without its e-mail, and an e-mail is never sent
for a decision that rolled back. Sending happens afterwards, in a background task
(`tracker.notifications.tasks`); a failure leaves the row `failed` with its error and number of
attempts, visible to staff in the admin, and the task tries again later.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .clean_fields import CleanCharField, CleanTextField


class EmailNotice(models.Model):
    """One e-mail: who it goes to, what it says, whether it has gone."""

    class Event(models.TextChoices):
        SUBMITTED = "submitted", _("Update submitted for review")
        APPROVED = "approved", _("Update approved")
        RETURNED = "returned", _("Update returned for revision")
        REMINDER = "reminder", _("Reporting cycle reminder")
        DIGEST = "digest", _("Digest for a follower")
        CONFIRM_FOLLOW = "confirm_follow", _("Confirmation of a follow request")
        WEBHOOK_DISABLED = "webhook_disabled", _("Webhook endpoint disabled")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed; will be retried")
        GAVE_UP = "gave_up", _("Failed; no more attempts")

    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    update = models.ForeignKey(
        "tracker.ProgressUpdate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("progress update"),
    )
    recipients = CleanTextField(_("recipients"), help_text=_("E-mail addresses, one per line."))
    subject = CleanCharField(_("subject"), max_length=300)
    body = CleanTextField(_("body"))
    headers = models.JSONField(
        _("extra headers"), default=dict, blank=True, help_text=_("Such as List-Unsubscribe, as {name: value}.")
    )
    key = models.CharField(
        _("key"),
        max_length=200,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Names what this e-mail is about, so the same reminder or digest is never written twice."),
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = CleanTextField(_("last error"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("e-mail notice")
        verbose_name_plural = _("e-mail notices")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "sent", "failed", "gave_up"]),
                name="%(app_label)s_%(class)s_state_valid",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="notice_state_idx")]

    def __str__(self):
        return f"{self.get_event_display()}: {self.subject}"

    @property
    def recipient_list(self):
        """The recipients as a list of addresses."""
        return [line for line in self.recipients.splitlines() if line.strip()]
