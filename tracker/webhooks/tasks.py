"""The background task that sends one webhook delivery, with its retries, and the disabling of an
endpoint that keeps failing.

Each attempt POSTs the stored payload, signed per Standard Webhooks with the endpoint's secret
(`webhook-id` the delivery's message id, the same on every attempt; `webhook-timestamp` the
attempt's time in Unix seconds; `webhook-signature` "v1,<base64 HMAC-SHA256>"). A 2xx answer
is success; any other answer, a refused connection, a TLS error or no answer in time is a
failure, retried after RETRY_DELAYS[attempt] seconds on backends that can defer (the database and
RQ backends) until MAX_ATTEMPTS; then the delivery gives up. On a backend that cannot defer (the
immediate one of `make run` and most tests) the first failure gives up, as for e-mail notices.

An endpoint is disabled (with the reason, and an e-mail to the secretariat) when a delivery gives
up or after `WEBHOOKS_DISABLE_AFTER` failed attempts in a row; a success resets the count. A URL
that no longer passes `tracker.webhooks.net.check` (it now resolves to a private address, say) is
refused before any connection and gives up at once.
"""

import datetime
import json
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tasks import task
from standardwebhooks.webhooks import Webhook

from tracker.models import EmailNotice, WebhookDelivery, WebhookEndpoint
from tracker.notifications import queue_by_language, reviewers_by_language

from . import net

logger = logging.getLogger(__name__)

# Seconds to wait before attempt 2, 3, 4, 5, 6.
RETRY_DELAYS = [30, 120, 600, 3600, 6 * 3600]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A task may start this much before the attempt it was enqueued for is due (clocks of workers differ).
EARLY_START = datetime.timedelta(seconds=5)
USER_AGENT = "MigrationDialoguesTracker-Webhooks/1.0"


def body_of(delivery):
    """The bytes POSTed for `delivery`: its payload as compact UTF-8 JSON, the same on every attempt."""
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signed_headers(endpoint, delivery, body, now):
    """The request headers of one attempt at `now` (an aware datetime): the three Standard
    Webhooks headers, signed with the endpoint's secret, Content-Type and User-Agent."""
    stamp = int(now.timestamp())
    signature = Webhook(endpoint.secret).sign(
        delivery.message_id, datetime.datetime.fromtimestamp(stamp, datetime.UTC), body.decode("utf-8")
    )
    return {
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": signature,
        "Content-Type": "application/json",
        "User-Agent": f"{USER_AGENT} (+{settings.SITE_URL})",
    }


@task()
def deliver(delivery_id):
    """Make the attempt at WebhookDelivery `delivery_id` that is due, if it is still due (a
    delivery already delivered, given up, or claimed by another worker is left alone). Returns
    the delivery's state after the attempt, or "skipped"."""
    now = timezone.now()
    # Claim the attempt: of two workers (a retry and the admin's "retry now"), one wins.
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        state__in=[WebhookDelivery.State.PENDING, WebhookDelivery.State.FAILED],
        next_attempt_at__lte=now + EARLY_START,
    ).update(next_attempt_at=None, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        _record(delivery, error=_("The endpoint is disabled; nothing was sent."), final=True, counts=False)
        return delivery.state
    try:
        target = net.check(endpoint.url)
    except net.Refused as refused:
        # Nothing was connected to: the address is refused, and waiting will not change that.
        _record(delivery, error=_("Refused before connecting: %(reason)s") % {"reason": refused}, final=True)
        return delivery.state
    except net.Unresolved as error:
        _record(delivery, error=str(error))
        return delivery.state
    body = body_of(delivery)
    try:
        answer = net.post(target, body, signed_headers(endpoint, delivery, body, timezone.now()))
    except Exception as error:  # noqa: BLE001 (OSError, TLS, HTTP protocol errors: each a failed attempt)
        _record(delivery, error=f"{type(error).__name__}: {error}"[:2000])
        return delivery.state
    if 200 <= answer.status < 300:
        _record(delivery, answer=answer, succeeded=True)
    else:
        _record(delivery, answer=answer, error=_("The endpoint answered %(status)d.") % {"status": answer.status})
    return delivery.state


def _record(delivery, *, answer=None, error="", succeeded=False, final=False, counts=True):
    """Store the outcome of the attempt just made; schedule the next one or give up; count the
    endpoint's failures and disable it when they are too many."""
    now = timezone.now()
    backend_defers = deliver.get_backend().supports_defer
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        delivery.endpoint = endpoint
        if answer is not None:
            delivery.last_status_code, delivery.latency_ms = answer.status, answer.latency_ms
            delivery.response_excerpt = answer.excerpt
        delivery.error = error
        if succeeded:
            delivery.state, delivery.delivered_at = WebhookDelivery.State.SUCCEEDED, now
            if endpoint.consecutive_failures:
                endpoint.consecutive_failures = 0
                endpoint.save(update_fields=["consecutive_failures"])
        else:
            retry = not final and delivery.attempts < MAX_ATTEMPTS and backend_defers
            delivery.state = WebhookDelivery.State.FAILED if retry else WebhookDelivery.State.GAVE_UP
            if retry:
                run_after = now + datetime.timedelta(seconds=RETRY_DELAYS[delivery.attempts - 1])
                delivery.next_attempt_at = run_after
                transaction.on_commit(lambda: deliver.using(run_after=run_after).enqueue(delivery.pk))
            if counts:
                endpoint.consecutive_failures += 1
                endpoint.save(update_fields=["consecutive_failures"])
                _disable_if_failing(endpoint, delivery, now)
            log = logger.warning if retry else logger.error
            log(
                "Webhook delivery %s to endpoint %s failed (attempt %s): %s",
                delivery.pk,
                endpoint.pk,
                delivery.attempts,
                error,
            )
        delivery.save(
            update_fields=[
                "state",
                "next_attempt_at",
                "last_status_code",
                "latency_ms",
                "response_excerpt",
                "error",
                "delivered_at",
            ]
        )


def _disable_if_failing(endpoint, delivery, now):
    if not endpoint.is_active:
        return
    # The reason is lazy: each reviewer's e-mail says it in that reviewer's language.
    if delivery.state == WebhookDelivery.State.GAVE_UP:
        values = {
            "event": delivery.event_type,
            "message": delivery.message_id,
            "attempts": delivery.attempts,
            "error": delivery.error,
        }
        reason = _lazy_text(
            gettext_noop("A delivery (%(event)s, %(message)s) gave up after %(attempts)d attempt(s): %(error)s"), values
        )
    elif endpoint.consecutive_failures >= settings.WEBHOOKS_DISABLE_AFTER:
        values = {"count": endpoint.consecutive_failures, "error": delivery.error}
        reason = _lazy_text(gettext_noop("%(count)d failed attempts in a row; the last: %(error)s"), values)
    else:
        return
    disable(endpoint, reason, now=now)


def _text(message, values):
    return _(message) % values


# `_text` evaluated when the result is used as a string, in the language active then.
_lazy_text = lazy(_text, str)


def disable(endpoint, reason, *, now=None, notify=True):
    """Mark `endpoint` inactive with `reason` (a str, or a lazy one: stored in the active language,
    and said in each e-mail's) and, with `notify`, e-mail the secretariat's
    reviewers (`tracker.notifications.reviewers_by_language()`), each in their e-mail language,
    in the current transaction: the notices are sent after the commit. The e-mail's key
    (`webhook-disabled:<id>:<disabled_at>`, then `:<language>` for the second language on) makes
    it once per disabling. Returns the EmailNotices (one per language), an empty list when not
    notified or nobody is to be told. The deliveries' payloads stay English."""
    now = now or timezone.now()
    endpoint.is_active, endpoint.disabled_at, endpoint.disabled_reason = False, now, str(reason)
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    if not notify:
        return []

    def compose():  # in each reviewer group's language, its link under that language's prefix
        context = {
            "endpoint": endpoint,
            "reason": reason,
            "admin_url": settings.SITE_URL.rstrip("/")
            + reverse("admin:tracker_webhookendpoint_change", args=[endpoint.pk]),
        }
        subject = _("[Tracker] Webhook endpoint disabled: %(url)s") % {"url": endpoint.url}
        return subject, render_to_string("tracker/email/webhook_disabled.txt", context)

    return queue_by_language(
        EmailNotice.Event.WEBHOOK_DISABLED,
        reviewers_by_language(),
        compose,
        key=f"webhook-disabled:{endpoint.pk}:{now.isoformat()}",
    )
