"""Rate limits for anonymous and authenticated clients.

DRF's own classes read their rates once, at import; these read `DEFAULT_THROTTLE_RATES` on each
request, so a changed setting (API_THROTTLE_ANON / API_THROTTLE_USER, or a test) takes effect.
Counters live in Django's default cache: per process by default, shared between processes and
servers when CACHE_URL points at Redis. A throttled request gets 429 with Retry-After.

Each client has a window that opens with its first request and lasts the rate's period, and a
count of the requests in it. DRF's own throttles keep the time of every request of the period
instead and read and write that whole list on every request: at a deployment's generous rate
(say 100,000/min) that is a list of tens of thousands of floats per request, slower than the
answer itself. A window allows at most twice the rate across the boundary of two windows, the
usual price of counting.

Clients are told apart by tracker.client_address (behind the TLS proxy, the last X-Forwarded-For
entry, which the proxy writes; never an entry the client wrote), not DRF's NUM_PROXIES.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings

from tracker.client_address import client_address


class _ByClientAddress:
    """get_ident() from tracker.client_address, the one address the lockout and audit log use too."""

    def get_ident(self, request):
        """The client's address as a string ("" when the request carries none). Raises nothing."""
        return client_address(request) or ""


class _CountPerWindow:
    """allow_request() and wait() with a (window start, count) pair per client in the cache."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        start, count = self.cache.get(self.key) or (self.now, 0)
        if self.now >= start + self.duration:
            start, count = self.now, 0
        self.window_end = start + self.duration
        if count >= self.num_requests:
            return self.throttle_failure()
        self.cache.set(self.key, (start, count + 1), self.duration)
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
