"""The two staff roles and the questions every part of the app asks about a user."""

SECRETARIAT = "Secretariat"
FOCAL_POINT = "Government focal point"
# The roles as a user form names them, and the group each one means.
SECRETARIAT_ROLE = "secretariat"
FOCAL_POINT_ROLE = "focal_point"
ROLE_GROUPS = {SECRETARIAT_ROLE: SECRETARIAT, FOCAL_POINT_ROLE: FOCAL_POINT}


def _group_names(user):
    # Cached on the user object: the admin asks several times per request.
    if not hasattr(user, "_tracker_groups"):
        user._tracker_groups = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
    return user._tracker_groups


def is_secretariat(user):
    """May edit and approve everything."""
    return bool(
        user and user.is_authenticated and user.is_active and (user.is_superuser or SECRETARIAT in _group_names(user))
    )


def is_focal_point(user):
    """May report for its own actor only; what it records waits for the secretariat's review."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and not is_secretariat(user)
        and FOCAL_POINT in _group_names(user)
        and user.actor_id
    )


def may_revise(user, update=None):
    """Whether `user` may change `update` (a ProgressUpdate) in the staff pages, or any update
    when None: the secretariat always; a focal point its own actor's, until approved."""
    if is_secretariat(user):
        return True
    if not is_focal_point(user):
        return False
    return update is None or (update.actor_id == user.actor_id and update.review_state != "approved")


def role_of(user):
    """ "secretariat", "focal_point" or "" (no role), from the user's groups (uses prefetched
    groups when there are any)."""
    names = {group.name for group in user.groups.all()} if user.pk else set()
    if SECRETARIAT in names:
        return SECRETARIAT_ROLE
    if FOCAL_POINT in names:
        return FOCAL_POINT_ROLE
    return ""


def assign_role(user, role):
    """Give the saved `user` the role `role` ("secretariat", "focal_point" or "" for none): the
    role's group instead of the other role's, and staff status with it (a superuser keeps staff
    status). Raises KeyError for an unknown role."""
    from django.contrib.auth.models import Group

    wanted = ROLE_GROUPS[role] if role else None
    for name in ROLE_GROUPS.values():
        if name != wanted:
            user.groups.remove(*Group.objects.filter(name=name))
    if wanted:
        user.groups.add(Group.objects.get(name=wanted))
    staff = bool(wanted) or user.is_superuser
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    if hasattr(user, "_tracker_groups"):
        del user._tracker_groups


def can_report_for(user, actor):
    """Whether `user` may record a progress update in the name of `actor`."""
    if is_secretariat(user):
        return True
    return is_focal_point(user) and actor is not None and actor.pk == user.actor_id


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


def ensure_groups():
    """Create the two staff groups with their permissions if they are missing (a migration
    creates them; tests that flush the database call this to get them back)."""
    from django.contrib.auth.models import Group, Permission

    tracker_permissions = Permission.objects.filter(content_type__app_label="tracker")
    secretariat, created = Group.objects.get_or_create(name=SECRETARIAT)
    if created:
        secretariat.permissions.set(
            tracker_permissions.exclude(codename__in=["add_user", "change_user", "delete_user"]).exclude(
                codename__regex=r"^(add|change|delete)_historical"
            )
        )
    focal_point, created = Group.objects.get_or_create(name=FOCAL_POINT)
    if created:
        focal_point.permissions.set(tracker_permissions.filter(codename__in=FOCAL_POINT_PERMISSIONS))
