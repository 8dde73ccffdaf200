"""Evidence files on the progress update form: added, marked public or staff-only and removed
through `tracker.services`, by those who may revise the update."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tracker import roles, services
from tracker.models import EvidenceFile
from tracker.models.evidence import ALLOWED_TYPES, describe_size, max_bytes


class StoredFileWidget(forms.Widget):
    """A stored file by its name only: no link to the storage path (never served directly; the
    inline's "Open" link goes through the access check)."""

    def render(self, name, value, attrs=None, renderer=None):
        return format_html("<span>{}</span>", str(value).rsplit("/", 1)[-1] if value else "")

    def value_from_datadict(self, data, files, name):
        return None


class EvidenceFileForm(forms.ModelForm):
    class Meta:
        model = EvidenceFile
        fields = ["file", "title", "is_public"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        extensions = sorted({f".{extension}" for extension, _name in ALLOWED_TYPES.values()})
        self.fields["file"].widget.attrs["accept"] = ",".join(extensions)
        self.fields["file"].help_text = _("PDF, office document or image; at most %(limit)s.") % {
            "limit": describe_size(max_bytes())
        }
        if self.instance.pk:
            # A stored file never changes: another file is another row.
            self.fields["file"].disabled = True
            self.fields["file"].required = False
            self.fields["file"].widget = StoredFileWidget()
            self.fields["file"].help_text = ""


class EvidenceFileInline(admin.TabularInline):
    model = EvidenceFile
    form = EvidenceFileForm
    extra = 1
    fields = ["file", "title", "is_public", "details"]
    readonly_fields = ["details"]
    view_on_site = False  # the Open link goes through the access check instead
    verbose_name = _("evidence file")
    verbose_name_plural = _("evidence files")

    @admin.display(description=_("details"))
    def details(self, obj):
        if obj is None or obj.pk is None:
            return ""
        return format_html(
            '<a href="{}">{}</a> · {}, {}',
            obj.get_absolute_url(),
            pgettext_lazy("link that opens a file", "Open"),
            obj.kind_label,
            obj.size_label,
        )

    def has_view_permission(self, request, obj=None):
        return roles.is_secretariat(request.user) or roles.is_focal_point(request.user)

    def has_add_permission(self, request, obj=None):
        return roles.may_revise(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return roles.may_revise(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return roles.may_revise(request.user, obj)


def save_evidence_formset(request, update, formset):
    """Apply an evidence formset of `update` through the services (each change moves the update's
    version; a refused one raises PermissionDenied and the admin's transaction undoes the rest)."""
    formset.save(commit=False)
    for evidence in formset.deleted_objects:
        services.remove_evidence(evidence, user=request.user)
    for evidence, _changed in formset.changed_objects:
        services.set_evidence_visibility(
            evidence, user=request.user, is_public=evidence.is_public, title=evidence.title
        )
    for evidence in formset.new_objects:
        services.add_evidence(
            update, user=request.user, file=evidence.file, title=evidence.title, is_public=evidence.is_public
        )
