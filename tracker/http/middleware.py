"""Keep answering while the database is away.

When PostgreSQL restarts (or SQLite stays locked), a query raises OperationalError or
InterfaceError. Unhandled, that is a 500 (and a traceback in DEBUG). This middleware answers 503
Service Unavailable with Retry-After instead: the generic templates/503.html for pages, the API's
error format for /api/. Nothing else is needed to recover: a persistent connection is checked
before a request reuses it (`check_connection()`, or the retried data-version read of a cacheable
request: tracker.http.cache) and Django drops one that failed at the end of the request, so the
first request after the database is back reconnects.

An outage met outside any view (in a middleware) reaches Django's handler500 instead, which
`server_error` below turns into the same 503.

Writes need no special care here: every state change runs in one transaction (tracker.services),
which the failure rolls back as a whole.
"""

import logging
import sys

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

# Seconds a client should wait before trying again: a database restart takes a few.
RETRY_AFTER_SECONDS = 30


def check_connection(alias=DEFAULT_DB_ALIAS):
    """Close the persistent connection of `alias` if it no longer answers (a database restarted
    since the last request), so the request's first query opens a new one: Django's
    CONN_HEALTH_CHECKS, made here instead. Django's check runs before the first query of every
    request, one more round trip (PostgreSQL: `SELECT 1`) even for a cached answer whose one query
    is its data version; settings turn it off, and the response cache checks only the requests
    it does not answer from the cache (it retries its own read once on a fresh connection
    instead). No query on SQLite (a file cannot go away) or without an open connection."""
    connection = connections[alias]
    if connection.connection is not None and not connection.in_atomic_block and not connection.is_usable():
        connection.close()


def database_unavailable_response(request):
    """The 503 answer to `request`: JSON on the API, a plain page (no database needed) elsewhere."""
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": _("The database is temporarily unavailable. Try again shortly."),
                "code": "service_unavailable",
            },
            status=503,
        )
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turn a lost or unreachable database into 503 + Retry-After, never a 500 or a traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # One line, no traceback: during an outage every request ends here.
        reason = (str(exception).strip().splitlines() or [""])[0]
        logger.warning(
            "Database unavailable: %s %s answered 503 (%s: %s)",
            request.method,
            request.path,
            type(exception).__name__,
            reason,
        )
        return database_unavailable_response(request)


def server_error(request):
    """handler500: an outage met outside any view (a middleware saving the session, say) answers
    503 like one met in a view; anything else gets Django's generic 500 page.

    Django calls the handler while the exception is being handled, so it is still at hand here.
    """
    exception = sys.exception()
    if isinstance(exception, OperationalError | InterfaceError):
        return DatabaseUnavailableMiddleware(None).process_exception(request, exception)
    return defaults.server_error(request)
