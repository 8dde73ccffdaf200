from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Migration dialogues tracker")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from tracker import audit  # noqa: F401  (connects the failed-login receiver)
        from tracker.models.version import ensure_version_triggers

        post_migrate.connect(ensure_version_triggers, sender=self, dispatch_uid="tracker-version-triggers")
