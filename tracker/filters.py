"""One FilterSet per browsable model, shared by the public browse pages and the API, so a
filter means the same thing everywhere and a URL's query string can move between them."""

import functools
import operator

import django_filters
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from tracker.models import (
    Actor,
    Forum,
    FrameworkObjective,
    Process,
    ProgressUpdate,
    Recommendation,
    Roundtable,
    Status,
    Theme,
)
from tracker.models.status import not_reported_cutoff
from tracker.models.translations import column, current_lang, normalise_lang
from tracker.text import search_forms


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Sorting that puts empty values (never updated, undated forum) last in either direction, so
    SQLite (NULL first) and PostgreSQL (NULL last ascending, first descending) list alike."""

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        name = self.param_map.get(param.lstrip("-"), param.lstrip("-"))
        # Statuses sort in their workflow order (Status.order()), not alphabetically by code.
        field = status_rank(name) if name == "effective_status" else F(name)
        return field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)


def status_rank(field_name):
    """An expression of the status in `field_name` as its place in Status.order() (0 = no information)."""
    return Case(
        *[When(**{field_name: value}, then=Value(rank)) for rank, value in enumerate(Status.order())],
        default=Value(len(Status.order())),
        output_field=IntegerField(),
    )


class RepeatableOrdering:
    """`ordering` given several times (`?ordering=-status&ordering=code`, as generated clients
    send an array) means the same as comma-separated (`?ordering=-status,code`), instead of only
    the last one counting."""

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and hasattr(data, "getlist") and len(data.getlist("ordering")) > 1:
            data = data.copy()
            data.setlist("ordering", [",".join(data.getlist("ordering"))])
        super().__init__(data, *args, **kwargs)


# The sort keys of recommendations: (field, `ordering` value) and each field's label.
RECOMMENDATION_ORDERING = (
    ("forum__start_date", "date"),
    ("code", "code"),
    ("effective_status", "status"),
    ("status_date", "last_update"),
)
RECOMMENDATION_ORDERING_LABELS = {
    "forum__start_date": _("Forum date"),
    "code": _("Code"),
    "effective_status": _("Status"),
    "status_date": _("Last update"),
}


class RecommendationFilterSet(RepeatableOrdering, django_filters.FilterSet):
    """Filters of /recommendations/ and /api/v1/recommendations/ (and their summaries, exports and feeds).

    `as_of=YYYY-MM-DD` switches every status filter, sort and count to the status each
    recommendation had on that date; it is applied before the other filters.
    """

    as_of = django_filters.DateFilter(
        label=_("Status as of"), method="filter_noop", help_text=_("Show the status on this date (YYYY-MM-DD).")
    )
    process = django_filters.ModelChoiceFilter(
        label=_("Process"), field_name="forum__process", to_field_name="slug", queryset=Process.objects.all()
    )
    forum = django_filters.ModelChoiceFilter(
        label=_("Forum"), field_name="forum", to_field_name="slug", queryset=Forum.objects.all()
    )
    roundtable = django_filters.ModelChoiceFilter(
        label=_("Roundtable"),
        method="filter_roundtable",
        to_field_name="slug",
        queryset=Roundtable.objects.all(),
        help_text=_("A roundtable and its sub-sessions."),
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        field_name="effective_status",
        choices=Status.choices,
        distinct=False,
        help_text=_("Repeat for several."),
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"), field_name="themes", to_field_name="slug", queryset=Theme.objects.all()
    )
    objective = django_filters.ModelChoiceFilter(
        label=_("Framework objective"),
        field_name="objectives",
        to_field_name="slug",
        queryset=FrameworkObjective.objects.all(),
    )
    actor = django_filters.ModelChoiceFilter(
        label=_("Responsible actor"), field_name="actors", to_field_name="slug", queryset=Actor.objects.all()
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Recommendation.Kind.choices)
    not_reported = django_filters.BooleanFilter(
        label=_("Not reported for a long time"),
        method="filter_not_reported",
        help_text=_(
            "true: only those with no approved report for the tracker's period (24 months by default, "
            "counted back from as_of or today); false: only the others."
        ),
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        help_text=_(
            "Words in the code, text or theme names; other forms of a word match too (remittance, remittances)."
        ),
    )
    search = django_filters.CharFilter(label=_("Search"), method="filter_search", help_text=_("Same as q."))
    ordering = NullsLastOrderingFilter(
        label=_("Sort by"), fields=RECOMMENDATION_ORDERING, field_labels=RECOMMENDATION_ORDERING_LABELS
    )

    class Meta:
        model = Recommendation
        fields = []

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_not_reported(self, queryset, name, value):
        """Keep the recommendations flagged "not reported since" (value True) or the others
        (False), as `tracker.models.not_reported_since` decides, as of `as_of` or today."""
        as_of = self.form.cleaned_data.get("as_of")
        cutoff = not_reported_cutoff(as_of)
        annotated = queryset.with_last_update(as_of)
        return annotated.filter(reported_since__lt=cutoff) if value else annotated.filter(reported_since__gte=cutoff)

    def filter_roundtable(self, queryset, name, value):
        return queryset.filter(Q(roundtable=value) | Q(roundtable__parent=value))

    def filter_search(self, queryset, name, value):
        """Every word (the first 10) must occur in the code, the text or a theme's name, as typed
        or by its Snowball stem ("remittance" and "remittances" find the same items), compared
        in `tracker.text.search_terms` (case, accents, Arabic harakat and tatweel folded) against
        the stored search columns, so SQLite and PostgreSQL find the same rows. Search is within
        the reader's language (`?lang=`, else the page's: docs/i18n.md): it reads that language's
        column (`search_text_fr`: the texts and theme names in French where translated, else as
        written, as the page shows them), or `search_text` where that column is "" (nothing of the
        record is translated into the language). A word is also matched by its stem in the
        reader's language."""
        lang = normalise_lang(self.data.get("lang")) or current_lang()
        own = column("search_text", lang)
        for word in value.split()[:10]:
            forms = search_forms(word, lang)
            if forms:
                queryset = queryset.filter(
                    functools.reduce(
                        operator.or_,
                        (Q(**{f"{own}__contains": f}) | Q(**{own: ""}, search_text__contains=f) for f in forms),
                    )
                )
        return queryset

    def filter_queryset(self, queryset):
        queryset = queryset.with_effective_status(self.form.cleaned_data.get("as_of"))
        queryset = super().filter_queryset(queryset)
        # Pagination needs a stable order: every ordering ends in the unique code.
        if self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by(*queryset.query.order_by, "code")
        else:
            queryset = queryset.order_by(*Recommendation._meta.ordering)
        return queryset


class ProgressUpdateFilterSet(django_filters.FilterSet):
    """Filters of public progress updates (feeds, API)."""

    recommendation = django_filters.ModelChoiceFilter(
        label=_("Recommendation code"),
        field_name="recommendation",
        to_field_name="code",
        queryset=Recommendation.objects.all(),
    )
    actor = django_filters.ModelChoiceFilter(
        label=_("Reporting actor"), field_name="actor", to_field_name="slug", queryset=Actor.objects.all()
    )
    process = django_filters.ModelChoiceFilter(
        label=_("Process"),
        field_name="recommendation__forum__process",
        to_field_name="slug",
        queryset=Process.objects.all(),
    )
    forum = django_filters.ModelChoiceFilter(
        label=_("Forum"), field_name="recommendation__forum", to_field_name="slug", queryset=Forum.objects.all()
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"), field_name="recommendation__themes", to_field_name="slug", queryset=Theme.objects.all()
    )
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Status.choices, distinct=False)
    reported_after = django_filters.DateFilter(
        label=_("Reported on or after"), field_name="reported_on", lookup_expr="gte"
    )
    reported_before = django_filters.DateFilter(
        label=_("Reported on or before"), field_name="reported_on", lookup_expr="lte"
    )

    class Meta:
        model = ProgressUpdate
        fields = []


class ForumFilterSet(django_filters.FilterSet):
    """Filters of forum lists (API)."""

    process = django_filters.ModelChoiceFilter(
        label=_("Process"), field_name="process", to_field_name="slug", queryset=Process.objects.all()
    )

    class Meta:
        model = Forum
        fields = []


class RoundtableFilterSet(django_filters.FilterSet):
    """Filters of roundtable lists (API)."""

    forum = django_filters.ModelChoiceFilter(
        label=_("Forum"), field_name="forum", to_field_name="slug", queryset=Forum.objects.all()
    )

    class Meta:
        model = Roundtable
        fields = []
