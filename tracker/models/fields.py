"""Model fields of the tracker."""

from django.db import models

from tracker.text import search_document

from .translations import LANGUAGES, column


class SearchTextField(models.TextField):
    """A derived column: `tracker.text.search_document` of the fields named in `sources` (with the
    translations of those that are translated, each in its language) and of
    the values of the many-to-many lookups named in `related` ("themes__name": the names of the
    row's themes, in the related model's order), which search compares against.

    The value is computed in `pre_save()`, which Django calls on every write of a row through
    the ORM: `Model.save()` (admin, API, import, services) and `QuerySet.bulk_create()` (its
    insert compiler asks each field for `pre_save()`). A raw save (`loaddata`, restoring a
    backup) writes the instance's values as they are without calling `pre_save()`, but sends
    the `pre_save` signal first: a receiver connected here computes the value then.
    `QuerySet.update()` and `bulk_update()` call neither: code that changes a source field
    through them must set this field in the same call. `save(update_fields=...)` only saves
    this field if it is named too (the model's `save()` adds it).

    The `related` values are read (one query per lookup, none when prefetched) when a row with a
    primary key is saved (raw saves too: a fixture loaded again keeps its links); a new row and
    `bulk_create()` have none yet. Changes of the links
    or of the related rows are not saves of this row: whoever makes them recomputes the column
    (`tracker.models.search` does for the recommendations' themes).
    """

    # What it is computed from is no part of the column's definition: changing it alters nothing
    # in the database (no table rebuild on SQLite); a data migration recomputes the values.
    non_db_attrs = (*models.TextField.non_db_attrs, "sources", "related")

    def __init__(self, *args, sources=(), related=(), **kwargs):
        self.sources = tuple(sources)
        self.related = tuple(related)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["sources"] = self.sources
        if self.related:
            kwargs["related"] = self.related
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

    def fill_on_raw_save(self, sender, instance, raw=False, **kwargs):
        """Receiver of `pre_save`: a raw save (a fixture) skips `pre_save()`, so compute it here."""
        if raw:
            setattr(instance, self.attname, self.compute(instance))

    def related_values(self, model_instance):
        """The values of the `related` lookups of a saved `model_instance` (a list of str)."""
        values = []
        for lookup in self.related:
            relation, attribute = lookup.split("__")
            values.extend(getattr(obj, attribute) for obj in getattr(model_instance, relation).all())
        return values

    def compute(self, model_instance, related=True):
        """The value for `model_instance`, from its current source fields and, when `related`
        and the row exists, the values of its `related` lookups."""
        values = [getattr(model_instance, name) for name in self.sources]
        if related and self.related and model_instance.pk is not None:
            values.extend(self.related_values(model_instance))
        return search_document(*values, translations=self.translations(model_instance))

    def translations(self, model_instance):
        """(language, text) of each translation of the translated `sources` (a model's
        `translated_fields`, tracker.models.translations), each searched in its own language."""
        translated = [name for name in self.sources if name in getattr(model_instance, "translated_fields", ())]
        return [
            (lang, text)
            for name in translated
            for lang in LANGUAGES
            if lang != model_instance.source_lang and (text := getattr(model_instance, column(name, lang), None))
        ]

    def pre_save(self, model_instance, add):
        value = self.compute(model_instance, related=not add)
        setattr(model_instance, self.attname, value)
        return value
