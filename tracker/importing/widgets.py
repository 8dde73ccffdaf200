"""Cells into values: names and slugs into the rows they name (refusing a name that names nothing),
ISO dates into dates."""

import datetime

from django.utils.translation import gettext as _
from import_export import widgets

from tracker.models import Document, FrameworkObjective, Roundtable

from .files import LIST_SEPARATOR


def parse_date_cell(value):
    """A date cell as a `datetime.date`, or None for an empty cell.

    Accepts a `date`, a `datetime` at midnight (what openpyxl gives for an XLSX date cell) and
    text "YYYY-MM-DD" (surrounding spaces ignored). Raises ValueError, with a message that names
    the expected format, for anything else, such as "31/12/2010" or a date with a time of day."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0) and value.tzinfo is None:
            return value.date()
    elif isinstance(value, datetime.date):
        return value
    else:
        try:
            return datetime.datetime.strptime(str(value).strip(), "%Y-%m-%d").date()
        except ValueError:
            pass
    raise ValueError(
        _("Use the date format YYYY-MM-DD, e.g. 2010-12-31 (the file has “%(value)s”).") % {"value": value}
    )


class StrictManyToManyWidget(widgets.ManyToManyWidget):
    """Names separated by ";", each of which must exist: an unknown name is an error, not a silent drop."""

    def clean(self, value, row=None, **kwargs):
        names = [name.strip() for name in str(value or "").split(self.separator) if name.strip()]
        if not names:
            return self.model.objects.none()
        found = {getattr(obj, self.field): obj for obj in self.model.objects.filter(**{f"{self.field}__in": names})}
        unknown = [name for name in names if name not in found]
        if unknown:
            raise ValueError(
                _("Unknown %(what)s: %(names)s.")
                % {"what": self.model._meta.verbose_name_plural, "names": ", ".join(unknown)}
            )
        return self.model.objects.filter(pk__in=[obj.pk for obj in found.values()])

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "; ".join(sorted(str(getattr(item, self.field)) for item in value.all()))


class ObjectiveWidget(StrictManyToManyWidget):
    """Objectives as the export labels them: "GCM 6", "SDG 10.7"."""

    def __init__(self):
        super().__init__(FrameworkObjective, separator=LIST_SEPARATOR, field="slug")

    @staticmethod
    def label(objective):
        return f"{objective.framework.upper()} {objective.number}"

    def clean(self, value, row=None, **kwargs):
        labels = [label.strip() for label in str(value or "").split(self.separator) if label.strip()]
        objectives, unknown = [], []
        for label in labels:
            framework, _space, number = label.partition(" ")
            match = FrameworkObjective.objects.filter(framework=framework.lower(), number=number.strip()).first()
            (objectives.append(match) if match else unknown.append(label))
        if unknown:
            raise ValueError(_("Unknown framework objectives: %(labels)s.") % {"labels": ", ".join(unknown)})
        return FrameworkObjective.objects.filter(pk__in=[o.pk for o in objectives])

    def render(self, value, obj=None, **kwargs):
        return "; ".join(sorted(self.label(item) for item in value.all())) if value is not None else ""


class StrictForeignKeyWidget(widgets.ForeignKeyWidget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(
                _("No %(what)s %(value)r.") % {"what": self.model._meta.verbose_name, "value": value}
            ) from None


class RoundtableWidget(StrictForeignKeyWidget):
    """A roundtable by its code within the row's forum (codes repeat across forums)."""

    def __init__(self):
        super().__init__(Roundtable, field="code")

    def get_queryset(self, value, row, *args, **kwargs):
        return Roundtable.objects.filter(forum__slug=(row or {}).get("forum", ""))


class DocumentWidget(StrictForeignKeyWidget):
    """A source document as the export writes it: "<symbol> <title>", or just the title."""

    def __init__(self):
        super().__init__(Document, field="title")

    def clean(self, value, row=None, **kwargs):
        value = "" if value is None else str(value).strip()  # an XLSX cell may hold a number or a date
        if not value:
            return None
        for document in Document.objects.filter(title__in=[value, value.partition(" ")[2]]):
            if value in (document.title, str(document)):
                return document
        raise ValueError(_("No document titled %(value)r.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return str(value) if value else ""


class IsoDateWidget(widgets.DateWidget):
    """A date written YYYY-MM-DD, as the export writes it. An XLSX date cell is compared as the
    date it holds, not as text, so re-importing it is no change (see `parse_date_cell`)."""

    def __init__(self):
        super().__init__(format="%Y-%m-%d")

    def clean(self, value, row=None, **kwargs):
        return parse_date_cell(value)
