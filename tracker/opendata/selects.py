"""How each table of the open-data package reads its rows: one `values_list` query each, in a stable
order, and the cells a row becomes (`shape`), URLs built by `Urls` without a query or a reversal
per row. Only public rows: approved progress updates (`ProgressUpdate.objects.public()`, as the
public timeline and the API read them), their public evidence files, published reporting cycles."""

from django.db import models
from django.urls import reverse

from tracker.columns import blank_source_language
from tracker.models import (
    Actor,
    Document,
    EditorialFact,
    EvidenceFile,
    FollowUpAction,
    Forum,
    FrameworkObjective,
    Process,
    ProgressUpdate,
    RecommendationLink,
    ReportingCycle,
    Roundtable,
    Theme,
)
from tracker.models.translations import translated_only

from .countries import M49_NAMES, country_codes

# What the package says of a framework mapping's or a link's provenance (who asserted it stays private).
PROVENANCE_FIELDS = ("basis", "basis_note", "asserted_at")


def with_api_url(viewname, key_index=0):
    def shape(row, urls):
        return [*row, urls(viewname, row[key_index])]

    return shape


def processes():
    return Process.objects.order_by("order", "name", "slug").values_list(
        "slug", "acronym", "name", "kind", "description", "established", "order"
    )


def forums():
    return Forum.objects.order_by(models.F("start_date").asc(nulls_last=True), "slug").values_list(
        "slug",
        "process__slug",
        "title",
        "city",
        "country",
        "start_date",
        "end_date",
        "host",
        "theme",
        "format",
        "notes",
    )


def forum_shape(row, urls):
    return [*row, urls("tracker:forum-detail", row[0]), urls("api-v1:forum-detail", row[0])]


def roundtables():
    return Roundtable.objects.order_by("forum__slug", "order", "code", "slug").values_list(
        "slug", "forum__slug", "code", "title", "parent__slug", "order"
    )


def actors():
    return Actor.objects.order_by("slug").values_list("slug", "name", "kind", "country_code", "description", "url")


def actor_shape(row, urls):
    slug, name, kind, country_code, description, website = row
    codes = country_codes(kind, country_code)
    return [
        slug,
        name,
        kind,
        country_code,
        codes["iso3166_alpha3"],
        codes["m49"],
        codes["m49_region"],
        M49_NAMES.get(codes["m49_region"]),
        codes["m49_subregion"],
        M49_NAMES.get(codes["m49_subregion"]),
        description,
        website,
        urls("tracker:actor-detail", slug),
        urls("api-v1:actor-detail", slug),
    ]


def themes():
    return Theme.objects.order_by("slug").values_list("slug", "name", "description")


def theme_shape(row, urls):
    return [*row, urls("tracker:theme-detail", row[0]), urls("api-v1:theme-detail", row[0])]


def objectives():
    return FrameworkObjective.objects.order_by("framework", "order", "slug").values_list(
        "slug", "framework", "number", "title", "order", *translated_only(("title",))
    )


def documents():
    return Document.objects.order_by("slug").values_list("slug", "title", "symbol", "date", "publisher", "url", "notes")


def links_of(model, relation):
    """All the links of the many-to-many relation `relation` of `model` (a queryset of its
    through model: what a mapping table's row count counts)."""
    return model._meta.get_field(relation).remote_field.through.objects.all()


def mapping(model, relation, left, right, *extra):
    """The (left key, right key, *extra fields of the link) rows of the many-to-many relation
    `relation` of `model`, in key order, as a function of no argument (a Table's `select`)."""

    def select():
        return links_of(model, relation).order_by(left, right).values_list(left, right, *extra)

    return select


# The summary's translation columns (tracker.columns.translation_fields("summary") describes them).
UPDATE_TRANSLATIONS = translated_only(("summary",))


def updates_base():
    return ProgressUpdate.objects.public()


def updates():
    return (
        updates_base()
        .order_by("id")
        .values_list(
            "id",
            "recommendation__code",
            "actor__slug",
            "status",
            "summary",
            "evidence_url",
            "source_document__slug",
            "reported_on",
            "recorded_at",
            "reviewed_at",
            "version",
            *UPDATE_TRANSLATIONS,
        )
    )


def update_shape(row, urls):
    """An update's cells: its fields, its summary's translations (the source language's text and
    status empty: `summary` holds it, as in recommendations.csv) and its API URL."""
    fields, translations = row[: -len(UPDATE_TRANSLATIONS)], row[-len(UPDATE_TRANSLATIONS) :]
    return [*fields, *blank_source_language(translations), urls("api-v1:update-detail", row[0])]


def files_base():
    return EvidenceFile.objects.public()


def files():
    return (
        files_base()
        .order_by("update_id", "id")
        .values_list("update_id", "id", "file", "title", "content_type", "size", "sha256", "uploaded_at")
    )


def file_shape(row, urls):
    update_id, file_id, stored, title, content_type, size, sha256, uploaded_at = row
    name = stored.rsplit("/", 1)[-1]
    link = urls.absolute(reverse("tracker:evidence-file", args=[update_id, file_id, name]))
    return [link, update_id, title or name, content_type, size, sha256, uploaded_at]


def links():
    return RecommendationLink.objects.order_by(
        "from_recommendation__code", "kind", "to_recommendation__code"
    ).values_list(
        "from_recommendation__code",
        "kind",
        "to_recommendation__code",
        "note",
        "source_document__slug",
        *PROVENANCE_FIELDS,
    )


def editorial_facts():
    """Forums' facts first, then documents', each by slug and field (NULLs last on every database)."""
    return EditorialFact.objects.order_by(
        models.F("forum__slug").asc(nulls_last=True), models.F("document__slug").asc(nulls_last=True), "field"
    ).values_list("forum__slug", "document__slug", "field", "note", "asserted_at")


def follow_ups():
    return FollowUpAction.objects.order_by("recommendation__code", "date", "id").values_list(
        "recommendation__code", "forum__slug", "document__slug", "date", "description"
    )


def cycles_base():
    return ReportingCycle.objects.published()


def cycles():
    return (
        cycles_base()
        .order_by("opens_on", "slug")
        .values_list("slug", "name", "state", "opens_on", "deadline", "opened_at", "closed_at")
    )
