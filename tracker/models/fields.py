"""Model fields of the tracker."""

from django.db import models

from tracker.text import search_documents

from .translations import LANGUAGES, SOURCE_DEFAULT, column


class SearchTextField(models.TextField):
    """A derived column: the search document (`tracker.text.search_documents`) of the fields named
    in `sources` and of the values of the many-to-many lookups named in `related`
    ("themes__name": the names of the row's themes, in the related model's order), which search
    compares against. A translated source or related field contributes its text in its record's
    source language, stemmed in that language.

    With `languages`, the model also has one plain text column per language, named
    `<name>_<lang>` (`search_text_fr`, `search_text_zh_hans`), which this field fills with what a
    reader in that language sees (each translated text in that language where it has one, else
    its source), or "" when that is this column's own document: search in a language reads that
    language's column, or this one where it is "" (`tracker.filters`).

    The values are computed in `pre_save()`, which Django calls on every write of a row through
    the ORM: `Model.save()` (admin, API, import, services) and `QuerySet.bulk_create()` (its
    insert compiler asks each field for `pre_save()`); the language columns come later in the
    model, so the values set here are the ones they save. A raw save (`loaddata`, restoring a
    backup) writes the instance's values as they are without calling `pre_save()`, but sends
    the `pre_save` signal first: a receiver connected here computes the values then.
    `QuerySet.update()` and `bulk_update()` call neither: code that changes a source field
    through them must set these columns in the same call (`columns()`). `save(update_fields=...)`
    only saves them if they are named too (the model's `save()` adds them).

    The `related` values are read (one query per lookup, none when prefetched) when a row with a
    primary key is saved (raw saves too: a fixture loaded again keeps its links); a new row and
    `bulk_create()` have none yet. Changes of the links
    or of the related rows are not saves of this row: whoever makes them recomputes the columns
    (`tracker.models.search` does for the recommendations' themes).
    """

    # What it is computed from is no part of the column's definition: changing it alters nothing
    # in the database (no table rebuild on SQLite); a data migration recomputes the values.
    non_db_attrs = (*models.TextField.non_db_attrs, "sources", "related", "languages")

    def __init__(self, *args, sources=(), related=(), languages=(), **kwargs):
        self.sources = tuple(sources)
        self.related = tuple(related)
        self.languages = tuple(languages)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["sources"] = self.sources
        if self.related:
            kwargs["related"] = self.related
        if self.languages:
            kwargs["languages"] = self.languages
        # Defaults of this class: only differences are written to migrations.
        if kwargs.get("editable", True) is False:
            del kwargs["editable"]
        else:
            kwargs["editable"] = True
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        else:
            kwargs["blank"] = False
        if kwargs.get("default") == "":
            del kwargs["default"]
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        models.signals.pre_save.connect(self.fill_on_raw_save, sender=cls)

    def columns(self):
        """The attribute names this field fills: its own, then each language's column."""
        return [self.attname, *(column(self.attname, lang) for lang in self.languages)]

    def fill_on_raw_save(self, sender, instance, raw=False, **kwargs):
        """Receiver of `pre_save`: a raw save (a fixture) skips `pre_save()`, so compute it here."""
        if raw:
            self.fill(instance)

    @staticmethod
    def part(obj, name):
        """(language, value, {lang: translation}) of the field `name` of `obj`: its source
        language and translations if it is one of `obj`'s `translated_fields`, else English."""
        if name not in getattr(obj, "translated_fields", ()):
            return SOURCE_DEFAULT, getattr(obj, name), {}
        source = obj.source_lang
        translations = {lang: getattr(obj, column(name, lang)) for lang in LANGUAGES if lang != source}
        return source, getattr(obj, name), translations

    def parts(self, model_instance, related=True):
        """What is searched of `model_instance` (see `tracker.text.search_documents`): its current
        source fields and, when `related` and the row exists, its `related` lookups' values."""
        parts = [self.part(model_instance, name) for name in self.sources]
        if related and self.related and model_instance.pk is not None:
            for lookup in self.related:
                relation, attribute = lookup.split("__")
                parts.extend(self.part(obj, attribute) for obj in getattr(model_instance, relation).all())
        return parts

    def compute(self, model_instance, related=True):
        """{attribute: value} of every column this field fills (`columns()`), for `model_instance`."""
        source, by_language = search_documents(self.parts(model_instance, related), self.languages)
        return {self.attname: source, **{column(self.attname, lang): doc for lang, doc in by_language.items()}}

    def fill(self, model_instance, related=True):
        """Set every column this field fills on `model_instance`; returns this field's own value."""
        for name, value in self.compute(model_instance, related).items():
            setattr(model_instance, name, value)
        return getattr(model_instance, self.attname)

    def pre_save(self, model_instance, add):
        return self.fill(model_instance, related=not add)
