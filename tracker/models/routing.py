"""Which database a read goes to when a PostgreSQL streaming replica is configured (DATABASE_REPLICA_URL).

Installed by the settings only when the replica is (`ReplicaRouter`, with the middleware
`tracker.http.routing.ReadRouting` that opens `routed_reads` around each request); without a replica
nothing here runs and no query is added. The rule, which keeps "never older than committed data":

- Writes go to the primary ("default"), and so does every read inside an atomic block on it (a write
  transaction), every read after an ORM write in the same request (the router sees those), every read
  outside a request (commands, tasks, the shell, the rows of a streamed answer, read after the
  middleware has returned) and every read of a request that may write (POST, PUT, PATCH, DELETE) or
  whose client wrote in the last `REPLICA_PRIMARY_AFTER_WRITE_SECONDS` (a signed cookie).
- A request reads the replica only when its data-version read on the primary (the response cache's,
  `DataVersion.current`) also returned the primary's WAL insert position (`pg_current_wal_insert_lsn()`,
  in the same statement, so no extra query) and the replica has replayed at least that far
  (`pg_last_wal_replay_lsn()`). The statement's snapshot is taken before the function runs, so that
  position is at or past the commit record of every transaction the version read could see,
  whatever `synchronous_commit` is (the write or flush position could lag an asynchronous commit's
  record). The replica then shows everything the version names, and anything committed before.
  (Where the insert position falls on a WAL page boundary it points past the next page's header,
  which the replica reaches with the next WAL record: until then requests read the primary, which
  costs speed only.)
- The replica is asked once per request, at its first read, and only on a cache miss (a cached answer
  reads nothing but the version). A replica that is behind, paused, unreachable or not in recovery
  (NULL) sends the request to the primary. Requests with no such version read (signed-in users, API
  clients with a token, the admin, the health check, or RESPONSE_CACHE_MB=0) read the primary.
"""

import contextlib
import contextvars
import logging

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"

logger = logging.getLogger(__name__)


class _Reads:
    """What one request has learnt: whether it must read the primary, the primary's WAL position
    (text, e.g. "0/3000148") from its data-version read, and the alias its reads go to once decided."""

    __slots__ = ("primary_only", "primary_lsn", "alias")

    def __init__(self, primary_only):
        self.primary_only = primary_only
        self.primary_lsn = None
        self.alias = DEFAULT_DB_ALIAS if primary_only else None


_reads = contextvars.ContextVar("tracker_routed_reads", default=None)


@contextlib.contextmanager
def routed_reads(*, primary_only):
    """Route the reads made inside the block as one request's (see the module docstring)."""
    token = _reads.set(_Reads(primary_only))
    try:
        yield
    finally:
        _reads.reset(token)


def wants_primary_lsn(using):
    """Whether a data-version read on `using` should also return the primary's WAL position."""
    reads = _reads.get()
    return reads is not None and reads.alias is None and using == DEFAULT_DB_ALIAS


def note_primary_lsn(lsn):
    """Record the primary's WAL position read with the data version; the replica must reach it."""
    reads = _reads.get()
    if reads is not None and reads.alias is None:
        reads.primary_lsn = lsn


def _replica_has_replayed(lsn):
    """True when the replica has replayed the WAL up to `lsn`; False when it is behind, is no standby
    or does not answer (then the primary serves, and the failure is logged)."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            return bool(cursor.fetchone()[0])
    except DatabaseError:
        logger.warning("The read replica did not answer; reading the primary", exc_info=True)
        return False


class ReplicaRouter:
    """Django's database router for the replica (settings.DATABASE_ROUTERS when it is configured)."""

    def db_for_read(self, model, **hints):
        reads = _reads.get()
        if reads is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if reads.alias is None:
            caught_up = reads.primary_lsn is not None and _replica_has_replayed(reads.primary_lsn)
            reads.alias = REPLICA if caught_up else DEFAULT_DB_ALIAS
        return reads.alias

    def db_for_write(self, model, **hints):
        reads = _reads.get()
        if reads is not None:
            reads.alias = DEFAULT_DB_ALIAS  # what this request reads next may be what it just wrote
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # a replica is read-only; it receives the primary's schema
