"""The API's versions of the shared FilterSets (tracker.filters)."""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from django_filters import fields
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from tracker.filters import (
    RECOMMENDATION_ORDERING,
    RECOMMENDATION_ORDERING_LABELS,
    NullsLastOrderingFilter,
    ProgressUpdateFilterSet,
    RecommendationFilterSet,
)
from tracker.models import Deletion, ProgressUpdate
from tracker.models.sync import RESOURCES


class ChangeMarkField(forms.Field):
    """`updated_since`: a change key (a whole number, as in a row's `change_key`) or an ISO 8601
    date or date-time (naive ones are UTC). Cleans to an int or an aware datetime."""

    default_error_messages = {
        "invalid": _("A change key (a whole number from change_key) or an ISO 8601 date or date-time."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = value.strip()
        if "T" in value:  # an offset's "+" sent unencoded arrives as a space
            value = value.replace(" ", "+")
        if value.isascii() and value.isdigit():
            return int(value)
        try:
            moment = parse_datetime(value)
            day = None if moment else parse_date(value)
        except ValueError:
            moment = day = None
        if day is not None:
            moment = datetime.datetime.combine(day, datetime.time())
        if moment is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)


@extend_schema_field(OpenApiTypes.STR)
class UpdatedSinceFilter(django_filters.Filter):
    """Rows changed after a change key (`change_key > n`: gap-free, see tracker.models.sync), or
    changed at or after a date-time (`updated_at >= t`)."""

    field_class = ChangeMarkField

    def filter(self, qs, value):
        if value is None:
            return qs
        if isinstance(value, int):
            return qs.filter(change_key__gt=value)
        return qs.filter(updated_at__gte=value)


def updated_since_filter():
    return UpdatedSinceFilter(
        label=_("Changed since"),
        help_text=_(
            "A change key (rows whose change_key is larger: keep the largest you have seen and sync without "
            "gaps) or an ISO 8601 date-time (rows whose updated_at is that time or later)."
        ),
    )


class SyncFilterSet(django_filters.FilterSet):
    """`updated_since`, the filter every API list has."""

    updated_since = updated_since_filter()


def sync_filterset(model_class, base=SyncFilterSet):
    """A FilterSet of `model_class` with `updated_since` and the filters of `base`."""
    meta = type("Meta", (), {"model": model_class, "fields": []})
    attributes = {"Meta": meta, "updated_since": updated_since_filter()}
    return type(f"{model_class.__name__}SyncFilterSet", (base,), attributes)


class DeletionFilterSet(SyncFilterSet):
    resource = django_filters.ChoiceFilter(
        label=_("Resource"), choices=[(name, name) for name, _column in sorted(RESOURCES.values())]
    )

    class Meta:
        model = Deletion
        fields = []


class LazyReferenceField(fields.ModelChoiceField):
    """A ModelChoiceField that does not look the object up: its value is the queryset of the
    object its slug names (one, or none), which filters as a subquery of the filtered query.
    Whether the slug names an object at all is asked only when that decides the answer (see
    ReferencesForm)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        return self.queryset.filter(**{self.to_field_name: value}).order_by()[:1]


class LazyReferenceFilter(django_filters.ModelChoiceFilter):
    field_class = LazyReferenceField

    @classmethod
    def like(cls, other):
        """This filter in place of the ModelChoiceFilter `other`: same field, label and help."""
        return cls(
            field_name=other.field_name,
            lookup_expr=other.lookup_expr,
            label=other.label,
            method=other.method,
            distinct=other.distinct,
            exclude=other.exclude,
            **other.extra,
        )


class ReferencesForm(forms.Form):
    """A filter form whose references to objects (LazyReferenceField) are checked only when a
    request is refused anyway, so that its 400 still names every bad value in field order, or
    when the query found nothing (`check_references()`): a query that finds rows proves that
    every object its filters name exists."""

    def clean(self):
        if self.errors:
            self.check_references()
        return super().clean()

    def check_references(self):
        """An invalid_choice error for each reference that names nothing, as ModelChoiceField
        has it: one query per reference given."""
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if isinstance(field, LazyReferenceField) and value is not None and not value.exists():
                self.add_error(name, ValidationError(field.error_messages["invalid_choice"], code="invalid_choice"))
        for name in [name for name in self.fields if name in self.errors]:
            self.errors[name] = self.errors.pop(name)


class LazyReferences:
    """A FilterSet whose filters on related objects (by slug or code) do not run a query to look
    the object up before filtering: the slug filters as a subquery instead, and is looked up only
    if the request finds nothing, which is still 400 for a slug that names nothing
    (`refuse_unknown_references()`). Its Meta must name `form = ReferencesForm`."""

    @classmethod
    def get_filters(cls):
        return {
            name: LazyReferenceFilter.like(filter_)
            if isinstance(filter_, django_filters.ModelChoiceFilter)
            else filter_
            for name, filter_ in super().get_filters().items()
        }

    def refuse_unknown_references(self):
        """Call when the filtered query found nothing: 400, as for any invalid filter value, if
        a filter names an object that does not exist."""
        self.form.check_references()
        if self.form.errors:
            raise translate_validation(self.form.errors)


class RecommendationAPIFilterSet(LazyReferences, RecommendationFilterSet):
    """The browse page's filters, with lazy references (process, forum, roundtable, theme,
    objective, actor), `updated_since`, and two more sort keys: `updated_at` and `change_key`."""

    updated_since = updated_since_filter()
    ordering = NullsLastOrderingFilter(
        label=_("Sort by"),
        fields=(*RECOMMENDATION_ORDERING, ("updated_at", "updated_at"), ("change_key", "change_key")),
        field_labels={**RECOMMENDATION_ORDERING_LABELS, "updated_at": _("Updated at"), "change_key": _("Change key")},
    )

    class Meta(RecommendationFilterSet.Meta):
        form = ReferencesForm


class ProgressUpdateAPIFilterSet(LazyReferences, ProgressUpdateFilterSet):
    """The public filters with lazy references (recommendation, actor, process, forum, theme),
    plus the review state, so the secretariat can list what awaits review
    (`?review_state=submitted`). The public only ever sees approved updates anyway."""

    review_state = django_filters.ChoiceFilter(label=_("Review state"), choices=ProgressUpdate.ReviewState.choices)
    updated_since = updated_since_filter()

    class Meta(ProgressUpdateFilterSet.Meta):
        form = ReferencesForm


class FilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend that leaves the view the FilterSet it filtered with (`view.filterset`),
    so that the view can check its values again once it knows what they found."""

    def get_filterset(self, request, queryset, view):
        view.filterset = super().get_filterset(request, queryset, view)
        return view.filterset
