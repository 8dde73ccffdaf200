"""A response cache that can never serve an answer older than the data.

Public pages and API reads are the same for every anonymous visitor, so a rendered answer can be
kept and served again, which is what makes the tracker fast at scale (docs/benchmarks.md). The
key of every entry holds the version of what the answer shows (`tracker.models.cache_scopes`),
which the database changes in the same transaction as any public change to tracker data. Each
request reads the committed version first (one query), so once a change is committed the very
next request of any process misses the old entries and renders afresh: a cached answer never
outlives a change.

Why ours and not Django's cache middleware (`UpdateCacheMiddleware`/`FetchFromCacheMiddleware`):
Django's keys an entry by URL and headers and lets it live for a timeout, so an answer may be
served for up to that timeout after the data changed; it cannot key by a version read from the
database in the same request. It also has no single-flight rendering (many requests missing the
same key all render it): here one request renders a key while the others wait for its entry
(tracker.http.single_flight).

The version is scoped (tracker.models.cache_scopes): a forum's page and a recommendation's page
(and their API details) are keyed by the versions of their own forum and of what every page shows
("reference"), the rest by "all"; a change to one forum's recommendation keeps the other forums'
pages cached, and a change nobody public can see (a submission, a returned update) keeps every
entry.

Two levels:
- per process, a bounded in-memory LRU (`RESPONSE_CACHE_MB`, 0 turns the whole cache off);
- shared between processes and servers, Django's default cache when `CACHE_URL` points at Redis.

What is cached: successful (200), non-streaming GET answers to anonymous requests (no session
cookie, no Authorization header), outside the admin, the token endpoints and the health check,
rendered outside any open transaction (a transaction that may still roll back could otherwise
cache what never gets committed). The key also holds the host and scheme (the API answers with
absolute links), the language (a page's is its URL's; the first-visit redirect by Accept-Language
happens before this middleware, tracker.http.language), the Accept header, whether the client
accepts gzip and today's date. A hit still honours If-None-Match (304).

Compressed answers are kept compressed: tracker.http.compression sits inside this middleware, so
an entry for a client that accepts gzip holds the gzip body with its Content-Encoding and its
`-gzip` ETag, and a hit sends those bytes as they are, compressing nothing.

Before a hit is served, every check registered with `register_hit_check` must allow it; a check
that refuses lets the request fall through to the view, which answers as it would without the
cache. The API registers its anonymous rate limit this way (tracker.apps), so a cached API answer
still counts against it, while this module imports nothing from the API.

Every such answer without a validator of its own (pages, the list's CSV/JSON exports even when
streamed, feeds, the API root and schema) gets an ETag made from its cache key, and a request
whose If-None-Match names it gets 304 without the body being produced again. The API's own
answers keep theirs (tracker.http.conditional: the version and a digest of the body).
"""

import datetime
import hashlib
import logging
import threading
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.utils.cache import get_conditional_response

from tracker import languages
from tracker.http import single_flight
from tracker.http.compression import accepts_gzip
from tracker.http.content_language import requested_language
from tracker.http.middleware import DatabaseUnavailableMiddleware, check_connection
from tracker.models import cache_scopes

logger = logging.getLogger(__name__)

UNCACHED_PREFIXES = ("/admin", "/healthz", "/api/v1/auth/", "/static/")
# Headers an answer is served with again; the rest (cookies, CORS, security) come from the
# middleware around this one on every request.
KEPT_HEADERS = (
    "Content-Type",
    "Content-Encoding",
    "Content-Language",
    "Vary",
    "ETag",
    "Last-Modified",
    "Cache-Control",
    "Allow",
    "Link",
    "Content-Security-Policy",
    "X-Frame-Options",
)
SHARED_TIMEOUT = 60 * 60
MAX_ENTRY_BYTES = 4 * 1024 * 1024


class LRU:
    """A thread-safe least-recently-used map bounded by the total size of its values.

    An entry may name its `variant` (what it answers, whatever the data version: the key without
    the version): storing a new entry of a variant drops the one it supersedes, whose version has
    passed, so after each write the 1.3 MB dashboard of the version before does not wait for the
    least-recently-used end to leave (at 300,000 recommendations a worker otherwise filled its
    64 MB with such dead entries: docs/benchmarks.md)."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.bytes = 0
        self.entries = OrderedDict()  # key -> (*entry, variant, size)
        self.variants = {}  # variant -> the key of its latest entry
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def _drop(self, key):
        old = self.entries.pop(key, None)
        if old is not None:
            self.bytes -= old[-1]
            if self.variants.get(old[-2]) == key:
                del self.variants[old[-2]]

    def set(self, key, entry, size, variant=None):
        with self.lock:
            self._drop(key)
            if variant is not None:
                superseded = self.variants.get(variant)
                if superseded is not None:
                    self._drop(superseded)
                self.variants[variant] = key
            self.entries[key] = (*entry, variant, size)
            self.bytes += size
            while self.bytes > self.max_bytes and self.entries:
                self._drop(next(iter(self.entries)))

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.variants.clear()
            self.bytes = 0


_local = LRU(0)


def local_cache():
    """This process's LRU, sized from RESPONSE_CACHE_MB (read on use, so tests can change it)."""
    _local.max_bytes = int(settings.RESPONSE_CACHE_MB * 1024 * 1024)
    return _local


def clear():
    """Forget every entry of this process (tests; the versions make it unnecessary otherwise)."""
    _local.clear()


def _shared_enabled():
    return bool(getattr(settings, "CACHE_URL", ""))


def cacheable_request(request):
    return (
        settings.RESPONSE_CACHE_MB > 0
        and request.method == "GET"
        # The admin is under each language's prefix too (/fr/admin/).
        and not languages.unprefixed(request.path_info).startswith(UNCACHED_PREFIXES)
        and "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def response_key(variant, version):
    """The cache key ("response:<hex>") of the answer to a request of `variant` (`variant_key()`)
    at data `version`."""
    return "response:" + hashlib.sha256(f"{variant}\n{version}".encode()).hexdigest()


def variant_key(request):
    """What `request` asks for whatever the data version (a hex digest): the database, today's date,
    scheme, host, language, Accept, gzip or not, path and query."""
    database = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
    parts = (
        str(database),
        datetime.date.today().isoformat(),
        request.scheme,
        request.get_host(),
        getattr(request, "LANGUAGE_CODE", ""),
        # The content language an unprefixed API answer negotiates (?lang= is in the path too).
        str(requested_language(request)) if request.path_info.startswith("/api/") else "",
        request.META.get("HTTP_ACCEPT", ""),
        "gzip" if accepts_gzip(request) else "identity",
        request.get_full_path(),
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _entry(response):
    headers = tuple((name, response[name]) for name in KEPT_HEADERS if response.has_header(name))
    return (response.status_code, headers, response.content)


def _response(entry):
    status, headers, content = entry[:3]
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    response["X-Cache"] = "hit"
    return response


def _storable(response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and len(response.content) <= MAX_ENTRY_BYTES
        and "no-store" not in response.get("Cache-Control", "")
        and "private" not in response.get("Cache-Control", "")
    )


def _validatable(response):
    """Whether an anonymous answer without a validator of its own gets the cache key's ETag: a
    200 that sets no cookie and is not private (pages with a form, such as the follow page, are
    `no-store`)."""
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.has_header("ETag")
        and not response.cookies
        and "no-store" not in cache_control
        and "private" not in cache_control
    )


_hit_checks = []


def register_hit_check(check):
    """Make `check(request)` decide, before each cache hit is served, whether it may be: True serves
    it, False lets the request through to the view. Registering the same check twice is a no-op."""
    if check not in _hit_checks:
        _hit_checks.append(check)


def _hit_allowed(request):
    return all(check(request) for check in _hit_checks)


def lookup(key, variant=None):
    """The entry kept under `key`, from this process's LRU or else the shared cache (copied into
    the LRU, superseding `variant`'s older entry); None if neither has it."""
    local = local_cache()
    entry = local.get(key)
    if entry is None and _shared_enabled():
        entry = shared_cache.get(key)
        if entry is not None:
            local.set(key, entry, len(entry[2]), variant)
    return entry


def _serve(request, entry):
    response = _response(entry)
    etag = response.get("ETag")
    conditional = get_conditional_response(request, etag=etag, response=response) if etag else None
    return conditional or response


def read_version(path):
    """`cache_scopes.version_of(path)`, read again once on a new connection when the persistent one
    fails (the database restarted since this process last used it): this read is the request's
    first query and also the connection's health check (tracker.http.middleware.check_connection).
    Raises OperationalError or InterfaceError when the database does not answer the second time."""
    try:
        return cache_scopes.version_of(path)
    except (OperationalError, InterfaceError):
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.in_atomic_block:
            raise
        connection.close()
        return cache_scopes.version_of(path)


class ResponseCacheMiddleware:
    """Serve anonymous reads from the cache, keyed by the cache scopes' versions (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not cacheable_request(request):
            check_connection()
            return self.get_response(request)
        try:
            version = read_version(languages.unprefixed(request.path_info))
        except (OperationalError, InterfaceError) as exception:
            # The outage handling of the views, for the query made before any view runs.
            return DatabaseUnavailableMiddleware(self.get_response).process_exception(request, exception)
        variant = variant_key(request)
        key = response_key(variant, version)
        entry = lookup(key, variant)
        if entry is None:
            # Requests missing the same key together: one renders, the others wait for its entry.
            with single_flight.flight(key, lambda: lookup(key, variant), _shared_enabled()) as found:
                if found is not None and _hit_allowed(request):
                    return _serve(request, found)
                return self.render(request, key, store=True, variant=variant)
        if _hit_allowed(request):
            return _serve(request, entry)
        # A refused hit falls through, so the view answers (a throttled client gets its 429 as usual).
        return self.render(request, key, store=False)

    def render(self, request, key, store, variant=None):
        """The view's answer, with the key's ETag where it has no validator, kept in the cache when
        `store` and it may be (_storable, rendered outside any transaction); its entry supersedes
        `variant`'s older one in this process's LRU."""
        response = self.get_response(request)
        if _validatable(response):
            # The key names everything this answer depends on (data version, day, host, language,
            # Accept, gzip or not, path and query), so it is a strong validator, for streamed answers
            # too, and differs between a compressed answer and the identity one.
            response["ETag"] = f'"dv-{key.rsplit(":", 1)[-1][:32]}"'
            conditional = get_conditional_response(request, etag=response["ETag"], response=response)
            if conditional is not response:
                return conditional
        if store and _storable(response) and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            entry = _entry(response)
            local_cache().set(key, entry, len(entry[2]), variant)
            if _shared_enabled():
                shared_cache.set(key, entry, SHARED_TIMEOUT)
        if response.status_code == 200 and not response.streaming:
            response["X-Cache"] = "miss"
        return response
