"""Model fields of the tracker."""

from django.db import models

from tracker.text import search_form


class SearchTextField(models.TextField):
    """A derived column: the `tracker.text.search_form` of the fields named in `sources`,
    joined by newlines, which search compares against.

    The value is computed in `pre_save()`, which Django calls on every write of a row through
    the ORM: `Model.save()` (admin, API, import, services) and `QuerySet.bulk_create()` (its
    insert compiler asks each field for `pre_save()`). A raw save (`loaddata`, restoring a
    backup) writes the instance's values as they are without calling `pre_save()`, but sends
    the `pre_save` signal first: a receiver connected here computes the value then.
    `QuerySet.update()` and `bulk_update()` call neither: code that changes a source field
    through them must set this field in the same call. `save(update_fields=...)` only saves
    this field if it is named too (the model's `save()` adds it).
    """

    def __init__(self, *args, sources=(), **kwargs):
        self.sources = tuple(sources)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["sources"] = self.sources
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

    def compute(self, model_instance):
        """The value for `model_instance`, from its current source fields."""
        return "\n".join(search_form(getattr(model_instance, name)) for name in self.sources)

    def pre_save(self, model_instance, add):
        value = self.compute(model_instance)
        setattr(model_instance, self.attname, value)
        return value
