"""Reporting cycles ("calls for updates") and the (actor, recommendation) pairs each one asks.

A cycle is *draft* while the secretariat prepares it, *open* from the moment it is opened (its
asked pairs are fixed then: `ReportingRequest` rows, written once) and *closed* by hand or a set
number of days after its deadline (`tracker.cycles`). The state of each asked pair is never
stored: it is derived from that actor's progress updates of that recommendation recorded
(`recorded_at`) between the cycle's `opened_at` and its `closed_at` (or now):

- *approved* if any of them is approved;
- else *returned* or *submitted*, the review state of the latest of them;
- else *not yet reported*.

An update recorded before the cycle opened never counts, and a later status change of a
recommendation does not move it in or out of a cycle. The QuerySet methods here annotate that
state in SQL (one correlated subquery per pair), so counts per state are one GROUP BY query
whatever the number of pairs.
"""

import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from .clean_fields import CleanCharField, CleanTextField
from .recommendations import Recommendation
from .reference import Actor
from .sync import Synced
from .translations import translated_only
from .updates import ProgressUpdate


def days_after(day, days):
    """`day` (a date) plus `days` (an int; negative: before), kept within the calendar: the earliest
    or latest date (`datetime.date.min`/`max`) where the sum would fall outside it, as a deadline of
    9999-12-31 plus a week does. Raises nothing for any date and any int."""
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max if days > 0 else datetime.date.min


def default_close_after_days():
    """settings.TRACKER_CYCLE_CLOSE_AFTER_DAYS (days after the deadline a cycle closes by itself), 30 by default."""
    return int(getattr(settings, "TRACKER_CYCLE_CLOSE_AFTER_DAYS", 30))


class RequestState(models.TextChoices):
    """The derived state of an asked (actor, recommendation) pair."""

    NOT_REPORTED = "not_reported", _("Not yet reported")
    SUBMITTED = "submitted", _("Submitted, waiting for review")
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved")


# What a focal point still has to do: report, or report again after a return.
MISSING_STATES = (RequestState.NOT_REPORTED, RequestState.RETURNED)


class ResponseRate(NamedTuple):
    """A cycle's response rate over some asked pairs: `approved` of `asked` have an approved update."""

    cycle_slug: str
    cycle_name: str
    cycle_state: str
    deadline: datetime.date
    asked: int
    approved: int

    @property
    def percent(self):
        """approved ÷ asked in whole percent (rounded half up), 0 when nothing was asked."""
        return (self.approved * 100 + self.asked // 2) // self.asked if self.asked else 0


class ReportingCycleQuerySet(models.QuerySet):
    def published(self):
        """Cycles the public may see: open and closed ones (drafts are the secretariat's)."""
        return self.exclude(state=ReportingCycle.State.DRAFT)

    def visible_to(self, user):
        """What `user` may read: every cycle for the secretariat, open and closed ones for everyone else."""
        from tracker.roles import is_secretariat

        return self.all() if is_secretariat(user) else self.published()

    def overdue(self, today):
        """Open cycles whose deadline + close_after_days is before `today` (a date). Date
        arithmetic differs between databases and open cycles are few, so it is done here on
        their dates (one query); the result is a queryset of them by id."""
        ids = [
            pk
            for pk, deadline, days in self.filter(state=ReportingCycle.State.OPEN).values_list(
                "pk", "deadline", "close_after_days"
            )
            if days_after(deadline, days) < today
        ]
        return self.filter(pk__in=ids)


class ReportingCycle(Synced):
    """A named round in which the secretariat asks actors to report on recommendations by a deadline."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = CleanCharField(_("name"), max_length=200)
    opens_on = models.DateField(_("opens on"))
    deadline = models.DateField(_("deadline"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT, editable=False)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    close_after_days = models.PositiveSmallIntegerField(
        _("closes after (days)"),
        default=default_close_after_days,
        help_text=_("The cycle closes by itself this many days after its deadline."),
    )
    recommendation_filter = models.JSONField(
        _("recommendation filter"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("The filters that chose its recommendations, as query parameters: {name: [values]}."),
    )
    extra_actors = models.ManyToManyField(
        Actor,
        blank=True,
        related_name="+",
        verbose_name=_("actors also asked"),
        help_text=_("Asked about every recommendation of the cycle, besides each one's responsible actors."),
    )
    notes = CleanTextField(_("notes"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ReportingCycleQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("reporting cycle")
        verbose_name_plural = _("reporting cycles")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["draft", "open", "closed"]),
                name="%(app_label)s_%(class)s_state_valid",
                violation_error_message=_("Unknown state."),
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=F("opens_on")),
                name="%(app_label)s_%(class)s_deadline_after_opening",
                violation_error_message=_("The deadline cannot be before the opening date."),
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(opened_at__isnull=False),
                name="%(app_label)s_%(class)s_opened_when_not_draft",
            ),
            models.CheckConstraint(
                condition=Q(state="closed", closed_at__isnull=False) | ~Q(state="closed") & Q(closed_at__isnull=True),
                name="%(app_label)s_%(class)s_closed_at_when_closed",
            ),
        ]
        indexes = [models.Index(fields=["state", "deadline"], name="cycle_state_deadline_idx")]

    def __str__(self):
        return self.name

    def closes_on(self):
        """The date the cycle closes by itself: the day after deadline + close_after_days."""
        return days_after(self.deadline, self.close_after_days + 1)

    def is_overdue_on(self, today):
        """Whether the deadline has passed on `today` (a date)."""
        return today > self.deadline


# The end of an open cycle's window: nothing is recorded later than now, so "until now" is
# "without end", and a read does not depend on the clock of the server that makes it.
_OPEN_END = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)


def _window():
    """Updates of the outer pair's actor and recommendation recorded while its cycle was open:
    from its `opened_at` to its `closed_at`, or now while it is open."""
    return ProgressUpdate.objects.filter(
        actor=OuterRef("actor_id"),
        recommendation=OuterRef("recommendation_id"),
        recorded_at__gte=OuterRef("cycle__opened_at"),
        recorded_at__lte=Coalesce(OuterRef("cycle__closed_at"), Value(_OPEN_END)),
    )


def _approved_in_window():
    return Exists(_window().filter(review_state=ProgressUpdate.ReviewState.APPROVED))


def _full_state():
    """The pair's state: the review state of its approved update if any, else of its latest
    update, else "not_reported". One correlated subquery."""
    approved_first = Case(When(review_state=ProgressUpdate.ReviewState.APPROVED, then=Value(1)), default=Value(0))
    latest = (
        _window()
        .annotate(approved_first=approved_first)
        .order_by("-approved_first", "-recorded_at", "-id")
        .values("review_state")[:1]
    )
    return Coalesce(Subquery(latest, output_field=models.CharField()), Value(RequestState.NOT_REPORTED.value))


def _public_state():
    """The state as the public may know it: approved, or not (submissions are private)."""
    return Case(
        When(_approved_in_window(), then=Value(RequestState.APPROVED.value)),
        default=Value(RequestState.NOT_REPORTED.value),
        output_field=models.CharField(),
    )


class ReportingRequestQuerySet(models.QuerySet):
    def with_state(self, private_for="all"):
        """Annotate `state` (a RequestState value), derived from the updates of each pair's actor
        and recommendation recorded while its cycle was open.

        `private_for` says whose submitted and returned updates count: "all" (the secretariat),
        an actor id (a focal point: its own actor's pairs show every state, the others only
        approved or not yet reported) or None (the public: approved or not yet reported)."""
        if private_for == "all":
            return self.annotate(state=_full_state())
        if private_for is None:
            return self.annotate(state=_public_state())
        return self.annotate(
            state=Case(
                When(actor_id=private_for, then=_full_state()),
                default=_public_state(),
                output_field=models.CharField(),
            )
        )

    def with_state_for(self, user):
        """`with_state()` as `user` may see it (the secretariat everything, a focal point its own
        actor's submissions, everyone else approved or not)."""
        from tracker.roles import is_secretariat

        if is_secretariat(user):
            return self.with_state()
        return self.with_state(user.actor_id if user.is_authenticated and user.actor_id else None)

    def with_latest_update(self, private_for="all"):
        """Annotate `latest_update_id` and `latest_update_at`: the latest update of the pair in
        its cycle's window (only approved ones count where `private_for`, as in `with_state()`,
        hides submissions), or None."""

        def latest(field, approved_only):
            window = _window()
            if approved_only:
                window = window.filter(review_state=ProgressUpdate.ReviewState.APPROVED)
            return Subquery(window.order_by("-recorded_at", "-id").values(field)[:1])

        if private_for == "all":
            return self.annotate(latest_update_id=latest("id", False), latest_update_at=latest("recorded_at", False))
        if private_for is None:
            return self.annotate(latest_update_id=latest("id", True), latest_update_at=latest("recorded_at", True))
        own = Q(actor_id=private_for)
        return self.annotate(
            latest_update_id=Case(When(own, then=latest("id", False)), default=latest("id", True)),
            latest_update_at=Case(When(own, then=latest("recorded_at", False)), default=latest("recorded_at", True)),
        )

    def count_by_state(self):
        """{state: count} for every RequestState, zeros included, plus "total": one GROUP BY
        query. Call it after `with_state()`."""
        counts = dict.fromkeys(RequestState.values, 0)
        for row in self.order_by().values("state").annotate(n=Count("pk")):
            counts[row["state"]] = row["n"]
        counts["total"] = sum(counts.values())
        return counts

    def counts_by(self, *fields):
        """Rows of `fields`, `state` and `n` (pairs): one GROUP BY query. Call it after `with_state()`."""
        return self.order_by().values(*fields, "state").annotate(n=Count("pk"))

    def counts_by_cycle(self):
        """{cycle id: {state: count, ..., "total": n}}, zeros included: one GROUP BY query.
        Call it after `with_state()`."""
        result = {}
        for row in self.counts_by("cycle_id"):
            counts = result.setdefault(row["cycle_id"], dict.fromkeys([*RequestState.values, "total"], 0))
            counts[row["state"]] += row["n"]
            counts["total"] += row["n"]
        return result

    def missing(self):
        """Pairs still to report: not yet reported or returned. Call it after `with_state()`."""
        return self.filter(state__in=[state.value for state in MISSING_STATES])

    def for_chase_list(self):
        """The chase list's rows: state, latest update, the recommendation (code and text, for its
        label) and the actor, by actor name then recommendation code. One query."""
        return (
            self.with_state()
            .with_latest_update()
            .select_related("actor", "recommendation")
            .only(
                "id",
                "cycle_id",
                "actor__slug",
                "actor__name",
                "recommendation__code",
                "recommendation__text",
                *(f"actor__{name}" for name in translated_only(("name",))),
                *(f"recommendation__{name}" for name in translated_only(("text",))),
            )
            .order_by("actor__name", "actor_id", "recommendation__code")
        )

    def response_rates(self):
        """Per published cycle, over these pairs: how many were asked and how many have an
        approved update in the cycle's window, as a list of ResponseRate, newest cycle first.
        One GROUP BY query whatever the number of cycles (submissions are private: only approved
        updates count)."""
        rows = (
            self.filter(cycle__state__in=[ReportingCycle.State.OPEN, ReportingCycle.State.CLOSED])
            .order_by()
            .values("cycle_id", "cycle__slug", "cycle__name", "cycle__state", "cycle__deadline", "cycle__opens_on")
            .annotate(
                asked=Count("pk"),
                approved=models.Sum(
                    Case(When(_approved_in_window(), then=Value(1)), default=Value(0), output_field=IntegerField())
                ),
            )
            .order_by("-cycle__opens_on", "-cycle_id")
        )
        return [
            ResponseRate(
                row["cycle__slug"],
                row["cycle__name"],
                row["cycle__state"],
                row["cycle__deadline"],
                row["asked"],
                row["approved"] or 0,
            )
            for row in rows
        ]


class ReportingRequest(models.Model):
    """One asked (actor, recommendation) pair of a cycle, written when the cycle opens and never
    changed after. Its state is derived (see the module and `ReportingRequestQuerySet.with_state`)."""

    State = RequestState

    # No index of their own on `cycle` and `recommendation`: the unique constraint (cycle, actor,
    # recommendation) and the index (recommendation, cycle) serve those lookups, and a cycle of
    # 400,000 pairs opens faster without two more indexes to fill.
    cycle = models.ForeignKey(
        ReportingCycle,
        on_delete=models.CASCADE,
        related_name="requests",
        db_index=False,
        verbose_name=_("reporting cycle"),
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="reporting_requests", verbose_name=_("actor asked")
    )
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.PROTECT,
        related_name="reporting_requests",
        db_index=False,
        verbose_name=_("recommendation"),
    )

    objects = ReportingRequestQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("reporting request")
        verbose_name_plural = _("reporting requests")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "actor", "recommendation"],
                name="%(app_label)s_%(class)s_unique_pair",
                violation_error_message=_("This actor is already asked about this recommendation in this cycle."),
            )
        ]
        indexes = [
            # The response rate of a recommendation (its page) across cycles.
            models.Index(fields=["recommendation", "cycle"], name="request_rec_cycle_idx"),
        ]

    def __str__(self):
        return f"{self.cycle_id}: {self.actor_id} / {self.recommendation_id}"
