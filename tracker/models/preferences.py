"""A staff user's preferences that the user model does not hold: for now the language of the
e-mails the tracker sends them (review notices, reporting-cycle reminders, webhook notices).

One row per user at most, written when they first sign in: the language of the admin they
signed in to (`/fr/admin/` is French, `/admin/` English) is recorded, and recorded again at each
later sign-in, unless the user or an administrator chose the language in the user's form
(`chosen`), which later sign-ins then keep. A user without a row gets English e-mails
(settings.LANGUAGE_CODE). Readers fetch the language with the recipients, in the same query
(`values("email", "preference__language")`), never one query per recipient.

The table's name starts with "tracker_user", so, like the users', its changes do not move the data
version (`tracker.models.version.UNTRACKED_PREFIXES`): a sign-in does not empty the response cache.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import models
from django.utils.translation import gettext_lazy as _


def recorded_language(code):
    """`code` (a Django language code, or None) if it is one of settings.LANGUAGES, else the
    site's (settings.LANGUAGE_CODE, English): the language an e-mail to someone is written in."""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class StaffPreference(models.Model):
    """The e-mail language of one staff user: `language` (a code of settings.LANGUAGES) and
    whether it was `chosen` (by the user or an administrator) rather than taken from a sign-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="preference",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language of e-mails"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    chosen = models.BooleanField(
        _("chosen"),
        default=False,
        help_text=_("Chosen by the user or an administrator: signing in in another language does not change it."),
    )

    class Meta:
        db_table = "tracker_user_preference"  # "tracker_user" is untracked (models/version.py)
        verbose_name = _("staff preference")
        verbose_name_plural = _("staff preferences")

    def __str__(self):
        return f"{self.user_id}: {self.language}"


def choose_language(user, language):
    """Record `language` (a code of settings.LANGUAGES) as `user`'s chosen e-mail language, kept on
    later sign-ins; with `language` "" or None, forget the choice (the next sign-in records its
    language again; until then the recorded one stays). Returns the StaffPreference, or None when
    there was none to forget."""
    if language:
        preference, _created = StaffPreference.objects.update_or_create(
            user=user, defaults={"language": language, "chosen": True}
        )
        return preference
    StaffPreference.objects.filter(user=user).update(chosen=False)
    return None


def record_sign_in_language(sender, request, user, **kwargs):
    """`user_logged_in` receiver: record the language of the page `user` signed in on
    (`request.LANGUAGE_CODE`, set by LocaleMiddleware from the address: `/fr/admin/login/` is
    "fr", `/admin/login/` "en") as their e-mail language, unless they chose one. A sign-in with no
    such request (the test client's `force_login`, a script) records nothing. One query when the
    row exists and was not chosen, two otherwise."""
    language = getattr(request, "LANGUAGE_CODE", None)
    if language not in dict(settings.LANGUAGES) or user.pk is None:
        return
    if not StaffPreference.objects.filter(user=user, chosen=False).update(language=language):
        StaffPreference.objects.get_or_create(user=user, defaults={"language": language})


def connect():
    """Connect the sign-in receiver (once: it has a dispatch_uid)."""
    user_logged_in.connect(record_sign_in_language, dispatch_uid="tracker-staff-sign-in-language")
