"""Text model fields that store only what XML and spreadsheets can carry.

`CleanCharField` and `CleanTextField` pass every value through `tracker.text.clean_text` when it
is read from a form or the API (`to_python`, `formfield`), when a model is saved (`pre_save`,
also on `bulk_create` and `loaddata`) and when a query parameter is prepared (`get_prep_value`),
so no write path (admin, API, import, commands, fixtures) can store a vertical tab or another
control character that would break the Atom feed or an XLSX export. They deconstruct as Django's
own fields: the database columns and migrations are those of `CharField` and `TextField`.
"""

from django import forms
from django.db import models

from tracker.text import clean_text


class CleanFormCharField(forms.CharField):
    """A form CharField that cleans control characters before validation (so a pasted NUL is
    removed rather than refused)."""

    def to_python(self, value):
        return super().to_python(clean_text(value))


class _Cleaned:
    base_path = None

    def to_python(self, value):
        return clean_text(super().to_python(value))

    def get_prep_value(self, value):
        return clean_text(super().get_prep_value(value))

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        cleaned = clean_text(value)
        if cleaned is not value:
            setattr(model_instance, self.attname, cleaned)
        return cleaned

    def formfield(self, **kwargs):
        if not self.choices:
            kwargs.setdefault("form_class", CleanFormCharField)
        return super().formfield(**kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, self.base_path, args, kwargs


class CleanCharField(_Cleaned, models.CharField):
    """A CharField that never stores control characters (see the module docstring)."""

    base_path = "django.db.models.CharField"


class CleanTextField(_Cleaned, models.TextField):
    """A TextField that never stores control characters (see the module docstring)."""

    base_path = "django.db.models.TextField"
