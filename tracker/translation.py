"""The translated fields, registered with django-modeltranslation (which imports this module when
the apps are ready): each gets one column per language of `MODELTRANSLATION_LANGUAGES`, and
`translation_status` one per language too. What the columns mean and how they are read:
`tracker.models.translations`; why this library: docs/i18n.md, "Content translation"."""

from modeltranslation.translator import TranslationOptions, translator

from tracker.models import (
    Actor,
    Document,
    Forum,
    FrameworkObjective,
    Process,
    ProgressUpdate,
    Recommendation,
    Roundtable,
    Theme,
)
from tracker.models.translations import SourceDescriptor

TRANSLATED_MODELS = (
    Recommendation,
    FrameworkObjective,
    Process,
    Forum,
    Roundtable,
    Actor,
    Theme,
    Document,
    ProgressUpdate,
)

for _model in TRANSLATED_MODELS:
    translator.register(
        _model,
        type(
            f"{_model.__name__}TranslationOptions",
            (TranslationOptions,),
            {
                "fields": (*_model.translated_fields, "translation_status"),
            },
        ),
    )

# `record.text` is the source text (tracker.models.translations.SourceDescriptor), not the active
# language's: the library's descriptors are replaced once the fields exist.
for _model in TRANSLATED_MODELS:
    for _name in (*_model.translated_fields, "translation_status"):
        setattr(_model, _name, SourceDescriptor(_model._meta.get_field(_name)))
