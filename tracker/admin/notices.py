"""E-mail notices of the review workflow: what was sent, what failed and why, for the
secretariat to see (and send again after fixing the mail server)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tracker import roles
from tracker.models import EmailNotice
from tracker.notifications.tasks import send_notice


@admin.register(EmailNotice)
class EmailNoticeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "subject", "state", "attempts", "sent_at"]
    list_filter = ["state", "event"]
    search_fields = ["subject", "recipients"]
    readonly_fields = [
        "event",
        "update",
        "recipients",
        "subject",
        "body",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ]
    actions = ["send_again"]

    def has_module_permission(self, request):
        return roles.is_secretariat(request.user)

    def has_view_permission(self, request, obj=None):
        return roles.is_secretariat(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_send_permission(self, request):
        return roles.is_secretariat(request.user)

    @admin.action(description=_("Send the selected notices again"), permissions=["send"])
    def send_again(self, request, queryset):
        notices = list(queryset.exclude(state=EmailNotice.State.SENT).values_list("pk", flat=True))
        queryset.filter(pk__in=notices).update(state=EmailNotice.State.PENDING, attempts=0)
        for pk in notices:
            send_notice.enqueue(pk)
        self.message_user(
            request,
            ngettext("%(count)d notice queued again.", "%(count)d notices queued again.", len(notices))
            % {"count": len(notices)},
            messages.SUCCESS,
        )
