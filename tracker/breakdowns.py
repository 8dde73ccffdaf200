"""Status breakdowns for the public pages: how many recommendations of a group (all of them, a
process, a forum, a theme, a roundtable, ...) have each status.

The QuerySet methods (`Recommendation.objects.for_dashboard()`, `status_counts()`) do the
counting in SQL; this module turns their rows into `Breakdown`s a template can draw as a stacked
bar with counts, percentages and the filters each number links to, and arranges a forum page's
recommendations under its roundtables. Nothing here queries per row.
"""

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max

from tracker.models import (
    STATUS_COLOURS,
    ActorReportCount,
    Forum,
    FrameworkObjective,
    Process,
    ProgressUpdate,
    Recommendation,
    Status,
    StatusCount,
    Theme,
)
from tracker.models.aggregates import Dimension, KeptByVersion, forum_rows_memo
from tracker.models.translations import translated_only


@dataclass(frozen=True)
class Segment:
    """One status's share of a breakdown."""

    status: Status
    count: int
    total: int
    before: int = 0  # how many the segments to its left count, to place it in the bar

    @property
    def colour(self):
        return STATUS_COLOURS[self.status]

    @property
    def offset(self):
        return f"{100 * self.before / self.total if self.total else 0:.3f}"

    @property
    def percent(self):
        return 100 * self.count / self.total if self.total else 0

    @property
    def width(self):
        """The segment's width for CSS, always with a dot (never localised)."""
        return f"{self.percent:.3f}"

    @property
    def percent_label(self):
        """Whole percent, with "<1" so a small non-zero share never reads as zero."""
        if 0 < self.percent < 1:
            return "<1"
        return f"{round(self.percent)}"


@dataclass
class Breakdown:
    """Counts per status of one group of recommendations (all, a forum, a theme, ...).

    `filters` are the browse filters that select the group, so every number can link to the
    list it counts; `obj` is the model instance the group stands for, if any. `kinds` counts the
    same recommendations by kind ({"recommendation": 18, "key_message": 19, ...}) when the rows
    they were counted from carry it (`status_counts(..., "kind")`), for the `kind_counts` tag.
    `rendered` keeps the breakdown's table row as the `breakdown_rows` tag rendered it, per
    (language, as-of date): a breakdown the dashboard keeps between requests (`ForumBreakdowns`)
    is drawn once.
    """

    label: str = ""
    filters: dict = field(default_factory=dict)
    obj: object = None
    counts: dict = field(default_factory=dict)
    kinds: dict = field(default_factory=dict)
    rendered: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def segments(self):
        """Every status in display order, including those with no recommendation."""
        total, before, segments = self.total, 0, []
        for status in Status:
            count = self.counts.get(status.value, 0)
            segments.append(Segment(status, count, total, before))
            before += count
        return segments

    @property
    def nonzero_segments(self):
        return [segment for segment in self.segments if segment.count]

    def add(self, status, n, kind=None):
        """Count `n` recommendations of `status` and, if given, `kind`; with `status` None, of
        `kind` alone (maintained rows come by status and by kind apart: `StatusCount.rows_of`)."""
        if status is not None:
            self.counts[status] = self.counts.get(status, 0) + n
        if kind is not None:
            self.kinds[kind] = self.kinds.get(kind, 0) + n


def breakdown_from_rows(rows, **kwargs):
    """One breakdown from `status_counts()` rows without grouping (or grouped by "kind" only)."""
    breakdown = Breakdown(**kwargs)
    for row in rows:
        breakdown.add(row["effective_status"], row["n"], row.get("kind"))
    return breakdown


def breakdowns_by(rows, key, groups, filter_name, slug_attr="slug", keep_empty=True):
    """Breakdowns for each of `groups` (model instances, in display order) from `status_counts(key)` rows.

    `filter_name` is the browse filter that selects one group (`forum`, `theme`, ...). Rows
    grouped by "kind" as well fill each breakdown's `kinds`.
    """
    result = [
        Breakdown(label=str(group), filters={filter_name: getattr(group, slug_attr)}, obj=group) for group in groups
    ]
    by_pk = {breakdown.obj.pk: breakdown for breakdown in result}
    for row in rows:
        breakdown = by_pk.get(row[key])
        if breakdown is not None:
            breakdown.add(row["effective_status"], row["n"], row.get("kind"))
    return result if keep_empty else [breakdown for breakdown in result if breakdown.total]


@dataclass
class Dashboard:
    overall: Breakdown
    processes: list
    forums: list
    themes: list
    objectives: list
    objectives_total: int
    recent_updates: list
    approved_update_count: int
    reporters: list = field(default_factory=list)
    objective_basis: str = ""  # "" (every mapping) or a Basis: the GCM roll-up counts only those
    # Today's: the versions of the cache scopes every public change bumps, as read with the forums
    # ("reference" and each forum's), for what the page shows beside (tracker.opendata's KeptFacts).
    data_key: object = None


def reporting_actors(as_of=None, limit=5):
    """Who reported: the `limit` actors with the most approved progress updates reported on or
    before `as_of` (all of them without it), most first, then the latest report first, then by
    name. One query (today's from the maintained `ActorReportCount`, a past date's a GROUP BY over
    the updates); a list of dicts with `actor__slug`, `actor__name`, `actor__kind`, `report_count`
    and `last_reported_on` (a date)."""
    if as_of is None:
        return ActorReportCount.objects.top(limit)
    return list(
        ProgressUpdate.objects.reported_by_on(as_of)
        .values("actor__slug", "actor__name", "actor__kind")
        .annotate(report_count=Count("pk"), last_reported_on=Max("reported_on"))
        .order_by("-report_count", "-last_reported_on", "actor__name", "actor__slug")[:limit]
    )


def read_reference_lists():
    """(processes, themes, GCM objectives): lists in the dashboard's order. Three queries."""
    objectives = FrameworkObjective.objects.filter(framework=FrameworkObjective.Framework.GCM)
    return list(Process.objects.all()), list(Theme.objects.all()), list(objectives)


class ReferenceLists:
    """The processes, themes and GCM objectives the dashboard lists, kept in this process while the
    "reference" cache scope's version that `ForumRowsMemo.forums()` read stands: they are reference
    data, whose every change bumps that version (tracker.models.scope_triggers), so a dashboard
    after a write reads none of them. Per database; kept and reused outside transactions only, as
    the forums."""

    def __init__(self):
        self.lock = threading.Lock()
        self.kept = {}  # database -> (reference version, lists)

    def get(self, reference, using="default"):
        """`read_reference_lists()`, kept under `reference` (a version; None reads them, as does a
        transaction): no query while it stands, else three."""
        usable, database = KeptByVersion.usable(using)
        reuse = usable and reference is not None
        if reuse:
            with self.lock:
                kept = self.kept.get(database)
            if kept is not None and kept[0] == reference:
                return kept[1]
        lists = read_reference_lists()
        if reuse:
            with self.lock:
                self.kept[database] = (reference, lists)
        return lists


reference_lists = ReferenceLists()


class ForumBreakdowns:
    """Today's `Breakdown` of each forum, kept in this process between dashboards, per database and
    forum, beside the versions of the cache scopes its counts and title come from
    (`ForumRowsMemo.forums()`): a dashboard after a write builds (and draws, in each language:
    `Breakdown.rendered`) the breakdown of that write's forum only, and reuses the ~400 others as
    they are. Kept and reused only outside transactions, as the rows."""

    def __init__(self):
        self.entries = KeptByVersion(max_entries=50_000)  # forum id -> Breakdown

    def breakdowns(self, forums, versions, using="default"):
        """A `Breakdown` of each of `forums` (in their order), `versions` as `ForumRowsMemo.forums()`
        gives them: one query (the rows of the forums whose breakdown is not kept)."""
        reuse, database = KeptByVersion.usable(using)
        kept = self.entries.kept(database, versions) if reuse else {}
        stale = [forum for forum in forums if forum.pk not in kept]
        keys = {forum.pk: versions[forum.pk] for forum in stale}
        rows = forum_rows_memo.rows(keys, using, every=len(stale) == len(forums))
        built = {breakdown.obj.pk: breakdown for breakdown in breakdowns_by(rows, "forum", stale, "forum")}
        if reuse:
            self.entries.keep(database, built, versions)
        return [kept.get(forum.pk) or built[forum.pk] for forum in forums]


forum_breakdown_memo = ForumBreakdowns()


def _sum_forums(forums, processes):
    """(overall, per process): breakdowns adding up those of `forums` (each recommendation has one
    forum and each forum one process), the processes' in the order of `processes`. No queries."""
    overall = Breakdown()
    by_process = {process.pk: Breakdown(filters={"process": process.slug}, obj=process) for process in processes}
    for forum in forums:
        targets = [overall]
        process = by_process.get(forum.obj.process_id)
        if process is not None:
            targets.append(process)
        for target in targets:
            for status, n in forum.counts.items():
                target.counts[status] = target.counts.get(status, 0) + n
            for kind, n in forum.kinds.items():
                target.kinds[kind] = target.kinds.get(kind, 0) + n
    for process in by_process.values():
        process.label = process.obj.name + (f" ({process.obj.acronym})" if process.obj.acronym else "")
    return overall, list(by_process.values())


def dashboard(as_of=None, recent=5, objective_basis=""):
    """Everything the dashboard shows, in eight queries whatever the amount of data (ten with
    `as_of`), fewer when this process keeps what it read before: the forums in date order, each
    with the versions of its cache scopes (`ForumRowsMemo.forums()`); their status counts (today's
    maintained ones, `StatusCount`, read again only for the forums changed since this process last
    built their breakdowns: `ForumBreakdowns`; on a past date `Recommendation.objects.for_dashboard()`,
    three queries with those per theme and objective); today's per theme and GCM objective (the
    objectives' counted from the mappings of `objective_basis` only, if given); the processes,
    themes and GCM objectives in the order the dashboard lists them (three, none while the
    "reference" version stands: `ReferenceLists`); the `recent` latest approved updates; the
    actors who reported most (`reporting_actors()`) with today's number of approved updates (one
    query from the maintained counts per actor; a past date's count is one more).

    Each recommendation has one forum and each forum one process: the counts per process and
    overall add up those per forum."""
    # Only what a breakdown row shows (its title, in every language, and its link): hundreds of
    # forums built with all their fields cost more than the rest of the dashboard's Python.
    forums = (
        Forum.objects.in_date_order()
        .select_related(None)
        .only("id", "slug", "title", "process_id", "start_date", *translated_only(("title",)))
    )
    if as_of is None:
        # Today's forum breakdowns from the maintained counts, built again only for the forums
        # whose cache scopes changed since this process last built them (`ForumBreakdowns`).
        forums, versions = forum_rows_memo.forums(forums)
        reference = next(iter(versions.values()))[0] if versions else None
        processes, themes, objectives = reference_lists.get(reference)
        forum_rows = forum_breakdown_memo.breakdowns(forums, versions)
        counts = StatusCount.objects.rows_of([Dimension.THEME, Dimension.OBJECTIVE], basis=objective_basis or None)
        reporters, approved_update_count = ActorReportCount.objects.top_and_total()
        data_key = (reference, tuple(versions.items())) if versions else None
    else:
        forums = list(forums)
        processes, themes, objectives = read_reference_lists()
        counts = Recommendation.objects.for_dashboard(as_of, objective_basis=objective_basis or None)
        forum_rows = breakdowns_by(counts["forum"], "forum", forums, "forum")
        reporters, approved_update_count, data_key = reporting_actors(as_of), None, None
    overall, process_rows = _sum_forums(forum_rows, processes)
    public = ProgressUpdate.objects.reported_by_on(as_of)
    return Dashboard(
        overall=overall,
        processes=process_rows,
        forums=forum_rows,
        themes=breakdowns_by(counts["theme"], "themes", themes, "theme"),
        objectives=breakdowns_by(
            counts["objective"], "objective_mappings__frameworkobjective", objectives, "objective", keep_empty=False
        ),
        objectives_total=len(objectives),
        recent_updates=list(public.for_public_list()[:recent]),
        approved_update_count=public.count() if approved_update_count is None else approved_update_count,
        reporters=reporters,
        objective_basis=objective_basis,
        data_key=data_key,
    )


def status_rows(key, as_of=None):
    """Status counts of every group by `key` ("forum", "themes" or "forum__process") and kind,
    as `status_counts(key, "kind")` rows: today's from the maintained `StatusCount`, a past
    date's counted. One query."""
    if as_of is None:
        if key == "forum__process":
            return StatusCount.objects.by_process()
        return StatusCount.objects.rows({"forum": Dimension.FORUM, "themes": Dimension.THEME}[key])
    return Recommendation.objects.with_effective_status(as_of).status_counts(key, "kind")


def group_rows(dimension, group, recommendations, as_of=None):
    """One group's status counts by kind (`status_counts("kind")` rows): today's maintained ones
    of `group` (an actor or a theme, by `dimension`), a past date's counted from
    `recommendations`, the group's. One query."""
    if as_of is None:
        return StatusCount.objects.of_group(dimension, group.pk)
    return recommendations.with_effective_status(as_of).status_counts("kind")


def forum_breakdowns(as_of=None):
    """Breakdowns of every forum (by status and kind), for the forum list: two queries."""
    return breakdowns_by(status_rows("forum", as_of), "forum", Forum.objects.in_date_order(), "forum")


@dataclass
class RoundtableSection:
    """A roundtable of a forum page with the recommendations of the page in it, its sub-sessions
    and the breakdown of all its recommendations (its sub-sessions' included, every page's)."""

    roundtable: object
    recommendations: list
    children: list
    breakdown: Breakdown
    on_page: int = 0  # recommendations of the page in it and its sub-sessions


def forum_sections(forum, recommendations, counts, every_section=True):
    """Arrange a page of a forum's recommendations under its roundtables and sub-sessions, in order.

    `forum.roundtables` must be prefetched in order (`Forum.objects.for_page()`); `recommendations`
    are the page's, in forum order; `counts` are `status_counts("roundtable", "kind")` rows over all
    the forum's recommendations, from which each section's breakdown is added up (a sub-session's
    count in its session's too). With `every_section` every session is listed, else only those
    holding a recommendation of the page. Returns the sections and the page's recommendations
    that belong to no roundtable. No queries.
    """
    by_roundtable = defaultdict(list)
    for recommendation in recommendations:
        by_roundtable[recommendation.roundtable_id].append(recommendation)
    counted = defaultdict(list)
    for row in counts:
        counted[row["roundtable"]].append(row)
    roundtables = list(forum.roundtables.all())
    children = defaultdict(list)
    for roundtable in roundtables:
        if roundtable.parent_id:
            children[roundtable.parent_id].append(roundtable)

    seen = set()

    def section(roundtable):
        seen.add(roundtable.pk)  # guards against a cycle of parents entered by mistake
        subs = [section(child) for child in children[roundtable.pk] if child.pk not in seen]
        breakdown = breakdown_from_rows(counted[roundtable.pk], filters={"roundtable": roundtable.slug})
        for sub in subs:
            for status, n in sub.breakdown.counts.items():
                breakdown.add(status, n)
            for kind, n in sub.breakdown.kinds.items():
                breakdown.kinds[kind] = breakdown.kinds.get(kind, 0) + n
        own = by_roundtable[roundtable.pk]
        shown = subs if every_section else [sub for sub in subs if sub.on_page]
        return RoundtableSection(
            roundtable=roundtable,
            recommendations=own,
            children=shown,
            breakdown=breakdown,
            on_page=len(own) + sum(sub.on_page for sub in subs),
        )

    known = {roundtable.pk for roundtable in roundtables}
    # A sub-session whose parent is missing (data entered out of order) still shows, at the top level.
    top = [section(rt) for rt in roundtables if not rt.parent_id or rt.parent_id not in known]
    return [sec for sec in top if every_section or sec.on_page], by_roundtable[None]
