"""The tables of the open-data package (`/data/`): what each holds, its Table Schema, and its rows.

Each `Table` names its resource (`<name>.csv` in the package), its fields with their types and
constraints, its primary key and its foreign keys, all by public key (slugs and codes, as the API
and the filters use them; progress updates by their API id, as they have no other key), and how its
rows are read: one `values_list` query, read with `.iterator()` in chunks, so a table of a million
rows costs one query and flat memory. Only what the public pages and the API show is here: approved
progress updates (`ProgressUpdate.objects.public()`), their public evidence files, published
reporting cycles.

The `recommendations` table is the odd one: its rows are the list's CSV export
(`tracker.columns.EXPORT_COLUMNS`, written by `tracker.views.export`), so that the package's
recommendations.csv is exactly what `manage.py import_recommendations` reads. Its `select` is None;
its fields are typed here, column by column.
"""

import functools

from django.utils.translation import gettext_lazy as _

from tracker.columns import EXPORT_COLUMNS, TRANSLATION_FIELDS, translation_fields
from tracker.models import (
    Actor,
    Basis,
    Document,
    EditorialFact,
    FollowUpAction,
    Forum,
    FrameworkObjective,
    Process,
    Recommendation,
    RecommendationLink,
    ReportingCycle,
    Roundtable,
    Status,
    Theme,
)

from . import selects
from .schema import Table, column, key, url

# The column of the other end of each many-to-many relation of a recommendation, in its through table.
RELATION_FIELDS = {"themes": "theme", "actors": "actor", "objectives": "frameworkobjective"}
LIST_NOTE = 'Separated by "; ", sorted by name; '
RECOMMENDATION_FIELDS = {
    "code": {"required": True, "unique": True, "description": "Stable public code, e.g. GFMD-2007-RT1-03."},
    "kind": {"required": True, "enum": Recommendation.Kind.values},
    "status": {"required": True, "enum": Status.values, "description": "The current status."},
    "status_label": {"description": "The status as the site writes it."},
    "text": {"required": True, "description": "Worded as in the source document."},
    "process": {"required": True, "description": "Slug of the process (processes.slug)."},
    "forum": {"required": True, "description": "Slug of the forum (forums.slug)."},
    "forum_date": {"type": "date", "description": "The forum's start date."},
    "roundtable": {"description": "The roundtable's code within its forum (not unique across forums)."},
    "roundtable_slug": {"description": "Slug of the roundtable (roundtables.slug)."},
    "themes": {"description": LIST_NOTE + "slugs in theme_slugs and recommendation_themes.csv."},
    "theme_slugs": {"description": "Slugs of its themes, in the order of `themes`."},
    "actors": {"description": LIST_NOTE + "slugs in actor_slugs and recommendation_actors.csv."},
    "actor_slugs": {"description": "Slugs of its responsible actors, in the order of `actors`."},
    "objectives": {"description": LIST_NOTE + "slugs in objective_slugs and recommendation_objectives.csv."},
    "objective_slugs": {"description": "Slugs of its framework objectives, in the order of `objectives`."},
    "objective_bases": {
        "description": "Basis of each framework mapping, in the order of `objectives`: source (the source document "
        "says so) or editorial (the secretariat's judgement); the notes are in recommendation_objectives.csv."
    },
    "source_document": {"description": "Symbol and title of the source document."},
    "source_locator": {"description": "Where in the source, e.g. slide 7."},
    "target_date": {"type": "date"},
    "last_update": {"type": "date", "description": "Report date of the approved update that set the status."},
    "not_reported_since": {"type": "date", "description": "Set when no approved report for a long time."},
    "updated_at": {"type": "datetime"},
    "version": {"type": "integer", "required": True, "description": "Grows with every change."},
    "url": {"format": "uri", "required": True, "description": "Its page (absolute URL)."},
    "api_url": {"format": "uri", "required": True, "description": "Its resource in the REST API (absolute URL)."},
}


# The provenance columns of a framework mapping and of a link (selects.PROVENANCE_FIELDS).
PROVENANCE_COLUMNS = (
    column(
        "basis",
        required=True,
        enum=Basis.values,
        description="source: the source document says so; editorial: the secretariat's judgement.",
    ),
    column("basis_note", description="Where the source says it, or why the secretariat judged so."),
    column("asserted_at", "datetime", "When it was asserted.", required=True),
)


def _pairs(name, title, relation, right, description, extra=()):
    """A mapping table of recommendations to the other end of their many-to-many `relation`;
    `right` is (its column, its resource, its key there), e.g. ("theme", "themes", "slug");
    `extra` the columns of the link's own fields (of the same names) after them."""
    other, resource, other_key = right
    names = [descriptor["name"] for descriptor in extra]
    left = selects.mapping(
        Recommendation, relation, "recommendation__code", f"{RELATION_FIELDS[relation]}__slug", *names
    )
    return Table(
        name,
        title,
        description,
        (
            column("recommendation", required=True, description="Code of the recommendation."),
            column(other, required=True, description=f"Key of the {other} ({resource}.{other_key})."),
            *extra,
        ),
        primary_key=("recommendation", other),
        foreign_keys=(("recommendation", "recommendations", "code"), (other, resource, other_key)),
        base=functools.partial(selects.links_of, Recommendation, relation),
        select=left,
    )


STATUS_NOTE = "One of " + ", ".join(Status.values) + "."

TABLES = (
    Table(
        "processes",
        _("Processes"),
        _("Recurring dialogues and frameworks: the GCIM, the High-Level Dialogue, the GFMD, workshops."),
        (
            key("slug"),
            column("acronym"),
            column("name", required=True),
            column("kind", required=True, enum=Process.Kind.values),
            column("description"),
            column("established", "date"),
            column("order", "integer", "Position in lists."),
            url(),
        ),
        primary_key=("slug",),
        base=Process.objects.all,
        select=selects.processes,
        shape=selects.with_api_url("api-v1:process-detail"),
    ),
    Table(
        "forums",
        _("Forums"),
        _("Meetings (or reports) of a process, with their place and dates."),
        (
            key("slug"),
            column("process", required=True, description="Slug of its process (processes.slug)."),
            column("title", required=True),
            column("city"),
            column("country"),
            column("start_date", "date"),
            column("end_date", "date"),
            column("host"),
            column("theme", description="The overarching theme."),
            column("format", description="How the meeting works, e.g. held under Chatham House rules."),
            column("notes"),
            url("url", "Its page (absolute URL)."),
            url(),
        ),
        primary_key=("slug",),
        foreign_keys=(("process", "processes", "slug"),),
        base=Forum.objects.all,
        select=selects.forums,
        shape=selects.forum_shape,
    ),
    Table(
        "roundtables",
        _("Roundtables"),
        _("Sessions of a forum and their sub-sessions. Codes repeat across forums: the slug is the key."),
        (
            key("slug"),
            column("forum", required=True, description="Slug of its forum (forums.slug)."),
            column("code", required=True, description="Number as in the source, e.g. 1 or 1.a."),
            column("title", required=True),
            column("parent", description="For a sub-session: slug of the roundtable it belongs to."),
            column("order", "integer"),
            url(),
        ),
        primary_key=("slug",),
        foreign_keys=(("forum", "forums", "slug"), ("parent", "roundtables", "slug")),
        base=Roundtable.objects.all,
        select=selects.roundtables,
        shape=selects.with_api_url("api-v1:roundtable-detail"),
    ),
    Table(
        "documents",
        _("Documents"),
        _("Source documents cited by forums, recommendations and progress updates."),
        (
            key("slug"),
            column("title", required=True),
            column("symbol", description="Official symbol, e.g. A/60/871."),
            column("date", "date"),
            column("publisher"),
            column("link", description="Where to read it."),
            column("notes"),
            url(),
        ),
        primary_key=("slug",),
        base=Document.objects.all,
        select=selects.documents,
        shape=selects.with_api_url("api-v1:document-detail"),
    ),
    Table(
        "forum_documents",
        _("Documents of each forum"),
        _("Which documents each forum cites."),
        (
            column("forum", required=True, description="Slug of the forum (forums.slug)."),
            column("document", required=True, description="Slug of the document (documents.slug)."),
        ),
        primary_key=("forum", "document"),
        foreign_keys=(("forum", "forums", "slug"), ("document", "documents", "slug")),
        base=functools.partial(selects.links_of, Forum, "documents"),
        select=selects.mapping(Forum, "documents", "forum__slug", "document__slug"),
    ),
    Table(
        "actors",
        _("Actors"),
        _(
            "Governments, intergovernmental organisations, the secretariat and civil society. States carry "
            "ISO 3166-1 alpha-2 and alpha-3 and UN M49 codes, and their M49 region and sub-region."
        ),
        (
            key("slug"),
            column("name", required=True),
            column("kind", required=True, enum=Actor.Kind.values),
            column("country_code", description="ISO 3166-1 alpha-2, for governments."),
            column("iso3166_alpha3", description="ISO 3166-1 alpha-3, for governments of a state."),
            column("m49", description="UN M49 code (three digits, ISO 3166-1 numeric), for governments of a state."),
            column("m49_region", description="UN M49 code of the state's region (150 Europe)."),
            column("m49_region_name", description="The region's UN M49 name."),
            column("m49_subregion", description="UN M49 code of the state's sub-region (155 Western Europe)."),
            column("m49_subregion_name", description="The sub-region's UN M49 name."),
            column("description"),
            column("website"),
            url("url", "Its page (absolute URL)."),
            url(),
        ),
        primary_key=("slug",),
        base=Actor.objects.all,
        select=selects.actors,
        shape=selects.actor_shape,
    ),
    Table(
        "themes",
        _("Themes"),
        _("Tags such as labour mobility, remittances or gender."),
        (
            key("slug"),
            column("name", required=True, unique=True),
            column("description"),
            url("url", "Its page (absolute URL)."),
            url(),
        ),
        primary_key=("slug",),
        base=Theme.objects.all,
        select=selects.themes,
        shape=selects.theme_shape,
    ),
    Table(
        "objectives",
        _("Framework objectives"),
        _(
            "The 23 objectives of the Global Compact for Safe, Orderly and Regular Migration and the SDG migration "
            "targets, under which recommendations roll up."
        ),
        (
            key("slug"),
            column("framework", required=True, enum=FrameworkObjective.Framework.values),
            column("number", required=True, description="e.g. 6 or 10.7."),
            column("title", required=True),
            column("order", "integer"),
            *(column(name, **properties) for name, properties in translation_fields("title").items()),
            url(),
        ),
        primary_key=("slug",),
        base=FrameworkObjective.objects.all,
        select=selects.objectives,
        shape=selects.with_api_url("api-v1:objective-detail"),
    ),
    Table(
        "recommendations",
        _("Recommendations"),
        _(
            "Every recommendation, outcome, key message and finding, with its current status: the columns of the "
            "list's CSV export, which manage.py import_recommendations reads back."
        ),
        tuple(column(name, **{**TRANSLATION_FIELDS, **RECOMMENDATION_FIELDS}.get(name, {})) for name in EXPORT_COLUMNS),
        primary_key=("code",),
        foreign_keys=(
            ("process", "processes", "slug"),
            ("forum", "forums", "slug"),
            ("roundtable_slug", "roundtables", "slug"),
        ),
        base=Recommendation.objects.all,
    ),
    _pairs(
        "recommendation_themes",
        _("Themes of each recommendation"),
        "themes",
        ("theme", "themes", "slug"),
        _("Which themes each recommendation is tagged with."),
    ),
    _pairs(
        "recommendation_actors",
        _("Responsible actors of each recommendation"),
        "actors",
        ("actor", "actors", "slug"),
        _("Who is expected to act on each recommendation."),
    ),
    _pairs(
        "recommendation_objectives",
        _("Framework objectives of each recommendation"),
        "objectives",
        ("objective", "objectives", "slug"),
        _(
            "Which framework objectives each recommendation is mapped to, and on what basis: the source, or the "
            "secretariat's judgement (every mapping of the seed: the source predates both frameworks)."
        ),
        extra=PROVENANCE_COLUMNS,
    ),
    Table(
        "recommendation_links",
        _("Links between recommendations"),
        _("One recommendation restates, refines, follows up or supersedes an earlier one."),
        (
            column("from_recommendation", required=True, description="Code of the later recommendation."),
            column("kind", required=True, enum=RecommendationLink.Kind.values),
            column("to_recommendation", required=True, description="Code of the earlier recommendation."),
            column("note"),
            column("source_document", description="Slug of the document that says so (documents.slug)."),
            *PROVENANCE_COLUMNS,
        ),
        primary_key=("from_recommendation", "kind", "to_recommendation"),
        foreign_keys=(
            ("from_recommendation", "recommendations", "code"),
            ("to_recommendation", "recommendations", "code"),
            ("source_document", "documents", "slug"),
        ),
        base=RecommendationLink.objects.all,
        select=selects.links,
    ),
    Table(
        "editorial_facts",
        _("Editorial facts"),
        _(
            "Fields of forums and documents whose value the source document does not give: the secretariat added "
            "them, and the note says where the value comes from. Each names a forum or a document."
        ),
        (
            column("forum", description="Slug of the forum (forums.slug); empty for a document's fact."),
            column("document", description="Slug of the document (documents.slug); empty for a forum's fact."),
            column("field", required=True, description="The field, e.g. city, host, start_date, date, title."),
            column("note", description="Where the value comes from."),
            column("asserted_at", "datetime", "When it was asserted.", required=True),
        ),
        foreign_keys=(("forum", "forums", "slug"), ("document", "documents", "slug")),
        base=EditorialFact.objects.all,
        select=selects.editorial_facts,
    ),
    Table(
        "follow_up_actions",
        _("Follow-up actions"),
        _("A later forum or document that acted on a recommendation."),
        (
            column("recommendation", required=True, description="Code of the recommendation acted on."),
            column("forum", description="Slug of the forum that acted on it (forums.slug)."),
            column("document", description="Slug of the document that acted on it (documents.slug)."),
            column("date", "date"),
            column("description"),
        ),
        foreign_keys=(
            ("recommendation", "recommendations", "code"),
            ("forum", "forums", "slug"),
            ("document", "documents", "slug"),
        ),
        base=FollowUpAction.objects.all,
        select=selects.follow_ups,
    ),
    Table(
        "progress_updates",
        _("Progress updates"),
        _(
            "The public timeline: every approved, dated assessment of a recommendation by an actor. The current "
            "status of a recommendation is that of its latest approved update (by report date, then recording time)."
        ),
        (
            column("id", "integer", "Its id in the REST API (/api/v1/updates/<id>/).", required=True, unique=True),
            column("recommendation", required=True, description="Code of the recommendation."),
            column("actor", required=True, description="Slug of the reporting actor (actors.slug)."),
            column("status", required=True, enum=Status.values, description=STATUS_NOTE),
            column("summary", required=True),
            column("evidence_url", description="Link to the evidence."),
            column("source_document", description="Slug of the evidence document (documents.slug)."),
            column("reported_on", "date", "The date the assessment refers to.", required=True),
            column("recorded_at", "datetime", required=True),
            column("reviewed_at", "datetime", "When the secretariat approved it."),
            column("version", "integer", required=True),
            *(column(name, **properties) for name, properties in translation_fields("summary").items()),
            url(),
        ),
        primary_key=("id",),
        foreign_keys=(
            ("recommendation", "recommendations", "code"),
            ("actor", "actors", "slug"),
            ("source_document", "documents", "slug"),
        ),
        base=selects.updates_base,
        select=selects.updates,
        shape=selects.update_shape,
    ),
    Table(
        "evidence_files",
        _("Evidence files"),
        _("The public evidence files of the progress updates, with their size and SHA-256."),
        (
            url("url", "Where the file is downloaded (absolute URL)."),
            column("update", "integer", "Id of its progress update (progress_updates.id).", required=True),
            column("name", required=True),
            column("content_type", required=True, description="MIME type detected from the content."),
            column("size", "integer", "In bytes.", required=True),
            column("sha256", required=True, description="SHA-256 of the content, hexadecimal."),
            column("uploaded_at", "datetime", required=True),
        ),
        primary_key=("url",),
        foreign_keys=(("update", "progress_updates", "id"),),
        base=selects.files_base,
        select=selects.files,
        shape=selects.file_shape,
    ),
    Table(
        "reporting_cycles",
        _("Reporting cycles"),
        _("Calls for updates: rounds in which the secretariat asked actors to report by a deadline."),
        (
            key("slug"),
            column("name", required=True),
            column("state", required=True, enum=[ReportingCycle.State.OPEN.value, ReportingCycle.State.CLOSED.value]),
            column("opens_on", "date", required=True),
            column("deadline", "date", required=True),
            column("opened_at", "datetime"),
            column("closed_at", "datetime"),
            url(),
        ),
        primary_key=("slug",),
        base=selects.cycles_base,
        select=selects.cycles,
        shape=selects.with_api_url("api-v1:cycle-detail"),
    ),
)

BY_NAME = {table.name: table for table in TABLES}
