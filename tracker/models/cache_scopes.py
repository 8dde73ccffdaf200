"""Cache scopes: the versions the response cache (tracker.http.cache) keys public answers by, so a
change invalidates only what it can change.

- "all": every public answer but the scoped ones below; changes with any public change.
- "reference": what every forum's and recommendation's page shows beside its own recommendations
  (processes, forums' own fields, roundtables, themes, actors, documents, cycles, ...).
- "forum:<id>": one forum's recommendations, their links, approved updates, evidence, follow-ups
  and reporting pairs.

A forum's page and API detail are keyed by "reference" and their own forum; a recommendation's
page and API detail by "reference" and its forum; everything else by "all". Where a page shows a
recommendation of another forum (a linked recommendation on a recommendation's page, a follow-up
on the page of the forum where it was made), a change to that recommendation bumps the page's
forum too (tracker.models.scope_triggers.SHOWN_ELSEWHERE), so the read stays one query of two rows.

What is not public changes nothing: a progress update that neither was nor becomes approved
(a focal point's submission, its revision, its return) and the evidence files of such updates
bump no scope, so a reporting cycle full of submissions leaves every cached answer in place.

Triggers bump the scopes (tracker.models.scope_triggers) in the changing transaction, as the data
version's do: nothing can forget them. Each scope starts at `fresh_version()` when its row is first
made, so entries of a database made again under the same name never match.
"""

import re

from django.db import connections, models

from . import routing
from .version import fresh_version

# Paths (language prefix removed) whose answers are scoped, and what names the scope.
SCOPED_PATHS = (
    (re.compile(r"^(?:/api/v1)?/forums/(?P<key>[-\w]+)/$"), "forum"),
    (re.compile(r"^(?:/api/v1)?/recommendations/(?P<key>[-\w]+)/$"), "recommendation"),
)

_FORUM_NAME = "SELECT 'forum:' || id FROM tracker_forum WHERE slug = %s"
_RECOMMENDATION_NAME = "SELECT 'forum:' || forum_id FROM tracker_recommendation WHERE code = %s"


class CacheScope(models.Model):
    """The version of one scope ("all", "reference", "forum:<id>"); written by triggers only."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=fresh_version)

    class Meta:
        db_table = "tracker_cachescope"  # named in the triggers (tracker.models.scope_triggers)
        verbose_name = "cache scope"

    def __str__(self):
        return f"{self.name}={self.value}"


def scope_of(path):
    """("forum", slug), ("recommendation", code) or ("all", "") for a path without its language prefix."""
    for pattern, kind in SCOPED_PATHS:
        match = pattern.match(path)
        if match:
            return kind, match["key"]
    return "all", ""


def version_of(path, using="default"):
    """The version an answer to `path` (without its language prefix) is keyed by: a string of
    "name=value" pairs of the scopes it depends on. One query (on PostgreSQL a call of the function
    `tracker_scope_versions`, whose plans the server keeps: migration 0026); with a read replica
    (tracker.models.routing) it also reads the primary's WAL insert position, as
    `DataVersion.current()` does."""
    kind, key = scope_of(path)
    base = "all" if kind == "all" else "reference"
    with_lsn = routing.wants_primary_lsn(using)
    lsn = ", pg_current_wal_insert_lsn()::text" if with_lsn else ""
    if connections[using].vendor == "postgresql":
        # The same rows from a function whose plans the server keeps (migration 0026).
        sql = f"SELECT scope_name, scope_value{lsn} FROM tracker_scope_versions(%s, %s) ORDER BY 1"  # noqa: S608
        params = [kind, key]
    else:
        if kind == "forum":
            where, params = f"name = 'reference' OR name = ({_FORUM_NAME})", [key]  # noqa: S608
        elif kind == "recommendation":
            where, params = f"name = 'reference' OR name = ({_RECOMMENDATION_NAME})", [key]  # noqa: S608
        else:
            where, params = "name = 'all'", []
        sql = f"SELECT name, value{lsn} FROM tracker_cachescope WHERE {where} ORDER BY name"  # noqa: S608
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        if not any(row[0] == base for row in rows):
            # A new or flushed database: start the scope at a value no earlier database had.
            CacheScope.objects.using(using).get_or_create(name=base)
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    if with_lsn:
        routing.note_primary_lsn(rows[0][2])
    return f"{kind}:" + ",".join(f"{name}={value}" for name, value, *_ in rows)
