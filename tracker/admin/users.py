"""Staff accounts: a role (secretariat, or government focal point of an actor) chosen in one
place, which gives staff status and the role's group with it; and the language of the e-mails
the tracker sends them (`tracker.models.StaffPreference`): the language they last signed in
with, unless chosen here."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tracker import roles
from tracker.models import StaffPreference, User
from tracker.models.preferences import choose_language

ROLE_CHOICES = [
    ("", _("No role (cannot sign in to the staff pages)")),
    (roles.SECRETARIAT_ROLE, _("Secretariat: edits, reviews and approves everything")),
    (roles.FOCAL_POINT_ROLE, _("Government focal point: reports for its actor; the secretariat approves")),
]


class RoleFormMixin(forms.Form):
    """The `role` field: set from the user's groups; UserAdmin.save_related saves it with
    `roles.assign_role`."""

    role = forms.ChoiceField(
        label=_("Role"),
        choices=ROLE_CHOICES,
        required=False,
        help_text=_("Gives staff status and the role's permissions. A focal point needs an actor."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["role"].initial = roles.role_of(self.instance)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == roles.FOCAL_POINT_ROLE and not cleaned.get("actor"):
            raise ValidationError({"actor": _("Choose the government or organisation this focal point reports for.")})
        return cleaned


class LanguageFormMixin(forms.Form):
    """The `email_language` field: a language of settings.LANGUAGES chosen for good, or "" for the
    language of the user's last sign-in (named in the choice when one is recorded).
    UserAdmin.save_related saves it with `tracker.models.preferences.choose_language`."""

    email_language = forms.ChoiceField(
        label=_("Language of e-mails"),
        required=False,
        help_text=_(
            "Review notices, reporting-cycle reminders and webhook notices are written in it. Unless one is "
            "chosen here, it is the language of the staff pages they last signed in to."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        preference = StaffPreference.objects.filter(user=self.instance).first() if self.instance.pk else None
        if preference is None:
            automatic = _("As they sign in (English until they do)")
        else:
            automatic = _("As they last signed in (now: %(language)s)") % {
                "language": preference.get_language_display()
            }
            if preference.chosen:
                self.fields["email_language"].initial = preference.language
        self.fields["email_language"].choices = [("", automatic), *settings.LANGUAGES]


class UserRoleChangeForm(RoleFormMixin, LanguageFormMixin, UserChangeForm):
    pass


class UserRoleCreationForm(RoleFormMixin, LanguageFormMixin, AdminUserCreationForm):
    pass


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserRoleChangeForm
    add_form = UserRoleCreationForm
    list_display = ["username", "email", "role", "actor", "is_active", "last_login"]
    list_filter = ["groups", "is_active", "actor"]
    list_select_related = ["actor"]
    autocomplete_fields = ["actor"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Role"), {"fields": ["role", "actor", "is_active"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email", "email_language"]}),
        (
            _("Advanced permissions"),
            {"classes": ["collapse"], "fields": ["is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "usable_password", "password1", "password2"]}),
        (_("Role"), {"fields": ["role", "actor", "email", "email_language"]}),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        roles.assign_role(form.instance, form.cleaned_data.get("role", ""))
        choose_language(form.instance, form.cleaned_data.get("email_language", ""))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("role"))
    def role(self, obj):
        role = roles.role_of(obj)
        return str(dict(ROLE_CHOICES)[role]).split(":")[0] if role else "—"
