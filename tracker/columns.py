"""The columns of a recommendation export, in order. The public CSV/JSON export writes them and
the staff import reads them, so export → edit → import round-trips; both use this one list.

Names and slugs side by side (`themes` and `theme_slugs`, ...) so a row reads well and joins the
API, whose filters take the slugs; `roundtable` keeps the code within its forum (what the import
reads), `roundtable_slug` names it across forums; `objective_bases` gives the basis of each
framework mapping (source or editorial, tracker.models.provenance), in the order of
`objective_slugs`. Columns the import does not read (labels, slugs, bases, dates, versions, URLs)
are ignored by it.

The translations follow (docs/i18n.md, "Content translation"): `source_lang`, the language `text`
is written in; `text_<lang>` for each of the six languages (`text_zh_hans` for Chinese; empty for
the source language, whose text is `text`), then `translation_status_<lang>` (official, reviewed,
machine, or empty where there is no translation). The import reads them back: `text` is the
source text, and each other language's text and status are written as they are in the file (an
empty cell: no translation)."""

from tracker.models.translations import LANGUAGE_NAMES, LANGUAGES, TranslationStatus, column, translated_only

TRANSLATION_COLUMNS = list(translated_only(("text",)))

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
    *TRANSLATION_COLUMNS,
]


def translation_fields(field):
    """The open-data Table Schema properties of the translation columns of `field`, by name, in
    the order of `translated_only()`: source_lang, a text per language, a status per language."""
    fields = {"source_lang": {"enum": list(LANGUAGES), "description": f"The language `{field}` is written in."}}
    for lang in LANGUAGES:
        fields[column(field, lang)] = {
            "description": f"`{field}` in {LANGUAGE_NAMES[lang]}; empty if untranslated or the source language."
        }
    for lang in LANGUAGES:
        fields[column("translation_status", lang)] = {
            "enum": ["", *TranslationStatus.values],
            "description": f"How far the {LANGUAGE_NAMES[lang]} text can be trusted: official, reviewed, machine.",
        }
    return fields


TRANSLATION_FIELDS = translation_fields("text")


def blank_source_language(values):
    """`values` of TRANSLATION_COLUMNS' shape (source_lang, a text per language, a status per
    language) with the source language's text and status empty (None): `text` holds them."""
    values = list(values)
    source = values[0] or LANGUAGES[0]
    if source in LANGUAGES:
        index = LANGUAGES.index(source)
        values[1 + index] = values[1 + len(LANGUAGES) + index] = None
    return values
