"""The staff product: the secretariat edits and approves everything; a government focal point
sees, adds and edits only its own actor's progress updates.

Scoping is enforced here on the server (querysets and permission methods), not by hiding
buttons. Every change of status goes through `tracker.services`.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from tracker import roles, services, spreadsheet_formats
from tracker.audit import log_denied
from tracker.importing import IMPORT_FORMATS, ImportFileError, RecommendationResource
from tracker.models import (
    STATUS_COLOURS,
    Actor,
    Document,
    FollowUpAction,
    Forum,
    FrameworkObjective,
    Process,
    ProgressUpdate,
    Recommendation,
    RecommendationLink,
    Roundtable,
    Theme,
    User,
)

admin.site.site_header = _("Migration Dialogues Tracker: staff")
admin.site.site_title = _("Migration Dialogues Tracker")
admin.site.index_title = _("Recommendations and progress")


def status_badge(status, label):
    return format_html(
        '<span class="status-badge" style="background:{};color:#fff;padding:1px 6px;border-radius:3px;'
        'white-space:nowrap">{}</span>',
        STATUS_COLOURS.get(status, "#595959"),
        label,
    )


class SecretariatOnlyMixin:
    """Admins and inlines that everyone with a role may view and only the secretariat may change."""

    def has_add_permission(self, request, *args):
        return roles.is_secretariat(request.user)

    def has_change_permission(self, request, obj=None):
        return roles.is_secretariat(request.user)

    def has_delete_permission(self, request, obj=None):
        return roles.is_secretariat(request.user)


# --- Reference data -----------------------------------------------------------------------


@admin.register(Process)
class ProcessAdmin(SecretariatOnlyMixin, admin.ModelAdmin):
    list_display = ["acronym", "name", "kind", "established", "order"]
    list_filter = ["kind"]
    search_fields = ["acronym", "name", "slug"]
    prepopulated_fields = {"slug": ["acronym"]}


class RoundtableInline(SecretariatOnlyMixin, admin.TabularInline):
    model = Roundtable
    fields = ["order", "code", "title", "slug", "parent"]
    extra = 0
    show_change_link = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            forum_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Roundtable.objects.filter(forum_id=forum_id) if forum_id else Roundtable.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Forum)
class ForumAdmin(SecretariatOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "process", "city", "country", "start_date", "end_date"]
    list_filter = ["process"]
    list_select_related = ["process"]
    search_fields = ["title", "slug", "city", "country", "host"]
    autocomplete_fields = ["documents"]
    date_hierarchy = "start_date"
    inlines = [RoundtableInline]


@admin.register(Roundtable)
class RoundtableAdmin(SecretariatOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "forum", "parent", "order"]
    list_filter = ["forum"]
    list_select_related = ["forum", "parent"]
    search_fields = ["title", "code", "slug", "forum__title"]
    autocomplete_fields = ["forum", "parent"]


@admin.register(Actor)
class ActorAdmin(SecretariatOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "country_code"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Theme)
class ThemeAdmin(SecretariatOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Document)
class DocumentAdmin(SecretariatOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "symbol", "date", "publisher"]
    search_fields = ["title", "symbol", "slug"]
    date_hierarchy = "date"


@admin.register(FrameworkObjective)
class FrameworkObjectiveAdmin(SecretariatOnlyMixin, admin.ModelAdmin):
    list_display = ["short_label", "title", "framework"]
    list_filter = ["framework"]
    search_fields = ["title", "number", "slug"]


# --- Recommendations ----------------------------------------------------------------------


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


class VersionCheckedForm(forms.ModelForm):
    """A recommendation form that carries the version it was loaded at and refuses to save over
    someone else's change (the same check the API makes with If-Match)."""

    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        self.request_user = kwargs.pop("request_user", None)
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["edit_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.has_changed():
            current = Recommendation.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            posted = cleaned.get("edit_version")
            if posted is None or current != posted:
                log_denied(
                    "stale_write",
                    user=self.request_user,
                    route="admin:tracker_recommendation_change",
                    obj=self.instance.code,
                    reason=f"version {posted} is stale; current is {current}",
                )
                raise ValidationError(
                    _(
                        "Someone else saved recommendation %(code)s while you were editing it (version "
                        "%(current)s, your form had %(posted)s). Nothing was saved. Reload the page to see "
                        "their changes, then make yours again."
                    ),
                    code="stale",
                    params={"code": self.instance.code, "current": current, "posted": posted},
                )
        return cleaned


class RecommendationChangelistForm(VersionCheckedForm):
    """The changelist's inline status edit."""

    class Meta:
        model = Recommendation
        fields = ["status"]


class RecommendationForm(VersionCheckedForm):
    """The change form: a status change needs a reason and is recorded as a progress update."""

    status_reason = forms.CharField(
        label=_("Reason for the status change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you change the status: it becomes the summary of the progress update."),
    )
    status_reported_on = forms.DateField(
        label=_("Status reported on"),
        required=False,
        help_text=_("The date the new status refers to. Defaults to today."),
    )
    status_actor = forms.ModelChoiceField(
        label=_("Reported by actor"),
        queryset=Actor.objects.all(),
        required=False,
        help_text=_("Whose assessment this is. Defaults to your own actor."),
    )
    status_evidence_url = forms.URLField(label=_("Evidence link"), required=False, assume_scheme="https")

    class Meta:
        model = Recommendation
        fields = [
            "code",
            "forum",
            "roundtable",
            "order",
            "kind",
            "text",
            "source_document",
            "source_locator",
            "themes",
            "objectives",
            "actors",
            "target_date",
            "status",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request_user is not None and self.request_user.actor_id:
            self.fields["status_actor"].initial = self.request_user.actor_id

    def clean(self):
        cleaned = super().clean()
        if "status" in self.changed_data:
            if not (cleaned.get("status_reason") or "").strip():
                self.add_error("status_reason", _("Give a reason for the status change."))
            actor = cleaned.get("status_actor") or getattr(self.request_user, "actor", None)
            if actor is None:
                self.add_error("status_actor", _("Choose the actor whose assessment this is."))
        return cleaned


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


class RecommendationLinkInline(admin.TabularInline):
    model = RecommendationLink
    fk_name = "from_recommendation"
    fields = ["kind", "to_recommendation", "note"]
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
class RecommendationAdmin(SecretariatOnlyMixin, ImportExportMixin, SimpleHistoryAdmin):
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
    autocomplete_fields = ["forum", "roundtable", "themes", "actors", "objectives", "source_document"]
    readonly_fields = ["status_date", "status_changed_at", "version", "created_at", "updated_at"]
    inlines = [ProgressUpdateInline, RecommendationLinkInline, FollowUpActionInline]
    fieldsets = [
        (None, {"fields": ["code", "forum", "roundtable", "order", "kind", "text", "edit_version"]}),
        (_("Source"), {"fields": ["source_document", "source_locator"]}),
        (_("Tags"), {"fields": ["themes", "objectives", "actors", "target_date"]}),
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

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description="")
    def edit_version(self, obj):
        # In the editable changelist this column holds each row's hidden version field.
        return ""

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, form=RecommendationChangelistForm, **kwargs)

        class RequestForm(base):
            def __init__(self, *args, **inner):
                inner["request_user"] = request.user
                super().__init__(*args, **inner)

        return RequestForm

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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **inner):
                inner["request_user"] = request.user
                super().__init__(*args, **inner)

        return RequestForm

    def save_model(self, request, obj, form, change):
        status_change = None
        changed = getattr(form, "changed_data", [])
        if "status" in changed:
            cleaned = form.cleaned_data
            status_change = {
                "actor": cleaned.get("status_actor") or request.user.actor,
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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.StaleVersion as exc:
            # Someone saved between our form check and our write: nothing was written.
            messages.error(request, str(exc) + " " + str(_("Nothing was saved; reload and try again.")))
            return HttpResponseRedirect(request.path)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except (services.StaleVersion, ValidationError, PermissionDenied) as exc:
            # The changelist's inline edit: a refused change is reported, never half-saved.
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text + " " + str(_("Nothing was saved; reload and try again.")))
            return HttpResponseRedirect(request.get_full_path())

    class SetStatusForm(forms.Form):
        status = forms.ChoiceField(label=_("New status"), choices=Recommendation.Status.choices)
        reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    @admin.action(description=_("Set status of selected recommendations"), permissions=["change"])
    def set_status(self, request, queryset):
        """Bulk status change: one progress update per recommendation, through the service."""
        from django.template.response import TemplateResponse

        if "apply" in request.POST:
            form = self.SetStatusForm(request.POST)
            if form.is_valid():
                if request.user.actor is None:
                    self.message_user(request, _("Your account has no actor to report for."), messages.ERROR)
                    return None
                count = 0
                for recommendation in queryset:
                    services.record_progress(
                        recommendation,
                        user=request.user,
                        actor=request.user.actor,
                        status=form.cleaned_data["status"],
                        summary=form.cleaned_data["reason"],
                    )
                    count += 1
                self.message_user(
                    request,
                    ngettext(
                        "Recorded a progress update for %(count)d recommendation.",
                        "Recorded progress updates for %(count)d recommendations.",
                        count,
                    )
                    % {"count": count},
                    messages.SUCCESS,
                )
                return None
        else:
            form = self.SetStatusForm()
        return TemplateResponse(
            request,
            "admin/tracker/set_status.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Set status"),
                "form": form,
                "queryset": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


class SetThemesForm(forms.Form):
    themes = forms.ModelMultipleChoiceField(label=_("Themes"), queryset=Theme.objects.all(), required=False)
    mode = forms.ChoiceField(
        label=_("How"),
        choices=[
            ("add", _("Add these themes")),
            ("replace", _("Replace all themes with these")),
            ("remove", _("Remove these themes")),
        ],
    )


def _set_themes(modeladmin, request, queryset):
    """Bulk theme tagging; one history entry per recommendation whose themes changed."""
    from django.template.response import TemplateResponse

    if "apply" in request.POST:
        form = SetThemesForm(request.POST)
        if form.is_valid():
            themes, mode = list(form.cleaned_data["themes"]), form.cleaned_data["mode"]
            changed = services.set_themes(queryset, themes=themes, mode=mode, user=request.user)
            modeladmin.message_user(
                request,
                ngettext(
                    "Themes changed on %(count)d recommendation.",
                    "Themes changed on %(count)d recommendations.",
                    changed,
                )
                % {"count": changed},
                messages.SUCCESS,
            )
            return None
    else:
        form = SetThemesForm()
    return TemplateResponse(
        request,
        "admin/tracker/bulk_action.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Set themes"),
            "form": form,
            "queryset": queryset,
            "opts": modeladmin.model._meta,
            "action": "set_themes",
            "submit_label": _("Set themes"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


RecommendationAdmin.set_themes = admin.action(
    description=_("Set themes of selected recommendations"), permissions=["change"]
)(_set_themes)


@admin.register(RecommendationLink)
class RecommendationLinkAdmin(SecretariatOnlyMixin, admin.ModelAdmin):
    list_display = ["from_recommendation", "kind", "to_recommendation"]
    list_filter = ["kind"]
    list_select_related = ["from_recommendation", "to_recommendation"]
    autocomplete_fields = ["from_recommendation", "to_recommendation", "source_document"]
    search_fields = ["from_recommendation__code", "to_recommendation__code"]


# --- Progress updates ---------------------------------------------------------------------


class ProgressUpdateForm(forms.ModelForm):
    # The update's version when the form was loaded: a revision saved over someone else's is refused.
    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ProgressUpdate
        fields = ["recommendation", "actor", "status", "reported_on", "summary", "evidence_url", "source_document"]

    def __init__(self, *args, **kwargs):
        self.request_user = kwargs.pop("request_user")
        super().__init__(*args, **kwargs)
        if "actor" in self.fields and not roles.is_secretariat(self.request_user):
            # A focal point reports for its own actor only: the only choice offered, and the only
            # one accepted (a forged POST with another actor fails validation).
            self.fields["actor"].queryset = Actor.objects.filter(pk=self.request_user.actor_id)
            self.fields["actor"].initial = self.request_user.actor_id
            self.fields["actor"].empty_label = None
        if "reported_on" in self.fields and not self.instance.pk:
            self.fields["reported_on"].initial = timezone.localdate()
        if self.instance.pk:
            self.fields["edit_version"].initial = self.instance.version


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(SimpleHistoryAdmin):
    form = ProgressUpdateForm
    list_display = [
        "recommendation",
        "actor",
        "status_badge",
        "reported_on",
        "review_state",
        "recorded_by",
        "recorded_at",
    ]
    list_filter = ["review_state", "status", ("actor", admin.RelatedOnlyFieldListFilter), "recommendation__forum"]
    list_select_related = ["recommendation", "actor", "recorded_by"]
    search_fields = ["recommendation__code", "summary"]
    autocomplete_fields = ["recommendation", "source_document"]
    date_hierarchy = "reported_on"
    readonly_fields = ["recorded_by", "recorded_at", "review_state", "reviewed_by", "reviewed_at", "review_note"]
    actions = ["approve", "return_for_revision"]

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return status_badge(obj.status, obj.get_status_display())

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_fields(self, request, obj=None):
        fields = list(ProgressUpdateForm.Meta.fields)
        if obj is not None:
            fields += [*self.readonly_fields, "edit_version"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields)
        if obj is not None:
            # Which recommendation and whose assessment an update is never changes.
            readonly += ["recommendation", "actor"]
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **inner):
                inner["request_user"] = request.user
                super().__init__(*args, **inner)

        return RequestForm

    def _is_own(self, request, obj):
        return obj is None or roles.is_secretariat(request.user) or obj.actor_id == request.user.actor_id

    def has_module_permission(self, request):
        return roles.is_secretariat(request.user) or roles.is_focal_point(request.user)

    def has_view_permission(self, request, obj=None):
        allowed = roles.is_secretariat(request.user) or roles.is_focal_point(request.user)
        return allowed and self._is_own(request, obj)

    def has_add_permission(self, request):
        return roles.is_secretariat(request.user) or roles.is_focal_point(request.user)

    def has_change_permission(self, request, obj=None):
        if roles.is_secretariat(request.user):
            return True
        if not roles.is_focal_point(request.user):
            return False
        if obj is None:
            return True
        return obj.actor_id == request.user.actor_id and obj.review_state != ProgressUpdate.ReviewState.APPROVED

    def has_delete_permission(self, request, obj=None):
        return roles.is_secretariat(request.user)

    def has_approve_permission(self, request):
        return roles.is_secretariat(request.user)

    def save_model(self, request, obj, form, change):
        if change:
            changes = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name in form.cleaned_data and name != "edit_version"
            }
            services.revise_update(
                obj, user=request.user, changes=changes, expected_version=form.cleaned_data.get("edit_version")
            )
        else:
            services.submit_update(obj, user=request.user)

    def delete_model(self, request, obj):
        services.delete_update(obj, user=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.StaleVersion as exc:
            # Someone saved this update between our form check and our write: nothing was written.
            messages.error(request, str(exc) + " " + str(_("Nothing was saved; reload and try again.")))
            return HttpResponseRedirect(request.path)

    def delete_queryset(self, request, queryset):
        for update in queryset.select_related("recommendation"):
            services.delete_update(update, user=request.user)

    def _review(self, request, queryset, review, done_message):
        count = 0
        for update in queryset.filter(review_state=ProgressUpdate.ReviewState.SUBMITTED).select_related(
            "recommendation"
        ):
            try:
                review(update, user=request.user)
            except (PermissionDenied, ValidationError, services.InvalidTransition, services.StaleVersion) as exc:
                self.message_user(request, f"{update}: {exc}", messages.ERROR)
                continue
            count += 1
        skipped = queryset.exclude(review_state=ProgressUpdate.ReviewState.SUBMITTED).count()
        self.message_user(request, done_message % {"count": count}, messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d update was skipped because it is not waiting for review.",
                    "%(count)d updates were skipped because they are not waiting for review.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Approve selected submitted updates"), permissions=["approve"])
    def approve(self, request, queryset):
        self._review(request, queryset, services.approve_update, _("Approved %(count)d updates."))

    @admin.action(description=_("Return selected submitted updates for revision"), permissions=["approve"])
    def return_for_revision(self, request, queryset):
        self._review(request, queryset, services.return_update, _("Returned %(count)d updates for revision."))


# --- Users --------------------------------------------------------------------------------


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "actor", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "groups", "actor"]
    list_select_related = ["actor"]
    autocomplete_fields = ["actor"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Reporting"), {"fields": ["actor"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (_("Reporting"), {"fields": ["actor"]}),
    ]
