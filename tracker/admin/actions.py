"""Bulk actions of the staff product: set the status or the themes of many recommendations, approve
or return many progress updates. Each change goes through `tracker.services`, one at a time, so
every rule and history entry applies as for a single edit."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tracker import services
from tracker.models import ProgressUpdate

from .forms import SetStatusForm, SetThemesForm


@admin.action(description=_("Set status of selected recommendations"), permissions=["change"])
def set_status(modeladmin, request, queryset):
    """Bulk status change: one progress update per recommendation, through the service."""
    if "apply" in request.POST:
        form = SetStatusForm(request.POST)
        if form.is_valid():
            actor = services.acting_actor(request.user)
            if actor is None:
                modeladmin.message_user(
                    request,
                    _(
                        "Your account has no actor to report for: give it one, or set "
                        "TRACKER_SECRETARIAT_ACTOR to the secretariat's actor."
                    ),
                    messages.ERROR,
                )
                return None
            count = 0
            for recommendation in queryset:
                services.record_progress(
                    recommendation,
                    user=request.user,
                    actor=actor,
                    status=form.cleaned_data["status"],
                    summary=form.cleaned_data["reason"],
                )
                count += 1
            modeladmin.message_user(
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
        form = SetStatusForm()
    return TemplateResponse(
        request,
        "admin/tracker/set_status.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Set status"),
            "form": form,
            "queryset": queryset,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


@admin.action(description=_("Set themes of selected recommendations"), permissions=["change"])
def set_themes(modeladmin, request, queryset):
    """Bulk theme tagging; one history entry per recommendation whose themes changed."""
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


def _review(modeladmin, request, queryset, review, done_message, note=""):
    count = 0
    for update in queryset.filter(review_state=ProgressUpdate.ReviewState.SUBMITTED).select_related("recommendation"):
        try:
            review(update, user=request.user, note=note)
        except (PermissionDenied, ValidationError, services.InvalidTransition, services.StaleVersion) as exc:
            modeladmin.message_user(request, f"{update.recommendation.code}: {exc}", messages.ERROR)
            continue
        count += 1
    skipped = queryset.exclude(review_state=ProgressUpdate.ReviewState.SUBMITTED).count()
    modeladmin.message_user(request, done_message(count) % {"count": count}, messages.SUCCESS)
    if skipped:
        modeladmin.message_user(
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
def approve(modeladmin, request, queryset):
    _review(
        modeladmin,
        request,
        queryset,
        services.approve_update,
        lambda n: ngettext("Approved %(count)d update.", "Approved %(count)d updates.", n),
    )


class ReturnReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning them"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        help_text=_("Every reporting focal point sees it; it is kept in the update's history."),
    )


@admin.action(description=_("Return selected submitted updates for revision"), permissions=["approve"])
def return_for_revision(modeladmin, request, queryset):
    """Bulk return: one reason, asked for on an intermediate page, given to every update."""
    form = ReturnReasonForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        _review(
            modeladmin,
            request,
            queryset,
            services.return_update,
            lambda n: ngettext(
                "Returned %(count)d update for revision.", "Returned %(count)d updates for revision.", n
            ),
            note=form.cleaned_data["reason"],
        )
        return None
    return TemplateResponse(
        request,
        "admin/tracker/return_with_reason.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Return for revision"),
            "form": form,
            "queryset": queryset.select_related("recommendation", "actor"),
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )
