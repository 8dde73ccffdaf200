"""Follows: an e-mail address that asked, without an account, for a digest of the newly approved
progress updates on one page of the site (a recommendation, a forum, a theme, an actor or a
filtered list of recommendations).

A follow stores the address, the followed page (path and query string, normalised by
`tracker.follows.parse_followed_url`), the frequency, the language of the page it was asked from
(its digests are in it) and four times, nothing else about the follower. It is unconfirmed until
the link of the confirmation e-mail is used (double opt-in); unconfirmed follows are deleted 48
hours after they were asked for (`manage.py send_digests`).

`FollowThrottle` counts the confirmation e-mails sent per address and per client address (each
kept only as a keyed hash), so the form cannot be used to mail-bomb anyone.

Neither table is read by a public page or the API: both are outside the data version
(`tracker.models.version.UNTRACKED_PREFIXES`), so a follow does not empty the response cache.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Follow(models.Model):
    """One address following one page: daily or weekly digests once confirmed."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    email = models.EmailField(_("e-mail address"), max_length=254)
    url = models.CharField(
        _("followed page"),
        max_length=2000,
        help_text=_("Path and query string of the followed page on this site, normalised, e.g. /themes/remittances/."),
    )
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the page it was asked from: its digests and their links are in it."),
    )
    created_at = models.DateTimeField(_("asked for at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("last digest sent at"), null=True, blank=True)
    sent_through = models.DateTimeField(
        _("digested through"),
        null=True,
        blank=True,
        help_text=_(
            "High-water mark: updates approved (reviewed_at) up to this time were covered by a digest or had "
            "nothing to report; set to the confirmation time when the follow is confirmed."
        ),
    )

    class Meta:
        db_table = "tracker_follow_subscription"  # "tracker_follow_" is untracked (models/version.py)
        ordering = ["created_at", "id"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["email", "url"], name="follow_email_url_unique"),
            models.CheckConstraint(
                condition=models.Q(frequency__in=["daily", "weekly"]), name="follow_frequency_valid"
            ),
        ]
        indexes = [models.Index(fields=["confirmed_at", "created_at"], name="follow_confirmed_idx")]

    def __str__(self):
        return f"{self.url} ({self.get_frequency_display()})"

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None


class FollowThrottle(models.Model):
    """The times of the latest confirmation e-mails sent for one key: an e-mail address or a
    client address, kept only as a keyed hash (HMAC-SHA-256 with the secret key, 64 hex digits)."""

    key = models.CharField(_("hashed key"), max_length=64, unique=True)
    sent = models.JSONField(_("sent at"), default=list, help_text=_("ISO 8601 times, oldest first, at most 3."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "tracker_follow_throttle"  # "tracker_follow_" is untracked (models/version.py)
        verbose_name = _("follow confirmation count")
        verbose_name_plural = _("follow confirmation counts")

    def __str__(self):
        return self.key[:12]
