"""Progress updates: a focal point sees, adds and revises its own actor's until approved; the
secretariat sees and reviews all of them."""

from django.contrib import admin, messages
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tracker import roles, services
from tracker.filters import status_rank
from tracker.models import ProgressUpdate
from tracker.models.translations import current_lang

from . import actions as bulk_actions
from . import review
from .common import ServiceFormMixin, status_badge
from .evidence import EvidenceFileInline, save_evidence_formset
from .forms import ProgressUpdateForm
from .translations import TranslationAdminMixin


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(TranslationAdminMixin, ServiceFormMixin, SimpleHistoryAdmin):
    """The summary's translations are edited on the change form beside their statuses; the list
    filters the updates a language lacks (`TranslationAdminMixin`)."""

    form = ProgressUpdateForm
    # The list must fit 1280 px with the secretariat's review column: what each update lacks is
    # found with the missing-translation filter and shown on its form and review page.
    translations_column = False
    list_display = [
        "recommendation",
        "actor",
        "status_badge",
        "reported_on",
        "review_state",
        "recorded_by",
        "recorded_at",
        "review_link",
    ]
    list_filter = ["review_state", "status", ("actor", admin.RelatedOnlyFieldListFilter), "recommendation__forum"]
    list_select_related = ["recommendation", "actor", "recorded_by"]
    search_fields = ["recommendation__code", "summary"]
    autocomplete_fields = ["recommendation", "source_document"]
    date_hierarchy = "reported_on"
    readonly_fields = ["recorded_by", "recorded_at", "review_state", "reviewed_by", "reviewed_at", "review_note"]
    actions = ["approve", "return_for_revision"]
    inlines = [EvidenceFileInline]

    @admin.display(description=_("status"), ordering=status_rank("status"))  # workflow order, not by code
    def status_badge(self, obj):
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description=_("review"))
    def review_link(self, obj):
        if obj.review_state != ProgressUpdate.ReviewState.SUBMITTED:
            return ""
        return format_html('<a href="{}">{}</a>', review.review_url(obj), _("Review"))

    def get_list_display(self, request):
        # The review column is the secretariat's.
        display = list(super().get_list_display(request))
        return display if roles.is_secretariat(request.user) else [name for name in display if name != "review_link"]

    def get_urls(self):
        return [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(lambda request, object_id: review.review_view(self, request, object_id)),
                name="tracker_progressupdate_review",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def view_on_site(self, obj):
        # Only an approved update is on the public site.
        return obj.get_absolute_url() if obj.review_state == ProgressUpdate.ReviewState.APPROVED else None

    def get_changeform_initial_data(self, request):
        # A new update's summary is presumably written in the language of the page it is written on.
        return {"source_lang": current_lang(), **super().get_changeform_initial_data(request)}

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
        return roles.may_revise(request.user, obj)

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

    def save_formset(self, request, form, formset, change):
        if formset.model is EvidenceFileInline.model:
            save_evidence_formset(request, form.instance, formset)
        else:
            super().save_formset(request, form, formset, change)

    def response_add(self, request, obj, post_url_continue=None):
        self._say_if_waiting(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._say_if_waiting(request, obj)
        return super().response_change(request, obj)

    def _say_if_waiting(self, request, obj):
        if obj.review_state == ProgressUpdate.ReviewState.SUBMITTED:
            messages.info(
                request,
                _(
                    "Submitted: %(code)s waits for the secretariat's approval; you will get an e-mail "
                    "when it is decided."
                )
                % {"code": obj.recommendation.code},
            )

    def delete_model(self, request, obj):
        services.delete_update(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for update in queryset.select_related("recommendation"):
            services.delete_update(update, user=request.user)

    approve = bulk_actions.approve
    return_for_revision = bulk_actions.return_for_revision
