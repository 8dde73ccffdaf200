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

logger = logging.getLogger(__name__)


def reviewers():
    """E-mail addresses of the secretariat's reviewers (sorted, without duplicates)."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.filter(Q(groups__name=roles.SECRETARIAT) | Q(is_superuser=True))
    return sorted(set(users.values_list("email", flat=True)))


def _recipients(event, update):
    if event == EmailNotice.Event.SUBMITTED:
        return reviewers()
    reporter = update.recorded_by
    return [reporter.email] if reporter is not None and reporter.is_active and reporter.email else []


def _absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def compose(event, update):
    """(subject, body) of the e-mail about `update` for `event`, in the active language (`notify`
    makes it the site's)."""
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
    """Write the notice of `event` ("submitted", "approved", "returned") about `update` in the
    current transaction and send it after the commit. Returns the EmailNotice, or None when
    nobody is to be told (no reviewer or reporter with an e-mail address)."""
    recipients = _recipients(event, update)
    if not recipients:
        logger.info("No one to e-mail about %s update %s", event, update.pk)
        return None
    # Staff have no recorded language: their e-mails are in the site's (docs/i18n.md), whichever
    # language the admin page that made the decision was in.
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = compose(event, update)
    notice = EmailNotice.objects.create(
        event=event, update=update, recipients="\n".join(recipients), subject=subject, body=body
    )
    transaction.on_commit(lambda: _enqueue(notice.pk))
    return notice


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


def _enqueue(notice_id):
    from tracker.notifications.tasks import send_notice

    try:
        send_notice.enqueue(notice_id)
    except Exception:
        # The notice row stays pending; `manage.py send_pending_notices` (or the next worker run) sends it.
        logger.exception("Could not enqueue e-mail notice %s", notice_id)
