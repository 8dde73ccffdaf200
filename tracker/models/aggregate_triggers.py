"""The triggers that keep the maintained aggregates (tracker.models.aggregates) current, for
SQLite and PostgreSQL, written from one description.

Each change is applied as a delta in the changing transaction: a recommendation inserted adds one
to its forum's count for its kind and status and to each group it is linked to (theme, responsible
actor, objective per basis); one deleted takes them away; a change of forum, kind or status does
both. A link inserted or deleted adds or takes one for its recommendation's kind and status. An
approved progress update adds one to its actor's count and moves the actor's latest report date
forward; one that stops being approved (returned, deleted, moved) takes one away and reads the
latest date again from the index `upd_actor_idx` (actor, review state, reported on).

Decrements are UPDATEs that never create a row, so deleting everything in any order (a SQLite
flush, a restore) cannot leave negative counts; increments are upserts on the tables' unique keys.
Recommendations and their links may be written in either order (PostgreSQL defers foreign keys):
whichever row comes second counts the pair, once.

`ensure_aggregate_triggers` (a `post_migrate` receiver) creates the missing triggers and then
rebuilds the counts, since nothing kept them while a trigger was missing; on SQLite the triggers
are dropped before every migration (`drop_aggregate_triggers_before_migrating`), as a trigger that
names another table makes SQLite's table rebuild fail (as for the change-key triggers of
tracker.models.sync). A changed definition here needs a migration that drops the old triggers.
"""

from django.db import connections, transaction

from . import aggregates
from .row_triggers import create_statements

COUNTS = "tracker_statuscount"
REPORTS = "tracker_actorreportcount"
RECOMMENDATIONS = "tracker_recommendation"
UPDATES = "tracker_progressupdate"
KEY = "(dimension, group_id, basis, kind, status)"
COLUMNS = "(dimension, group_id, basis, kind, status, n)"
INCREMENT = f"ON CONFLICT {KEY} DO UPDATE SET n = {COUNTS}.n + 1"


def links():
    """(dimension, link table, recommendation column, group column, basis column or None) of each
    many-to-many link of a recommendation to a group, from the models."""
    from .recommendations import Recommendation

    result = []
    for dimension, name in (("theme", "themes"), ("actor", "actors"), ("objective", "objectives")):
        field = Recommendation._meta.get_field(name)
        table = field.remote_field.through._meta.db_table
        basis = "basis" if dimension == "objective" else None
        result.append((dimension, table, field.m2m_column_name(), field.m2m_reverse_name(), basis))
    return result


def _add_recommendation(row):
    statements = [
        f"INSERT INTO {COUNTS} {COLUMNS} VALUES ('forum', {row}.forum_id, '', {row}.kind, {row}.status, 1) "  # noqa: S608
        f"{INCREMENT}"
    ]
    for dimension, table, rec_column, group_column, basis in links():
        basis_value = f"l.{basis}" if basis else "''"
        statements.append(
            f"INSERT INTO {COUNTS} {COLUMNS} SELECT '{dimension}', l.{group_column}, "  # noqa: S608
            f"{basis_value}, {row}.kind, {row}.status, 1 FROM {table} l "
            f"WHERE l.{rec_column} = {row}.id {INCREMENT}"
        )
    return statements


def _take_recommendation(row):
    statements = [
        f"UPDATE {COUNTS} SET n = n - 1 WHERE dimension = 'forum' AND group_id = {row}.forum_id "  # noqa: S608
        f"AND basis = '' AND kind = {row}.kind AND status = {row}.status"
    ]
    for dimension, table, rec_column, group_column, basis in links():
        same_basis = f"l.{basis} = {COUNTS}.basis" if basis else f"{COUNTS}.basis = ''"
        statements.append(
            f"UPDATE {COUNTS} SET n = n - 1 WHERE dimension = '{dimension}' AND kind = {row}.kind "  # noqa: S608
            f"AND status = {row}.status AND EXISTS (SELECT 1 FROM {table} l WHERE l.{rec_column} = {row}.id "
            f"AND l.{group_column} = {COUNTS}.group_id AND {same_basis})"
        )
    return statements


def _add_link(row, dimension, rec_column, group_column, basis):
    basis_value = f"{row}.{basis}" if basis else "''"
    return [
        f"INSERT INTO {COUNTS} {COLUMNS} SELECT '{dimension}', {row}.{group_column}, "  # noqa: S608
        f"{basis_value}, r.kind, r.status, 1 FROM {RECOMMENDATIONS} r "
        f"WHERE r.id = {row}.{rec_column} {INCREMENT}"
    ]


def _take_link(row, dimension, rec_column, group_column, basis):
    basis_value = f"{row}.{basis}" if basis else "''"
    return [
        f"UPDATE {COUNTS} SET n = n - 1 WHERE dimension = '{dimension}' AND group_id = {row}.{group_column} "  # noqa: S608
        f"AND basis = {basis_value} AND EXISTS (SELECT 1 FROM {RECOMMENDATIONS} r "
        f"WHERE r.id = {row}.{rec_column} AND r.kind = {COUNTS}.kind AND r.status = {COUNTS}.status)"
    ]


def _add_report(row):
    latest = f"{REPORTS}.last_reported_on"
    return [
        f"INSERT INTO {REPORTS} (actor_id, n, last_reported_on) VALUES ({row}.actor_id, 1, {row}.reported_on) "  # noqa: S608
        f"ON CONFLICT (actor_id) DO UPDATE SET n = {REPORTS}.n + 1, last_reported_on = CASE "
        f"WHEN {latest} IS NULL OR excluded.last_reported_on > {latest} THEN excluded.last_reported_on "
        f"ELSE {latest} END"
    ]


def _take_report(row):
    return [
        f"UPDATE {REPORTS} SET n = n - 1, last_reported_on = (SELECT MAX(reported_on) FROM {UPDATES} "  # noqa: S608
        f"WHERE actor_id = {row}.actor_id AND review_state = 'approved') WHERE actor_id = {row}.actor_id"
    ]


def _changed(vendor, columns):
    operator = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return "(" + " OR ".join(f"OLD.{column} {operator} NEW.{column}" for column in columns) + ")"


def triggers(vendor):
    """{name: (table, event, condition or None, [statements])} of every aggregate trigger."""
    specs = {
        f"{RECOMMENDATIONS}_ag_insert": (RECOMMENDATIONS, "INSERT", None, _add_recommendation("NEW")),
        f"{RECOMMENDATIONS}_ag_delete": (RECOMMENDATIONS, "DELETE", None, _take_recommendation("OLD")),
        f"{RECOMMENDATIONS}_ag_update": (
            RECOMMENDATIONS,
            "UPDATE",
            _changed(vendor, ["id", "forum_id", "kind", "status"]),
            _take_recommendation("OLD") + _add_recommendation("NEW"),
        ),
    }
    for dimension, table, rec_column, group_column, basis in links():
        link = (dimension, rec_column, group_column, basis)
        moved = _changed(vendor, [rec_column, group_column] + ([basis] if basis else []))
        specs[f"{table}_ag_insert"] = (table, "INSERT", None, _add_link("NEW", *link))
        specs[f"{table}_ag_delete"] = (table, "DELETE", None, _take_link("OLD", *link))
        specs[f"{table}_ag_update"] = (table, "UPDATE", moved, _take_link("OLD", *link) + _add_link("NEW", *link))
    moved = _changed(vendor, ["review_state", "actor_id", "reported_on"])
    specs |= {
        f"{UPDATES}_ag_insert": (UPDATES, "INSERT", "NEW.review_state = 'approved'", _add_report("NEW")),
        f"{UPDATES}_ag_delete": (UPDATES, "DELETE", "OLD.review_state = 'approved'", _take_report("OLD")),
        f"{UPDATES}_ag_update_old": (
            UPDATES,
            "UPDATE",
            f"OLD.review_state = 'approved' AND {moved}",
            _take_report("OLD"),
        ),
        f"{UPDATES}_ag_update_new": (
            UPDATES,
            "UPDATE",
            f"NEW.review_state = 'approved' AND {moved}",
            _add_report("NEW"),
        ),
    }
    return specs


def _create(vendor, name, spec):
    """The statements that create one trigger (tracker.models.row_triggers)."""
    return create_statements(vendor, name, spec, deferred=False)


def present(using="default"):
    """The names of the aggregate triggers the database has."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
    return names & set(triggers(connection.vendor))


def ensure_aggregate_triggers(app_config=None, using="default", **kwargs):
    """Create the missing aggregate triggers and, if any was missing, rebuild the counts (in one
    transaction). Idempotent; a `post_migrate` receiver. Returns the names created."""
    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql") or not aggregates.tables_exist(using):
        return []
    specs = triggers(connection.vendor)
    missing = sorted(set(specs) - present(using))
    if missing:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            for name in missing:
                for statement in _create(connection.vendor, name, specs[name]):
                    cursor.execute(statement)
            aggregates.rebuild(using)
    return missing


def drop_aggregate_triggers(using="default"):
    """Drop every aggregate trigger (`ensure_aggregate_triggers` makes them again, and recounts)."""
    connection = connections[using]
    specs = triggers(connection.vendor)
    with connection.cursor() as cursor:
        for name in sorted(present(using)):
            if connection.vendor == "postgresql":
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{specs[name][0]}"')
            else:
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def drop_aggregate_triggers_before_migrating(app_config=None, using="default", **kwargs):
    """`pre_migrate` receiver: on SQLite, drop the aggregate triggers before any migration runs
    (they name other tables, which makes SQLite's table rebuilds fail); `post_migrate` makes them
    again and recounts."""
    if connections[using].vendor == "sqlite" and aggregates.tables_exist(using):
        drop_aggregate_triggers(using)
