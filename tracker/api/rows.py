"""The API's recommendation rows with the names they nest in one content language.

`Recommendation.objects.for_api_detail()`, `with_api_lists()` and `with_api_detail_lists()` read
the source names of a recommendation's forum, process, roundtable, document, themes, actors,
objectives and follow-ups. The API serves each in the language a request asks for (docs/i18n.md,
"Content translation"), so its rows read, in the same queries, each related object's column of
that language, its translation status in it and its source language (three columns more per name,
one language only): `tracker.api.serializers.translated.nested_fields()` picks what to show.
"""

from django.db.models import Q

from tracker.models import FollowUpAction, Recommendation, RecommendationLink
from tracker.models.api_rows import ApiRows
from tracker.models.querysets import API_LINK_FIELDS, API_LISTS, API_ROW_FIELDS
from tracker.models.translations import column, status_column

# The related objects a row of `for_api_detail()` names: the prefix of their columns, their translated field.
NESTED = {"forum__": "title", "forum__process__": "name", "roundtable__": "title", "source_document__": "title"}
# The translated field of each list `with_api_lists()` adds.
LISTED = {"themes": "name", "actors": "name", "objectives": "title"}
FOLLOW_UP_NESTED = {"forum__": "title", "document__": "title"}


def translation_columns(field, lang, prefix=""):
    """The columns, besides `field` itself, that show `field` in `lang`: its column in `lang`, the
    source language and the translation status in `lang` (see `localize()`)."""
    return tuple(f"{prefix}{name}" for name in (column(field, lang), "source_lang", status_column(lang)))


def detail_rows(queryset, lang, as_of=None):
    """`queryset.for_api_detail(as_of)` with the columns that show its nested names in `lang`."""
    extra = [name for prefix, field in NESTED.items() for name in translation_columns(field, lang, prefix)]
    return queryset.for_api_detail(as_of).values(*API_ROW_FIELDS, *extra)


def with_lists(rows, lang):
    """`rows` of `detail_rows()`, each given `themes`, `actors` and `objectives` as
    `with_api_lists()` gives them, each item followed by the columns that show its name in `lang`
    (then the link's own fields: an objective mapping's basis): one query per list."""
    by_id = {row["id"]: row for row in rows}
    for name, fields in API_LISTS.items():
        relation = Recommendation._meta.get_field(name)
        related = relation.m2m_reverse_field_name()
        for row in rows:
            row[name] = []
        links = relation.remote_field.through.objects.filter(**{f"{relation.m2m_field_name()}__in": list(by_id)})
        ordering = [f"{related}__{key}" for key in relation.related_model._meta.ordering]
        columns = [f"{related}__{field}" for field in (*fields, *translation_columns(LISTED[name], lang))]
        for recommendation_id, *values in links.order_by(*ordering).values_list(
            relation.m2m_column_name(), *columns, *API_LINK_FIELDS.get(name, ())
        ):
            by_id[recommendation_id][name].append(values)
    return rows


def with_detail_lists(row, lang):
    """A row of `detail_rows()` given `links_out`, `links_in` and `follow_ups` as
    `with_api_detail_lists()` gives them, the follow-ups with the columns that show their forum's
    and document's titles in `lang`: two queries."""
    links = RecommendationLink.objects.filter(Q(from_recommendation=row["id"]) | Q(to_recommendation=row["id"]))
    row["links_out"], row["links_in"] = [], []
    for link in links.values(
        "kind",
        "note",
        "basis",
        "basis_note",
        "from_recommendation_id",
        "from_recommendation__code",
        "from_recommendation__version",
        "to_recommendation__code",
        "to_recommendation__version",
    ):
        out = link["from_recommendation_id"] == row["id"]
        other = "to_recommendation" if out else "from_recommendation"
        row["links_out" if out else "links_in"].append(
            {
                "kind": link["kind"],
                "note": link["note"],
                "basis": link["basis"],
                "basis_note": link["basis_note"],
                "code": link[f"{other}__code"],
                "version": link[f"{other}__version"],
            }
        )
    extra = [name for prefix, field in FOLLOW_UP_NESTED.items() for name in translation_columns(field, lang, prefix)]
    row["follow_ups"] = list(
        FollowUpAction.objects.filter(recommendation=row["id"]).values(
            "date",
            "description",
            "forum__slug",
            "forum__title",
            "forum__start_date",
            "document__slug",
            "document__title",
            "document__symbol",
            *extra,
        )
    )
    return row


class LocalizedApiRows(ApiRows):
    """`Recommendation.objects.for_api_list()` whose rows (`detail_rows()` with `with_lists()`)
    show their nested names in `lang`: what the list's paginator pages through."""

    def __init__(self, queryset, as_of=None, lang=None):
        super().__init__(queryset, as_of)
        self.lang = lang

    def order_by(self, *fields):
        return LocalizedApiRows(self.queryset.order_by(*fields), self.as_of, self.lang)

    def filter(self, *args, **kwargs):
        return LocalizedApiRows(self.queryset.filter(*args, **kwargs), self.as_of, self.lang)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        return with_lists(list(detail_rows(self.queryset, self.lang, self.as_of)[index]), self.lang)
