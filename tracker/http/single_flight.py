"""One render per response-cache key at a time: the requests that miss the same key together wait
for the first one's answer instead of all rendering it (no thundering herd).

After a change every answer misses (the data version is in each key), and a busy page is asked for
by many readers at once; without this, each of them renders it, and the first requests of a run
queue behind each other (docs/benchmarks.md). With it:

- in one process, the first request that misses a key renders it; the others wait on an event until
  its block ends, then read its entry from the cache;
- between processes sharing a cache (`CACHE_URL`), the renderer holds a short lock entry beside the
  key (`cache.add`, atomic in Redis); a request of another process that finds the lock taken polls
  for the entry until the lock goes away.

A waiter never gets anything older than what it would have rendered: it waits for the entry of its
own key, and the key holds the data version the waiter read. It waits at most
`settings.RESPONSE_CACHE_RENDER_WAIT` seconds (default 5), then renders itself; so does a waiter
whose renderer produced nothing storable (an error, a streamed export, an answer read inside a
transaction), as soon as the renderer is done.
"""

import contextlib
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache as shared_cache

POLL_SECONDS = 0.005

_lock = threading.Lock()
_flights = {}


def in_flight():
    """How many keys this process is rendering now (int): 0 once every render has ended."""
    with _lock:
        return len(_flights)


def wait_seconds():
    """How long a request waits for another's render of its key, in seconds (float)."""
    return float(getattr(settings, "RESPONSE_CACHE_RENDER_WAIT", 5.0))


def _poll_shared(key, lock_key, lookup, deadline):
    """The entry another process stores under `key` while it holds `lock_key`; None once the lock
    is released without one, or at `deadline` (a time.monotonic() value)."""
    while time.monotonic() < deadline:
        found = shared_cache.get_many([key, lock_key])
        if key in found:
            return lookup()
        if lock_key not in found:
            return lookup()
        time.sleep(POLL_SECONDS)
    return None


@contextlib.contextmanager
def flight(key, lookup, shared):
    """Context manager for a request that missed `key`. Yields the entry (as `lookup()` returns it)
    that another request rendered while this one waited, or None: then this request is the one
    rendering `key` and must store its answer inside the block, where the others wait for it.
    `shared` says whether processes share a cache (then the lock is taken there too). Raises
    nothing of its own; the cache backend's errors propagate."""
    with _lock:
        event = _flights.get(key)
        leader = event is None
        if leader:
            event = _flights[key] = threading.Event()
    if not leader:
        event.wait(wait_seconds())
        yield lookup()
        return
    lock_key = f"{key}:rendering"
    locked = False
    try:
        found = None
        if shared:
            locked = shared_cache.add(lock_key, uuid.uuid4().hex, timeout=max(1, round(wait_seconds())))
            if not locked:
                found = _poll_shared(key, lock_key, lookup, time.monotonic() + wait_seconds())
        yield found
    finally:
        if locked:
            shared_cache.delete(lock_key)
        with _lock:
            _flights.pop(key, None)
        event.set()
