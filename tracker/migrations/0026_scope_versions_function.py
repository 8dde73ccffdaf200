"""PostgreSQL: the response cache's version read (tracker.models.cache_scopes.version_of) as a
PL/pgSQL function, whose statements PostgreSQL plans once per connection and keeps: every cached
answer makes this read, and planning it cost more than running it (0.13-0.15 ms against 0.05-0.1 ms
at 300,000 recommendations: docs/benchmarks.md). Django's connections bind parameters on the
client and prepare nothing (which keeps connection poolers working); a function's plans are the
server's own. SQLite reads the same rows with the plain query. The SQL is written out here, as a
migration must stay as it was when it ran."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION tracker_scope_versions(path_kind text, path_key text)
RETURNS TABLE (scope_name varchar, scope_value bigint) LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF path_kind = 'forum' THEN
        RETURN QUERY SELECT s.name, s.value FROM tracker_cachescope s
            WHERE s.name = 'reference'
               OR s.name = (SELECT 'forum:' || f.id FROM tracker_forum f WHERE f.slug = path_key);
    ELSIF path_kind = 'recommendation' THEN
        RETURN QUERY SELECT s.name, s.value FROM tracker_cachescope s
            WHERE s.name = 'reference'
               OR s.name = (SELECT 'forum:' || r.forum_id FROM tracker_recommendation r WHERE r.code = path_key);
    ELSE
        RETURN QUERY SELECT s.name, s.value FROM tracker_cachescope s WHERE s.name = 'all';
    END IF;
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS tracker_scope_versions(text, text);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0025_recipient_languages")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
