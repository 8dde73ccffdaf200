"""Recommendations: the list with its inline status edit, the change form (a status change needs a
reason and becomes a progress update), import and export of the public CSV's columns, and links
between recommendations."""

import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from tracker import roles, services, spreadsheet_formats
from tracker.filters import status_rank
from tracker.importing import IMPORT_FORMATS, ImportFileError, RecommendationResource
from tracker.models import FollowUpAction, ObjectiveMapping, ProgressUpdate, Recommendation, RecommendationLink

from . import actions as bulk_actions
from .common import SecretariatOnlyMixin, ServiceFormMixin, WorkflowOrderChangeList, status_badge, with_request_user
from .forms import RecommendationChangelistForm, RecommendationForm
from .translations import TranslationAdminMixin


class NoRecentUpdateFilter(admin.SimpleListFilter):
    """Derived state coordinators ask for: what nobody has reported on for a year."""

    title = _("last update")
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [("12m", _("No update for 12 months")), ("never", _("Never updated"))]

    def queryset(self, request, queryset):
        if self.value() == "12m":
            cutoff = timezone.now() - datetime.timedelta(days=365)
            return queryset.filter(Q(status_changed_at__isnull=True) | Q(status_changed_at__lt=cutoff))
        if self.value() == "never":
            return queryset.filter(status_changed_at__isnull=True)
        return queryset


class ProgressUpdateInline(SecretariatOnlyMixin, admin.TabularInline):
    model = ProgressUpdate
    fields = ["reported_on", "actor", "status", "summary", "evidence_url", "review_state", "recorded_by"]
    readonly_fields = ["review_state", "recorded_by"]
    autocomplete_fields = ["actor"]
    extra = 0
    ordering = ["-reported_on", "-recorded_at", "-id"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("actor", "recorded_by")


class ObjectiveMappingInline(admin.TabularInline):
    """The framework mappings, each with its basis: the source, or the secretariat's judgement."""

    model = ObjectiveMapping
    fields = ["frameworkobjective", "basis", "basis_note"]
    autocomplete_fields = ["frameworkobjective"]
    extra = 0
    verbose_name = _("framework mapping")
    verbose_name_plural = _("framework mappings (GCM objectives, SDG targets)")


class RecommendationLinkInline(admin.TabularInline):
    model = RecommendationLink
    fk_name = "from_recommendation"
    fields = ["kind", "to_recommendation", "note", "basis", "basis_note"]
    autocomplete_fields = ["to_recommendation"]
    extra = 0
    verbose_name = _("link to an earlier recommendation")
    verbose_name_plural = _("links to earlier recommendations")


class FollowUpActionInline(admin.TabularInline):
    model = FollowUpAction
    fields = ["date", "forum", "document", "description"]
    autocomplete_fields = ["forum", "document"]
    extra = 0


@admin.register(Recommendation)
class RecommendationAdmin(
    TranslationAdminMixin, SecretariatOnlyMixin, ServiceFormMixin, ImportExportMixin, SimpleHistoryAdmin
):
    form = RecommendationForm
    # Import and export use the public CSV export's columns, so export → edit → import round-trips.
    resource_classes = [RecommendationResource]
    # CSV and XLSX files are read by tracker.importing.read_dataset, as the import command reads them.
    import_formats = IMPORT_FORMATS
    # CSV, TSV and XLSX cells are escaped against formula injection (tracker.spreadsheet_formats).
    export_formats = spreadsheet_formats.EXPORT_FORMATS
    list_display = [
        "code",
        "short_text",
        "forum_label",
        "roundtable_code",
        "status",
        "status_badge",
        "status_date",
        "edit_version",
    ]
    list_display_links = ["code"]
    list_editable = ["status"]
    list_filter = [
        "status",
        NoRecentUpdateFilter,
        "kind",
        ("forum", admin.RelatedOnlyFieldListFilter),
        ("roundtable", admin.RelatedOnlyFieldListFilter),
        "themes",
        ("actors", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["forum", "roundtable"]
    list_per_page = 50
    search_fields = ["code", "text"]
    autocomplete_fields = ["forum", "roundtable", "themes", "actors", "source_document"]
    readonly_fields = ["status_date", "status_changed_at", "version", "created_at", "updated_at"]
    inlines = [ProgressUpdateInline, ObjectiveMappingInline, RecommendationLinkInline, FollowUpActionInline]
    fieldsets = [
        (None, {"fields": ["code", "forum", "roundtable", "order", "kind", "text", "edit_version"]}),
        (_("Source"), {"fields": ["source_document", "source_locator"]}),
        (_("Tags"), {"fields": ["themes", "actors", "target_date"]}),
        (
            _("Status"),
            {
                "fields": [
                    "status",
                    "status_reason",
                    "status_reported_on",
                    "status_actor",
                    "status_evidence_url",
                    "status_date",
                    "status_changed_at",
                ],
                "description": _("A status change is recorded as a progress update in your name."),
            },
        ),
        (_("Record"), {"fields": ["version", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    actions = ["set_status", "set_themes"]

    @admin.display(description=_("text"))
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 90 else obj.text[:88] + "…"

    @admin.display(description=_("forum"), ordering="forum__start_date")
    def forum_label(self, obj):
        return obj.forum.slug

    @admin.display(description=_("roundtable"), ordering="roundtable__code")
    def roundtable_code(self, obj):
        return obj.roundtable.code if obj.roundtable_id else "—"

    @admin.display(description=_("status"), ordering=status_rank("status"))  # workflow order, not by code
    def status_badge(self, obj):
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description="")
    def edit_version(self, obj):
        # In the editable changelist this column holds each row's hidden version field.
        return ""

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, form=RecommendationChangelistForm, **kwargs)
        return with_request_user(base, request.user)

    def has_import_permission(self, request):
        return roles.is_secretariat(request.user)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def get_import_data_kwargs(self, **kwargs):
        # The confirmed import rejects the whole file on any invalid row, like the dry run showed.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def add_data_read_fail_error_to_form(self, form, e):
        # A file the import refuses as a whole (not UTF-8, a column missing, ...): say why, in
        # the command's words, rather than the name of an exception.
        if isinstance(e, ImportFileError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_changelist(self, request, **kwargs):
        return WorkflowOrderChangeList

    def get_list_editable(self, request):
        return self.list_editable if roles.is_secretariat(request.user) else ()

    def get_changelist_instance(self, request):
        # list_editable is a class attribute Django reads directly; narrow it per request.
        original = self.list_editable
        self.list_editable = self.get_list_editable(request)
        try:
            return super().get_changelist_instance(request)
        finally:
            self.list_editable = original

    def get_list_display(self, request):
        display = list(super().get_list_display(request))
        if not self.get_list_editable(request):
            display.remove("status")
            display.remove("edit_version")
        else:
            display.remove("status_badge")
        return display

    def save_model(self, request, obj, form, change):
        status_change = None
        changed = getattr(form, "changed_data", [])
        if "status" in changed:
            cleaned = form.cleaned_data
            status_change = {
                "actor": cleaned.get("status_actor") or services.acting_actor(request.user),
                "status": obj.status,
                "summary": cleaned.get("status_reason") or _("Status changed in the staff list."),
                "reported_on": cleaned.get("status_reported_on"),
                "evidence_url": cleaned.get("status_evidence_url") or "",
            }
        expected = form.cleaned_data.get("edit_version") if change else None
        model_fields = {field.name for field in Recommendation._meta.get_fields()}
        services.save_recommendation(
            obj,
            user=request.user,
            expected_version=expected,
            changed_fields=[name for name in changed if name in model_fields],
            status_change=status_change,
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProgressUpdate:
            return super().save_formset(request, form, formset, change)
        # Progress updates from the inline go through the service like every other status change.
        instances = formset.save(commit=False)
        for update in formset.deleted_objects:
            services.delete_update(update, user=request.user)
        for update in instances:
            if update.pk is None:
                services.submit_update(update, user=request.user)
            else:
                changes = {name: getattr(update, name) for name in ("status", "summary", "evidence_url", "reported_on")}
                services.revise_update(update, user=request.user, changes=changes)
        formset.save_m2m()

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except (services.StaleVersion, ValidationError, PermissionDenied) as exc:
            # The changelist's inline edit: a refused change is reported, never half-saved.
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text + " " + str(_("Nothing was saved; reload and try again.")))
            return HttpResponseRedirect(request.get_full_path())

    set_status = bulk_actions.set_status
    set_themes = bulk_actions.set_themes


@admin.register(RecommendationLink)
class RecommendationLinkAdmin(SecretariatOnlyMixin, admin.ModelAdmin):
    list_display = ["from_recommendation", "kind", "to_recommendation", "basis"]
    list_filter = ["kind", "basis"]
    list_select_related = ["from_recommendation", "to_recommendation"]
    autocomplete_fields = ["from_recommendation", "to_recommendation", "source_document"]
    search_fields = ["from_recommendation__code", "to_recommendation__code"]
