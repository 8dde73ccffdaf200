"""The data version: one number that changes in the same transaction as any change to the data.

Cached pages and API answers are keyed by it (`tracker.http.cache`), so a cached answer can never
outlive a change: the transaction that changes a recommendation, an update, a theme or any other
tracker row also changes this number, and every process reads it from the database before it
serves anything from a cache.

Database triggers do the bumping (migration 0005), not Python code, so nothing can forget it:
admin saves, services, imports, `loaddata`, bulk inserts, raw SQL and restores all fire them.
On PostgreSQL the trigger is deferred to commit time and bumps once per transaction, so the row
lock it takes is the last one a writing transaction acquires (no deadlock with the row locks of
`select_for_update`) and a million-row insert bumps once.
"""

import time

from django.db import connections, models

from . import routing


def fresh_version():
    """A starting value no earlier version can have had: microseconds since the epoch. Used when
    the row is (re)created, for example after a flush, so old cache entries never match again."""
    return time.time_ns() // 1000


class DataVersion(models.Model):
    """A single row (id 1); `value` grows with every committed change to tracker data."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    value = models.BigIntegerField(default=fresh_version)

    class Meta:
        db_table = "tracker_dataversion"  # named in the triggers of migration 0005 and in current()
        verbose_name = "data version"

    def __str__(self):
        return str(self.value)

    @classmethod
    def current(cls, using="default"):
        """The committed data version, creating the row if a flush removed it. One query, written
        as plain SQL: it runs before every cached answer, where building it with the ORM would
        cost more than the rest of the answer. With a read replica (tracker.models.routing) the same
        query also returns the primary's WAL insert position, which the replica must have replayed
        before the request may read it."""
        with_lsn = routing.wants_primary_lsn(using)
        with connections[using].cursor() as cursor:
            if with_lsn:
                cursor.execute("SELECT value, pg_current_wal_insert_lsn()::text FROM tracker_dataversion WHERE id = 1")
            else:
                cursor.execute("SELECT value FROM tracker_dataversion WHERE id = 1")
            row = cursor.fetchone()
        if with_lsn and row:
            routing.note_primary_lsn(row[1])
        value = row[0] if row else None
        if value is None:
            value = cls.objects.using(using).get_or_create(pk=1)[0].value
        return value


# Tables whose changes do not change what the public pages and the API show (as in migration 0005).
# E-mail notices are staff bookkeeping that no public answer reads; follows by e-mail
# ("tracker_follow_": subscriptions and their throttle, not "tracker_followupaction") neither.
UNTRACKED_PREFIXES = (
    "tracker_historical",
    "tracker_user",
    "tracker_dataversion",
    "tracker_emailnotice",
    "tracker_follow_",
    # Outbound webhooks: endpoints and the log of deliveries, read by the secretariat only.
    "tracker_webhookendpoint",
    "tracker_webhookdelivery",
    # The maintained aggregates change only with the tables they count, which bump it already.
    "tracker_statuscount",
    "tracker_actorreportcount",
    # The cache scopes change only with the tables they follow (tracker.models.cache_scopes).
    "tracker_cachescope",
)


def ensure_version_triggers(app_config, using="default", **kwargs):
    """Create any missing data-version trigger (`post_migrate` receiver; idempotent).

    Migration 0005 installs the triggers; but SQLite rebuilds a table to add a NOT NULL column
    (Django's schema editor copies it into a new table), which drops the table's triggers, and a
    model added later needs its own. Run after every `migrate`, this keeps every tracked table
    (each tracker table but history, users and the version row) bumping the version, so the
    response cache can never serve an answer older than the data.
    """
    connection = connections[using]
    tables = sorted(
        model._meta.db_table
        for model in app_config.get_models(include_auto_created=True)
        if not model._meta.db_table.startswith(UNTRACKED_PREFIXES)
    )
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in tables:
                if table not in existing:
                    continue
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        f'CREATE TRIGGER IF NOT EXISTS "{table}_dv_{event.lower()}" AFTER {event} ON "{table}" '  # noqa: S608
                        "BEGIN UPDATE tracker_dataversion SET value = value + 1 WHERE id = 1; END"
                    )
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            triggers = {row[0] for row in cursor.fetchall()}
            for table in tables:
                if table not in existing:
                    continue
                if f"{table}_dv" not in triggers:
                    cursor.execute(
                        f'CREATE CONSTRAINT TRIGGER "{table}_dv" AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
                        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tracker_bump_data_version()"
                    )
                if f"{table}_dv_truncate" not in triggers:
                    cursor.execute(
                        f'CREATE TRIGGER "{table}_dv_truncate" AFTER TRUNCATE ON "{table}" '
                        "FOR EACH STATEMENT EXECUTE FUNCTION tracker_bump_data_version()"
                    )
