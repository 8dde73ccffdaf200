"""Reporting cycles: the secretariat's calls for updates, and what each asked actor still owes.

Every state change of a cycle goes through a function here, which the admin, the API and the
`send_reminders` command call:

- `create_cycle()` writes a *draft*: a name, an opening date, a deadline, the filters that choose
  its recommendations (the public list's filters, `tracker.filters`, as query parameters) and any
  actors asked besides each recommendation's responsible actors;
- `open_cycle()` fixes the asked (actor, recommendation) pairs (`ReportingRequest` rows) and
  publishes `cycle.opened`; a later change of status, actors or themes moves nothing in or out;
- `close_cycle()` (by hand) and `close_overdue_cycles()` (the command, `close_after_days` after the
  deadline) close it and publish `cycle.closed`.

What the chase list, the focal point's home and the reminders read is here too: per-actor counts
(`actor_summaries()`), the rows of a chase list (`chase_items()`), `asked_of()`. Each pair's state
is derived by `ReportingRequest.objects.with_state()` (tracker.models.cycles), never stored.
"""

import datetime
from dataclasses import dataclass

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tracker import events
from tracker.filters import RecommendationFilterSet
from tracker.models import (
    Actor,
    Forum,
    FrameworkObjective,
    Process,
    Recommendation,
    ReportingCycle,
    ReportingRequest,
    Theme,
)
from tracker.roles import is_secretariat

# The query parameters of the public list a cycle may be chosen by; those of references take
# several values (any of them matches), as `status` does on the public list.
FILTER_PARAMETERS = ("process", "forum", "roundtable", "theme", "objective", "actor", "status", "kind", "q")


def _several(label, field_name, queryset):
    # django-filter compares `field_name` with the chosen objects' `to_field_name`: the slugs.
    return django_filters.ModelMultipleChoiceFilter(
        label=label, field_name=f"{field_name}__slug", to_field_name="slug", queryset=queryset
    )


class CycleRecommendationFilterSet(RecommendationFilterSet):
    """The public list's FilterSet (`tracker.filters.RecommendationFilterSet`), whose process,
    forum, theme, objective and actor filters take several slugs: recommendations matching any
    of them (and every other filter)."""

    process = _several(_("Process"), "forum__process", Process.objects.all())
    forum = _several(_("Forum"), "forum", Forum.objects.all())
    theme = _several(_("Theme"), "themes", Theme.objects.all())
    objective = _several(_("Framework objective"), "objectives", FrameworkObjective.objects.all())
    actor = _several(_("Responsible actor"), "actors", Actor.objects.all())


def normalise_filters(filters):
    """The filters as stored on a cycle: {parameter: [value, ...]} with only FILTER_PARAMETERS,
    empty values dropped, keys sorted. `filters` is a mapping of a parameter to a string or a list
    of strings (or a QueryDict). Raises ValidationError for an unknown parameter or a value that
    is not a string."""
    filters = filters or {}
    getlist = filters.getlist if isinstance(filters, QueryDict) else None
    unknown = sorted(set(filters) - set(FILTER_PARAMETERS))
    if unknown:
        raise ValidationError(
            {
                "filters": _("Unknown filters: %(names)s. Use %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(FILTER_PARAMETERS)}
            }
        )
    result = {}
    for name in sorted(filters):
        values = getlist(name) if getlist else filters[name]
        values = [values] if isinstance(values, str) else list(values or [])
        if not all(isinstance(value, str) for value in values):
            raise ValidationError({"filters": _("The values of %(name)s must be strings.") % {"name": name}})
        values = [value.strip() for value in values if value.strip()]
        if values:
            result[name] = values
    return result


def selected_recommendations(filters):
    """The recommendations the stored `filters` ({parameter: [values]}) choose, as an unordered
    queryset of their ids (for a subquery). Raises ValidationError naming each invalid filter."""
    data = QueryDict(mutable=True)
    for name, values in normalise_filters(filters).items():
        data.setlist(name, values)
    filterset = CycleRecommendationFilterSet(data=data, queryset=Recommendation.objects.all())
    if not filterset.is_valid():
        raise ValidationError(
            {f"filters.{name}": [str(message) for message in messages] for name, messages in filterset.errors.items()}
        )
    return filterset.qs.order_by().values("pk")


def _pairs(filters, extra_actor_ids):
    """The set of (actor id, recommendation id) pairs a cycle with these filters and extra
    actors asks: each chosen recommendation's responsible actors, and every extra actor for every
    chosen recommendation. Two queries."""
    chosen = selected_recommendations(filters)
    through = Recommendation.actors.through.objects.filter(recommendation_id__in=chosen)
    pairs = set(through.values_list("actor_id", "recommendation_id"))
    if extra_actor_ids:
        ids = list(Recommendation.objects.filter(pk__in=chosen).values_list("pk", flat=True))
        pairs.update((actor_id, pk) for actor_id in extra_actor_ids for pk in ids)
    return pairs


def selection_size(filters, extra_actors=()):
    """(recommendations, pairs): how many recommendations the filters choose now, and how many
    (actor, recommendation) pairs would be asked if the cycle opened now. Three queries."""
    chosen = selected_recommendations(filters)
    recommendations = Recommendation.objects.filter(pk__in=chosen).count()
    extra_ids = [actor.pk for actor in extra_actors]
    through = Recommendation.actors.through.objects.filter(recommendation_id__in=chosen)
    responsible = through.exclude(actor_id__in=extra_ids).count()
    return recommendations, responsible + recommendations * len(extra_ids)


def _check_secretariat(user):
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat may create, open or close reporting cycles."))


def _check_dates(opens_on, deadline, close_after_days):
    errors = {}
    if not isinstance(opens_on, datetime.date):
        errors["opens_on"] = _("Give the opening date.")
    if not isinstance(deadline, datetime.date):
        errors["deadline"] = _("Give the deadline.")
    elif isinstance(opens_on, datetime.date) and deadline < opens_on:
        errors["deadline"] = _("The deadline (%(deadline)s) cannot be before the opening date (%(opens_on)s).") % {
            "deadline": deadline.isoformat(),
            "opens_on": opens_on.isoformat(),
        }
    if close_after_days is not None and (not isinstance(close_after_days, int) or not 0 <= close_after_days <= 3650):
        errors["close_after_days"] = _("A whole number of days from 0 to 3650.")
    if errors:
        raise ValidationError(errors)


def _unique_slug(name, slug):
    if slug:
        if ReportingCycle.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": _("A reporting cycle with the slug %(slug)s exists.") % {"slug": slug}})
        return slug
    base = slugify(name)[:90] or "cycle"
    taken = set(ReportingCycle.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def create_cycle(
    *, user, name, opens_on, deadline, filters=None, extra_actors=(), slug="", close_after_days=None, notes=""
):
    """Create a draft reporting cycle and return it (a saved ReportingCycle in state draft).

    `filters` chooses its recommendations as the public list does: {parameter: value or [values]}
    with parameters of FILTER_PARAMETERS (forum, process, theme, actor, objective: slugs, any of
    several; status: Status values; roundtable, kind, q). `extra_actors` (Actor instances) are
    asked about every chosen recommendation besides each one's responsible actors. `slug`
    defaults to one made from the name; `close_after_days` to settings.TRACKER_CYCLE_CLOSE_AFTER_DAYS.
    The pairs are fixed only when the cycle opens (`open_cycle`).
    Raises PermissionDenied (not the secretariat) and ValidationError (no name, a deadline before
    the opening date, an invalid filter, a slug in use, a selection that asks nobody anything).
    """
    _check_secretariat(user)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the cycle a name.")})
    _check_dates(opens_on, deadline, close_after_days)
    stored = normalise_filters(filters)
    extra_actors = list(extra_actors)
    if not selection_size(stored, extra_actors)[1]:
        raise ValidationError(
            _(
                "These filters and actors ask nobody about anything: choose recommendations that have "
                "responsible actors, or add actors to ask."
            )
        )
    cycle = ReportingCycle(
        slug=_unique_slug(name, slug),
        name=name,
        opens_on=opens_on,
        deadline=deadline,
        recommendation_filter=stored,
        notes=notes or "",
        created_by=user,
    )
    if close_after_days is not None:
        cycle.close_after_days = close_after_days
    cycle.full_clean(exclude=["created_by"])
    with transaction.atomic():
        cycle.save()
        cycle.extra_actors.set(extra_actors)
    return cycle


def change_cycle(cycle, *, user, name=None, opens_on=None, deadline=None, close_after_days=None, notes=None):
    """Change a cycle's name, dates, closing delay or notes (None: unchanged) and return it. The
    opening date only while it is a draft; a closed cycle not at all. Raises PermissionDenied and
    ValidationError (bad dates, a closed cycle, a new opening date of an opened cycle)."""
    _check_secretariat(user)
    if cycle.state == ReportingCycle.State.CLOSED:
        raise ValidationError(_("A closed reporting cycle cannot be changed."))
    if opens_on is not None and opens_on != cycle.opens_on and cycle.state != ReportingCycle.State.DRAFT:
        raise ValidationError({"opens_on": _("The cycle is open: its opening date is history.")})
    changes = {"name": name, "opens_on": opens_on, "deadline": deadline, "close_after_days": close_after_days}
    changes["notes"] = notes
    for field, value in changes.items():
        if value is not None:
            setattr(cycle, field, value.strip() if isinstance(value, str) else value)
    _check_dates(cycle.opens_on, cycle.deadline, cycle.close_after_days)
    cycle.full_clean(exclude=["created_by", "slug"])
    cycle.save(update_fields=["name", "opens_on", "deadline", "close_after_days", "notes"])
    return cycle


def delete_cycle(cycle, *, user):
    """Delete a draft cycle (nothing was asked yet). Raises PermissionDenied and ValidationError
    (the cycle was opened: what it asked is on record)."""
    _check_secretariat(user)
    if ReportingCycle.objects.filter(pk=cycle.pk).exclude(state=ReportingCycle.State.DRAFT).exists():
        raise ValidationError(_("Only a draft reporting cycle can be deleted."))
    cycle.delete()


def open_cycle(cycle, *, user):
    """Open a draft cycle: write its asked pairs (one ReportingRequest per actor and
    recommendation, with bulk_create) from its filters and extra actors as they choose now, set
    `opened_at` and publish `cycle.opened`, in one transaction. Returns the cycle.
    Raises PermissionDenied (not the secretariat) and ValidationError (not a draft, e.g. opened
    or closed already; the deadline passed; the selection now asks nobody about anything)."""
    _check_secretariat(user)
    if timezone.localdate() > cycle.deadline:
        raise ValidationError(_("The deadline of %(name)s has passed: move it before opening.") % {"name": cycle.name})
    with transaction.atomic():
        now = timezone.now()
        # One conditional UPDATE decides: of two clicks on Open, exactly one opens it.
        claimed = ReportingCycle.objects.filter(pk=cycle.pk, state=ReportingCycle.State.DRAFT).update(
            state=ReportingCycle.State.OPEN, opened_at=now
        )
        if not claimed:
            raise ValidationError(_("%(name)s is not a draft: it was opened already.") % {"name": cycle.name})
        extra = list(cycle.extra_actors.values_list("pk", flat=True))
        pairs = _pairs(cycle.recommendation_filter, extra)
        if not pairs:
            raise ValidationError(_("The cycle's filters and actors now ask nobody about anything."))
        ReportingRequest.objects.bulk_create(
            (
                ReportingRequest(cycle_id=cycle.pk, actor_id=actor_id, recommendation_id=recommendation_id)
                for actor_id, recommendation_id in sorted(pairs)
            ),
            batch_size=2000,
        )
        cycle.state, cycle.opened_at = ReportingCycle.State.OPEN, now
        events.publish(events.CYCLE_OPENED, cycle)
    return cycle


def _close(cycle):
    now = timezone.now()
    claimed = ReportingCycle.objects.filter(pk=cycle.pk, state=ReportingCycle.State.OPEN).update(
        state=ReportingCycle.State.CLOSED, closed_at=now
    )
    if not claimed:
        cycle.refresh_from_db(fields=["state"])
        raise ValidationError(
            _("%(name)s is %(state)s: only an open cycle can be closed.")
            % {"name": cycle.name, "state": cycle.get_state_display().lower()}
        )
    cycle.state, cycle.closed_at = ReportingCycle.State.CLOSED, now
    events.publish(events.CYCLE_CLOSED, cycle)
    return cycle


def close_cycle(cycle, *, user):
    """Close an open cycle now (updates recorded after this no longer count for it) and publish
    `cycle.closed`. Returns the cycle. Raises PermissionDenied and ValidationError (not open)."""
    _check_secretariat(user)
    with transaction.atomic():
        return _close(cycle)


def close_overdue_cycles(today):
    """Close every open cycle whose deadline + close_after_days is before `today` (a date),
    each in its own transaction with its `cycle.closed`. Returns the closed cycles (a list)."""
    closed = []
    for cycle in ReportingCycle.objects.overdue(today).order_by("deadline", "pk"):
        try:
            with transaction.atomic():
                closed.append(_close(cycle))
        except ValidationError:  # closed by someone else meanwhile
            continue
    return closed


# What the chase list, the focal point's home and the reminders read.


@dataclass
class ActorSummary:
    """One asked actor's pairs in a cycle, counted by derived state."""

    actor: Actor
    not_reported: int = 0
    submitted: int = 0
    returned: int = 0
    approved: int = 0
    overdue_on: bool = False  # the deadline has passed

    @property
    def asked(self):
        return self.not_reported + self.submitted + self.returned + self.approved

    @property
    def missing(self):
        """To report: not yet reported, or returned."""
        return self.not_reported + self.returned

    @property
    def waiting(self):
        """Submitted, waiting for the secretariat's review."""
        return self.submitted

    @property
    def overdue(self):
        """Not approved although the deadline has passed."""
        return self.asked - self.approved if self.overdue_on else 0


def actor_summaries(cycle, today, actor=None):
    """An ActorSummary per actor asked in `cycle` (only `actor` when given), by actor name: one
    GROUP BY query on the pairs, and one for the actors when no actor is given."""
    requests = cycle.requests.all()
    if actor is not None:
        requests = requests.filter(actor=actor)
    summaries = {}
    for row in requests.with_state().counts_by("actor_id"):
        summary = summaries.setdefault(row["actor_id"], ActorSummary(None, overdue_on=cycle.is_overdue_on(today)))
        setattr(summary, row["state"], row["n"])
    for found in [actor] if actor is not None else Actor.objects.filter(pk__in=list(summaries)):
        if found.pk in summaries:
            summaries[found.pk].actor = found
    return sorted(summaries.values(), key=lambda summary: (summary.actor.name, summary.actor.pk))


def chase_items(cycle, actor=None, states=None):
    """The chase list's pairs of `cycle` (of `actor` only when given; of the RequestState values
    `states` only when given), each with `state`, `latest_update_id`, `latest_update_at`, its
    actor and recommendation: one query (see `ReportingRequestQuerySet.for_chase_list`)."""
    requests = cycle.requests.for_chase_list()
    if actor is not None:
        requests = requests.filter(actor=actor)
    if states:
        requests = requests.filter(state__in=list(states))
    return requests


def asked_of(actor, today, limit=10):
    """What `actor` still owes in open cycles, for its focal points' home page: a list, soonest
    deadline first, of {"cycle": ReportingCycle, "deadline": date, "missing": int (pairs not yet
    reported or returned), "overdue": bool (the deadline passed before `today`), "items":
    [ReportingRequest with `state` and its recommendation, at most `limit`, by code]}. Cycles in
    which nothing is missing are left out. Two queries at most, whatever the data's size."""
    missing = (
        ReportingRequest.objects.filter(actor=actor, cycle__state=ReportingCycle.State.OPEN).with_state().missing()
    )
    per_cycle = missing.filter(cycle=OuterRef("pk")).order_by().values("cycle").annotate(n=Count("pk")).values("n")
    cycles = list(
        ReportingCycle.objects.filter(state=ReportingCycle.State.OPEN)
        .annotate(missing=Subquery(per_cycle))
        .filter(missing__gt=0)
        .order_by("deadline", "pk")
    )
    if not cycles:
        return []
    items = (
        missing.filter(cycle__in=[cycle.pk for cycle in cycles])
        .annotate(
            position=Window(RowNumber(), partition_by=[F("cycle_id")], order_by=[F("recommendation__code").asc()])
        )
        .filter(position__lte=limit)
        .select_related("recommendation")
        .order_by("cycle_id", "recommendation__code")
    )
    by_cycle = {}
    for item in items:
        by_cycle.setdefault(item.cycle_id, []).append(item)
    return [
        {
            "cycle": cycle,
            "deadline": cycle.deadline,
            "missing": cycle.missing,
            "overdue": cycle.is_overdue_on(today),
            "items": by_cycle.get(cycle.pk, []),
        }
        for cycle in cycles
    ]
