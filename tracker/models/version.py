"""The data version: one number that changes in the same transaction as any change to the data.

Cached pages and API answers are keyed by it (`tracker.cache`), so a cached answer can never
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
        cost more than the rest of the answer."""
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT value FROM tracker_dataversion WHERE id = 1")
            row = cursor.fetchone()
        value = row[0] if row else None
        if value is None:
            value = cls.objects.using(using).get_or_create(pk=1)[0].value
        return value
