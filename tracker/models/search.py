"""Keeping `Recommendation.search_text` (and each language's search column) current when the names
of a recommendation's themes change.

`SearchTextField` computes the column on every save of a recommendation, from its code, text and
the names of its themes at that moment. The themes change without a save of the recommendation:
links added or removed (`recommendation.themes.set()` or `theme.recommendations.add()`: the admin's
form, the import, the API, bulk tagging, `loaddata`), a theme renamed or deleted. The receivers
connected by `connect()` (from `tracker.apps`) recompute the column of the recommendations
concerned, in the same transaction, whichever write path made the change. `QuerySet.update()` of
theme names and raw SQL bypass them: call `refresh_search_text()` after such a change.
"""

from django.db.models import Prefetch
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from .recommendations import Recommendation
from .reference import Theme
from .translations import translated_only

BATCH_SIZE = 500


def refresh_search_text(recommendations, batch_size=BATCH_SIZE):
    """Recompute the search columns (`search_text` and each language's, `SearchTextField`) of
    `recommendations` (a Recommendation queryset) from their code, text, translations and theme
    names as stored, writing only the rows where one changes. Batches of `batch_size` by primary
    key: per batch one query for the rows, one for their themes and one UPDATE if any changed.
    Returns how many rows changed."""
    field = Recommendation._meta.get_field("search_text")
    columns = field.columns()
    themes = Theme.objects.only("pk", "name", *translated_only(("name",)))
    rows = (
        recommendations.order_by("pk")
        .only("pk", "code", "text", *columns, *translated_only(("text",)))
        .prefetch_related(Prefetch("themes", queryset=themes))
    )
    last_pk, changed = None, 0
    while True:
        # Each batch is read in full before it is written (SQLite isolates no open cursor).
        batch = list((rows if last_pk is None else rows.filter(pk__gt=last_pk))[:batch_size])
        if not batch:
            return changed
        stale = []
        for recommendation in batch:
            values = field.compute(recommendation)
            if any(getattr(recommendation, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(recommendation, name, value)
                stale.append(recommendation)
        if stale:
            Recommendation.objects.bulk_update(stale, columns)
        changed += len(stale)
        last_pk = batch[-1].pk


def _links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """m2m_changed of Recommendation.themes: from a recommendation (`reverse` False) or a theme."""
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            refresh_search_text(Recommendation.objects.filter(pk=instance.pk))
    elif action == "pre_clear":  # the theme's recommendations, while the links still say which
        instance._search_cleared = list(instance.recommendations.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove", "post_clear"):
        ids = instance.__dict__.pop("_search_cleared", []) if action == "post_clear" else pk_set
        refresh_search_text(Recommendation.objects.filter(pk__in=ids))


# What of a theme its recommendations' search columns hold: its name in each language.
_NAMES = ("name", *translated_only(("name",)))


def _theme_saving(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk is not None:
        instance._search_old_names = Theme.objects.filter(pk=instance.pk).values_list(*_NAMES).first()


def _theme_saved(sender, instance, created, raw=False, **kwargs):
    """A theme renamed (in any language); a theme loaded by `loaddata` after the recommendations
    that link to it (a backup restores tables in alphabetical order: their links came first)."""
    old_names = instance.__dict__.pop("_search_old_names", None)
    if raw or (not created and old_names != tuple(getattr(instance, name) for name in _NAMES)):
        refresh_search_text(Recommendation.objects.filter(themes=instance))


def _theme_deleting(sender, instance, **kwargs):
    instance._search_deleted = list(instance.recommendations.values_list("pk", flat=True))


def _theme_deleted(sender, instance, **kwargs):
    refresh_search_text(Recommendation.objects.filter(pk__in=instance.__dict__.pop("_search_deleted", [])))


def connect():
    """Connect the receivers (once: each has a dispatch_uid)."""
    m2m_changed.connect(_links_changed, sender=Recommendation.themes.through, dispatch_uid="tracker-search-links")
    pre_save.connect(_theme_saving, sender=Theme, dispatch_uid="tracker-search-theme-saving")
    post_save.connect(_theme_saved, sender=Theme, dispatch_uid="tracker-search-theme-saved")
    pre_delete.connect(_theme_deleting, sender=Theme, dispatch_uid="tracker-search-theme-deleting")
    post_delete.connect(_theme_deleted, sender=Theme, dispatch_uid="tracker-search-theme-deleted")
