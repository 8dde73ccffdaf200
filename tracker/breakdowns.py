"""Status breakdowns for the public pages: how many recommendations of a group (all of them, a
process, a forum, a theme, a roundtable, ...) have each status.

The QuerySet methods (`Recommendation.objects.for_dashboard()`, `status_counts()`) do the
counting in SQL; this module turns their rows into `Breakdown`s a template can draw as a stacked
bar with counts, percentages and the filters each number links to, and arranges a forum page's
recommendations under its roundtables. Nothing here queries per row.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from tracker.models import (
    STATUS_COLOURS,
    Forum,
    FrameworkObjective,
    Process,
    ProgressUpdate,
    Recommendation,
    Status,
    Theme,
)


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
    list it counts; `obj` is the model instance the group stands for, if any.
    """

    label: str = ""
    filters: dict = field(default_factory=dict)
    obj: object = None
    counts: dict = field(default_factory=dict)

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

    def add(self, status, n):
        self.counts[status] = self.counts.get(status, 0) + n


def breakdown_from_rows(rows, **kwargs):
    """One breakdown from `status_counts()` rows without grouping."""
    breakdown = Breakdown(**kwargs)
    for row in rows:
        breakdown.add(row["effective_status"], row["n"])
    return breakdown


def breakdowns_by(rows, key, groups, filter_name, slug_attr="slug", keep_empty=True):
    """Breakdowns for each of `groups` (model instances, in display order) from `status_counts(key)` rows.

    `filter_name` is the browse filter that selects one group (`forum`, `theme`, ...).
    """
    counts = defaultdict(dict)
    for row in rows:
        if row[key] is not None:
            counts[row[key]][row["effective_status"]] = row["n"]
    result = [
        Breakdown(
            label=str(group), filters={filter_name: getattr(group, slug_attr)}, obj=group, counts=counts[group.pk]
        )
        for group in groups
    ]
    return result if keep_empty else [breakdown for breakdown in result if breakdown.total]


def breakdown_of_recommendations(recommendations, **kwargs):
    """A breakdown counted in Python from recommendations already loaded for the page (no query)."""
    breakdown = Breakdown(**kwargs)
    for recommendation in recommendations:
        breakdown.add(recommendation.effective_status, 1)
    return breakdown


def _labelled(breakdown, label):
    breakdown.label = label
    return breakdown


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


def dashboard(as_of=None, recent=8):
    """Everything the dashboard shows, in eight queries whatever the amount of data: the status
    counts per forum, theme and objective (`Recommendation.objects.for_dashboard()`, three), the
    processes, forums (with their process), themes and GCM objectives in the order the dashboard
    lists them (four), the number of approved updates reported by `as_of` and the recent ones.

    Each recommendation has one forum and each forum one process: the counts per process and
    overall add up those per forum."""
    counts = Recommendation.objects.for_dashboard(as_of)
    processes = list(Process.objects.all())
    forums = list(Forum.objects.in_date_order())
    by_process = defaultdict(lambda: defaultdict(int))
    process_of = {forum.pk: forum.process_id for forum in forums}
    overall = Breakdown()
    for row in counts["forum"]:
        by_process[process_of.get(row["forum"])][row["effective_status"]] += row["n"]
        overall.add(row["effective_status"], row["n"])
    process_rows = [
        {"forum__process": process, "effective_status": status, "n": n}
        for process, statuses in by_process.items()
        for status, n in statuses.items()
    ]
    objectives = list(FrameworkObjective.objects.filter(framework=FrameworkObjective.Framework.GCM))
    public = ProgressUpdate.objects.reported_by_on(as_of)
    return Dashboard(
        overall=overall,
        processes=[
            _labelled(breakdown, breakdown.obj.name + (f" ({breakdown.obj.acronym})" if breakdown.obj.acronym else ""))
            for breakdown in breakdowns_by(process_rows, "forum__process", processes, "process")
        ],
        forums=breakdowns_by(counts["forum"], "forum", forums, "forum"),
        themes=breakdowns_by(counts["theme"], "themes", Theme.objects.all(), "theme"),
        objectives=breakdowns_by(counts["objective"], "objectives", objectives, "objective", keep_empty=False),
        objectives_total=len(objectives),
        recent_updates=list(public.for_public_list()[:recent]),
        approved_update_count=public.count(),
    )


def forum_breakdowns(as_of=None):
    """Breakdowns of every forum, for the forum list: two queries."""
    rows = Recommendation.objects.with_effective_status(as_of).status_counts("forum")
    return breakdowns_by(rows, "forum", Forum.objects.in_date_order(), "forum")


@dataclass
class RoundtableSection:
    """A roundtable of a forum page with its recommendations and sub-sessions."""

    roundtable: object
    recommendations: list
    children: list
    breakdown: Breakdown
    all_recommendations: list = field(default_factory=list)


def forum_sections(forum, recommendations):
    """Arrange a forum's recommendations under its roundtables and sub-sessions, in order.

    `forum.roundtables` must be prefetched in order (`Forum.objects.for_page()`). Returns the
    top-level sections and the recommendations that belong to no roundtable. No queries.
    """
    by_roundtable = defaultdict(list)
    for recommendation in recommendations:
        by_roundtable[recommendation.roundtable_id].append(recommendation)
    roundtables = list(forum.roundtables.all())
    children = defaultdict(list)
    for roundtable in roundtables:
        if roundtable.parent_id:
            children[roundtable.parent_id].append(roundtable)

    seen = set()

    def section(roundtable):
        seen.add(roundtable.pk)  # guards against a cycle of parents entered by mistake
        subs = [section(child) for child in children[roundtable.pk] if child.pk not in seen]
        own = by_roundtable[roundtable.pk]
        every = own + [rec for sub in subs for rec in sub.all_recommendations]
        return RoundtableSection(
            roundtable=roundtable,
            recommendations=own,
            children=subs,
            breakdown=breakdown_of_recommendations(every, filters={"roundtable": roundtable.slug}),
            all_recommendations=every,
        )

    known = {roundtable.pk for roundtable in roundtables}
    # A sub-session whose parent is missing (data entered out of order) still shows, at the top level.
    top = [rt for rt in roundtables if not rt.parent_id or rt.parent_id not in known]
    return [section(roundtable) for roundtable in top], by_roundtable[None]
