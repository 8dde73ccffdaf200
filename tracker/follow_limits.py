"""The rate limit of follow confirmations: at most `MAX_CONFIRMATIONS` confirmation e-mails per
e-mail address and per client address in any `WINDOW` (24 hours), so the follow form cannot be
used to mail-bomb an address, from one client or from many.

Counts live in the database (`tracker.models.FollowThrottle`), not in a per-process cache, so
every app server and worker sees the same counts. Neither address is stored: each key is an
HMAC-SHA-256 of the address with the secret key. An e-mail address counts with its case folded
and without a "+tag" in its local part (so Ann+1@example.org and ann+2@example.org are one
address); an IPv6 client counts by its /64 network, the block one subscriber usually holds.
"""

import datetime
import ipaddress

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from tracker.models import FollowThrottle

MAX_CONFIRMATIONS = 3
WINDOW = datetime.timedelta(hours=24)


def _hash(kind, value):
    return salted_hmac(f"tracker.follow_limits.{kind}", value, algorithm="sha256").hexdigest()


def address_key(email):
    """The throttle key of an e-mail address (64 hex digits): case folded, "+tag" removed."""
    local, _, domain = email.strip().casefold().rpartition("@")
    return _hash("address", f"{local.split('+', 1)[0]}@{domain}")


def client_key(client):
    """The throttle key of a client address ("203.0.113.7", "2001:db8::1"; IPv6 by its /64), or
    None when there is no address."""
    if not client:
        return None
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return _hash("client", client)
    if address.version == 6:
        if address.ipv4_mapped:
            return _hash("client", str(address.ipv4_mapped))
        return _hash("client", str(ipaddress.ip_network(f"{address}/64", strict=False)))
    return _hash("client", str(address))


def take_confirmation_slot(email, client, now=None):
    """Count one confirmation e-mail to `email` asked for from `client` (a client address string
    or None), if both are under the limit. Returns True when it may be sent (and it is counted
    for both), False when either already had MAX_CONFIRMATIONS in the WINDOW before `now` (then
    nothing is counted). Runs in its own transaction (or the caller's), locking the counters it
    reads, in a fixed order, so concurrent requests cannot both take the last slot."""
    now = now or timezone.now()
    keys = sorted({key for key in (address_key(email), client_key(client)) if key})
    with transaction.atomic():
        rows = []
        for key in keys:
            FollowThrottle.objects.get_or_create(key=key)
            row = FollowThrottle.objects.select_for_update().get(key=key)
            recent = [stamp for stamp in row.sent if datetime.datetime.fromisoformat(stamp) > now - WINDOW]
            rows.append((row, recent))
        if any(len(recent) >= MAX_CONFIRMATIONS for _row, recent in rows):
            return False
        for row, recent in rows:
            row.sent = [*recent, now.isoformat()][-MAX_CONFIRMATIONS:]
            row.save(update_fields=["sent", "updated_at"])
    return True


def purge_throttles(now=None):
    """Delete the counters with nothing sent in the last WINDOW. Returns how many were deleted."""
    now = now or timezone.now()
    deleted, _ = FollowThrottle.objects.filter(updated_at__lt=now - WINDOW).delete()
    return deleted
