"""The API's recommendation rows: the fields of a row (`RecommendationQuerySet.for_api_detail()`),
its lists (`with_api_lists()`, `with_api_detail_lists()`) and a page-able list of rows
(`for_api_list()`), each with the names they nest in one content language.

The API serves each name in the language a request asks for (docs/i18n.md, "Content
translation"), so its rows read, in the same queries, each related object's column of that
language, its translation status in it and its source language (three columns more per name, one
language only): `tracker.api.serializers.translated.nested_fields()` picks what to show.
"""

from django.db.models import Q

from .translations import SOURCE_DEFAULT, column, status_column, translated_only

TRANSLATED_TEXT = translated_only(("text",))

# The fields of a row of `for_api_detail()`.
API_ROW_FIELDS = (
    "last_update",
    "reported_since",
    "id",
    "code",
    "order",
    "kind",
    "text",
    *TRANSLATED_TEXT,
    "effective_status",
    "target_date",
    "source_locator",
    "version",
    "updated_at",
    "change_key",
    "forum__slug",
    "forum__title",
    "forum__start_date",
    "forum__process__slug",
    "forum__process__acronym",
    "forum__process__name",
    "roundtable__slug",
    "roundtable__code",
    "roundtable__title",
    "source_document__slug",
    "source_document__title",
    "source_document__symbol",
)
# The lists `with_api_lists()` adds to each row, and the fields of each item.
API_LISTS = {
    "themes": ("slug", "name"),
    "actors": ("slug", "name"),
    "objectives": ("slug", "framework", "number", "title"),
}
# Fields of the link itself, after the related object's: a framework mapping's basis.
API_LINK_FIELDS = {"objectives": ("basis",)}


# The related objects a row of `for_api_detail()` names: the prefix of their columns, their translated field.
NESTED = {"forum__": "title", "forum__process__": "name", "roundtable__": "title", "source_document__": "title"}
# The translated field of each list `with_api_lists()` adds.
LISTED = {"themes": "name", "actors": "name", "objectives": "title"}
FOLLOW_UP_NESTED = {"forum__": "title", "document__": "title"}


def nested_columns(field, lang, prefix=""):
    """The columns, besides `field` itself, that show `field` in `lang`: its column in `lang`, the
    source language and the translation status in `lang` (see `localize()`)."""
    return tuple(f"{prefix}{name}" for name in (column(field, lang), "source_lang", status_column(lang)))


def detail_fields(lang=SOURCE_DEFAULT):
    """The fields of a row of `for_api_detail()` with its nested names in `lang`."""
    nested = (name for prefix, field in NESTED.items() for name in nested_columns(field, lang, prefix))
    return (*API_ROW_FIELDS, *nested)


def with_lists(model, rows, lang=SOURCE_DEFAULT):
    """`rows` of `for_api_detail()` (of `model`, Recommendation), each given `themes`, `actors`
    and `objectives`, in each model's Meta.ordering (the order a prefetch lists them in): each
    item's fields (`API_LISTS`), the columns that show its name in `lang`, then the link's own
    fields (an objective mapping's basis). One query per list whatever the number of rows."""
    by_id = {row["id"]: row for row in rows}
    for name, fields in API_LISTS.items():
        relation = model._meta.get_field(name)
        related = relation.m2m_reverse_field_name()
        for row in rows:
            row[name] = []
        links = relation.remote_field.through.objects.filter(**{f"{relation.m2m_field_name()}__in": list(by_id)})
        ordering = [f"{related}__{key}" for key in relation.related_model._meta.ordering]
        columns = [f"{related}__{field}" for field in (*fields, *nested_columns(LISTED[name], lang))]
        for recommendation_id, *values in links.order_by(*ordering).values_list(
            relation.m2m_column_name(), *columns, *API_LINK_FIELDS.get(name, ())
        ):
            by_id[recommendation_id][name].append(values)
    return rows


def with_detail_lists(model, row, lang=SOURCE_DEFAULT):
    """A row of `for_api_detail()` given `links_out` and `links_in` (each link's kind, note and
    basis and the other recommendation's `code` and `version`, in RecommendationLink's
    Meta.ordering) and `follow_ups` (with their forum and document, their titles also in `lang`):
    two queries."""
    links = model._meta.get_field("links_out").related_model.objects.filter(
        Q(from_recommendation=row["id"]) | Q(to_recommendation=row["id"])
    )
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
    extra = [name for prefix, field in FOLLOW_UP_NESTED.items() for name in nested_columns(field, lang, prefix)]
    row["follow_ups"] = list(
        model._meta.get_field("follow_ups")
        .related_model.objects.filter(recommendation=row["id"])
        .values(
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


class ApiRows:
    """A page-able list of API rows (`RecommendationQuerySet.for_api_list()`): what Django's
    Paginator takes (an object with `count()` and slicing). The COUNT runs on the queryset as it
    is, without the joins of the rows, which would only slow it down; a slice is the rows of
    `for_api_detail()` with their `with_api_lists()`, names in `lang`."""

    def __init__(self, queryset, as_of=None, lang=SOURCE_DEFAULT):
        self.queryset, self.as_of, self.lang = queryset, as_of, lang
        self.model, self.ordered = queryset.model, queryset.ordered

    def count(self):
        return self.queryset.count()

    def order_by(self, *fields):
        """These rows in another order (as QuerySet.order_by)."""
        return ApiRows(self.queryset.order_by(*fields), self.as_of, self.lang)

    def filter(self, *args, **kwargs):
        """The rows that also match (as QuerySet.filter)."""
        return ApiRows(self.queryset.filter(*args, **kwargs), self.as_of, self.lang)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        rows = list(self.queryset.for_api_detail(self.as_of, self.lang)[index])
        return self.queryset.with_api_lists(rows, self.lang)
