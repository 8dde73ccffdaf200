"""Who may call which API operation. The services check again for each object (an actor's own
updates, the review state); these checks answer early and with the right status code."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from tracker.roles import is_focal_point, is_secretariat


class CanReport(permissions.BasePermission):
    """Reading is open to everyone; writing needs a focal point or the secretariat.

    Anonymous clients get 401 (from IsAuthenticatedOrReadOnly, checked first), authenticated
    users without a reporting role 403.
    """

    message = _("Only a government focal point or the secretariat may write progress updates.")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return is_secretariat(request.user) or is_focal_point(request.user)


class IsSecretariat(permissions.BasePermission):
    """Reviewing (approve, return) and deleting are the secretariat's."""

    message = _("Only the secretariat may review or delete progress updates.")

    def has_permission(self, request, view):
        return is_secretariat(request.user)
