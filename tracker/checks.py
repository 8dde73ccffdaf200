"""System checks (`manage.py check`) for set-up mistakes a secretariat would otherwise meet as
refused saves."""

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


@register(Tags.database)
def secretariat_actor_check(app_configs, databases=None, **kwargs):
    """Warn when the secretariat's own assessments have no actor to be recorded under: the
    actor TRACKER_SECRETARIAT_ACTOR names does not exist, or it is unset and there are several
    actors of kind secretariat (with none, the seed has not been loaded yet: nothing to say).
    A database check: `migrate` runs it (and `check --database default`)."""
    if not databases:
        return []
    from tracker.models import Actor

    slug = settings.TRACKER_SECRETARIAT_ACTOR
    try:
        if slug:
            if not Actor.objects.filter(slug=slug).exists():
                return [
                    Warning(
                        f"TRACKER_SECRETARIAT_ACTOR names {slug!r}, but no actor has that slug.",
                        hint="Set it to the slug of the secretariat's actor (see /admin/tracker/actor/).",
                        id="tracker.W001",
                    )
                ]
            return []
        slugs = list(Actor.objects.filter(kind=Actor.Kind.SECRETARIAT).values_list("slug", flat=True)[:5])
    except DatabaseError:
        return []  # no database yet (before migrate): nothing to check
    if len(slugs) > 1:
        return [
            Warning(
                "Several actors are secretariats (" + ", ".join(slugs) + "): the secretariat's own assessments "
                "need one named.",
                hint="Set TRACKER_SECRETARIAT_ACTOR to the slug of one of them.",
                id="tracker.W002",
            )
        ]
    return []
