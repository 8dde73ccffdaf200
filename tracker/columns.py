"""The columns of a recommendation export, in order. The public CSV/JSON export writes them and
the staff import reads them, so export → edit → import round-trips; both use this one list.

Names and slugs side by side (`themes` and `theme_slugs`, ...) so a row reads well and joins the
API, whose filters take the slugs; `roundtable` keeps the code within its forum (what the import
reads), `roundtable_slug` names it across forums; `objective_bases` gives the basis of each
framework mapping (source or editorial, tracker.models.provenance), in the order of
`objective_slugs`. Columns the import does not read (labels, slugs, bases, dates, versions, URLs)
are ignored by it."""

EXPORT_COLUMNS = [
    "code",
    "kind",
    "status",
    "status_label",
    "text",
    "process",
    "forum",
    "forum_title",
    "forum_date",
    "roundtable",
    "roundtable_slug",
    "roundtable_title",
    "themes",
    "theme_slugs",
    "actors",
    "actor_slugs",
    "objectives",
    "objective_slugs",
    "objective_bases",
    "source_document",
    "source_locator",
    "target_date",
    "last_update",
    "not_reported_since",
    "updated_at",
    "version",
    "url",
    "api_url",
]
