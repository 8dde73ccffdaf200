"""Outbound webhooks, the secretariat's only: endpoints (registered with a secret shown once,
re-enabled, sent a test event) and the read-only log of deliveries (sent again with "retry now").
Every change goes through `tracker.webhooks.services`."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tracker import roles
from tracker.events import EVENT_TYPES
from tracker.models import WebhookDelivery, WebhookEndpoint
from tracker.webhooks import services


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=[(event, event) for event in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The events POSTed to this endpoint (docs/webhooks.md)."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "is_active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        if self.instance.pk is None or url != self.instance.url:
            try:
                services.check_url(url)
            except ValidationError as error:
                raise ValidationError(error.message_dict["url"]) from None
        return url


class SecretariatOnly:
    def has_module_permission(self, request):
        return roles.is_secretariat(request.user)

    def has_view_permission(self, request, obj=None):
        return roles.is_secretariat(request.user)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SecretariatOnly, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "description", "event_list", "is_active", "consecutive_failures", "disabled_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]
    readonly_fields = [
        "disabled_at",
        "disabled_reason",
        "consecutive_failures",
        "created_by",
        "created_at",
        "deliveries_link",
    ]
    actions = ["reenable", "send_test_event"]

    def has_add_permission(self, request):
        return roles.is_secretariat(request.user)

    def has_change_permission(self, request, obj=None):
        return roles.is_secretariat(request.user)

    def has_delete_permission(self, request, obj=None):
        return roles.is_secretariat(request.user)

    def get_fields(self, request, obj=None):
        if obj is None:  # registering: the rest is the server's
            return ["url", "description", "events"]
        return ["url", "description", "events", "is_active", *self.readonly_fields]

    @admin.display(description=_("events"))
    def event_list(self, obj):
        return ", ".join(obj.events)

    @admin.display(description=_("deliveries"))
    def deliveries_link(self, obj):
        url = reverse("admin:tracker_webhookdelivery_changelist") + f"?endpoint__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("The log of its deliveries"))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            saved = services.register_endpoint(
                user=request.user, url=data["url"], events=data["events"], description=data["description"]
            )
            obj.pk, obj.secret, obj.created_at = saved.pk, saved.secret, saved.created_at
            obj._state.adding = False
            messages.warning(
                request,
                format_html(
                    "{} <code>{}</code>",
                    _("The signing secret of this endpoint, shown this once (store it with the receiver now):"),
                    saved.secret,
                ),
            )
            return
        stored = WebhookEndpoint.objects.get(pk=obj.pk)
        services.change_endpoint(
            stored,
            user=request.user,
            url=data["url"],
            events=data["events"],
            description=data["description"],
            is_active=data["is_active"],
        )

    def delete_model(self, request, obj):
        services.delete_endpoint(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for endpoint in queryset:
            services.delete_endpoint(endpoint, user=request.user)

    @admin.action(description=_("Re-enable the selected endpoints"), permissions=["change"])
    def reenable(self, request, queryset):
        endpoints = list(queryset.filter(is_active=False))
        for endpoint in endpoints:
            services.enable_endpoint(endpoint, user=request.user)
        self.message_user(
            request,
            ngettext("%(count)d endpoint re-enabled.", "%(count)d endpoints re-enabled.", len(endpoints))
            % {"count": len(endpoints)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Send a test event to the selected endpoints"), permissions=["change"])
    def send_test_event(self, request, queryset):
        endpoints = list(queryset.filter(is_active=True))
        for endpoint in endpoints:
            services.send_test_event(endpoint, user=request.user)
        self.message_user(
            request,
            ngettext(
                "A test event was queued for %(count)d active endpoint; see the log of deliveries.",
                "A test event was queued for %(count)d active endpoints; see the log of deliveries.",
                len(endpoints),
            )
            % {"count": len(endpoints)},
            messages.SUCCESS,
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(SecretariatOnly, admin.ModelAdmin):
    list_display = [
        "created_at",
        "endpoint",
        "event_type",
        "state",
        "attempts",
        "last_status_code",
        "latency_ms",
        "short_excerpt",
        "next_attempt_at",
    ]
    list_filter = ["endpoint", "state", "event_type"]
    list_select_related = ["endpoint"]
    search_fields = ["message_id", "endpoint__url"]
    fields = [
        "endpoint",
        "event_type",
        "message_id",
        "state",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "latency_ms",
        "response_excerpt",
        "error",
        "created_at",
        "delivered_at",
        "payload_json",
    ]
    readonly_fields = fields
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return roles.is_secretariat(request.user)

    @admin.display(description=_("response excerpt"))
    def short_excerpt(self, obj):
        return obj.response_excerpt[:80]

    @admin.display(description=_("payload"))
    def payload_json(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2, ensure_ascii=False))

    @admin.action(description=_("Retry the selected deliveries now"), permissions=["retry"])
    def retry_now(self, request, queryset):
        retried = sum(
            services.retry_delivery(delivery, user=request.user) for delivery in queryset.select_related("endpoint")
        )
        self.message_user(
            request,
            ngettext("%(count)d delivery queued again.", "%(count)d deliveries queued again.", retried)
            % {"count": retried},
            messages.SUCCESS,
        )
