"""The secretariat's review of one submitted progress update, on one page: the recommendation
(code, text, current status and latest approved assessment), the proposal (status, summary,
evidence, reporting actor, who recorded it and when), and two decisions, each one click:
**Approve**, or **Return with a reason** (required, shown to the focal point, kept in history).

The decision carries the update's version as the page showed it: if the update changed (or was
decided by someone else) meanwhile, nothing is written and the page says so.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker import roles, services
from tracker.languages import html_lang, text_direction
from tracker.models import ProgressUpdate
from tracker.models.translations import LANGUAGE_NAMES, LANGUAGES, TranslationStatus, column, status_of


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Reason for returning it"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Required to return the update; the focal point sees it. Optional note on approval."),
    )

    def __init__(self, *args, returning=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.returning = returning

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if self.returning and not reason:
            raise forms.ValidationError(_("Say why you return it: the focal point needs the reason to correct it."))
        return reason


def awaiting_review():
    """Submitted updates, oldest first: the secretariat's inbox."""
    return (
        ProgressUpdate.objects.filter(review_state=ProgressUpdate.ReviewState.SUBMITTED)
        .select_related("recommendation", "actor")
        .order_by("recorded_at", "id")
    )


def _text_lang(language):
    """{"lang", "dir"} of a text in `language` (a Django code), for its element's attributes."""
    return {"lang": html_lang(language), "dir": text_direction(language)}


def summary_translations(update):
    """The translations `update`'s summary has, in the order of LANGUAGES: one dict each with the
    language's `name`, the text's `lang` and `dir`, its `text` and its `status` label (read from
    the loaded row: no query). The source language's own column is never read."""
    translations = []
    for lang in LANGUAGES:
        text = getattr(update, column("summary", lang)) or ""
        if lang == update.source_lang or not text:
            continue
        status = TranslationStatus(status_of(update, lang)).label
        translations.append({"name": LANGUAGE_NAMES[lang], "text": text, "status": status, **_text_lang(lang)})
    return translations


def review_url(update):
    return reverse("admin:tracker_progressupdate_review", args=[update.pk])


def review_view(model_admin, request, object_id):
    """GET: the review page of update `object_id`; POST `_approve` or `_return`: the decision."""
    if not roles.is_secretariat(request.user):
        raise PermissionDenied
    update = get_object_or_404(
        ProgressUpdate.objects.select_related(
            "recommendation__forum", "actor", "recorded_by", "reviewed_by", "source_document"
        ),
        pk=object_id,
    )
    returning = "_return" in request.POST
    if request.method == "POST":
        form = ReviewForm(request.POST, returning=returning)
        if form.is_valid():
            return _decide(model_admin, request, update, form, returning)
    else:
        form = ReviewForm(initial={"version": update.version})
    recommendation = update.recommendation
    latest = recommendation.updates.approved().timeline().select_related("actor").first()
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": ProgressUpdate._meta,
        "title": _("Review %(code)s") % {"code": recommendation.code},
        "update": update,
        "summary_lang": _text_lang(update.source_lang),
        "summary_translations": summary_translations(update),
        "recommendation": recommendation,
        "latest": latest,
        "files": update.files.order_by("id"),
        "form": form,
        "waiting": update.review_state == ProgressUpdate.ReviewState.SUBMITTED,
        "queue_length": awaiting_review().count(),
    }
    return TemplateResponse(request, "admin/tracker/progressupdate/review.html", context)


def _decide(model_admin, request, update, form, returning):
    code = update.recommendation.code
    service = services.return_update if returning else services.approve_update
    try:
        service(
            update,
            user=request.user,
            note=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except services.StaleVersion:
        messages.error(
            request,
            _("The update on %(code)s changed while you were reviewing it. Nothing was decided; review it again.")
            % {"code": code},
        )
        return HttpResponseRedirect(review_url(update))
    except services.InvalidTransition as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(review_url(update))
    if returning:
        messages.success(
            request,
            _("Returned the update on %(code)s to %(actor)s with your reason.")
            % {"code": code, "actor": update.actor.name},
        )
    else:
        messages.success(request, _("Approved the update on %(code)s: it is now public.") % {"code": code})
    following = awaiting_review().first()
    if following is not None:
        return HttpResponseRedirect(review_url(following))
    return HttpResponseRedirect(reverse("admin:tracker_progressupdate_changelist") + "?review_state__exact=submitted")
