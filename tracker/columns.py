"""The columns of a recommendation export, in order. The public CSV/JSON export writes them and
the staff import reads them, so export → edit → import round-trips; both use this one list."""

EXPORT_COLUMNS = [
    "code",
    "kind",
    "status",
    "status_label",
    "text",
    "process",
    "forum",
    "forum_title",
    "roundtable",
    "roundtable_title",
    "themes",
    "actors",
    "objectives",
    "source_document",
    "source_locator",
    "target_date",
    "last_update",
    "not_reported_since",
    "url",
]
