"""What the staff product's model admins share: the status badge and the secretariat-only rule."""

from django.utils.html import format_html

from tracker import roles
from tracker.models import STATUS_COLOURS


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
