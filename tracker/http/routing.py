"""Each request's reads as one unit for the read-replica router (tracker.models.routing).

Installed by the settings only when DATABASE_REPLICA_URL is set, around the response cache (whose
data-version read records the primary's WAL position). A request that may write (any method but
GET, HEAD, OPTIONS and TRACE) reads the primary, and its answer carries a signed cookie
(`REPLICA_PRIMARY_AFTER_WRITE_SECONDS` long, HttpOnly, SameSite=Lax) with which the same client keeps
reading the primary for that long, whatever the replica has replayed. The cookie names no one and
holds no data; a forged or expired one is ignored. It does not vary the response cache: a cached
answer's key holds the data version read from the primary, so the writer is never served one older
than its write.
"""

from django.conf import settings

from tracker.models import routing

COOKIE = "tracker_wrote"
SALT = "tracker.http.routing"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def wrote_recently(request):
    """Whether the client's signed cookie says it wrote in the last REPLICA_PRIMARY_AFTER_WRITE_SECONDS."""
    seconds = settings.REPLICA_PRIMARY_AFTER_WRITE_SECONDS
    return request.get_signed_cookie(COOKIE, default=None, salt=SALT, max_age=seconds) is not None


class ReadRouting:
    """Open `routing.routed_reads` for the request, and mark a client that may have written."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        writes = request.method not in SAFE_METHODS
        with routing.routed_reads(primary_only=writes or wrote_recently(request)):
            response = self.get_response(request)
        if writes:
            response.set_signed_cookie(
                COOKIE,
                "1",
                salt=SALT,
                max_age=settings.REPLICA_PRIMARY_AFTER_WRITE_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
