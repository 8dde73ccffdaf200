"""Translated texts and names in the API (docs/i18n.md, "Content translation"; docs/api.md).

Each translated field `f` of a resource is served in the content language the request asks for
(`?lang=`, else `Accept-Language`, else English: `tracker.http.content_language`) as five fields:
`f` (the text in that language, or the source text where it has no translation: never empty
where the source has a text), `f_lang` (the language of `f`), `f_status` (`source` when `f` is the
source text; else `official`, `reviewed` or `machine`), `source_f` (the source text) and
`source_lang` (the record's source language). Language codes are the ones `?lang=` takes: ar, en,
es, fr, ru, zh-hans.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tracker.http.content_language import requested_language
from tracker.models.translations import LANGUAGES, SERVED_STATUSES, SOURCE_DEFAULT, column, localize, status_column

STATUSES = list(SERVED_STATUSES)
STATUS_HELP = (
    "How far the text can be trusted: source (the source text itself, no translation in the asked "
    "language), official (copied from an official text in that language), reviewed (checked by a "
    "person) or machine (machine-made or unreviewed)."
)


NESTED_HELP = (
    "The {name} in the asked language (`?lang=`, else Accept-Language), else the source {name}; "
    "`{name}_lang` says which."
)


def request_language(request):
    """The content language `request` asks for (English without a request, or for a `?lang=` that
    names none of the six: that request is refused anyway)."""
    if request is None:
        return SOURCE_DEFAULT
    language = getattr(request, "tracker_content_language", None)
    if language is None:  # negotiated once per request, not once per field of every row
        language = request.tracker_content_language = requested_language(request)[0] or SOURCE_DEFAULT
    return language


def content_language(context):
    """The content language of the request in a serializer's `context` (English without one)."""
    return request_language(context.get("request"))


def localized_fields(record, field, lang, name=None):
    """{name, name_lang, name_status, source_name, source_lang} of `record`'s `field` in `lang`
    (`name` is the field's public name, `field` by default; e.g. a forum's `title` as `name`)."""
    name = name or field
    shown = localize(record, field, lang)
    return {
        name: shown.value,
        f"{name}_lang": shown.lang,
        f"{name}_status": shown.status,
        f"source_{name}": shown.source_value,
        "source_lang": shown.source_lang,
    }


def nested_fields(row, prefix, field, lang, name="name"):
    """{name, name_lang} of a related object's translated `field` in a `values()` row whose columns
    for it start with `prefix` ("forum__": `forum__title`, `forum__title_fr`, `forum__source_lang`,
    `forum__translation_status_fr`; tracker.models.api_rows reads them): in `lang`, else the source."""
    translated, status = column(field, lang), status_column(lang)
    shown = localize(
        {
            field: row[f"{prefix}{field}"],
            translated: row.get(f"{prefix}{translated}"),
            status: row.get(f"{prefix}{status}"),
            "source_lang": row.get(f"{prefix}source_lang"),
        },
        field,
        lang,
    )
    return {name: shown.value, f"{name}_lang": shown.lang}


def localized_declarations(field, name=None):
    """The serializer fields that describe `localized_fields()` in the schema (read-only)."""
    name = name or field
    return {
        name: serializers.CharField(read_only=True, help_text=f"The {name} in the asked language, else the source."),
        f"{name}_lang": serializers.ChoiceField(
            choices=LANGUAGES, read_only=True, help_text=f"The language of `{name}`."
        ),
        f"{name}_status": serializers.ChoiceField(choices=STATUSES, read_only=True, help_text=STATUS_HELP),
        f"source_{name}": serializers.CharField(read_only=True, help_text=f"The {name} in the source language."),
        "source_lang": serializers.ChoiceField(
            choices=LANGUAGES, read_only=True, help_text="The language the source gives this record in."
        ),
    }


class LocalizedPart(serializers.Field):
    """One of the five parts of a translated field of a model instance (see the module)."""

    def __init__(self, field, part, **kwargs):
        self.field_name_translated, self.part = field, part
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance):
        shown = localize(instance, self.field_name_translated, content_language(self.context))
        return {
            "value": shown.value,
            "lang": shown.lang,
            "status": shown.status,
            "source": shown.source_value,
            "source_lang": shown.source_lang,
        }[self.part]


@extend_schema_field({"type": "string"})
class LocalizedText(LocalizedPart):
    pass


@extend_schema_field({"type": "string", "enum": list(LANGUAGES)})
class LocalizedLang(LocalizedPart):
    pass


@extend_schema_field({"type": "string", "enum": STATUSES})
class LocalizedStatus(LocalizedPart):
    pass


def nested_model_fields(field, name="name"):
    """The fields of a brief (an object named inside another) for its translated `field`: `name`
    in the asked language, else the source, and `name_lang`, its language."""
    return (
        LocalizedText(field, "value", help_text=NESTED_HELP.format(name=name)),
        LocalizedLang(field, "lang", help_text=f"The language of `{name}`: the asked one, else the source's."),
    )


def localized_model_fields(field, name=None, source_lang=True):
    """The declared fields of a ModelSerializer for a translated `field` (see the module), in
    order; without `source_lang` for a second translated field of the same serializer."""
    name = name or field
    fields = {
        name: LocalizedText(field, "value", help_text=f"The {name} in the asked language, else the source."),
        f"{name}_lang": LocalizedLang(field, "lang", help_text=f"The language of `{name}`."),
        f"{name}_status": LocalizedStatus(field, "status", help_text=STATUS_HELP),
        f"source_{name}": LocalizedText(field, "source", help_text=f"The {name} in the source language."),
    }
    if source_lang:
        fields["source_lang"] = LocalizedLang(
            field, "source_lang", help_text="The language the source gives this record in."
        )
    return tuple(fields.values())
