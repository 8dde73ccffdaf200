"""Incremental sync: a commit-ordered change key on every resource the API lists, and a record of
deletions, so that a client holding the largest key it has seen can fetch exactly what changed.

The change key is the data version (`models/version.py`) of the transaction that last changed the
row, its many-to-many links or (for recommendations and progress updates) the rows that their API
answer nests. Database triggers assign it, like the version itself, so no write path can forget it:

- On PostgreSQL they are deferred to commit. The transaction then takes the version row's lock,
  bumps the version once and stamps every row it changed with the new value. The lock is held until
  the commit is visible, so a transaction that commits later always gets a larger key: a client that
  read up to key K can never later find a new row below K (a sequence assigned at write time, or a
  timestamp, would let a long transaction commit a smaller key after a client had moved past it).
- On SQLite, writers are serialized from their first write to their commit, so the triggers stamp
  at write time, each bumping the version first.

`updated_at` is stamped alongside (commit time on PostgreSQL). Deleting a row, or changing its
public key (slug or code), writes a `Deletion` of the old key with the same change key.

A client applies deletions whose key is larger than the key of the copy it holds; a row deleted and
recreated in one PostgreSQL transaction carries the same key as its deletion and is kept.
"""

import contextlib
from typing import NamedTuple

from django.db import connections, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Synced(models.Model):
    """Abstract base of the listed resources: `change_key` (int, commit-ordered) and `updated_at`."""

    change_key = models.BigIntegerField(
        _("change key"),
        default=0,
        editable=False,
        db_index=True,
        help_text=_("The data version of the transaction that last changed this record (set by the database)."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        abstract = True


class Deletion(models.Model):
    """A record that left the API: deleted, or its public key (slug, code) changed.

    `resource` is the API's name for the list (`recommendation`, `update`, ...), `key` the value the
    API identified it by (slug, code, or the id of a progress update)."""

    resource = models.CharField(_("resource"), max_length=30)
    key = models.CharField(_("key"), max_length=200)
    change_key = models.BigIntegerField(_("change key"), default=0, editable=False, db_index=True)
    deleted_at = models.DateTimeField(_("deleted at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["change_key", "id"]
        verbose_name = _("deletion")
        verbose_name_plural = _("deletions")

    def __str__(self):
        return f"{self.resource} {self.key}"


# Each listed resource: its model label, the API's name for it and the column the API names it by.
RESOURCES = {
    "tracker.Process": ("process", "slug"),
    "tracker.Forum": ("forum", "slug"),
    "tracker.Roundtable": ("roundtable", "slug"),
    "tracker.Recommendation": ("recommendation", "code"),
    "tracker.ProgressUpdate": ("update", "id"),
    "tracker.Actor": ("actor", "slug"),
    "tracker.Theme": ("theme", "slug"),
    "tracker.FrameworkObjective": ("objective", "slug"),
    "tracker.Document": ("document", "slug"),
    "tracker.ReportingCycle": ("cycle", "slug"),
}


class Touch(NamedTuple):
    """A row of `source` whose change moves the key of the `target` row its `column` names (or,
    with `via` = (label, column), the row that column of the `via` row names). `condition` limits
    it to rows that match, before or after the change; `placement` limits it to inserts, deletes
    and changes of `column` (for the counts a record shows of what points at it)."""

    source: str
    column: str
    target: str
    condition: str = ""
    via: tuple = ()
    placement: bool = False


# Rows whose change moves another resource's key, besides many-to-many links (found from the
# models). An update's review moves its recommendation only when the update is or was public.
TOUCHES = [
    Touch("tracker.ProgressUpdate", "recommendation_id", "tracker.Recommendation", "review_state = 'approved'"),
    Touch("tracker.FollowUpAction", "recommendation_id", "tracker.Recommendation"),
    Touch("tracker.RecommendationLink", "from_recommendation_id", "tracker.Recommendation"),
    Touch("tracker.RecommendationLink", "to_recommendation_id", "tracker.Recommendation"),
    Touch("tracker.EvidenceFile", "update_id", "tracker.ProgressUpdate"),
    Touch("tracker.ReportingRequest", "cycle_id", "tracker.ReportingCycle"),
    Touch("tracker.EditorialFact", "forum_id", "tracker.Forum"),
    Touch("tracker.EditorialFact", "document_id", "tracker.Document"),
    # The counts of recommendations and forums that processes, forums and roundtables show.
    Touch("tracker.Recommendation", "forum_id", "tracker.Forum", placement=True),
    Touch("tracker.Recommendation", "forum_id", "tracker.Process", via=("tracker.Forum", "process_id"), placement=True),
    Touch("tracker.Recommendation", "roundtable_id", "tracker.Roundtable", placement=True),
    Touch(
        "tracker.Recommendation",
        "roundtable_id",
        "tracker.Roundtable",
        via=("tracker.Roundtable", "parent_id"),
        placement=True,
    ),
    Touch("tracker.Forum", "process_id", "tracker.Process", placement=True),
]


class TableTouch(NamedTuple):
    """A Touch in table names: `via` is (table, column) or ()."""

    source: str
    column: str
    target: str
    condition: str
    via: tuple
    placement: bool

    @property
    def name(self):
        """The trigger's name: unique per table, column, target and path."""
        path = f"_{self.via[1]}" if self.via else ""
        return f"{self.source}_ck_{self.column}{path}"


def resource_tables(apps):
    """{table: (resource name, key column)} of the listed resources."""
    return {apps.get_model(label)._meta.db_table: (name, column) for label, (name, column) in RESOURCES.items()}


def touch_specs(apps):
    """[TableTouch]: the explicit touches, and both ends of every many-to-many link of a
    recommendation (a link moves the recommendation, and the theme, actor or objective whose
    count of recommendations it changes) and the owner's end of the other links."""

    def table(label):
        return apps.get_model(label)._meta.db_table

    def exists(label):  # a migration's registry may predate a model
        try:
            apps.get_model(label)
        except LookupError:
            return False
        return True

    specs = [
        TableTouch(
            table(touch.source),
            touch.column,
            table(touch.target),
            touch.condition,
            (table(touch.via[0]), touch.via[1]) if touch.via else (),
            touch.placement,
        )
        for touch in TOUCHES
        if exists(touch.source) and exists(touch.target)
    ]
    for label in RESOURCES:
        model = apps.get_model(label)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through  # automatic, or a link model such as ObjectiveMapping
            specs.append(
                TableTouch(through._meta.db_table, field.m2m_column_name(), model._meta.db_table, "", (), False)
            )
            if label == "tracker.Recommendation":
                other = field.remote_field.model._meta.db_table
                specs.append(TableTouch(through._meta.db_table, field.m2m_reverse_name(), other, "", (), False))
    return specs


PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION tracker_change_key() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE k bigint;
BEGIN
    -- The version is bumped once per transaction; later calls read the transaction's own value.
    IF current_setting('tracker.data_version_bumped', true) IS DISTINCT FROM txid_current()::text THEN
        INSERT INTO tracker_dataversion (id, value)
            VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
            ON CONFLICT (id) DO UPDATE SET value = tracker_dataversion.value + 1
            RETURNING value INTO k;
        PERFORM set_config('tracker.data_version_bumped', txid_current()::text, true);
    ELSE
        SELECT value INTO k FROM tracker_dataversion WHERE id = 1;
    END IF;
    RETURN k;
END
$$;

CREATE OR REPLACE FUNCTION tracker_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tracker_change_key();
    RETURN NULL;
END
$$;

-- TG_ARGV: [0] the table to stamp, [1] the column of this row holding its id; or, with [2] and
-- [3], the id of a row of table [2] whose column [3] holds the id to stamp.
CREATE OR REPLACE FUNCTION tracker_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    k bigint := tracker_change_key();
    ids bigint[] := '{}';
BEGIN
    IF TG_OP <> 'DELETE' THEN
        ids := ids || (to_jsonb(NEW) ->> TG_ARGV[1])::bigint;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        ids := ids || (to_jsonb(OLD) ->> TG_ARGV[1])::bigint;
    END IF;
    IF TG_NARGS > 2 THEN
        EXECUTE format('SELECT coalesce(array_agg(%I), ''{}'') FROM %I WHERE id = ANY($1)', TG_ARGV[3], TG_ARGV[2])
            INTO ids USING ids;
    END IF;
    EXECUTE format('UPDATE %I SET change_key = $1, updated_at = clock_timestamp() '
                   'WHERE id = ANY($2) AND change_key <> $1', TG_ARGV[0])
        USING k, ids;
    RETURN NULL;
END
$$;

-- TG_ARGV: [0] the resource's API name, [1] its key column.
CREATE OR REPLACE FUNCTION tracker_record_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tracker_deletion (resource, key, change_key, deleted_at)
        VALUES (TG_ARGV[0], to_jsonb(OLD) ->> TG_ARGV[1], tracker_change_key(), clock_timestamp());
    RETURN NULL;
END
$$;
"""

SQLITE_BUMP = (
    "INSERT INTO tracker_dataversion (id, value) "
    "VALUES (1, CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)) "
    "ON CONFLICT (id) DO UPDATE SET value = value + 1;"
)
SQLITE_KEY = "(SELECT value FROM tracker_dataversion WHERE id = 1)"
# As Django writes a datetime in SQLite, six decimals, so that stamped and written values compare as text.
SQLITE_NOW = "(strftime('%Y-%m-%d %H:%M:%f', 'now') || '000')"


def _sqlite_stamp(target, id_expression):
    return (
        f'UPDATE "{target}" SET change_key = {SQLITE_KEY}, updated_at = {SQLITE_NOW} '  # noqa: S608
        f"WHERE id = {id_expression};"
    )


def _sqlite_target_id(touch, row):
    """The SQL expression of the id a touch stamps, from the trigger's NEW or OLD row."""
    expression = f'{row}."{touch.column}"'
    if touch.via:
        table, column = touch.via
        expression = f'(SELECT "{column}" FROM "{table}" WHERE id = {expression})'  # noqa: S608 (model names)
    return expression


def _sqlite_triggers(resources, touches):
    """{name: CREATE TRIGGER statement} for SQLite (immediate: writers are serialized)."""
    triggers = {}
    for table, (resource, column) in resources.items():
        # Inserts made with a key already reserved (the bulk writer) and the stamps below (which
        # raise the key) do not fire; every other write does, stale in-memory keys included.
        triggers[f"{table}_ck_insert"] = (
            f'AFTER INSERT ON "{table}" WHEN NEW.change_key = 0 '
            f"BEGIN {SQLITE_BUMP} {_sqlite_stamp(table, 'NEW.id')} END"
        )
        triggers[f"{table}_ck_update"] = (
            f'AFTER UPDATE ON "{table}" WHEN NEW.change_key <= OLD.change_key '
            f"BEGIN {SQLITE_BUMP} {_sqlite_stamp(table, 'NEW.id')} END"
        )
        record = (
            "INSERT INTO tracker_deletion (resource, key, change_key, deleted_at) "  # noqa: S608 (names from RESOURCES)
            f"VALUES ('{resource}', OLD.\"{column}\", {SQLITE_KEY}, {SQLITE_NOW});"
        )
        triggers[f"{table}_ck_delete"] = f'AFTER DELETE ON "{table}" BEGIN {SQLITE_BUMP} {record} END'
        if column != "id":
            triggers[f"{table}_ck_rekey"] = (
                f'AFTER UPDATE OF "{column}" ON "{table}" WHEN NEW."{column}" IS NOT OLD."{column}" '
                f"BEGIN {SQLITE_BUMP} {record} END"
            )
    for touch in touches:
        target_id = {row: _sqlite_target_id(touch, row) for row in ("NEW", "OLD")}
        new_when = f"WHEN NEW.{touch.condition}" if touch.condition else ""
        old_when = f"WHEN OLD.{touch.condition}" if touch.condition else ""
        triggers[f"{touch.name}_insert"] = (
            f'AFTER INSERT ON "{touch.source}" {new_when} '
            f"BEGIN {SQLITE_BUMP} {_sqlite_stamp(touch.target, target_id['NEW'])} END"
        )
        triggers[f"{touch.name}_delete"] = (
            f'AFTER DELETE ON "{touch.source}" {old_when} '
            f"BEGIN {SQLITE_BUMP} {_sqlite_stamp(touch.target, target_id['OLD'])} END"
        )
        if touch.placement:
            event = f'UPDATE OF "{touch.column}"'
            when = f'WHEN NEW."{touch.column}" IS NOT OLD."{touch.column}"'
        else:
            event = "UPDATE"
            when = f"WHEN NEW.{touch.condition} OR OLD.{touch.condition}" if touch.condition else ""
        triggers[f"{touch.name}_update"] = (
            f'AFTER {event} ON "{touch.source}" {when} BEGIN {SQLITE_BUMP} '
            f"{_sqlite_stamp(touch.target, target_id['NEW'])} {_sqlite_stamp(touch.target, target_id['OLD'])} END"
        )
    return triggers


def _pg_triggers(resources, touches):
    """{(name, table): CREATE CONSTRAINT TRIGGER statement} for PostgreSQL (deferred to commit)."""
    deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
    triggers = {}
    for table, (resource, column) in resources.items():
        stamp = f"EXECUTE FUNCTION tracker_stamp_change('{table}', 'id')"
        triggers[(f"{table}_ck_insert", table)] = (
            f'AFTER INSERT ON "{table}" {deferred} WHEN (NEW.change_key = 0) {stamp}'
        )
        triggers[(f"{table}_ck_update", table)] = (
            f'AFTER UPDATE ON "{table}" {deferred} WHEN (NEW.change_key <= OLD.change_key) {stamp}'
        )
        record = f"EXECUTE FUNCTION tracker_record_deletion('{resource}', '{column}')"
        triggers[(f"{table}_ck_delete", table)] = f'AFTER DELETE ON "{table}" {deferred} {record}'
        if column != "id":
            triggers[(f"{table}_ck_rekey", table)] = (
                f'AFTER UPDATE OF "{column}" ON "{table}" {deferred} '
                f'WHEN (NEW."{column}" IS DISTINCT FROM OLD."{column}") {record}'
            )
    for touch in touches:
        via = f", '{touch.via[0]}', '{touch.via[1]}'" if touch.via else ""
        stamp = f"EXECUTE FUNCTION tracker_stamp_change('{touch.target}', '{touch.column}'{via})"
        source, condition, name = touch.source, touch.condition, touch.name
        if touch.placement:
            triggers[(f"{name}_place", source)] = f'AFTER INSERT OR DELETE ON "{source}" {deferred} {stamp}'
            triggers[(f"{name}_update", source)] = (
                f'AFTER UPDATE OF "{touch.column}" ON "{source}" {deferred} '
                f'WHEN (NEW."{touch.column}" IS DISTINCT FROM OLD."{touch.column}") {stamp}'
            )
        elif condition:
            for event, when in (
                ("INSERT", f"NEW.{condition}"),
                ("DELETE", f"OLD.{condition}"),
                ("UPDATE", f"NEW.{condition} OR OLD.{condition}"),
            ):
                triggers[(f"{name}_{event.lower()}", source)] = (
                    f'AFTER {event} ON "{source}" {deferred} WHEN ({when}) {stamp}'
                )
        else:
            triggers[(name, source)] = f'AFTER INSERT OR UPDATE OR DELETE ON "{source}" {deferred} {stamp}'
    return triggers


def ensure_sync_triggers(app_config=None, using="default", apps=None, **kwargs):
    """Create any missing change-key trigger (idempotent; a `post_migrate` receiver, as SQLite drops
    a table's triggers when it rebuilds the table, and run by migration 0014). `apps` is a
    migration's app registry, or the project's when None."""
    if apps is None:
        from django.apps import apps
    connection = connections[using]
    existing_tables = set(connection.introspection.table_names())
    if "tracker_deletion" not in existing_tables:
        return
    resources = {table: spec for table, spec in resource_tables(apps).items() if table in existing_tables}
    touches = [touch for touch in touch_specs(apps) if {touch.source, touch.target, *touch.via[:1]} <= existing_tables]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name, body in _sqlite_triggers(resources, touches).items():
                cursor.execute(f'CREATE TRIGGER IF NOT EXISTS "{name}" {body}')
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            present = {row[0] for row in cursor.fetchall()}
            if not {name for name, _table in _pg_triggers(resources, touches)} <= present:
                cursor.execute(PG_FUNCTIONS)
            for (name, _table), body in _pg_triggers(resources, touches).items():
                if name not in present:
                    cursor.execute(f'CREATE CONSTRAINT TRIGGER "{name}" {body}')


def drop_sync_triggers_before_migrating(app_config=None, using="default", **kwargs):
    """`pre_migrate` receiver: on SQLite, drop the change-key triggers before any migration runs.
    SQLite rebuilds a table to alter it, and a trigger of another table that names the rebuilt one
    (a touch) makes the rename fail; `post_migrate` makes them all again."""
    if connections[using].vendor == "sqlite":
        existing = set(connections[using].introspection.table_names())
        if "tracker_deletion" in existing:
            drop_sync_triggers(using)


def drop_sync_triggers(using="default"):
    """Drop every change-key trigger (names holding "_ck_"); `ensure_sync_triggers` makes them again."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(r"SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE '%\_ck\_%'")
            for name, table in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON {table}')
        else:
            cursor.execute(r"SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%\_ck\_%' ESCAPE '\'")
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


@contextlib.contextmanager
def sync_triggers_paused(using="default"):
    """Inside a transaction, before its first write: load rows that carry their own change keys and
    times (a restore) without stamping them or recording deletions. The triggers are dropped and made
    again on the way out (DDL is transactional on both databases: an error rolls it all back), and
    the data version is raised above every key loaded, so later changes sort after them."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("sync_triggers_paused() needs a transaction")
    drop_sync_triggers(using)
    yield
    ensure_sync_triggers(using=using)
    from django.apps import apps

    from .version import DataVersion

    largest = max(
        (apps.get_model(label).objects.using(using).aggregate(models.Max("change_key"))["change_key__max"] or 0)
        for label in RESOURCES
    )
    largest = max(largest, Deletion.objects.using(using).aggregate(models.Max("change_key"))["change_key__max"] or 0)
    DataVersion.objects.using(using).filter(pk=1, value__lte=largest).update(value=largest + 1)


def reserve_change_key(using="default"):
    """Bump the data version now and return it: the change key a bulk writer gives the rows it
    inserts itself (rows inserted with a non-zero key are not stamped again). Call it inside the
    writing transaction, before its inserts; the version row stays locked until commit, so the
    key is commit-ordered. Returns an int."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tracker_change_key()")
        else:
            cursor.execute(SQLITE_BUMP.rstrip(";"))
            cursor.execute(SQLITE_KEY[1:-1])
        return cursor.fetchone()[0]
