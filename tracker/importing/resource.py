"""The django-import-export resource of recommendations: the public export's columns, matched by
code, every row validated by the model's rules, a changed status recorded as a progress update."""

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from tracker import roles, services
from tracker.columns import EXPORT_COLUMNS, TRANSLATION_COLUMNS
from tracker.models import Actor, Forum, Recommendation, Theme
from tracker.models.translations import column
from tracker.text import unescape_formula

from .files import FIRST_DATA_ROW, LIST_SEPARATOR, ImportFileError, and_list, check_columns, is_blank, repeated_codes
from .widgets import (
    DocumentWidget,
    IsoDateWidget,
    ObjectiveWidget,
    RoundtableWidget,
    StrictForeignKeyWidget,
    StrictManyToManyWidget,
    parse_date_cell,
)


class BlankAsDefaultWidget(widgets.CharWidget):
    """Text; an empty cell is `blank` (the model field's default)."""

    blank = ""

    def clean(self, value, row=None, **kwargs):
        return self.blank if is_blank(value) else super().clean(value, row, **kwargs)


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
    target_date = fields.Field(attribute="target_date", column_name="target_date", widget=IsoDateWidget())
    last_update = fields.Field(attribute="status_date", column_name="last_update", readonly=True)
    not_reported_since = fields.Field(column_name="not_reported_since", readonly=True)
    forum_date = fields.Field(column_name="forum_date", readonly=True)
    roundtable_slug = fields.Field(column_name="roundtable_slug", readonly=True)
    theme_slugs = fields.Field(column_name="theme_slugs", readonly=True)
    actor_slugs = fields.Field(column_name="actor_slugs", readonly=True)
    objective_slugs = fields.Field(column_name="objective_slugs", readonly=True)
    objective_bases = fields.Field(column_name="objective_bases", readonly=True)
    updated_at = fields.Field(column_name="updated_at", readonly=True)
    version = fields.Field(column_name="version", readonly=True)
    url = fields.Field(column_name="url", readonly=True)
    api_url = fields.Field(column_name="api_url", readonly=True)

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

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        # The translation columns (tracker.columns) are text, whatever field class the library made;
        # an empty cell is the column's default (no translation), as an untranslated row stores it.
        if f.name in TRANSLATION_COLUMNS:
            return type("TranslationCellWidget", (BlankAsDefaultWidget,), {"blank": f.get_default()})
        return super().widget_from_django_field(f, default)

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

    def import_data(self, dataset, *args, **kwargs):
        """Import a copy of `dataset` (a tablib.Dataset with headers), so that `before_import`,
        which rewrites its rows, leaves the caller's dataset as it was read: the same dataset can
        be imported twice (a dry run, then for real) with the same result."""
        headers = list(dataset.headers) if dataset.headers is not None else None
        copy = tablib.Dataset(*dataset, headers=headers, title=dataset.title)
        return super().import_data(copy, *args, **kwargs)

    def before_import(self, dataset, **kwargs):
        """Check the importer and the columns, then prepare the rows for validation: fully blank
        rows (every cell empty or spaces) are dropped, and one formula-escape apostrophe is taken
        off every cell (`tracker.text.unescape_formula`). Remembers each remaining row's
        spreadsheet row number (`sheet_rows`) and the rows that repeat a code (`repeated_codes`).

        Raises PermissionDenied (not secretariat) or ImportFileError (a needed column missing);
        django-import-export reports either as an error of the whole file. The rows are removed
        first, so a file refused as a whole reports that one reason, not one error per row."""
        self.sheet_rows = []
        self.repeated_codes = {}
        user = self.user or kwargs.get("user")
        try:
            if not roles.is_secretariat(user):
                raise PermissionDenied(_("Only the secretariat may import recommendations."))
            check_columns(dataset.headers)
        except (PermissionDenied, ImportFileError):
            del dataset[:]
            raise
        self.user = user
        rows = []
        for number, row in enumerate(dataset, start=FIRST_DATA_ROW):
            if not all(is_blank(value) for value in row):
                rows.append([unescape_formula(value) for value in row])
                self.sheet_rows.append(number)
        del dataset[:]
        dataset.extend(rows)
        self.repeated_codes = repeated_codes(dataset, self.sheet_rows)

    def after_import(self, dataset, result, **kwargs):
        """Number the rows of `result` that failed as a spreadsheet does (header = row 1, blank
        rows counted), so the admin and the command name the row the person sees."""
        super().after_import(dataset, result, **kwargs)
        for invalid in result.invalid_rows:
            invalid.number = self.sheet_row(invalid.number)
        for error_row in result.error_rows:
            error_row.number = self.sheet_row(error_row.number)
            for error in error_row.errors:
                if error.number is not None:
                    error.number = self.sheet_row(error.number)

    def sheet_row(self, row_number):
        """The spreadsheet row number of the dataset's row `row_number` (counted from 1)."""
        if 0 < row_number <= len(self.sheet_rows):
            return self.sheet_rows[row_number - 1]
        return row_number + 1

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # The source language's column of a translated field mirrors the field (`text` is the
        # source text): the file's copy of it, empty in the export, is not read.
        source = row.get("source_lang") or instance.source_lang
        if source and field.attribute in (column("text", source), column("translation_status", source)):
            return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        """Import plain fields, and check many-to-many names too, so an unknown theme, actor or
        objective is a validation error of its column rather than a silent drop. Also refuses a
        code that is on another row of the file, and a status change by an importer without an
        actor (a status change is recorded as that actor's progress update)."""
        errors = {}
        stored_status = instance.status if instance.pk else Recommendation.Status.NO_INFORMATION
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
        repeated = self.repeated_codes.get(self.sheet_row(kwargs.get("row_number", 0)))
        if repeated:
            code, numbers = repeated
            errors["code"] = ValidationError(
                _("The code %(code)s is on rows %(rows)s: a code may be on one row only.")
                % {"code": code, "rows": and_list(numbers)},
                code="duplicate",
            )
        if row.get("status") not in (None, "") and row["status"] not in Recommendation.Status.values:
            errors["status"] = ValidationError(
                _("Unknown status %(status)r; use one of: %(known)s.")
                % {"status": row["status"], "known": ", ".join(Recommendation.Status.values)},
                code="invalid",
            )
        elif (
            services.acting_actor(self.user) is None
            and (instance.status or Recommendation.Status.NO_INFORMATION) != stored_status
        ):
            # Only a status change needs an actor (its progress update is that actor's report).
            errors["status"] = ValidationError(
                _(
                    "Your account has no actor: status changes from an import need one (or set "
                    "TRACKER_SECRETARIAT_ACTOR to the secretariat's actor)."
                ),
                code="no_actor",
            )
        try:
            parse_date_cell(row.get("last_update"))
        except ValueError as exc:
            errors["last_update"] = ValidationError(str(exc), code="invalid")
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
            status_change = {
                "actor": services.acting_actor(self.user),
                "status": new_status,
                "summary": _("Status set by import."),
                "reported_on": parse_date_cell(row.get("last_update")),
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
