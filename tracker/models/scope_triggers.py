"""The triggers that bump the cache scopes (tracker.models.cache_scopes), written from the models
for SQLite and PostgreSQL.

Each tracked table (as for the data version: every tracker table but history, users, the
bookkeeping of e-mails, follows and webhooks, and the maintained counts) is one of:

- scoped: a recommendation, or a row pointing at one (its links, updates, follow-ups, reporting
  pairs) or at a progress update (evidence files). A change bumps "all" and "forum:<id>" of each
  forum the row belongs to, before and after the change (a follow-up also its own forum's).
  Progress updates count only when approved before or after the change, and so do the evidence
  files of an update: submissions are not public.
- reference: everything else. A change bumps "all" and "reference"; an update that only stamps
  `change_key` and `updated_at` (tracker.models.sync touches a forum when its recommendations
  change) bumps "all" and, for a forum or a roundtable, its forum's scope.

On PostgreSQL the triggers are deferred to commit and bump each scope once per transaction (a
transaction-local setting remembers it), so an import of a thousand rows bumps once; a TRUNCATE
bumps "all" and "reference", which every key holds. On SQLite they bump per row, immediately.
"""

import hashlib

from django.apps import apps as global_apps
from django.db import connections

from .row_triggers import create_statements
from .version import UNTRACKED_PREFIXES, fresh_version

SCOPES = "tracker_cachescope"
TOUCH_COLUMNS = {"change_key", "updated_at"}
SQLITE_FRESH = "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)"
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION tracker_bump_scope(scope text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE flag text := 'tracker.scope_' || md5(scope);
BEGIN
    IF current_setting(flag, true) IS DISTINCT FROM txid_current()::text THEN
        INSERT INTO {SCOPES} (name, value) VALUES (scope, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
        ON CONFLICT (name) DO UPDATE SET value = {SCOPES}.value + 1;
        PERFORM set_config(flag, txid_current()::text, true);
    END IF;
END
$$;
"""  # noqa: S608


def tracked_models():
    config = global_apps.get_app_config("tracker")
    return sorted(
        (
            m
            for m in config.get_models(include_auto_created=True)
            if not m._meta.db_table.startswith(UNTRACKED_PREFIXES)
        ),
        key=lambda m: m._meta.db_table,
    )


def _forums(model, row):
    """SQL expressions of the forum ids a row of `model` belongs to ([] for a reference table)."""
    from .recommendations import Recommendation
    from .reference import Forum
    from .updates import ProgressUpdate

    expressions, forum_columns = [], []
    for field in model._meta.concrete_fields:
        if not field.is_relation:
            continue
        if field.related_model is Recommendation:
            expressions.append(f"(SELECT forum_id FROM tracker_recommendation WHERE id = {row}.{field.column})")  # noqa: S608
        elif field.related_model is ProgressUpdate:
            expressions.append(
                "(SELECT r.forum_id FROM tracker_progressupdate u JOIN tracker_recommendation r "  # noqa: S608
                f"ON r.id = u.recommendation_id WHERE u.id = {row}.{field.column})"
            )
        elif field.related_model is Forum:
            forum_columns.append(f"{row}.{field.column}")
    if model is Recommendation or expressions:
        expressions += forum_columns
    return expressions


def _public(model, row):
    """The SQL condition under which a row of `model` is public, or None (always)."""
    from .updates import ProgressUpdate

    if model is ProgressUpdate:
        return f"{row}.review_state = 'approved'"
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is ProgressUpdate:
            return f"(SELECT review_state FROM tracker_progressupdate WHERE id = {row}.{field.column}) = 'approved'"  # noqa: S608
    return None


def _bump(vendor, scope_sql, guard=None):
    """A statement bumping the scope named by the SQL expression `scope_sql` (unless `guard` is NULL)."""
    if vendor == "postgresql":
        where = f" WHERE {guard} IS NOT NULL" if guard else ""
        return f"PERFORM tracker_bump_scope({scope_sql}){where}"
    # A WHERE clause always: SQLite's parser needs one before ON CONFLICT in INSERT ... SELECT.
    where = f" WHERE {guard} IS NOT NULL" if guard else " WHERE 1"
    return (
        f"INSERT INTO {SCOPES} (name, value) SELECT {scope_sql}, {SQLITE_FRESH}{where} "  # noqa: S608
        f"ON CONFLICT (name) DO UPDATE SET value = value + 1"
    )


def _bump_from(vendor, source, row):
    """A statement bumping "forum:<id>" for every forum id `source` (FROM ... WHERE, naming the
    id `forum_id`) selects for the recommendation `row`."""
    sql = source.format(row=row)
    if vendor == "postgresql":
        return f"PERFORM tracker_bump_scope('forum:' || forum_id) FROM {sql}"
    return (
        f"INSERT INTO {SCOPES} (name, value) SELECT 'forum:' || forum_id, {SQLITE_FRESH} FROM {sql} "  # noqa: S608
        # The WHERE keeps SQLite's parser from reading ON CONFLICT as a join's ON.
        f"WHERE forum_id IS NOT NULL ON CONFLICT (name) DO UPDATE SET value = value + 1"
    )


# Pages that show a recommendation outside its own forum's scope: the pages of the recommendations
# linked to it (both ways) and the page of each forum where it was followed up. A change to the
# recommendation bumps their forums too, so those pages are keyed by their own forum alone.
SHOWN_ELSEWHERE = (
    "(SELECT o.forum_id AS forum_id FROM tracker_recommendationlink l JOIN tracker_recommendation o "
    "ON o.id = l.to_recommendation_id WHERE l.from_recommendation_id = {row}.id) linked_to",
    "(SELECT o.forum_id AS forum_id FROM tracker_recommendationlink l JOIN tracker_recommendation o "
    "ON o.id = l.from_recommendation_id WHERE l.to_recommendation_id = {row}.id) linked_from",
    "(SELECT a.forum_id AS forum_id FROM tracker_followupaction a WHERE a.recommendation_id = {row}.id "
    "AND a.forum_id IS NOT NULL) followed_up_at",
)


def _changed(vendor, columns):
    operator = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return "(" + " OR ".join(f'OLD."{c}" {operator} NEW."{c}"' for c in columns) + ")" if columns else "FALSE"


def triggers(vendor):
    """{name: (table, event, condition or None, [statements])} of every scope trigger."""
    from .reference import Forum, Roundtable

    specs = {}
    for model in tracked_models():
        table = model._meta.db_table
        everything = _bump(vendor, "'all'")
        if _forums(model, "NEW"):
            for event, rows in (("insert", ["NEW"]), ("delete", ["OLD"]), ("update", ["OLD", "NEW"])):
                statements = [everything]
                for row in rows:
                    statements += [_bump(vendor, f"'forum:' || {f}", guard=f) for f in _forums(model, row)]
                    if table == "tracker_recommendation":
                        statements += [_bump_from(vendor, source, row) for source in SHOWN_ELSEWHERE]
                public = [_public(model, row) for row in rows]
                condition = " OR ".join(f"({p})" for p in public) if all(public) else None
                specs[f"{table}_cs_{event}"] = (table, event.upper(), condition, statements)
            continue
        reference = [everything, _bump(vendor, "'reference'")]
        columns = [field.column for field in model._meta.concrete_fields]
        specs[f"{table}_cs_insert"] = (table, "INSERT", None, reference)
        specs[f"{table}_cs_delete"] = (table, "DELETE", None, reference)
        if set(columns) >= TOUCH_COLUMNS:
            own = {Forum: "NEW.id", Roundtable: "NEW.forum_id"}.get(model)
            touched = [everything] + ([_bump(vendor, f"'forum:' || {own}", guard=own)] if own else [])
            substantive = _changed(vendor, [c for c in columns if c not in TOUCH_COLUMNS])
            specs[f"{table}_cs_update"] = (table, "UPDATE", substantive, reference)
            specs[f"{table}_cs_touch"] = (table, "UPDATE", f"NOT {substantive}", touched)
        else:
            specs[f"{table}_cs_update"] = (table, "UPDATE", None, reference)
    # Each name ends with a digest of its definition: a definition changed here gets a new name,
    # and `ensure_scope_triggers` drops the old trigger and makes the new one on the next migrate.
    return {f"{name}_{hashlib.sha256(repr(spec).encode()).hexdigest()[:8]}": spec for name, spec in specs.items()}


def _create(vendor, name, spec):
    """The statements that create one trigger (tracker.models.row_triggers)."""
    return create_statements(vendor, name, spec, deferred=True)


def _truncate_triggers():
    """PostgreSQL: {name: CREATE TRIGGER} bumping "all" and "reference" on a TRUNCATE of each table."""
    result = {}
    for model in tracked_models():
        table = model._meta.db_table
        result[f"{table}_cs_truncate"] = (
            f'CREATE TRIGGER "{table}_cs_truncate" AFTER TRUNCATE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION tracker_scope_truncated()"
        )
    return result


def present(using="default"):
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE '%%\\_cs\\_%%'")
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%\\_cs\\_%' ESCAPE '\\'"
            )
        return {row[0] for row in cursor.fetchall()}


def ensure_scope_triggers(app_config=None, using="default", **kwargs):
    """Create the missing scope triggers (a `post_migrate` receiver; idempotent) and bump "all" and
    "reference" if any was missing, since changes made meanwhile bumped nothing. Returns the names
    created."""
    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql") or SCOPES not in connection.introspection.table_names():
        return []
    existing_tables = set(connection.introspection.table_names())
    specs = {n: s for n, s in triggers(connection.vendor).items() if s[0] in existing_tables}
    have = present(using)
    stale = {name for name in have - set(specs) if not name.endswith("_cs_truncate")}
    missing = sorted(set(specs) - have)
    with connection.cursor() as cursor:
        if stale and connection.vendor == "postgresql":
            cursor.execute("SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal")
            for name, table in cursor.fetchall():
                if name in stale:
                    cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON {table}')
        elif stale:
            for name in stale:
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        if connection.vendor == "postgresql":
            truncates = {n: sql for n, sql in _truncate_triggers().items() if n.rsplit("_cs_", 1)[0] in existing_tables}
            missing_truncates = sorted(set(truncates) - have)
            if missing or missing_truncates:
                cursor.execute(PG_FUNCTION)
                cursor.execute(
                    "CREATE OR REPLACE FUNCTION tracker_scope_truncated() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    "BEGIN PERFORM tracker_bump_scope('all'); PERFORM tracker_bump_scope('reference'); RETURN NULL; "
                    "END $$"
                )
            for name in missing_truncates:
                cursor.execute(truncates[name])
            missing += missing_truncates
        for name in missing:
            if name in specs:
                for statement in _create(connection.vendor, name, specs[name]):
                    cursor.execute(statement)
    if missing:
        bump("all", "reference", using=using)
    return missing


def bump(*names, using="default"):
    """Bump the named scopes now, as a change the triggers did not see would have (a bulk load with
    the triggers paused): "all" and "reference" reach every cached answer."""
    with connections[using].cursor() as cursor:
        for name in names:
            cursor.execute(
                f"INSERT INTO {SCOPES} (name, value) VALUES (%s, %s) "  # noqa: S608
                f"ON CONFLICT (name) DO UPDATE SET value = {SCOPES}.value + 1",
                [name, fresh_version()],
            )


def drop_scope_triggers(using="default"):
    """Drop every scope trigger (`ensure_scope_triggers` makes them again)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(r"SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE '%\_cs\_%'")
            for name, table in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON {table}')
        else:
            for name in present(using):
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def drop_scope_triggers_before_migrating(app_config=None, using="default", **kwargs):
    """`pre_migrate` receiver: on SQLite, drop the scope triggers, whose subqueries name other
    tables and would make SQLite's table rebuilds fail; `post_migrate` makes them again."""
    connection = connections[using]
    if connection.vendor == "sqlite" and SCOPES in connection.introspection.table_names():
        drop_scope_triggers(using)
