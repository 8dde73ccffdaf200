"""The background task that sends an e-mail notice, with retries.

django-tasks has no retries of its own: a failed send marks the notice `failed` (with the error)
and enqueues the task again with `run_after`, after RETRY_DELAYS[attempt] seconds, on backends
that can defer (the database backend); after MAX_ATTEMPTS, or on a backend that cannot defer (the
immediate one of `make run`), the notice stays visible in the admin as failed and the failure is
logged as an error, so nothing is lost silently. The decision the e-mail reports always stands.
"""

import datetime
import logging
import smtplib

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from tracker.models import EmailNotice

logger = logging.getLogger(__name__)

# Seconds to wait before attempt 2, 3, 4, 5.
RETRY_DELAYS = [60, 300, 1800, 7200]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


@task()
def send_notice(notice_id):
    """Send the EmailNotice `notice_id` unless it was sent already. Returns its state."""
    with transaction.atomic():
        notice = EmailNotice.objects.select_for_update().filter(pk=notice_id).first()
        if notice is None or notice.state in (EmailNotice.State.SENT, EmailNotice.State.GAVE_UP):
            return notice.state if notice else "missing"
        notice.attempts += 1
        try:
            EmailMessage(notice.subject, notice.body, to=notice.recipient_list, headers=notice.headers or None).send()
        except (smtplib.SMTPException, OSError) as error:
            notice.last_error = f"{type(error).__name__}: {error}"[:2000]
            retry = notice.attempts < MAX_ATTEMPTS and default_task_backend.supports_defer
            notice.state = EmailNotice.State.FAILED if retry else EmailNotice.State.GAVE_UP
            notice.save(update_fields=["attempts", "last_error", "state"])
            if retry:
                delay = RETRY_DELAYS[notice.attempts - 1]
                run_after = timezone.now() + datetime.timedelta(seconds=delay)
                transaction.on_commit(lambda: send_notice.using(run_after=run_after).enqueue(notice_id))
                logger.warning(
                    "E-mail notice %s failed (attempt %s), retrying in %ss: %s",
                    notice_id,
                    notice.attempts,
                    delay,
                    error,
                )
            else:
                logger.error(
                    "E-mail notice %s failed for good after %s attempt(s): %s", notice_id, notice.attempts, error
                )
            return notice.state
        notice.state = EmailNotice.State.SENT
        notice.sent_at = timezone.now()
        notice.last_error = ""
        notice.save(update_fields=["attempts", "last_error", "state", "sent_at"])
        return notice.state
