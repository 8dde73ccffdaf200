"""Rate limits for anonymous and authenticated clients.

DRF's own classes read their rates once, at import; these read `DEFAULT_THROTTLE_RATES` on each
request, so a changed setting (API_THROTTLE_ANON / API_THROTTLE_USER, or a test) takes effect.
Counters live in Django's default cache: per process by default, shared between processes and
servers when CACHE_URL points at Redis. A throttled request gets 429 with Retry-After.

Counting is a fixed window: time is cut into windows of the rate's period, numbered from the
epoch, and each client has one counter per window, keyed by the window's number. A request
creates the counter if it is missing (never overwriting it) and increments it, atomically, so
concurrent workers never lose a count, and a request is refused when its increment passes the
rate. In Redis both go in one round trip (`SET NX EX` and `INCR` pipelined, on the cache's own
server and key names, so `cache.get()` reads the count); Django's cache API would take three
(`add`, then `incr`'s existence check and increment), and every API answer served from the
response cache pays this check (docs/benchmarks.md). In the per-process cache, `cache.add` and
`cache.incr`. DRF's own
throttles keep the time of every request of the period instead and read and write that whole
list on every request: at a deployment's generous rate (say 100,000/min) that is a list of tens
of thousands of floats per request, slower than the answer itself, and a read-then-write that
concurrent requests under-count. A fixed window allows at most twice the rate across the
boundary of two windows, the usual price of counting.

Clients are told apart by tracker.http.client_address (behind the TLS proxy, the last
X-Forwarded-For entry, which the proxy writes; never an entry the client wrote), not DRF's
NUM_PROXIES.

`allow_cached_answer` makes an API answer served from the response cache (tracker.http.cache)
count against the anonymous rate too; tracker.apps registers it with the cache.
"""

import math
import threading

import redis
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework import throttling
from rest_framework.settings import api_settings

from tracker.http.client_address import client_address

REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"
_clients = {}
_clients_lock = threading.Lock()


def _redis_client():
    """A redis-py client of the default cache's server when that cache is Django's RedisCache (its
    first LOCATION: the one Django writes to), else None. One client (and connection pool) per
    location and process."""
    config = settings.CACHES["default"]
    if config["BACKEND"] != REDIS_BACKEND:
        return None
    location = config["LOCATION"]
    if not isinstance(location, str):
        location = location[0]
    location = location.split(",")[0]
    with _clients_lock:
        client = _clients.get(location)
        if client is None:
            client = _clients[location] = redis.Redis.from_url(location)
    return client


def count_in_window(cache, key, timeout):
    """Add one to the counter `key` of `cache` (Django's default cache), creating it at 0 to live
    `timeout` seconds if missing; return the new count (int). Atomic between processes sharing the
    cache. Raises the cache's connection errors (redis.ConnectionError when Redis is down)."""
    client = _redis_client()
    if client is None:
        cache.add(key, 0, timeout)
        try:
            return cache.incr(key)
        except ValueError:
            # Evicted between add and incr: this request is the window's first.
            cache.add(key, 1, timeout)
            return 1
    name = cache.make_key(key)
    with client.pipeline(transaction=False) as pipe:
        pipe.set(name, 0, ex=timeout, nx=True)
        pipe.incr(name)
        _created, count = pipe.execute()
    return count


class _ByClientAddress:
    """get_ident() from tracker.http.client_address, the one address the lockout and audit log use too."""

    def get_ident(self, request):
        """The client's address as a string ("" when the request carries none). Raises nothing."""
        return client_address(request) or ""


class _CountPerWindow:
    """allow_request() and wait() with one atomic counter per client and fixed window in the cache."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = math.floor(self.now / self.duration)
        self.window_end = (window + 1) * self.duration
        key = f"{self.key}:{window}"
        # The counter lives until its window has ended whenever in the window it was created.
        count = count_in_window(self.cache, key, self.duration + 1)
        if count > self.num_requests:
            return self.throttle_failure()
        return True

    def wait(self):
        return max(self.window_end - self.now, 0)


class _RatesFromSettings:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_ByClientAddress, _CountPerWindow, _RatesFromSettings, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_ByClientAddress, _CountPerWindow, _RatesFromSettings, throttling.UserRateThrottle):
    pass


class TokenRequestThrottle(_ByClientAddress, _CountPerWindow, throttling.AnonRateThrottle):
    """Password attempts at the token endpoint, per client address: slows down guessing."""

    scope = "token"
    rate = "20/hour"

    def get_rate(self):
        return self.rate


class _AnonymousClient:
    """What the anonymous throttle reads of a request: its user and its address headers."""

    user = AnonymousUser()

    def __init__(self, request):
        self.META = request.META


def allow_cached_answer(request):
    """Whether the response cache may serve `request` a cached answer: outside the API always; in
    the API only while the anonymous rate allows it, and the hit is counted. Raises nothing."""
    if not request.path.startswith("/api/"):
        return True
    return AnonRateThrottle().allow_request(_AnonymousClient(request), None)
