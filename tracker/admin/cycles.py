"""Reporting cycles in the staff product: the secretariat lists, creates (choosing recommendations
with the public list's filters), opens and closes them; everyone with a role reads a cycle's page
with its counts per state and the chase list (per actor: what is missing, what waits for review,
what is overdue), and exports the chase list as CSV. A focal point sees only the cycles that ask
its actor, and in them only its actor's pairs.

Every change goes through `tracker.cycles`; the Open and Close buttons are one-click POSTs
answered with a message that says what was done.
"""

import csv

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker import cycles, roles
from tracker.models import Actor, Forum, Process, ReportingCycle, ReportingRequest, RequestState, Status, Theme
from tracker.models.cycles import MISSING_STATES
from tracker.text import escape_formula, xml_safe

# Pairs a cycle page lists per section for one actor, at most.
LISTED = 1000


def _slugs(queryset, **kwargs):
    return forms.ModelMultipleChoiceField(
        queryset=queryset,
        to_field_name="slug",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        **kwargs,
    )


class CycleCreateForm(forms.Form):
    """A new cycle: its name and dates, the public list's filters (each takes several values: any
    of them matches) and the actors asked besides each recommendation's responsible actors."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    slug = forms.SlugField(
        label=gettext_lazy("Slug"), max_length=100, required=False, help_text=gettext_lazy("Default: from the name.")
    )
    opens_on = forms.DateField(label=gettext_lazy("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(label=gettext_lazy("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    close_after_days = forms.IntegerField(
        label=gettext_lazy("Closes after (days)"),
        min_value=0,
        max_value=3650,
        required=False,
        help_text=gettext_lazy("Days after the deadline the cycle closes by itself; default from the settings."),
    )
    forum = _slugs(Forum.objects.order_by("start_date", "slug"), label=gettext_lazy("Forums"))
    process = _slugs(Process.objects.all(), label=gettext_lazy("Processes"))
    theme = _slugs(Theme.objects.all(), label=gettext_lazy("Themes"))
    status = forms.MultipleChoiceField(
        label=gettext_lazy("Current status"),
        choices=Status.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    actor = _slugs(Actor.objects.all(), label=gettext_lazy("Responsible actors"))
    extra_actors = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Also ask"),
        queryset=Actor.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy("Asked about every chosen recommendation, besides its responsible actors."),
    )
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    FILTERS = ("forum", "process", "theme", "status", "actor")

    def filters(self):
        """The chosen filters as query parameters: {name: [slugs or statuses]}."""
        data = self.cleaned_data
        return {
            name: [getattr(value, "slug", value) for value in data[name]] for name in self.FILTERS if data.get(name)
        }


class CycleChangeForm(forms.ModelForm):
    class Meta:
        model = ReportingCycle
        fields = ["name", "opens_on", "deadline", "close_after_days", "notes"]

    def clean(self):
        # The opening date of an opened cycle is read-only, so not in the data: compare with it.
        data = super().clean()
        opens_on, deadline = data.get("opens_on", self.instance.opens_on), data.get("deadline")
        if opens_on and deadline and deadline < opens_on:
            self.add_error("deadline", _("The deadline cannot be before the opening date."))
        return data


def _chase_url(cycle, **query):
    url = reverse("admin:tracker_reportingcycle_chase", args=[cycle.pk])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


@admin.register(ReportingCycle)
class ReportingCycleAdmin(admin.ModelAdmin):
    form = CycleChangeForm
    list_display = ["name", "state", "opens_on", "deadline", "chase_link"]
    list_filter = ["state"]
    search_fields = ["name", "slug"]
    ordering = ["-opens_on", "-id"]

    @admin.display(description=gettext_lazy("chase list"))
    def chase_link(self, obj):
        return format_html('<a href="{}">{}</a>', _chase_url(obj), _("Counts and chase list"))

    # Who may do what: the secretariat everything; a focal point reads the cycles asking its actor.

    def _may_read(self, request):
        return roles.is_secretariat(request.user) or roles.is_focal_point(request.user)

    def has_module_permission(self, request):
        return self._may_read(request)

    def has_view_permission(self, request, obj=None):
        if roles.is_secretariat(request.user):
            return True
        return roles.is_focal_point(request.user) and (obj is None or self._asks_own_actor(request, obj))

    def _asks_own_actor(self, request, obj):
        return obj.state != ReportingCycle.State.DRAFT and obj.requests.filter(actor_id=request.user.actor_id).exists()

    def has_add_permission(self, request):
        return roles.is_secretariat(request.user)

    def has_change_permission(self, request, obj=None):
        return roles.is_secretariat(request.user) and (obj is None or obj.state != ReportingCycle.State.CLOSED)

    def has_delete_permission(self, request, obj=None):
        return roles.is_secretariat(request.user) and (obj is None or obj.state == ReportingCycle.State.DRAFT)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if roles.is_secretariat(request.user):
            return queryset
        if not roles.is_focal_point(request.user):
            return queryset.none()
        asked = ReportingRequest.objects.filter(cycle=OuterRef("pk"), actor_id=request.user.actor_id)
        return queryset.published().filter(Exists(asked))

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.state != ReportingCycle.State.DRAFT:
            return ["opens_on"]
        return []

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(lambda request, object_id: function(request, object_id))

        return [
            path("<path:object_id>/chase/", view(self.chase_view), name="tracker_reportingcycle_chase"),
            path("<path:object_id>/chase.csv", view(self.chase_csv), name="tracker_reportingcycle_chase_csv"),
            path("<path:object_id>/open/", view(self.open_view), name="tracker_reportingcycle_open"),
            path("<path:object_id>/close/", view(self.close_view), name="tracker_reportingcycle_close"),
            *super().get_urls(),
        ]

    # Writes, through tracker.cycles.

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CycleCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                cycle = cycles.create_cycle(
                    user=request.user,
                    name=data["name"],
                    slug=data["slug"],
                    opens_on=data["opens_on"],
                    deadline=data["deadline"],
                    close_after_days=data["close_after_days"],
                    filters=form.filters(),
                    extra_actors=data["extra_actors"],
                    notes=data["notes"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                size = cycles.selection_size(cycle.recommendation_filter, data["extra_actors"])
                messages.success(
                    request,
                    _("Created the draft %(name)s: %(recs)s recommendations, %(pairs)s pairs to ask when it opens.")
                    % {"name": cycle.name, "recs": size[0], "pairs": size[1]},
                )
                return HttpResponseRedirect(_chase_url(cycle))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("New reporting cycle"),
            "form": form,
        }
        return TemplateResponse(request, "admin/tracker/reportingcycle/create.html", context)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        cycles.change_cycle(obj, user=request.user, **data)

    def delete_model(self, request, obj):
        cycles.delete_cycle(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for cycle in queryset:
            cycles.delete_cycle(cycle, user=request.user)

    def _act(self, request, object_id, service, done):
        if request.method != "POST":
            return HttpResponseRedirect(_chase_url(get_object_or_404(ReportingCycle, pk=object_id)))
        if not roles.is_secretariat(request.user):
            raise PermissionDenied
        cycle = get_object_or_404(ReportingCycle, pk=object_id)
        try:
            service(cycle, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done(cycle))
        return HttpResponseRedirect(_chase_url(cycle))

    def open_view(self, request, object_id):
        return self._act(
            request,
            object_id,
            cycles.open_cycle,
            lambda cycle: _("Opened %(name)s: %(count)s pairs asked, due %(deadline)s.")
            % {
                "name": cycle.name,
                "count": cycle.requests.count(),
                "deadline": date_format(cycle.deadline, "SHORT_DATE_FORMAT"),
            },
        )

    def close_view(self, request, object_id):
        return self._act(
            request,
            object_id,
            cycles.close_cycle,
            lambda cycle: _("Closed %(name)s: updates recorded from now on no longer count for it.")
            % {"name": cycle.name},
        )

    # Reads: the cycle's page and its CSV.

    def _readable(self, request, object_id):
        cycle = get_object_or_404(ReportingCycle, pk=object_id)
        if not self.has_view_permission(request, cycle):
            raise PermissionDenied
        actor = None
        if not roles.is_secretariat(request.user):
            actor = request.user.actor
        elif request.GET.get("actor"):
            actor = get_object_or_404(Actor, slug=request.GET["actor"])
        return cycle, actor

    def chase_view(self, request, object_id):
        """The cycle, its counts per state and per actor, and (for one actor: the focal point's
        own, or the one the secretariat picked) the chase list: missing, waiting for review and
        whether overdue. A fixed number of queries whatever the number of pairs."""
        cycle, actor = self._readable(request, object_id)
        today = timezone.localdate()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": cycle.name,
            "cycle": cycle,
            "actor": actor,
            "today": today,
            "overdue": cycle.is_overdue_on(today),
            "secretariat": roles.is_secretariat(request.user),
            "states": RequestState.choices,
            "extra_actors": list(cycle.extra_actors.all()),
            "add_url": reverse("admin:tracker_progressupdate_add"),
            "csv_url": reverse("admin:tracker_reportingcycle_chase_csv", args=[cycle.pk])
            + (f"?actor={actor.slug}" if actor else ""),
        }
        if cycle.state == ReportingCycle.State.DRAFT:
            context["selection"] = cycles.selection_size(cycle.recommendation_filter, context["extra_actors"])
        else:
            summaries = cycles.actor_summaries(cycle, today, actor=actor)
            context["summaries"] = summaries
            context["totals"] = _totals(summaries, cycle.is_overdue_on(today))
        if actor is not None and cycle.state != ReportingCycle.State.DRAFT:
            # The first LISTED of each list (the counts above are complete; the CSV has every pair).
            missing = cycles.chase_items(cycle, actor=actor, states=[state.value for state in MISSING_STATES])
            context["missing"] = list(missing[:LISTED])
            context["waiting"] = list(cycles.chase_items(cycle, actor=actor, states=[RequestState.SUBMITTED])[:LISTED])
            context["listed"] = LISTED
        return TemplateResponse(request, "admin/tracker/reportingcycle/chase.html", context)

    def chase_csv(self, request, object_id):
        """The chase list as CSV: one row per asked pair (of one actor when chosen), every text
        cell escaped against formula injection. Streamed from one query."""
        cycle, actor = self._readable(request, object_id)
        today = timezone.localdate()
        rows = cycles.chase_items(cycle, actor=actor)
        labels = dict(RequestState.choices)
        header = [
            "cycle",
            "deadline",
            "actor",
            "actor_name",
            "recommendation",
            "recommendation_label",
            "state",
            "state_label",
            "overdue",
            "latest_update",
            "latest_update_recorded_at",
        ]

        def lines():
            buffer = _Echo()
            writer = csv.writer(buffer)
            yield writer.writerow(header)
            for item in rows.iterator(chunk_size=2000):
                overdue = item.state != RequestState.APPROVED and cycle.is_overdue_on(today)
                recorded = item.latest_update_at.isoformat() if item.latest_update_at else ""
                cells = [
                    cycle.slug,
                    cycle.deadline.isoformat(),
                    item.actor.slug,
                    item.actor.name,
                    item.recommendation.code,
                    item.recommendation.label,
                    item.state,
                    str(labels[item.state]),
                    "yes" if overdue else "no",
                    item.latest_update_id or "",
                    recorded,
                ]
                yield writer.writerow([escape_formula(xml_safe(cell)) for cell in cells])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        name = f"chase-{cycle.slug}{'-' + actor.slug if actor else ''}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class _Echo:
    def write(self, value):
        return value


def _totals(summaries, overdue_on):
    totals = cycles.ActorSummary(None, overdue_on=overdue_on)
    for summary in summaries:
        for state in RequestState.values:
            setattr(totals, state, getattr(totals, state) + getattr(summary, state))
    return totals


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            name = field.rsplit(".", 1)[-1]  # "filters.forum" is the form's "forum"
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
