"""Staff accounts, each with the actor it reports for."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from tracker.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "actor", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "groups", "actor"]
    list_select_related = ["actor"]
    autocomplete_fields = ["actor"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Reporting"), {"fields": ["actor"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (_("Reporting"), {"fields": ["actor"]}),
    ]
