"""Import of recommendations (with their themes, actors, objective mappings and status) from
the same CSV/XLSX columns the public export writes, so export → edit → import round-trips.

Built on django-import-export: rows are matched by `code` (upsert, never by database id), every
row is validated with the model's rules, a dry run reports new / changed / unchanged / invalid
counts, and any invalid row rejects the whole file. A status that differs from the stored one is
recorded through `tracker.services` as a progress update in the importer's name.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.results import RowResult

from tracker import roles, services
from tracker.columns import EXPORT_COLUMNS
from tracker.models import Actor, Document, Forum, FrameworkObjective, Recommendation, Roundtable, Theme

# The public export joins several names in one cell with "; ".
LIST_SEPARATOR = ";"


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
        value = (value or "").strip()
        if not value:
            return None
        for document in Document.objects.filter(title__in=[value, value.partition(" ")[2]]):
            if value in (document.title, str(document)):
                return document
        raise ValueError(_("No document titled %(value)r.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return str(value) if value else ""


class RecommendationResource(resources.ModelResource):
    """Columns as in the public CSV export; export-only columns are ignored on import."""

    code = fields.Field(attribute="code", column_name="code", widget=widgets.CharWidget())
    kind = fields.Field(attribute="kind", column_name="kind", widget=widgets.CharWidget())
    status = fields.Field(attribute="status", column_name="status", widget=widgets.CharWidget())
    status_label = fields.Field(column_name="status_label", readonly=True)
    text = fields.Field(attribute="text", column_name="text", widget=widgets.CharWidget())
    process = fields.Field(column_name="process", readonly=True)
    forum = fields.Field(attribute="forum", column_name="forum", widget=StrictForeignKeyWidget(Forum, field="slug"))
    forum_title = fields.Field(column_name="forum_title", readonly=True)
    roundtable = fields.Field(attribute="roundtable", column_name="roundtable", widget=RoundtableWidget())
    roundtable_title = fields.Field(column_name="roundtable_title", readonly=True)
    themes = fields.Field(
        attribute="themes", column_name="themes", widget=StrictManyToManyWidget(Theme, LIST_SEPARATOR, "name")
    )
    actors = fields.Field(
        attribute="actors", column_name="actors", widget=StrictManyToManyWidget(Actor, LIST_SEPARATOR, "name")
    )
    objectives = fields.Field(attribute="objectives", column_name="objectives", widget=ObjectiveWidget())
    source_document = fields.Field(attribute="source_document", column_name="source_document", widget=DocumentWidget())
    source_locator = fields.Field(attribute="source_locator", column_name="source_locator", widget=widgets.CharWidget())
    target_date = fields.Field(
        attribute="target_date", column_name="target_date", widget=widgets.DateWidget(format="%Y-%m-%d")
    )
    last_update = fields.Field(attribute="status_date", column_name="last_update", readonly=True)
    url = fields.Field(column_name="url", readonly=True)

    class Meta:
        model = Recommendation
        import_id_fields = ["code"]
        fields = EXPORT_COLUMNS
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        skip_html_diff = True

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    # --- export ---------------------------------------------------------------------------

    def get_export_queryset(self, request=None):
        return (
            Recommendation.objects.for_list().prefetch_related("actors", "objectives").select_related("source_document")
        )

    def dehydrate_status_label(self, obj):
        return str(obj.get_status_display())

    def dehydrate_process(self, obj):
        return obj.forum.process.slug

    def dehydrate_forum_title(self, obj):
        return obj.forum.title

    def dehydrate_roundtable_title(self, obj):
        return obj.roundtable.title if obj.roundtable else ""

    def dehydrate_url(self, obj):
        return obj.get_absolute_url()

    # --- import ---------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        user = self.user or kwargs.get("user")
        if not roles.is_secretariat(user):
            raise PermissionDenied(_("Only the secretariat may import recommendations."))
        if user.actor_id is None:
            raise PermissionDenied(_("Your account has no actor: status changes from an import need one."))
        self.user = user
        missing = {"code", "forum", "text"} - set(dataset.headers or [])
        if missing:
            raise ValidationError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(sorted(missing))})

    def import_instance(self, instance, row, **kwargs):
        """Import plain fields, and check many-to-many names too, so an unknown theme, actor or
        objective is a validation error of its column rather than a silent drop."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for import_field in self.get_import_fields():
            if isinstance(import_field.widget, widgets.ManyToManyWidget) and import_field.column_name in row:
                try:
                    import_field.clean(row, **kwargs)
                except ValueError as exc:
                    errors[import_field.attribute] = ValidationError(str(exc), code="invalid")
        if row.get("status") not in (None, "") and row["status"] not in Recommendation.Status.values:
            errors["status"] = ValidationError(
                _("Unknown status %(status)r; use one of: %(known)s.")
                % {"status": row["status"], "known": ", ".join(Recommendation.Status.values)},
                code="invalid",
            )
        if row.get("last_update") not in (None, ""):
            try:
                datetime.date.fromisoformat(str(row["last_update"])[:10])
            except ValueError:
                errors["last_update"] = ValidationError(_("Use the date format YYYY-MM-DD."), code="invalid")
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        """Save through the service: field edits with a history entry, a status change as a
        progress update in the importer's name (one history entry each)."""
        stored = None if is_create else Recommendation.objects.get(pk=instance.pk)
        new_status = instance.status or Recommendation.Status.NO_INFORMATION
        old_status = stored.status if stored else Recommendation.Status.NO_INFORMATION
        status_change = None
        if new_status != old_status:
            reported_on = row.get("last_update")
            status_change = {
                "actor": self.user.actor,
                "status": new_status,
                "summary": _("Status set by import."),
                "reported_on": datetime.date.fromisoformat(str(reported_on)[:10]) if reported_on else None,
            }
        changed = None
        if stored is not None:
            changed = [
                f.name
                for f in Recommendation._meta.concrete_fields
                if f.editable and getattr(stored, f.attname) != getattr(instance, f.attname)
            ]
        if stored is not None and not changed and status_change is None:
            # The row differs only in its themes, actors or objectives (skip_unchanged let it
            # through): save it anyway, so the change leaves its one history entry.
            changed = None
        instance.status = old_status
        services.save_recommendation(instance, user=self.user, changed_fields=changed, status_change=status_change)
        instance.refresh_from_db()


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), and why a rejected file was rejected."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    invalid: int = 0
    errors: list = field(default_factory=list)  # "row N, column C: reason"
    dry_run: bool = False

    @property
    def rejected(self):
        return bool(self.errors)

    def summary(self):
        prefix = _("Dry run: ") if self.dry_run else ""
        return prefix + _("%(new)d new, %(changed)d changed, %(unchanged)d unchanged, %(invalid)d invalid.") % {
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "invalid": self.invalid,
        }


def load_dataset(path):
    """Read a CSV (UTF-8, with or without BOM) or XLSX file into a tablib Dataset."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return tablib.Dataset().load(path.read_text(encoding="utf-8-sig"), format="csv")
    if suffix == ".xlsx":
        return tablib.Dataset().load(path.read_bytes(), format="xlsx")
    raise ValueError(_("Unsupported file type %(suffix)r: use .csv or .xlsx.") % {"suffix": suffix})


def report_from_result(result, dry_run):
    """Counts and row messages from an import-export Result. Row numbers count the header as
    row 1, as a spreadsheet shows them."""
    report = ImportReport(dry_run=dry_run)
    for error in result.base_errors:
        report.errors.append(_("file: %(reason)s") % {"reason": error.error})
    for row_number, row_errors in result.row_errors():
        for error in row_errors:
            report.errors.append(_("row %(row)d: %(reason)s") % {"row": row_number + 1, "reason": error.error})
    for invalid in result.invalid_rows:
        for column, messages in invalid.field_specific_errors.items():
            column = {"status_date": "last_update"}.get(column, column)
            for message in messages:
                report.errors.append(
                    _("row %(row)d, column %(column)s: %(reason)s")
                    % {"row": invalid.number + 1, "column": column, "reason": message}
                )
        for message in invalid.non_field_specific_errors:
            report.errors.append(_("row %(row)d: %(reason)s") % {"row": invalid.number + 1, "reason": message})
    totals = result.totals
    report.new = totals.get(RowResult.IMPORT_TYPE_NEW, 0)
    report.changed = totals.get(RowResult.IMPORT_TYPE_UPDATE, 0)
    report.unchanged = totals.get(RowResult.IMPORT_TYPE_SKIP, 0)
    report.invalid = totals.get(RowResult.IMPORT_TYPE_INVALID, 0) + totals.get(RowResult.IMPORT_TYPE_ERROR, 0)
    return report


def import_recommendations(dataset, *, user, dry_run=False):
    """Import a dataset; any invalid row rejects the whole file and writes nothing."""
    if not roles.is_secretariat(user):
        report = ImportReport(dry_run=dry_run)
        report.errors = [_("Only the secretariat may import recommendations.")]
        return report
    resource = RecommendationResource(user=user)
    try:
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=user,
        )
    except (PermissionDenied, ValidationError) as exc:
        report = ImportReport(dry_run=dry_run)
        report.errors = [" ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)]
        return report
    return report_from_result(result, dry_run)


def log_rejection(user, source, report):
    """One structured audit line for a rejected import."""
    from tracker.audit import log_denied

    log_denied(
        "import_rejected",
        user=user,
        route=f"import:{source}",
        obj="recommendations",
        reason="; ".join(report.errors[:5]),
    )
