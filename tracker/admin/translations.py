"""Translations in the admin (docs/i18n.md, "Content translation"): every language of a record on
its change form, one row per language with its text(s) side by side with its status; each list
shows which languages a record still lacks and filters by them ("Missing translation: French").

A change is saved as any other change of the record (through `tracker.services` for a
recommendation) and recorded in the record's admin history, which names each field changed
("translation status [fr]").
"""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from tracker.models.translations import (
    LANGUAGE_NAMES,
    LANGUAGES,
    SOURCE_DEFAULT,
    column,
    missing_translation,
    status_column,
)


class MissingTranslationFilter(admin.SimpleListFilter):
    """The records with a translated field that has a source text and none in the chosen language."""

    title = _("missing translation")
    parameter_name = "missing_translation"

    def lookups(self, request, model_admin):
        return [
            (lang, _("Missing translation: %(language)s") % {"language": LANGUAGE_NAMES[lang]})
            for lang in LANGUAGES
            if lang != SOURCE_DEFAULT
        ] + [(SOURCE_DEFAULT, _("Missing translation: %(language)s") % {"language": LANGUAGE_NAMES[SOURCE_DEFAULT]})]

    def queryset(self, request, queryset):
        if self.value() in LANGUAGES:
            return queryset.filter(missing_translation(queryset.model, self.value()))
        return queryset


class TranslationAdminMixin:
    """For the admin of a translated model (`Translatable`): a "Translations" fieldset, the
    completeness column and the missing-translation filter. The source text stays where the form
    had it (`text`, `name`...): it is the source language's column."""

    def get_fieldsets(self, request, obj=None):
        model = self.model
        translation_names = {"translation_status", "source_lang"}
        translation_names |= {
            column(f, lang) for f in (*model.translated_fields, "translation_status") for lang in LANGUAGES
        }
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = [field for field in options.get("fields", ()) if field not in translation_names]
            fieldsets.append((name, {**options, "fields": fields}))
        if obj is not None:
            source = obj.source_lang
        else:  # a new record: the source language its form starts with
            source = self.get_changeform_initial_data(request).get("source_lang") or SOURCE_DEFAULT
        rows = [
            (*(column(field, lang) for field in model.translated_fields), status_column(lang))
            for lang in LANGUAGES
            if lang != source
        ]
        fieldsets.append(
            (
                _("Translations"),
                {
                    "fields": ["source_lang", *rows],
                    "description": _(
                        "The text in each language beside its status; an empty text shows the source text "
                        "(in the source language) to readers."
                    ),
                },
            )
        )
        return fieldsets

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "source_lang" and field is not None:
            # A form that leaves it out (one posted by a script) keeps the record's source language.
            field.required = False
            field.has_changed = lambda initial, data, base=field.has_changed: bool(data) and base(initial, data)
        return field

    # False: the list has no translations column (a list that is wide already); its filter stays.
    translations_column = True

    def get_list_display(self, request):
        display = list(super().get_list_display(request))
        return [*display, "translation_completeness"] if self.translations_column else display

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), MissingTranslationFilter]

    @admin.display(description=_("translations"))
    def translation_completeness(self, obj):
        """Each language's state, from the loaded row: ✓ all translated (with its status), ½ some, ✗ none."""
        cells = []
        for lang in LANGUAGES:
            if lang == obj.source_lang:
                continue
            done, total = obj.translation_state(lang)
            if total == 0:
                continue
            mark = "✓" if done == total else ("½" if done else "✗")
            status = getattr(obj, status_column(lang), "") or "machine" if done else ""
            cells.append(
                (lang, LANGUAGE_NAMES[lang], f"{mark} {status}".strip(), "done" if done == total else "missing")
            )
        if not cells:
            return "—"
        return format_html(
            '<span class="translation-completeness">{}</span>',
            format_html_join(" ", '<span title="{1}: {2}" class="translation-{3}">{0} {2}</span>', cells),
        )
