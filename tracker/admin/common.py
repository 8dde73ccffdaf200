"""What the staff product's model admins share: the status badge, the secretariat-only rule and
forms that know who is editing, with a stale write reported instead of lost."""

from django.contrib import messages
from django.contrib.admin.views.main import ChangeList
from django.http import HttpResponseRedirect
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tracker import roles, services
from tracker.filters import status_rank
from tracker.models import STATUS_COLOURS


def status_badge(status, label):
    return format_html(
        '<span class="status-badge" style="background:{};color:#fff;padding:1px 6px;border-radius:3px;'
        'white-space:nowrap">{}</span>',
        STATUS_COLOURS.get(status, "#595959"),
        label,
    )


def with_request_user(form_class, user):
    """`form_class` whose instances are given `request_user=user` (the forms scope choices and
    checks by role)."""

    class RequestForm(form_class):
        def __init__(self, *args, **kwargs):
            kwargs["request_user"] = user
            super().__init__(*args, **kwargs)

    return RequestForm


class ServiceFormMixin:
    """A model admin whose forms take the editing user and whose saves go through
    `tracker.services`: a StaleVersion raised by the save (someone saved between the form's check
    and the write) is shown as a message, with nothing written."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        return with_request_user(super().get_form(request, obj, change=change, **kwargs), request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.StaleVersion as exc:
            messages.error(request, str(exc) + " " + str(_("Nothing was saved; reload and try again.")))
            return HttpResponseRedirect(request.path)


class SecretariatOnlyMixin:
    """Admins and inlines that everyone with a role may view and only the secretariat may change."""

    def has_add_permission(self, request, *args):
        return roles.is_secretariat(request.user)

    def has_change_permission(self, request, obj=None):
        return roles.is_secretariat(request.user)

    def has_delete_permission(self, request, obj=None):
        return roles.is_secretariat(request.user)


class WorkflowOrderChangeList(ChangeList):
    """A changelist whose `status` column (an editable model field, which cannot carry an
    `admin_order_field`) sorts in the workflow order of Status.order(), not alphabetically by code."""

    def get_ordering_field(self, field_name):
        if field_name == "status":
            return status_rank("status")
        return super().get_ordering_field(field_name)
