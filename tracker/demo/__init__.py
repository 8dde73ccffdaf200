"""Synthetic demo data at scale: processes, forums, roundtables, actors, themes, objective
mappings, recommendations and approved progress updates, deterministic for a seed.

Used by `manage.py generate_demo_data` and the benchmark (`bench/run`). Everything it creates is
recognisable: slugs start with `demo-`, recommendation codes with `DEMO-`, so it can be found,
replaced and never mistaken for real data.

Speed: a million progress updates cannot go through `Model.save()` or even `bulk_create()` in
three minutes (Django builds one object and one parameter list per row, and SQLite allows few
parameters per statement). The large tables are written with the driver's own bulk path instead:
`executemany` on SQLite, `COPY` on PostgreSQL, with primary keys chosen here so no row has to be
read back. Column lists come from the models' `_meta`, so a new model field with a default is
filled in rather than silently missed.

Modules: `vocabulary` holds the names, words and weights the data is made of, `bulk` the fast
writer, `generator` the `Generator` that makes the rows; this module the entry points.
"""

import sys

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, connections, transaction
from django.utils import timezone

from tracker.models import (
    Actor,
    Document,
    FollowUpAction,
    Forum,
    FrameworkObjective,
    Process,
    ProgressUpdate,
    Recommendation,
    RecommendationLink,
    Roundtable,
    Theme,
    aggregates,
    scope_triggers,
)
from tracker.models.sync import reserve_change_key, touch_specs

from .bulk import paused_triggers
from .generator import Generator
from .vocabulary import CODE_PREFIX, SLUG_PREFIX


class NonDemoData(Exception):
    """The database holds recommendations that this generator did not make."""


def demo_recommendations():
    return Recommendation.objects.filter(code__startswith=CODE_PREFIX)


def non_demo_recommendation_count():
    return Recommendation.objects.exclude(code__startswith=CODE_PREFIX).count()


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, name):
    return connection.ops.quote_name(model._meta.get_field(name).column)


def delete_demo_data(using="default"):
    """Remove everything an earlier run created, with one plain DELETE per table (written here
    from the models' table and column names), without loading a million objects into memory as
    `QuerySet.delete()` would to send signals: demo rows have no history or signals to honour."""
    connection_ = connections[using]
    quote = connection_.ops.quote_name
    rec = _table(Recommendation)
    demo_recs = f"SELECT id FROM {rec} WHERE {_column(Recommendation, 'code')} LIKE %s"
    forum = _table(Forum)
    demo_forums = f"SELECT id FROM {forum} WHERE {_column(Forum, 'slug')} LIKE %s"
    code_like, slug_like = [CODE_PREFIX + "%"], [SLUG_PREFIX + "%"]
    statements = [
        (f"DELETE FROM {_table(ProgressUpdate)} WHERE recommendation_id IN ({demo_recs})", code_like),
        (f"DELETE FROM {_table(FollowUpAction)} WHERE recommendation_id IN ({demo_recs})", code_like),
        (
            f"DELETE FROM {_table(RecommendationLink)} WHERE from_recommendation_id IN ({demo_recs}) "
            f"OR to_recommendation_id IN ({demo_recs})",
            code_like * 2,
        ),
    ]
    for field in ("themes", "actors", "objectives"):
        through = Recommendation._meta.get_field(field).remote_field.through
        column = quote(Recommendation._meta.get_field(field).m2m_column_name())
        statements.append((f"DELETE FROM {_table(through)} WHERE {column} IN ({demo_recs})", code_like))
    documents = Forum._meta.get_field("documents")
    statements += [
        (f"DELETE FROM {rec} WHERE {_column(Recommendation, 'code')} LIKE %s", code_like),
        (
            f"DELETE FROM {_table(documents.remote_field.through)} "
            f"WHERE {quote(documents.m2m_column_name())} IN ({demo_forums})",
            slug_like,
        ),
        # Sub-sessions before the sessions they belong to.
        (f"DELETE FROM {_table(Roundtable)} WHERE forum_id IN ({demo_forums}) AND parent_id IS NOT NULL", slug_like),
        (f"DELETE FROM {_table(Roundtable)} WHERE forum_id IN ({demo_forums})", slug_like),
        (f"DELETE FROM {forum} WHERE {_column(Forum, 'slug')} LIKE %s", slug_like),
    ]
    for model in (Process, Document, Actor, Theme, FrameworkObjective):
        statements.append((f"DELETE FROM {_table(model)} WHERE {_column(model, 'slug')} LIKE %s", slug_like))
    with connection_.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def _after_bulk_load(using, change_key, loaded_after):
    """What the triggers paused during the bulk load (`bulk.paused_triggers`) would have done row by
    row, done set-based once they are back. The data version is bumped (once). Every row that a
    loaded row touches (`tracker.models.sync.touch_specs`: the forums, processes and roundtables of
    the recommendations, their themes, actors and objectives, the recommendations of approved
    updates and of links) gets the load's `change_key` and the time as `updated_at`, unless it
    carries that key already: as the PostgreSQL triggers stamp at commit, one key per transaction.
    The loaded rows carry the key themselves (`BulkWriter.change_key`). `loaded_after` maps each
    loaded table to its largest id before the load. The maintained status counts are recounted
    (`tracker.models.aggregates.rebuild`) and the cache scopes "all" and "reference" bumped."""
    connection_ = connections[using]
    quote = connection_.ops.quote_name
    reserve_change_key(using)
    # The maintained status counts and the cache scopes, whose triggers were paused too.
    aggregates.rebuild(using)
    scope_triggers.bump("all", "reference", using=using)
    now = connection_.ops.adapt_datetimefield_value(timezone.now())
    with connection_.cursor() as cursor:
        for touch in touch_specs(apps):
            if touch.source not in loaded_after:
                continue
            condition = f" AND {touch.condition}" if touch.condition else ""
            ids = f"SELECT {quote(touch.column)} FROM {quote(touch.source)} WHERE id > %s{condition}"
            if touch.via:
                ids = f"SELECT {quote(touch.via[1])} FROM {quote(touch.via[0])} WHERE id IN ({ids})"
            # Most targets (the recommendations) hold the key already: skip reading millions of ids.
            cursor.execute(f"SELECT 1 FROM {quote(touch.target)} WHERE change_key <> %s LIMIT 1", [change_key])
            if cursor.fetchone() is None:
                continue
            cursor.execute(
                f"UPDATE {quote(touch.target)} SET change_key = %s, updated_at = %s "
                f"WHERE change_key <> %s AND id IN ({ids})",
                [change_key, now, change_key, loaded_after[touch.source]],
            )


def generate(recommendations, updates, seed, *, force=False, progress=None):
    """Replace the demo data with a fresh, deterministic set. Refuses a database holding real
    recommendations unless `force`."""
    progress = progress or (lambda message: None)
    others = non_demo_recommendation_count()
    if others and not force:
        raise NonDemoData(
            f"This database holds {others} recommendations that are not demo data (their codes do not start "
            f"with {CODE_PREFIX}). Generate demo data into an empty database, or pass --force to add it anyway."
        )
    # PRAGMAs cannot change inside a transaction (as in a test), where speed does not matter.
    fast = connection.vendor == "sqlite" and not others and not connection.in_atomic_block
    if fast:
        # A demo database can be regenerated, so trade crash safety for speed while writing it.
        # The journal stays WAL: changing it needs the only connection to the file, and a server
        # (or a test's live server) may hold another one open.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")
            cursor.execute("PRAGMA temp_store=MEMORY")
    try:
        with transaction.atomic():
            if demo_recommendations().exists() or Process.objects.filter(slug__startswith=SLUG_PREFIX).exists():
                progress("removing the previous demo data")
                delete_demo_data()
            generator = Generator(recommendations, updates, seed, progress=progress)
            with paused_triggers(connection, Generator.BULK_MODELS) as paused:
                counts = generator.run()
            progress("stamping what the paused triggers would have (data version, change keys)")
            _after_bulk_load(connection.alias, generator.writer.change_key, paused.loaded_after)
            if connection.vendor == "postgresql":
                models_with_ids = [Recommendation, ProgressUpdate]
                with connection.cursor() as cursor:
                    for sql in connection.ops.sequence_reset_sql(no_style(), models_with_ids):
                        cursor.execute(sql)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                # VACUUM also fills the visibility map, without which PostgreSQL cannot answer
                # counts such as "recommendations of a forum with a status" from the index alone.
                # Autovacuum would get there eventually; a benchmark should not wait for it.
                progress("updating the query planner's statistics and the visibility map (VACUUM ANALYZE)")
                cursor.execute("VACUUM ANALYZE")
            else:
                progress("updating the query planner's statistics (ANALYZE)")
                cursor.execute("ANALYZE")
    finally:
        if fast:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=NORMAL")
    return counts


def stderr_progress(message):
    print(message, file=sys.stderr, flush=True)
