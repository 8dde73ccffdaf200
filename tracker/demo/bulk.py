"""Writing many rows fast: the driver's bulk path (`executemany` on SQLite, `COPY` on PostgreSQL)
with values already in database form, and secondary indexes built once after the load."""

import datetime

from django.db import models
from django.utils import timezone

from tracker.models.sync import reserve_change_key

from .vocabulary import EPOCH


class BulkWriter:
    """Writes rows of one model with the driver's bulk path, values already in database form."""

    def __init__(self, conn):
        self.conn = conn
        self.vendor = conn.vendor
        self._dates = {}
        self._change_key = None
        self._now = None

    @property
    def change_key(self):
        """The change key of every row this writer inserts, reserved once in the writer's transaction
        (rows inserted with a key are not stamped one by one; see tracker.models.sync)."""
        if self._change_key is None:
            self._change_key = reserve_change_key(self.conn.alias)
        return self._change_key

    # Values in the form the driver stores them, as Django would write them.
    def date(self, ordinal):
        if ordinal is None:
            return None
        value = self._dates.get(ordinal)
        if value is None:
            value = datetime.date.fromordinal(ordinal)
            if self.vendor == "sqlite":
                value = value.isoformat()
            self._dates[ordinal] = value
        return value

    def datetime(self, timestamp):
        if timestamp is None:
            return None
        value = EPOCH + datetime.timedelta(seconds=timestamp)
        if self.vendor == "sqlite":
            # Django stores aware datetimes on SQLite as naive UTC text.
            return value.replace(tzinfo=None).isoformat(" ")
        return value

    def columns(self, model, given):
        """Column names for `given` attnames, plus constant defaults for every other field."""
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(given) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}")
        extra = []
        for attname, field in fields.items():
            if attname in given or (field.primary_key and isinstance(field, models.AutoField)):
                continue
            if attname == "change_key":
                value = self.change_key
            elif attname == "asserted_at":  # demo judgements, dated alike in every run
                value = self.datetime(0)
            elif field.default is timezone.now:  # updated_at: the time of this run
                self._now = self._now or timezone.now()
                value = field.get_db_prep_save(self._now, self.conn)
            elif field.has_default() and not callable(field.default):
                value = field.get_db_prep_save(field.get_default(), self.conn)
            elif field.null:
                value = None
            else:
                raise ValueError(f"generate_demo_data does not know how to fill {model.__name__}.{attname}")
            extra.append((field.column, value))
        columns = [fields[a].column for a in given] + [c for c, _ in extra]
        return columns, tuple(v for _, v in extra)

    def write(self, model, attnames, rows):
        """Insert `rows` (tuples in `attnames` order) into `model`'s table; returns the count."""
        table = model._meta.db_table
        columns, extra = self.columns(model, attnames)
        if extra:
            rows = (row + extra for row in rows)
        quoted = ", ".join(self.conn.ops.quote_name(c) for c in columns)
        count = 0
        if self.vendor == "postgresql":
            sql = f"COPY {self.conn.ops.quote_name(table)} ({quoted}) FROM STDIN"
            with self.conn.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            placeholders = ", ".join(["?"] * len(columns))
            sql = f"INSERT INTO {self.conn.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"  # noqa: S608
            raw = self.conn.connection
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) >= 50_000:
                    raw.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                raw.executemany(sql, batch)
                count += len(batch)
        return count


class deferred_indexes:
    """Drop a table's secondary indexes while it is bulk-loaded and build them again afterwards:
    building an index once from sorted data is several times faster than growing it row by row.
    Inside the caller's transaction, so a failure leaves the indexes as they were. Indexes that
    back a constraint (primary key, unique) stay."""

    def __init__(self, conn, model):
        self.conn, self.table = conn, model._meta.db_table
        self.definitions = []
        # Only for an empty table: rebuilding the indexes of a table that already holds real rows
        # (--force) would cost more than it saves.
        self.enabled = not model._base_manager.using(conn.alias).exists()

    def __enter__(self):
        if not self.enabled:
            return self
        with self.conn.cursor() as cursor:
            if self.conn.vendor == "sqlite":
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                    [self.table],
                )
            elif self.conn.vendor == "postgresql":
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s"
                    " AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                    [self.table, self.conn.ops.quote_name(self.table)],
                )
            else:
                return self
            self.definitions = cursor.fetchall()
            for name, _sql in self.definitions:
                cursor.execute(f"DROP INDEX {self.conn.ops.quote_name(name)}")
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            with self.conn.cursor() as cursor:
                if self.conn.vendor == "postgresql" and self.definitions:
                    # CREATE INDEX refuses a table with deferred foreign-key checks pending: run them now.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for _name, sql in self.definitions:
                    cursor.execute(sql)
                if self.conn.vendor == "postgresql" and self.definitions:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return False


def next_id(model):
    return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
