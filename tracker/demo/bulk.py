"""Writing many rows fast: the driver's bulk path (`executemany` on SQLite, `COPY` on PostgreSQL)
with values already in database form, and secondary indexes built once after the load."""

import datetime

from django.db import models
from django.utils import timezone

from tracker.models.sync import reserve_change_key

from .vocabulary import EPOCH

_EPOCH_ORDINAL = EPOCH.date().toordinal()  # EPOCH is midnight UTC


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
        if self.vendor == "sqlite" and type(timestamp) is int:
            # The text isoformat(" ") gives for whole seconds, without making a datetime (millions of calls).
            day, second = divmod(timestamp, 86400)
            return f"{self.date(_EPOCH_ORDINAL + day)} {second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
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
        """Insert `rows` (tuples in `attnames` order) into `model`'s table, its indexes deferred (an
        empty table's: `deferred_indexes`); returns the count."""
        table = model._meta.db_table
        columns, extra = self.columns(model, attnames)
        if extra:
            rows = (row + extra for row in rows)
        with deferred_indexes(self.conn, model):
            return self._write(table, columns, rows)

    def _write(self, table, columns, rows):
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
    On PostgreSQL its foreign keys go too and are added again after the load, which checks every
    row in one join instead of one query per row and key at commit. Inside the caller's
    transaction, so a failure leaves the table as it was. Indexes that back a constraint (primary
    key, unique) stay."""

    def __init__(self, conn, model):
        self.conn, self.table = conn, model._meta.db_table
        self.definitions, self.foreign_keys = [], []
        # Only for an empty table: rebuilding the indexes of a table that already holds real rows
        # (--force) would cost more than it saves.
        self.enabled = not model._base_manager.using(conn.alias).exists()

    def __enter__(self):
        if not self.enabled:
            return self
        quote = self.conn.ops.quote_name
        with self.conn.cursor() as cursor:
            if self.conn.vendor == "sqlite":
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                    [self.table],
                )
            elif self.conn.vendor == "postgresql":
                # ALTER TABLE refuses a table (or the one a key references) with deferred checks
                # or triggers pending: run them now, then defer again.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                    " WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                    [quote(self.table)],
                )
                self.foreign_keys = cursor.fetchall()
                for name, _definition in self.foreign_keys:
                    cursor.execute(f"ALTER TABLE {quote(self.table)} DROP CONSTRAINT {quote(name)}")
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s"
                    " AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                    [self.table, quote(self.table)],
                )
            else:
                return self
            self.definitions = cursor.fetchall()
            for name, _sql in self.definitions:
                cursor.execute(f"DROP INDEX {quote(name)}")
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None and self.enabled:
            quote = self.conn.ops.quote_name
            with self.conn.cursor() as cursor:
                if self.conn.vendor == "postgresql":
                    # As in __enter__; and more memory to sort in than the default 64 MB.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                for name, definition in self.foreign_keys:
                    cursor.execute(f"ALTER TABLE {quote(self.table)} ADD CONSTRAINT {quote(name)} {definition}")
                for _name, sql in self.definitions:
                    cursor.execute(sql)
                if self.conn.vendor == "postgresql":
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return False


class paused_triggers:
    """Drop every trigger of the tables about to be bulk-loaded and create them again afterwards,
    from the definitions the database gives (whatever their names: data version, change keys,
    maintained counts). A trigger fired per row costs more than the row's insert; what they would
    have done is then done set-based (`tracker.demo._after_bulk_load`). Inside the caller's
    transaction, where DDL is transactional on both databases: a failure rolls the drop back too.
    `loaded_after` maps each table to its largest id before the load (0 if empty), so the rows
    loaded are those with a larger id."""

    def __init__(self, conn, models_):
        self.conn = conn
        self.tables = [model._meta.db_table for model in models_]
        self.definitions = []
        self.loaded_after = {}

    def __enter__(self):
        if not self.conn.in_atomic_block:
            raise RuntimeError("paused_triggers() needs a transaction")
        quote = self.conn.ops.quote_name
        with self.conn.cursor() as cursor:
            for table in self.tables:
                cursor.execute(f"SELECT max(id) FROM {quote(table)}")  # noqa: S608 (model table names)
                self.loaded_after[table] = cursor.fetchone()[0] or 0
            if self.conn.vendor == "sqlite":
                placeholders = ", ".join(["%s"] * len(self.tables))
                # In creation order (SQLite fires a table's triggers in an order that depends on it).
                cursor.execute(
                    f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({placeholders})"  # noqa: S608
                    " ORDER BY rowid",
                    self.tables,
                )
                self.definitions = cursor.fetchall()
                for name, _sql in self.definitions:
                    cursor.execute(f"DROP TRIGGER {quote(name)}")
            elif self.conn.vendor == "postgresql":
                # Run the events already queued for deferred triggers (a previous run's deletions)
                # before their triggers go; the constraints are deferred again right after.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                cursor.execute(
                    "SELECT tgname, tgrelid::regclass::text, pg_get_triggerdef(oid) FROM pg_trigger"
                    " WHERE NOT tgisinternal AND tgrelid = ANY(%s::regclass[]) ORDER BY tgrelid, tgname",
                    [[quote(table) for table in self.tables]],
                )
                rows = cursor.fetchall()
                for name, table, _sql in rows:
                    cursor.execute(f"DROP TRIGGER {quote(name)} ON {table}")
                self.definitions = [(name, sql) for name, _table, sql in rows]
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            with self.conn.cursor() as cursor:
                for _name, sql in self.definitions:
                    cursor.execute(sql)
        return False


def next_id(model):
    return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
