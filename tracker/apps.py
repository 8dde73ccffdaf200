from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Migration dialogues tracker")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from tracker import audit, checks  # noqa: F401  (the failed-login receiver, the system checks)
        from tracker.api.throttling import allow_cached_answer
        from tracker.http import cache
        from tracker.models import preferences, search
        from tracker.models.aggregate_triggers import (
            drop_aggregate_triggers_before_migrating,
            ensure_aggregate_triggers,
        )
        from tracker.models.scope_triggers import drop_scope_triggers_before_migrating, ensure_scope_triggers
        from tracker.models.sync import drop_sync_triggers_before_migrating, ensure_sync_triggers
        from tracker.models.version import ensure_version_triggers

        # Recommendation.search_text follows the names of each recommendation's themes.
        search.connect()
        # A staff user's e-mail language follows the admin they sign in to, unless they chose one.
        preferences.connect()

        # A cached API answer counts against the anonymous rate limit: the API's check, kept by
        # the cache without the cache importing the API.
        cache.register_hit_check(allow_cached_answer)
        post_migrate.connect(ensure_version_triggers, sender=self, dispatch_uid="tracker-version-triggers")
        pre_migrate.connect(drop_sync_triggers_before_migrating, sender=self, dispatch_uid="tracker-sync-drop")
        post_migrate.connect(ensure_sync_triggers, sender=self, dispatch_uid="tracker-sync-triggers")
        # The maintained status counts (tracker.models.aggregates): made again, and recounted, after
        # every migration on SQLite, whose table rebuilds would fail with them in place.
        pre_migrate.connect(drop_aggregate_triggers_before_migrating, sender=self, dispatch_uid="tracker-ag-drop")
        post_migrate.connect(ensure_aggregate_triggers, sender=self, dispatch_uid="tracker-ag-triggers")
        # The cache scopes the response cache keys answers by (tracker.models.cache_scopes).
        pre_migrate.connect(drop_scope_triggers_before_migrating, sender=self, dispatch_uid="tracker-cs-drop")
        post_migrate.connect(ensure_scope_triggers, sender=self, dispatch_uid="tracker-cs-triggers")
        # Outbound webhooks: the API renders each published event into deliveries (tracker.events).
        from django.db.models.signals import m2m_changed

        from tracker import events
        from tracker.api.webhooks import receivers

        events.published.connect(receivers.on_published, dispatch_uid="tracker-webhooks")
        for through in receivers.relation_senders():
            uid = f"tracker-webhooks-{through._meta.label}"
            m2m_changed.connect(receivers.on_relations_changed, sender=through, dispatch_uid=uid)
