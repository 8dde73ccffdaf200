"""Conditional requests for the API: ETag and Last-Modified on reads (304 when unchanged), and the
version a write's If-Match names.

ETags are a digest of the JSON body, so they change whenever anything a response shows changes,
nested names included. A response about one recommendation (its detail) or one progress update
(its detail, a write of it) prefixes the digest with that object's own `version`:
`"<version>-<digest>"`. That version is what If-Match is checked against, so the ETag of a GET is
exactly what a write of the same object sends. A gzip answer's ETag ends in `-gzip`
(tracker.http.compression), which that middleware takes off If-Match and If-None-Match before
this module reads them, so either tag names the same version.

Last-Modified is the time this server first served the current representation of that URL,
remembered in the default cache. A representation that comes back after another is dated anew,
so If-Modified-Since never answers 304 for a body the client has not seen. Only a cache shared by
every process (CACHE_URL) can promise that across processes, so If-Modified-Since is honoured
only then; If-None-Match always is.

What is Django's and what is ours. The preconditions are evaluated by Django's
`django.utils.cache.get_conditional_response` (RFC 9110's order, 304 for GET and HEAD). Django's
`ConditionalGetMiddleware` is not used because it cannot do what the API promises: its ETag is an
MD5 of the body, which cannot carry the object's version that a write's If-Match is compared
with; it skips HEAD; it would honour If-Modified-Since against a date a per-process cache cannot
keep consistent; and it would apply to every page, not only the API. So the ETag, the
Last-Modified memory and the If-Match parsing are ours.

`expected_version` raises `PreconditionRequired` (428) and `PreconditionFailed` (412), plain
exceptions of this module that the API's exception handler turns into its error format.
"""

import hashlib
import math
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _

_IF_MATCH = re.compile(r'^"(?P<version>\d{1,18})(?:-[0-9a-f]{1,64})?"$')
_PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}
LAST_MODIFIED_TIMEOUT = 60 * 60 * 24 * 30


class PreconditionRequired(Exception):
    """A write that must name the version it changes (If-Match) did not: HTTP 428."""


class PreconditionFailed(Exception):
    """An If-Match that cannot match any version: HTTP 412. The message says what to send."""


def etag_for(content, version=None):
    digest = hashlib.sha256(content).hexdigest()[:32]
    return f'"{version}-{digest}"' if version is not None else f'"{digest}"'


def _first_served(request, etag):
    """When this URL (as this user sees it) was first served with this ETag, in whole seconds."""
    scope = f"user:{request.user.pk}" if request.user.is_authenticated else "anon"
    key = "api:last-modified:" + hashlib.sha256(f"{scope} {request.get_full_path()}".encode()).hexdigest()
    seen = cache.get(key)
    if seen and seen[0] == etag:
        return seen[1]
    # One second after the previous representation's date at least, so the two never share one.
    first = max(math.floor(time.time()), seen[1] + 1) if seen else math.floor(time.time())
    cache.set(key, (etag, first), LAST_MODIFIED_TIMEOUT)
    return first


def _shared_cache():
    return settings.CACHES["default"]["BACKEND"] not in _PROCESS_LOCAL_CACHES


def finish(request, response, version=None):
    """Add ETag, Last-Modified and caching headers to a rendered response; 304 for a GET or HEAD
    whose validators match."""
    response["Cache-Control"] = "no-cache"  # may be stored, but revalidated on every use
    patch_vary_headers(response, ["Authorization", "Cookie"])
    if response.status_code != 200 and not (request.method == "POST" and response.status_code == 201):
        return response
    etag = etag_for(response.content, version)
    response["ETag"] = etag
    if request.method not in ("GET", "HEAD"):
        return response
    last_modified = _first_served(request, etag)
    response["Last-Modified"] = http_date(last_modified)
    if not _shared_cache() and "If-None-Match" not in request.headers:
        return response
    return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)


def expected_version(request, *, required):
    """The version (of a recommendation or a progress update) an If-Match header names, or None when it is absent and
    optional. Raises 428 when a required one is missing (or is `*`, which protects nothing), 412
    when it cannot match (a weak ETag, a list's, several)."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        if required:
            raise PreconditionRequired()
        return None
    match = _IF_MATCH.match(header)
    if not match:
        raise PreconditionFailed(
            _('If-Match does not match: send one ETag exactly as received (e.g. "3-…"), or the version in quotes.')
        )
    return int(match["version"])
