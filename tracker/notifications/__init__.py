"""E-mail on every step of a progress update's review.

- submitted → the secretariat's reviewers (every active user of the Secretariat group, and every
  active superuser, with an e-mail address);
- approved, returned (with the reason) → the person who recorded the update (`recorded_by`).

`notify(event, update)` is called by `tracker.services` inside the transaction that makes the
decision: it writes the notice (`tracker.models.EmailNotice`) in that transaction and enqueues its
sending after the commit (`tracker.notifications.tasks.send_notice`), through django-tasks. The
backend is chosen by `TASKS_BACKEND` (see settings): the database backend with `manage.py
db_worker` in production, the immediate backend (in the request, after commit) for `make run` and
the tests.

Each recipient gets the e-mail in their language (`tracker.models.StaffPreference`, English
without one): the recipients are fetched with their languages in one query and grouped
(`by_language`), and each group gets its own notice, composed in that language with links under
its prefix (`/fr/admin/...`).
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tracker import roles
from tracker.models import EmailNotice
from tracker.models.preferences import recorded_language

logger = logging.getLogger(__name__)


def _reviewer_users():
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    return users.filter(Q(groups__name=roles.SECRETARIAT) | Q(is_superuser=True))


def by_language(rows):
    """{language code: sorted addresses}, ordered by code, of `rows`, (address, language) pairs as
    `values_list("email", "preference__language")` gives them: a language None (no preference) or
    not among settings.LANGUAGES is English; an empty address is left out. An address given
    twice (two accounts) with two languages is in one group only, the first language by code."""
    languages = {}
    for address, language in rows:
        if address:
            language = recorded_language(language)
            languages[address] = min(languages.get(address, language), language)
    groups = {}
    for address, language in languages.items():
        groups.setdefault(language, []).append(address)
    return {language: sorted(groups[language]) for language in sorted(groups)}


def reviewers_by_language():
    """The reviewers' addresses grouped by their e-mail language (see `by_language`): one query."""
    return by_language(_reviewer_users().values_list("email", "preference__language"))


def _recipients(event, update):
    """{language: addresses} to tell about `event`: one query (the reviewers, or the reporter)."""
    if event == EmailNotice.Event.SUBMITTED:
        return reviewers_by_language()
    reporter = get_user_model().objects.filter(pk=update.recorded_by_id, is_active=True).exclude(email="")
    return by_language(reporter.values_list("email", "preference__language"))


def _absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def compose(event, update):
    """(subject, body) of the e-mail about `update` for `event`, in the active language (`notify`
    makes it each group of recipients'), its links under that language's prefix."""
    recommendation = update.recommendation
    subjects = {
        EmailNotice.Event.SUBMITTED: _("[Tracker] %(code)s: progress reported by %(actor)s, waiting for review"),
        EmailNotice.Event.APPROVED: _("[Tracker] %(code)s: your progress update was approved"),
        EmailNotice.Event.RETURNED: _("[Tracker] %(code)s: your progress update was returned for revision"),
    }
    context = {
        "event": event,
        "update": update,
        "recommendation": recommendation,
        # Reviewers go to the review page (Approve / Return); the reporter to its update's form.
        "review_url": _absolute(
            reverse(
                "admin:tracker_progressupdate_review"
                if event == EmailNotice.Event.SUBMITTED
                else "admin:tracker_progressupdate_change",
                args=[update.pk],
            )
        ),
        "public_url": _absolute(recommendation.get_absolute_url()),
    }
    subject = subjects[event] % {"code": recommendation.code, "actor": update.actor.name}
    return subject, render_to_string("tracker/email/update_notice.txt", context)


def notify(event, update):
    """Write the notices of `event` ("submitted", "approved", "returned") about `update` in the
    current transaction and send them after the commit: one per language of the recipients, in
    that language, whichever language the admin page that made the decision was in. Returns the
    EmailNotices, by language code; an empty list when nobody is to be told (no reviewer or
    reporter with an e-mail address)."""
    groups = _recipients(event, update)
    if not groups:
        logger.info("No one to e-mail about %s update %s", event, update.pk)
        return []
    notices = []
    for language, recipients in groups.items():
        with translation.override(language):
            subject, body = compose(event, update)
        notice = EmailNotice.objects.create(
            event=event, update=update, recipients="\n".join(recipients), subject=subject, body=body
        )
        transaction.on_commit(lambda pk=notice.pk: _enqueue(pk))
        notices.append(notice)
    return notices


def queue_email(event, recipients, subject, body, *, headers=None, key=None, update=None):
    """Write an e-mail notice (an EmailNotice of `event`, to the addresses in `recipients`) in the
    current transaction and send it after the commit, by the background task with its retries.

    `key` (a string up to 200 characters) names what the e-mail is about, e.g.
    "reminder:<cycle>:<actor>:-14": a notice with the same key is never written twice, so a
    command run twice sends once. `headers` ({name: value}) are added to the message
    (List-Unsubscribe). Returns the new EmailNotice, or None when there is no recipient or the
    key was used already."""
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return None
    if key is not None and EmailNotice.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            notice = EmailNotice.objects.create(
                event=event,
                update=update,
                recipients="\n".join(recipients),
                subject=subject,
                body=body,
                headers=headers or {},
                key=key,
            )
    except IntegrityError:  # the same key, written by a concurrent run a moment ago
        return None
    transaction.on_commit(lambda: _enqueue(notice.pk))
    return notice


def queue_by_language(event, groups, compose_in, *, key=None):
    """Queue one e-mail per language group (`queue_email`): `groups` is {language code: addresses}
    (as `by_language` gives it) and `compose_in()` gives the (subject, body) of the e-mail,
    called once per group with that language active (links reversed in it are under its prefix).

    The groups are written together (one savepoint) and keyed by `key` with the language after
    the first group's: the first group (by code) gets `key` itself, so a caller tests "was it
    sent?" with `key` alone, the others `<key>:<language>`. Returns the new EmailNotices, an
    empty list when there is no recipient or `key` was used already."""
    notices = []
    with transaction.atomic():
        for index, (language, recipients) in enumerate(groups.items()):
            with translation.override(language):
                subject, body = compose_in()
            group_key = key if key is None or index == 0 else f"{key}:{language}"
            notice = queue_email(event, recipients, subject, body, key=group_key)
            if notice is None and index == 0 and key is not None:
                return []  # sent already (or being sent by a concurrent run)
            if notice is not None:
                notices.append(notice)
    return notices


def _enqueue(notice_id):
    from tracker.notifications.tasks import send_notice

    try:
        send_notice.enqueue(notice_id)
    except Exception:
        # The notice row stays pending; `manage.py send_pending_notices` (or the next worker run) sends it.
        logger.exception("Could not enqueue e-mail notice %s", notice_id)
