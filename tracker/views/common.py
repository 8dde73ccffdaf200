"""What several public pages share: the as-of date, the browse form's presentation, paging."""

import functools

from django import forms
from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _

from tracker.filters import RecommendationFilterSet
from tracker.models import Forum, FrameworkObjective, Roundtable

PAGE_SIZE = 50


class AsOfForm(forms.Form):
    """`?as_of=YYYY-MM-DD` on the dashboard and forum pages."""

    as_of = forms.DateField(
        label=_("Status as of"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty for the current status."),
    )


def read_as_of(request):
    """The as-of date of the request (or None) and the bound form, whose errors the page shows."""
    form = AsOfForm(request.GET)
    if form.is_valid():
        return form.cleaned_data["as_of"], form
    return None, form


class BrowseFilterSet(RecommendationFilterSet):
    """The shared RecommendationFilterSet as the browse page draws it: statuses as checkboxes,
    a date picker, forums and roundtables grouped so their names make sense out of context.

    It only changes widgets and option labels; what each filter selects is inherited unchanged,
    so the page, its exports, its feed and the API agree.
    """

    def get_form_class(self):
        base = super().get_form_class()

        class BrowseForm(base):
            def __init__(self, *args, **kwargs):
                kwargs.setdefault("label_suffix", "")
                super().__init__(*args, **kwargs)
                fields = self.fields
                fields["status"].widget = forms.CheckboxSelectMultiple(choices=fields["status"].choices)
                fields["as_of"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
                fields["q"].widget.attrs.update({"type": "search"})
                # Callables, so the options are only queried when the form is drawn (not for an
                # export), and cached, as a widget reads its choices more than once.
                fields["forum"].widget.choices = functools.cache(_grouped_forums)
                fields["roundtable"].widget.choices = functools.cache(_grouped_roundtables)
                fields["objective"].widget.choices = functools.cache(_grouped_objectives)
                for name in ("process", "theme", "actor", "kind"):
                    fields[name].empty_label = _("Any")
                fields["ordering"].empty_label = _("Forum date, then position")
                for name in ("kind", "ordering"):  # their widgets copied the choices when built
                    fields[name].widget.choices = fields[name].choices
                fields["not_reported"].widget = forms.NullBooleanSelect()
                fields["not_reported"].widget.choices = [
                    ("", _("Any")),
                    ("true", _("Only those not reported for a long time")),
                    ("false", _("Only those reported recently")),
                ]

        return BrowseForm


def _grouped_forums():
    groups = {}
    for forum in Forum.objects.in_date_order():
        groups.setdefault(str(forum.process), []).append((forum.slug, forum.title))
    return [("", _("Any")), *groups.items()]


def forum_short_name(forum):
    """ "Brussels 2007": the forum's city (else country) and year when both are known, else its title."""
    place = forum.city or forum.country
    if place and forum.start_date:
        return f"{place} {forum.start_date.year}"
    return forum.title


def _grouped_roundtables():
    """Sessions grouped by forum, each option naming its forum ("Brussels 2007 — 1. Human capital
    …"), as Brussels and Manila both have a "1.", and an option is often read out of its group."""
    groups = {}
    for roundtable in Roundtable.objects.in_forum_order():
        label = f"{forum_short_name(roundtable.forum)} — {roundtable}"
        groups.setdefault(roundtable.forum.title, []).append((roundtable.slug, label))
    return [("", _("Any")), *groups.items()]


def _grouped_objectives():
    groups = {}
    labels = dict(FrameworkObjective.Framework.choices)
    for objective in FrameworkObjective.objects.all():
        groups.setdefault(labels[objective.framework], []).append((objective.slug, str(objective)))
    return [("", _("Any")), *groups.items()]


def paginate(request, queryset, per_page=None):
    """The requested page of an ordered queryset; a page number out of range shows the last page."""
    return Paginator(queryset, per_page or PAGE_SIZE).get_page(request.GET.get("page"))
