"""The forms the staff product edits with: recommendations (with the version they were loaded at,
and a status change's reason), progress updates, and the bulk actions' choices."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker import roles, services
from tracker.audit import log_denied
from tracker.models import Actor, ProgressUpdate, Recommendation, Theme


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
        # Whose assessment a status change is unless the form names another.
        self.acting_actor = services.acting_actor(self.request_user)
        if self.acting_actor is not None:
            self.fields["status_actor"].initial = self.acting_actor.pk

    def clean(self):
        cleaned = super().clean()
        if "status" in self.changed_data:
            if not (cleaned.get("status_reason") or "").strip():
                self.add_error("status_reason", _("Give a reason for the status change."))
            actor = cleaned.get("status_actor") or self.acting_actor
            if actor is None:
                self.add_error("status_actor", _("Choose the actor whose assessment this is."))
        return cleaned


class SetStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Recommendation.Status.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


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
