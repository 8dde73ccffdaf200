"""Structured audit lines for denied attempts: refused permissions (403), stale writes
(409/412), rejected imports and failed logins. One JSON line each on the `tracker.audit`
logger, with who, for which actor, where, on what, and when."""

import json
import logging

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from tracker.http.client_address import client_address

logger = logging.getLogger("tracker.audit")


def _client_ip(request):
    """The client's address (tracker.http.client_address: the proxy's last X-Forwarded-For entry behind
    the TLS proxy, REMOTE_ADDR otherwise), or "" when there is none."""
    return client_address(request) or ""


def log_denied(event, *, user=None, route="", obj="", reason="", request=None, username=None):
    """Write one structured line for a denied attempt."""
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    record = {
        "event": event,
        "time": timezone.now().isoformat(),
        "user": user.get_username() if authenticated else (username or "anonymous"),
        "actor": getattr(getattr(user, "actor", None), "slug", "") if authenticated else "",
        "route": route or (request.path if request is not None else ""),
        "method": request.method if request is not None else "",
        "object": str(obj),
        "ip": _client_ip(request),
        "reason": str(reason)[:500],
    }
    logger.warning(json.dumps(record, ensure_ascii=False, sort_keys=True))
    return record


@receiver(user_login_failed)
def _log_failed_login(sender, credentials, request=None, **kwargs):
    log_denied(
        "login_failed",
        request=request,
        username=(credentials or {}).get("username", ""),
        route=request.path if request is not None else "",
        reason="bad credentials",
    )


def permission_denied(request, exception=None):
    """handler403: log the refusal, then answer with Django's standard 403 page."""
    from django.views.defaults import permission_denied as default_permission_denied

    log_denied("forbidden", user=getattr(request, "user", None), request=request, reason=exception or "")
    return default_permission_denied(request, exception)
