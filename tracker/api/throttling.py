"""Rate limits for anonymous and authenticated clients.

DRF's own classes read their rates once, at import; these read `DEFAULT_THROTTLE_RATES` on each
request, so a changed setting (API_THROTTLE_ANON / API_THROTTLE_USER, or a test) takes effect.
Counters live in Django's default cache: per process by default, shared between processes and
servers when CACHE_URL points at Redis. A throttled request gets 429 with Retry-After.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings


class _RatesFromSettings:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_RatesFromSettings, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_RatesFromSettings, throttling.UserRateThrottle):
    pass


class TokenRequestThrottle(throttling.AnonRateThrottle):
    """Password attempts at the token endpoint, per client address: slows down guessing."""

    scope = "token"
    rate = "20/hour"

    def get_rate(self):
        return self.rate
