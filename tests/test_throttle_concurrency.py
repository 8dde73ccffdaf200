"""The API's rate limit counts every request when many arrive at once.

Threads stand in for concurrent workers: each sends its requests through the throttle at the same
moment, against the shared cache a deployment uses (Redis), in a database number and key prefix
of their own. A counter read and written back would lose increments here and let more requests
through than the rate; the atomic add/incr counts each one.
"""

import socket
import threading
import uuid

import pytest
import redis
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import RequestFactory

from tracker.api.throttling import AnonRateThrottle, UserRateThrottle

# A database number no other test uses (tests/test_response_cache.py uses 15).
REDIS_URL = "redis://127.0.0.1:6379/14"
THREADS = 8
REQUESTS_PER_THREAD = 25
RATE = 50


def _redis_answers():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def redis_cache(settings):
    if not _redis_answers():
        pytest.fail("no Redis on 127.0.0.1:6379: .ci/run starts one (redis-server)")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}",
        }
    }
    # Each test deletes its own keys: clear() would empty the whole database number.
    return cache


def _hammer(throttle_class, user, now):
    """Send THREADS × REQUESTS_PER_THREAD requests from one client through fresh throttles, all
    threads starting together; return how many were allowed and the throttle's counter key."""
    factory = RequestFactory()
    start = threading.Barrier(THREADS)
    allowed = []
    errors = []

    def worker():
        try:
            start.wait()
            for _ in range(REQUESTS_PER_THREAD):
                request = factory.get("/api/v1/recommendations/", REMOTE_ADDR="203.0.113.9")
                request.user = user
                throttle = throttle_class()
                throttle.timer = lambda: now
                allowed.append(throttle.allow_request(request, None))
        except Exception as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    probe = throttle_class()
    request = factory.get("/", REMOTE_ADDR="203.0.113.9")
    request.user = user
    key = f"{probe.get_cache_key(request, None)}:{int(now // probe.duration)}"
    return sum(allowed), key


def test_concurrent_anonymous_requests_are_each_counted(redis_cache, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": f"{RATE}/hour"}}
    now = 1_700_000_000.5  # a fixed clock: every request falls in the same window
    allowed, key = _hammer(AnonRateThrottle, AnonymousUser(), now)
    try:
        assert allowed == RATE
        assert redis_cache.get(key) == THREADS * REQUESTS_PER_THREAD
        # The counter expires once its window (an hour) is over, not never (nor at Redis's whim).
        ttl = redis.Redis.from_url(REDIS_URL).ttl(redis_cache.make_key(key))
        assert 3600 - 60 < ttl <= 3601
    finally:
        redis_cache.delete(key)


def test_concurrent_requests_of_one_user_are_each_counted(redis_cache, settings, django_user_model):
    user = django_user_model(pk=987654, username="throttled")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": f"{RATE}/hour"}}
    now = 1_700_000_000.5
    allowed, key = _hammer(UserRateThrottle, user, now)
    try:
        assert allowed == RATE
        assert redis_cache.get(key) == THREADS * REQUESTS_PER_THREAD
    finally:
        redis_cache.delete(key)


def test_a_new_window_starts_a_new_count(redis_cache, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/hour"}}
    request = RequestFactory().get("/api/v1/", REMOTE_ADDR="203.0.113.10")
    request.user = AnonymousUser()
    hour = 1_700_000_000 // 3600 * 3600

    def allowed_at(moment):
        throttle = AnonRateThrottle()
        throttle.timer = lambda: moment
        return throttle.allow_request(request, None), throttle

    try:
        assert allowed_at(hour + 10)[0] and allowed_at(hour + 20)[0]
        refused, throttle = allowed_at(hour + 3000)
        assert not refused
        assert throttle.wait() == 600  # until the window ends, which Retry-After says
        assert allowed_at(hour + 3600)[0]
    finally:
        base = AnonRateThrottle().get_cache_key(request, None)
        redis_cache.delete_many([f"{base}:{hour // 3600}", f"{base}:{hour // 3600 + 1}"])
