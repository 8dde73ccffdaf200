"""Where a webhook may be sent, and sending it to exactly the address that was checked.

The secretariat names a URL; the tracker's server then makes the request, from inside its own
network. So that a URL cannot be used to reach what only that network can (a database, a cloud
metadata service, an intranet page), `check(url)` refuses, before any connection is made:

- any scheme but http and https, and http itself unless `WEBHOOKS_ALLOW_PRIVATE`;
- credentials in the URL, and, when `WEBHOOKS_ALLOWED_HOSTS` is set, any host it does not list;
- a host any of whose addresses (resolved with `socket.getaddrinfo`, IPv4 and IPv6) is loopback,
  private, link-local, multicast, reserved, unspecified or otherwise not globally routable,
  including IPv6 addresses that embed such an IPv4 address (IPv4-mapped, 6to4, NAT64), unless
  `WEBHOOKS_ALLOW_PRIVATE` (tests, intranets).

`post(target, ...)` then connects to one of the addresses `check` returned, never resolving the
name again (a DNS answer that changes between the check and the connection gains nothing), sends
the Host header and, for https, the SNI name of the URL and verifies the certificate against that
name. Connecting takes at most CONNECT_TIMEOUT seconds, the whole exchange TOTAL_TIMEOUT; no
redirect is followed (http.client never does).
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from typing import NamedTuple
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from tracker.text import clean_text

CONNECT_TIMEOUT = 5  # seconds
TOTAL_TIMEOUT = 10  # seconds, from the first connection attempt to the end of the answer read
MAX_URL_LENGTH = 500
EXCERPT_LENGTH = 500  # characters of the answer kept in the log
_READ_BYTES = 4 * EXCERPT_LENGTH  # enough bytes for EXCERPT_LENGTH characters of UTF-8
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """The URL or an address it resolves to may not be reached; the message says why (for people)."""


class Unresolved(OSError):
    """The host name has no address now (DNS failure): worth trying again later."""


class Target(NamedTuple):
    """A checked URL: where to connect (`addresses`, IP addresses as strings) and what to ask."""

    scheme: str
    host: str  # ASCII (IDNA) host name, or an IP address without brackets
    port: int
    path: str  # path and query, percent-encoded
    addresses: tuple


class Answer(NamedTuple):
    status: int
    latency_ms: int
    excerpt: str  # the first EXCERPT_LENGTH characters of the body, cleaned (tracker.text.clean_text)


def refusal(address):
    """Why the IP address `address` (a str) may not be reached, or None when it is public."""
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        embedded = (
            ip.ipv4_mapped or ip.sixtofour or (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        )
        if embedded is not None:
            return refusal(str(embedded))
    checks = [
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("non-public", not ip.is_global),
    ]
    return next((name for name, applies in checks if applies), None)


def parse(url):
    """(scheme, host, port, path) of `url`, host in ASCII and path percent-encoded. Raises
    Refused for a URL that is malformed, too long, carries credentials, names a scheme other than
    http(s) (or http without WEBHOOKS_ALLOW_PRIVATE) or a host WEBHOOKS_ALLOWED_HOSTS leaves out.
    Makes no DNS query."""
    if not isinstance(url, str) or not url:
        raise Refused(_("Enter a URL."))
    if len(url) > MAX_URL_LENGTH:
        raise Refused(_("The URL is longer than %(max)d characters.") % {"max": MAX_URL_LENGTH})
    if any(character.isspace() or not character.isprintable() for character in url):
        raise Refused(_("The URL contains spaces or control characters."))
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError:
        raise Refused(_("This is not a valid URL.")) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise Refused(_("Only http and https URLs can receive webhooks."))
    if scheme == "http" and not settings.WEBHOOKS_ALLOW_PRIVATE:
        raise Refused(_("Use https: plain http is allowed only when WEBHOOKS_ALLOW_PRIVATE is set."))
    if parts.username is not None or parts.password is not None:
        raise Refused(_("Do not put credentials in the URL; deliveries are signed with the endpoint's secret."))
    if not host:
        raise Refused(_("The URL names no host."))
    try:
        ipaddress.ip_address(host)
    except ValueError:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise Refused(_("The host name is not valid.")) from None
    allowed = [name.strip("[]").lower() for name in settings.WEBHOOKS_ALLOWED_HOSTS]
    if allowed and host.lower() not in allowed:
        raise Refused(_("Webhooks may only be sent to these hosts: %(hosts)s.") % {"hosts": ", ".join(allowed)})
    if port == 0:
        raise Refused(_("The URL names port 0."))
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~-._")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=?~-._")
    return scheme, host, port or (443 if scheme == "https" else 80), path


def resolve(host, port):
    """The IP addresses (strings, in getaddrinfo's order, without duplicates) of `host`: itself
    when it is an IP address (no DNS query), else those `socket.getaddrinfo` gives. Raises
    Unresolved when there is none."""
    try:
        return (str(ipaddress.ip_address(host)),)
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise Unresolved(
            _("The host %(host)s could not be resolved: %(error)s") % {"host": host, "error": error}
        ) from None
    addresses = []
    for *_rest, sockaddr in infos:
        address = sockaddr[0].split("%", 1)[0]
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise Unresolved(_("The host %(host)s has no address.") % {"host": host})
    return tuple(addresses)


def check(url):
    """The Target of `url` after every rule above: parsed, resolved and, unless
    WEBHOOKS_ALLOW_PRIVATE, every address public. Raises Refused (the URL or an address may not
    be reached) or Unresolved (no address now). Opens no connection."""
    scheme, host, port, path = parse(url)
    addresses = resolve(host, port)
    if not settings.WEBHOOKS_ALLOW_PRIVATE:
        for address in addresses:
            reason = refusal(address)
            if reason:
                raise Refused(
                    _(
                        "%(host)s resolves to %(address)s, a %(kind)s address: webhooks are only sent to "
                        "public addresses (set WEBHOOKS_ALLOW_PRIVATE=1 to allow others)."
                    )
                    % {"host": host, "address": address, "kind": reason}
                )
    return Target(scheme, host, port, path, addresses)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to `address`, whatever its host name resolves to now."""

    def __init__(self, host, port, address):
        super().__init__(host, port, timeout=CONNECT_TIMEOUT)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to `address`, with SNI and certificate checks for the host name."""

    def __init__(self, host, port, address):
        super().__init__(host, port, timeout=CONNECT_TIMEOUT, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _connect(target):
    """An open connection to the first of the target's addresses that accepts one. Raises
    OSError (of the last address tried)."""
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    error = None
    for address in target.addresses:
        connection = kind(target.host, target.port, address)
        try:
            connection.connect()
        except OSError as exc:
            connection.close()
            error = exc
            continue
        return connection
    raise error


def post(target, body, headers):
    """POST `body` (bytes) with `headers` ({name: value}) to the checked `target`; returns its
    Answer (any status: the caller decides what counts as success). Raises OSError (including
    ssl.SSLError, TimeoutError) or http.client.HTTPException when no answer came."""
    started = time.monotonic()
    deadline = started + TOTAL_TIMEOUT
    connection = _connect(target)
    # The whole exchange, not each read, is bounded: at the deadline the socket is shut, which
    # ends a blocked read at once.
    watchdog = threading.Timer(max(deadline - time.monotonic(), 0), _shut, args=(connection,))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.sock.settimeout(max(deadline - time.monotonic(), 0.001))
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read(_READ_BYTES)
        latency_ms = round((time.monotonic() - started) * 1000)
    except (OSError, http.client.HTTPException):
        if time.monotonic() >= deadline:
            raise TimeoutError(_("No complete answer within %(seconds)d s.") % {"seconds": TOTAL_TIMEOUT}) from None
        raise
    finally:
        watchdog.cancel()
        connection.close()
    excerpt = clean_text(data.decode("utf-8", errors="replace")[:EXCERPT_LENGTH])
    return Answer(response.status, latency_ms, excerpt)


def _shut(connection):
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
