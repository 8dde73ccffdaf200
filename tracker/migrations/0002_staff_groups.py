"""Create the two staff groups with their model permissions.

Secretariat: every permission on the tracker's models. Government focal point: view the
reference data and recommendations, add, change and view progress updates (the admin narrows
these to the user's own actor). Scoping beyond model permissions lives in the admin's querysets.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SECRETARIAT = "Secretariat"
FOCAL_POINT = "Government focal point"

FOCAL_POINT_PERMISSIONS = [
    "view_process",
    "view_forum",
    "view_roundtable",
    "view_recommendation",
    "view_actor",
    "view_theme",
    "view_document",
    "view_frameworkobjective",
    "add_progressupdate",
    "change_progressupdate",
    "view_progressupdate",
]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    tracker_permissions = Permission.objects.filter(content_type__app_label="tracker")
    secretariat, _ = Group.objects.get_or_create(name=SECRETARIAT)
    # History is read-only for everyone but superusers: the secretariat may view it, not edit it.
    secretariat.permissions.set(
        tracker_permissions.exclude(codename__in=["add_user", "change_user", "delete_user"]).exclude(
            codename__regex=r"^(add|change|delete)_historical"
        )
    )
    focal_point, _ = Group.objects.get_or_create(name=FOCAL_POINT)
    focal_point.permissions.set(tracker_permissions.filter(codename__in=FOCAL_POINT_PERMISSIONS))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[SECRETARIAT, FOCAL_POINT]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
