"""The address of the client that made a request: one answer for the login lockout (django-axes,
through AXES_CLIENT_IP_CALLABLE), the API's rate limits (tracker.api.throttling) and the audit log
(tracker.audit).

Behind the TLS-terminating proxy (settings.BEHIND_TLS_PROXY, from DJANGO_BEHIND_TLS_PROXY=1)
REMOTE_ADDR is the proxy's address for every client. The proxy appends the address it received the
connection from to X-Forwarded-For, so the LAST entry is the client's; every entry before it came
from the client and may be anything. Without the proxy X-Forwarded-For is ignored altogether.
"""

import ipaddress

from django.conf import settings


def _canonical(text):
    """`text` as a canonical IPv4 or IPv6 address string, or None when it is not one."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request):
    """The client's IP address as a canonical string (e.g. "203.0.113.7", "2001:db8::1"), or None.

    `request`: a Django HttpRequest, or anything with its `META` (DRF's Request). With
    settings.BEHIND_TLS_PROXY (read at each call) it is the last X-Forwarded-For entry when that is
    an IP address, else REMOTE_ADDR; without it, REMOTE_ADDR. None when neither holds an address
    (no request, or a request without REMOTE_ADDR). Raises nothing.
    """
    if request is None:
        return None
    meta = request.META
    if getattr(settings, "BEHIND_TLS_PROXY", False):
        forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = _canonical(forwarded.rsplit(",", 1)[-1])
            if address is not None:
                return address
    return _canonical(meta.get("REMOTE_ADDR") or "")
