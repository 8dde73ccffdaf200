"""Maintained aggregates: the status counts the dashboard and the index pages show, kept current
by the database in the same transaction as every change, so a page reads a few hundred rows
whatever the number of recommendations and updates (docs/benchmarks.md, issue 16).

- `StatusCount`: how many recommendations of one group have one kind and one current status. A
  group is a forum, a theme, a framework objective (per mapping basis) or a responsible actor
  (`Dimension`); processes and the overall count are sums of the forums'.
- `ActorReportCount`: per reporting actor, how many approved progress updates it has and the
  latest date one reports on; their sum is the number of approved updates.

Triggers (`tracker.models.aggregate_triggers`) on the recommendations, their theme, actor and
objective links and the progress updates apply each change as a delta, on SQLite and PostgreSQL
alike, whatever writes it (services, the admin, imports, restores, raw SQL). `recount()` counts
the same from the tables; `drift()` compares (`manage.py check_aggregates`, and the property
tests of tests/test_aggregates.py); `rebuild()` replaces the rows with a recount (after the
triggers were missing, as after a SQLite table rebuild, and after a bulk load).

Only the current state is maintained: a page asked for its statuses on a past date (`?as_of=`)
counts from the updates as before (`RecommendationQuerySet.with_effective_status`).
"""

import threading
from collections import defaultdict

from django.db import connections, models, transaction
from django.db.models import Count, Max
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from .cache_scopes import CacheScope


class Dimension(models.TextChoices):
    FORUM = "forum", _("forum")
    THEME = "theme", _("theme")
    OBJECTIVE = "objective", _("framework objective")
    ACTOR = "actor", _("responsible actor")


# Each dimension's key in the rows `RecommendationQuerySet.status_counts()` gives, so the
# breakdowns read maintained rows and counted rows alike.
ROW_KEYS = {
    Dimension.FORUM: "forum",
    Dimension.THEME: "themes",
    Dimension.OBJECTIVE: "objective_mappings__frameworkobjective",
    Dimension.ACTOR: "actors",
}


class StatusCountQuerySet(models.QuerySet):
    def rows(self, dimension, *, basis=None, by_kind=True):
        """Rows shaped as `RecommendationQuerySet.status_counts()` gives them grouped by the
        dimension's key (and "kind" when `by_kind`): {key: group id, "kind", "effective_status",
        "n"}, only non-zero counts. Objective rows count every basis unless `basis` is given.
        Evaluates one query."""
        return self.rows_of([dimension], basis=basis, by_kind=[dimension] if by_kind else [])[dimension]

    def rows_of(self, dimensions, *, basis=None, by_kind=(), groups=None):
        """`rows()` of several dimensions in one query: {dimension: rows}. The dimensions in
        `by_kind` come as two sets of rows, by status (with "kind": None) and by kind (with
        "effective_status": None), which `tracker.breakdowns.Breakdown.add` adds up alike: a
        breakdown shows its counts by status and by kind, never crossed, and this reads a fifth of
        the rows. Plain SQL, summed in the database and read without the ORM's per-row work (the
        dashboard reads about 2,000 rows at 300,000 recommendations). With `groups` (a list of
        ids), only those groups' rows: still one query when the list is empty (which reads none)."""
        dimensions = [str(dimension) for dimension in dimensions]
        kinds = [str(dimension) for dimension in by_kind if str(dimension) in dimensions]
        table = self.model._meta.db_table
        where = f"dimension IN ({', '.join(['%s'] * len(dimensions))}) AND n > 0"
        params = list(dimensions)
        if basis:
            where += " AND (dimension <> 'objective' OR basis = %s)"
            params.append(str(basis))
        if groups is not None:
            where += f" AND group_id IN ({', '.join(['%s'] * len(groups)) or 'NULL'})"
            params += list(groups)
        sql = (
            f"SELECT dimension, group_id, NULL, status, SUM(n) FROM {table} WHERE {where} "  # noqa: S608
            "GROUP BY dimension, group_id, status"
        )
        if kinds:
            sql += (
                f" UNION ALL SELECT dimension, group_id, kind, NULL, SUM(n) FROM {table} WHERE {where} "  # noqa: S608
                f"AND dimension IN ({', '.join(['%s'] * len(kinds))}) GROUP BY dimension, group_id, kind"
            )
            params += params + kinds
        result = {dimension: [] for dimension in dimensions}
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        for dimension, group, row_kind, status, n in rows:
            row = {ROW_KEYS[dimension]: group, "effective_status": status, "n": n}
            if dimension in kinds:
                row["kind"] = row_kind
            result[dimension].append(row)
        return result

    def status_totals(self):
        """{status: count} of every recommendation, for every status in display order, zeros
        included, as `RecommendationQuerySet.count_by_status()` counts them today: the sums of the
        forums' maintained counts (each recommendation has one forum). One query."""
        from .status import Status

        counts = dict.fromkeys(Status.values, 0)
        rows = self.filter(dimension=Dimension.FORUM, n__gt=0).values_list("status").annotate(total=models.Sum("n"))
        for status, total in rows.order_by():
            counts[status] = total
        return counts

    def by_process(self, process=None):
        """Rows of the counts per process (or per forum of `process`, if given) by kind, shaped as
        `status_counts("forum__process", "kind")` (or `("forum", "kind")`): one query."""
        from .reference import Forum

        forums = self.filter(dimension=Dimension.FORUM, n__gt=0)
        if process is not None:
            rows = forums.filter(group_id__in=Forum.objects.filter(process=process).values("pk"))
            return [
                {"forum": group, "kind": kind, "effective_status": status, "n": n}
                for group, kind, status, n in rows.values_list("group_id", "kind", "status", "n")
            ]
        process_of = Forum.objects.filter(pk=models.OuterRef("group_id")).values("process_id")[:1]
        rows = (
            forums.annotate(process=models.Subquery(process_of))
            .values("process", "kind", "status")
            .annotate(total=models.Sum("n"))
            .order_by()
        )
        return [
            {"forum__process": row["process"], "kind": row["kind"], "effective_status": row["status"]}
            | {"n": row["total"]}
            for row in rows
        ]

    def of_group(self, dimension, group_id):
        """One group's rows by kind and status, shaped as `status_counts("kind")`: one query."""
        return [
            {"kind": kind, "effective_status": status, "n": n}
            for kind, status, n in self.filter(dimension=dimension, group_id=group_id, n__gt=0)
            .values("kind", "status")
            .annotate(total=models.Sum("n"))
            .values_list("kind", "status", "total")
            .order_by("kind", "status")
        ]


class StatusCount(models.Model):
    """How many recommendations of one group (`dimension`, `group_id`: a forum, theme, objective
    or actor id) have one `kind` and current `status`; for objectives, per mapping `basis` ("" for
    the other dimensions). Written by triggers only."""

    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    group_id = models.BigIntegerField()
    basis = models.CharField(max_length=20, blank=True, default="")
    kind = models.CharField(max_length=20)
    status = models.CharField(max_length=30)
    n = models.IntegerField(default=0)

    objects = StatusCountQuerySet.as_manager()

    class Meta:
        db_table = "tracker_statuscount"  # named in the triggers (tracker.models.aggregate_triggers)
        verbose_name = _("status count")
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "group_id", "basis", "kind", "status"], name="tracker_statuscount_key"
            ),
        ]
        # Covering indexes in the order `rows_of` groups by (status, then kind): the dashboard's
        # sums stream from them without sorting (11 -> 6 ms at 300,000 recommendations on SQLite).
        indexes = [
            models.Index(fields=["dimension", "group_id", "status", "n"], name="statuscount_by_status_idx"),
            models.Index(fields=["dimension", "group_id", "kind", "n"], name="statuscount_by_kind_idx"),
        ]

    def __str__(self):
        return f"{self.dimension} {self.group_id} {self.basis} {self.kind} {self.status}: {self.n}"


class ActorReportCountQuerySet(models.QuerySet):
    def approved_total(self):
        """The number of approved progress updates: one query."""
        return self.aggregate(total=models.Sum("n"))["total"] or 0

    def top(self, limit=5):
        """The `limit` actors with the most approved updates, as `tracker.breakdowns.reporting_actors()`
        gives them (dicts of `actor__slug`, `actor__name`, `actor__kind`, `report_count`,
        `last_reported_on`), in its order: one query."""
        return self.top_and_total(limit)[0]

    def top_and_total(self, limit=5):
        """(`top(limit)`, `approved_total()`) in one query: the total is a window sum over every
        actor's row, read beside the top ones (0 when no actor has an approved update)."""
        rows = list(
            self.filter(n__gt=0)
            .annotate(report_count=models.F("n"), approved_total=models.Window(models.Sum("n")))
            .values("actor__slug", "actor__name", "actor__kind", "report_count", "last_reported_on", "approved_total")
            .order_by("-report_count", "-last_reported_on", "actor__name", "actor__slug")[:limit]
        )
        total = rows[0]["approved_total"] if rows else 0
        for row in rows:
            del row["approved_total"]
        return rows, total


class ActorReportCount(models.Model):
    """Per reporting actor: `n` approved progress updates, the latest reported on
    `last_reported_on` (None when it has none left). Written by triggers only."""

    actor = models.OneToOneField(
        "tracker.Actor", primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    n = models.IntegerField(default=0)
    last_reported_on = models.DateField(null=True)

    objects = ActorReportCountQuerySet.as_manager()

    class Meta:
        db_table = "tracker_actorreportcount"  # named in the triggers
        verbose_name = _("actor report count")

    def __str__(self):
        return f"{self.actor_id}: {self.n}"


def recount(using="default"):
    """What the maintained tables should hold, counted from the data with the ORM (independent of
    the triggers): ({(dimension, group_id, basis, kind, status): n}, {actor_id: (n, last_reported_on)}),
    zero counts left out. Seven GROUP BY queries over the whole data."""
    from .provenance import ObjectiveMapping
    from .recommendations import Recommendation
    from .updates import ProgressUpdate

    counts = {}
    recommendations = Recommendation.objects.using(using).order_by()
    for row in recommendations.values("forum_id", "kind", "status").annotate(n=Count("pk")):
        counts[Dimension.FORUM.value, row["forum_id"], "", row["kind"], row["status"]] = row["n"]
    for dimension, relation in ((Dimension.THEME, "themes"), (Dimension.ACTOR, "actors")):
        through = Recommendation._meta.get_field(relation).remote_field.through
        target = Recommendation._meta.get_field(relation).m2m_reverse_field_name()
        rows = (
            through.objects.using(using)
            .order_by()
            .values(target, "recommendation__kind", "recommendation__status")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            key = (dimension.value, row[target], "", row["recommendation__kind"], row["recommendation__status"])
            counts[key] = row["n"]
    mappings = ObjectiveMapping.objects.using(using).order_by()
    for row in mappings.values(
        "frameworkobjective_id", "basis", "recommendation__kind", "recommendation__status"
    ).annotate(n=Count("pk")):
        key = (
            Dimension.OBJECTIVE.value,
            row["frameworkobjective_id"],
            row["basis"],
            row["recommendation__kind"],
            row["recommendation__status"],
        )
        counts[key] = row["n"]
    reports = {
        row["actor_id"]: (row["n"], row["last"])
        for row in ProgressUpdate.objects.using(using)
        .public()
        .order_by()
        .values("actor_id")
        .annotate(n=Count("pk"), last=Max("reported_on"))
    }
    return counts, reports


def maintained(using="default"):
    """What the maintained tables hold, in `recount()`'s shape (zero counts left out)."""
    counts = {
        (row.dimension, row.group_id, row.basis, row.kind, row.status): row.n
        for row in StatusCount.objects.using(using).exclude(n=0)
    }
    reports = {
        row.actor_id: (row.n, row.last_reported_on) for row in ActorReportCount.objects.using(using).exclude(n=0)
    }
    return counts, reports


def drift(using="default"):
    """The differences between the maintained tables and a recount: a list of
    (table, key, maintained value, recounted value), empty when they agree."""
    (held_counts, held_reports), (counts, reports) = maintained(using), recount(using)
    differences = []
    for key in sorted(set(held_counts) | set(counts), key=str):
        if held_counts.get(key, 0) != counts.get(key, 0):
            differences.append(("status count", key, held_counts.get(key, 0), counts.get(key, 0)))
    for key in sorted(set(held_reports) | set(reports), key=str):
        if held_reports.get(key, (0, None)) != reports.get(key, (0, None)):
            differences.append(("actor report count", key, held_reports.get(key), reports.get(key)))
    return differences


def rebuild(using="default"):
    """Replace the maintained rows with a recount, in one transaction; returns the number of
    (status count, actor) rows written. The triggers keep them from there on."""
    counts, reports = recount(using)
    with transaction.atomic(using=using):
        StatusCount.objects.using(using).all().delete()
        ActorReportCount.objects.using(using).all().delete()
        StatusCount.objects.using(using).bulk_create(
            StatusCount(dimension=d, group_id=g, basis=b, kind=k, status=s, n=n)
            for (d, g, b, k, s), n in counts.items()
        )
        ActorReportCount.objects.using(using).bulk_create(
            ActorReportCount(actor_id=actor, n=n, last_reported_on=last) for actor, (n, last) in reports.items()
        )
    return len(counts), len(reports)


def tables_exist(using="default"):
    return {"tracker_statuscount", "tracker_actorreportcount"} <= set(connections[using].introspection.table_names())


class KeptByVersion:
    """Values kept in this process per database and key (a forum's id), each beside the versions
    it was made for: `kept()` returns those whose versions still stand, `keep()` stores new ones.
    Only outside transactions (`usable()`): what a transaction read is not committed, and a version
    number a rolled-back transaction reached can stand for other data later. Thread-safe; emptied
    when it would hold more than `max_entries`."""

    def __init__(self, max_entries):
        self.max_entries = max_entries
        self.lock = threading.Lock()
        self.entries = {}  # (database, key) -> (versions, value)

    @staticmethod
    def usable(using="default"):
        """(whether values may be kept and reused now, the database name they belong to)."""
        connection = connections[using]
        return not connection.in_atomic_block, str(connection.settings_dict["NAME"])

    def kept(self, database, versions):
        """{key: value} of the keys of `versions` ({key: versions}) kept for those very versions."""
        found = {}
        with self.lock:
            for key, wanted in versions.items():
                entry = self.entries.get((database, key))
                if entry is not None and entry[0] == wanted:
                    found[key] = entry[1]
        return found

    def clear(self):
        with self.lock:
            self.entries.clear()

    def keep(self, database, values, versions):
        """Store `values` ({key: value}), each beside `versions[key]`."""
        with self.lock:
            if len(self.entries) + len(values) > self.max_entries:
                self.entries.clear()
            for key, value in values.items():
                self.entries[(database, key)] = (versions[key], value)


class ForumRowsMemo:
    """Each forum's status rows (`StatusCount.objects.rows_of()` of the forum dimension, by status
    and by kind) kept in this process between requests, keyed by the versions of the cache scopes
    that change with them ("reference" and the forum's own: tracker.models.cache_scopes), so a
    dashboard rendered after a write reads the rows of the forums that write changed, not the
    ~10,000 rows of every forum (at 300,000 recommendations: docs/benchmarks.md).

    Every change to a forum's recommendations bumps that forum's scope in the same transaction
    (the scope triggers, as they bump the response cache's), before and after a move; bulk loads,
    restores and TRUNCATE bump "reference". Rows are only kept and reused outside any transaction
    (`in_atomic_block` false): they and the versions beside them are then committed, and a
    version number a rolled-back transaction once reached can never stand for other rows here.
    Entries are per database name too (a test database made again under the same name starts its
    scopes at new values anyway: `fresh_version()`)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = KeptByVersion(max_entries=100_000)  # forum id -> rows
        self.instances = {}  # database -> (reference version, {forum id: Forum})

    @staticmethod
    def annotate(forums):
        """`forums` (a Forum queryset) with `scope_version` and `reference_version`: the values
        `rows()` keys each forum's rows by, read in the same query (a subquery by primary key)."""
        text = models.CharField()
        name = Concat(models.Value("forum:"), Cast(models.OuterRef("pk"), text), output_field=text)
        return forums.annotate(
            scope_version=models.Subquery(CacheScope.objects.filter(name=name).values("value")[:1]),
            reference_version=models.Subquery(CacheScope.objects.filter(name="reference").values("value")[:1]),
        )

    def forums(self, queryset, using="default"):
        """(forums, keys): the Forum instances of `queryset` in its order and each one's versions
        {pk: (reference version, own version)}, for `rows()`. One query: the instances themselves
        are kept per process by the "reference" version (a forum's own fields change only with
        it) and reused while it stands, and then only each forum's id and versions are read (a
        changed reference version, or a forum not kept, reads the instances: a second query).
        Outside transactions only, as the rows."""
        reuse, database = KeptByVersion.usable(using)
        annotated = self.annotate(queryset)
        with self.lock:
            kept = self.instances.get(database) if reuse else None
        if kept is not None:
            reference, by_pk = kept
            versions = list(annotated.values_list("pk", "reference_version", "scope_version"))
            if all(version == reference and pk in by_pk for pk, version, _own in versions):
                return [by_pk[pk] for pk, _r, _o in versions], {pk: (ref, own) for pk, ref, own in versions}
        forums = list(annotated)
        if reuse and forums:
            with self.lock:
                self.instances[database] = (forums[0].reference_version, {forum.pk: forum for forum in forums})
        return forums, {forum.pk: (forum.reference_version, forum.scope_version) for forum in forums}

    def rows(self, keys, using="default", every=True):
        """The forum rows of the forums of `keys` ({pk: versions} as `forums()` gives them), as
        `rows_of([FORUM], by_kind=[FORUM])["forum"]` gives them: one query, for the forums whose
        versions changed since this process last read them (all of them inside a transaction or
        the first time). `every`: `keys` holds every forum (then a read of all of them sends no
        id list); false for some forums only."""
        reuse, database = KeptByVersion.usable(using)
        known = self.entries.kept(database, keys) if reuse else {}
        stale = [pk for pk in keys if pk not in known]
        # Every forum stale (the first time, or in a transaction): no id list to send.
        groups = None if every and len(stale) == len(keys) else stale
        fresh = defaultdict(list)
        read = StatusCount.objects.using(using).rows_of([Dimension.FORUM], by_kind=[Dimension.FORUM], groups=groups)
        for row in read[Dimension.FORUM]:
            fresh[row["forum"]].append(row)
        if reuse:
            self.entries.keep(database, {pk: fresh.get(pk, []) for pk in stale}, keys)
        return [row for pk in keys for row in (known[pk] if pk in known else fresh.get(pk, []))]


forum_rows_memo = ForumRowsMemo()
