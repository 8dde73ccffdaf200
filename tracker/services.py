"""The few operations that change state. The admin, the API and the importer all call these,
so every change of status is recorded the same way: as a progress update with who, when and why,
in one transaction with the recommendation's current status."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker import events
from tracker.models import Actor, EmailNotice, EvidenceFile, ProgressUpdate, Recommendation
from tracker.models.translations import current_lang, translated_only
from tracker.notifications import notify
from tracker.roles import can_report_for, is_secretariat

# What a revision may change besides the content: the summary's source language, its translations
# and their statuses (docs/i18n.md, "Content translation").
UPDATE_TRANSLATION_FIELDS = translated_only(("summary",))


def secretariat_actor():
    """The actor under which the secretariat's own assessments are recorded: the actor whose
    slug settings.TRACKER_SECRETARIAT_ACTOR names, else the only actor of kind secretariat
    (`gfmd` in the seed), else None (none, or several and none named: `manage.py check` says so).
    """
    slug = getattr(settings, "TRACKER_SECRETARIAT_ACTOR", "")
    if slug:
        return Actor.objects.filter(slug=slug).first()
    candidates = list(Actor.objects.filter(kind=Actor.Kind.SECRETARIAT).order_by("pk")[:2])
    return candidates[0] if len(candidates) == 1 else None


def acting_actor(user):
    """Whose assessment a status change by `user` is, when the user names none: the user's own
    actor, or for a secretariat user (or superuser) without one, `secretariat_actor()`. None
    when neither applies."""
    if user is None or not user.is_authenticated:
        return None
    if user.actor_id:
        return user.actor
    return secretariat_actor() if is_secretariat(user) else None


class StaleVersion(Exception):
    """The recommendation or progress update changed since the caller read it (someone else
    saved first). `obj` is the recommendation or update, refreshed; `expected_version` what the
    caller had."""

    def __init__(self, obj, expected_version):
        self.obj = obj
        self.expected_version = expected_version
        if isinstance(obj, ProgressUpdate):
            message = _(
                "Progress update %(id)s was changed by someone else (version %(current)s, you had %(expected)s)."
            ) % {"id": obj.pk, "current": obj.version, "expected": expected_version}
        else:
            message = _(
                "Recommendation %(code)s was changed by someone else (version %(current)s, you had %(expected)s)."
            ) % {"code": obj.code, "current": obj.version, "expected": expected_version}
        super().__init__(message)


class InvalidTransition(Exception):
    """A review asked of an update that is not (or no longer) waiting for review."""


def _claim_version(obj, expected_version):
    """Bump the version of `obj` (a Recommendation or a ProgressUpdate) if it is still
    `expected_version` (any version when None), atomically. Raises StaleVersion.

    One conditional UPDATE, so of two concurrent writers with the same version exactly one wins,
    on SQLite and PostgreSQL alike. A recommendation's `updated_at` moves with its version: it is
    claimed only for changes the public can see.
    """
    model = type(obj)
    query = model.objects.filter(pk=obj.pk)
    if expected_version is not None:
        query = query.filter(version=expected_version)
    changes = {"version": F("version") + 1}
    if model is Recommendation:
        changes["updated_at"] = timezone.now()
    refreshed = ["version", "updated_at"] if model is Recommendation else ["version", "review_state"]
    if not query.update(**changes):
        obj.refresh_from_db(fields=refreshed)
        raise StaleVersion(obj, expected_version)
    obj.refresh_from_db(fields=refreshed)


def _check_version(recommendation, expected_version):
    """Raise StaleVersion unless the recommendation is still at `expected_version` (None: any).
    For writes based on a recommendation that change nothing public (a focal point's submission)."""
    if expected_version is None:
        return
    if not Recommendation.objects.filter(pk=recommendation.pk, version=expected_version).exists():
        recommendation.refresh_from_db(fields=["version"])
        raise StaleVersion(recommendation, expected_version)


def _refresh_current_status(recommendation, user):
    """Set the recommendation's status to that of its latest approved update, with history.
    Returns whether it changed; a change publishes `recommendation.status_changed` (tracker.events)."""
    latest = recommendation.updates.approved().timeline().first()
    new = (
        (latest.status, latest.reported_on, latest.recorded_at)
        if latest
        else (Recommendation.Status.NO_INFORMATION, None, None)
    )
    old = (recommendation.status, recommendation.status_date, recommendation.status_changed_at)
    if new == old:
        return False
    recommendation.status, recommendation.status_date, recommendation.status_changed_at = new
    recommendation._history_user = user
    recommendation.save(update_fields=["status", "status_date", "status_changed_at", "updated_at"])
    events.publish(events.RECOMMENDATION_STATUS_CHANGED, recommendation)
    return True


def record_progress(
    recommendation,
    *,
    user,
    actor,
    status,
    summary,
    source_lang=None,
    reported_on=None,
    evidence_url="",
    source_document=None,
    expected_version=None,
):
    """Record a progress update and, if it counts at once, the recommendation's new status.

    `summary` is written in `source_lang` (one of `tracker.models.translations.LANGUAGES`; default:
    the active language, which is the page's in the admin and the content language in the API).

    What the secretariat records is approved at once; what a focal point records is submitted
    for review and changes nothing public until approved (the reviewers are e-mailed).
    `expected_version` is the recommendation's version the caller read: a concurrent public
    change then raises `StaleVersion` instead of being lost. Returns the saved ProgressUpdate.
    Raises PermissionDenied (not the user's actor to report for) and ValidationError (no actor,
    an unknown status, no summary, a report date in the future or before the forum began).
    An update approved at once publishes `update.approved` (tracker.events) in the transaction.
    """
    update = ProgressUpdate(
        recommendation=recommendation,
        actor=actor,
        status=status,
        summary=summary or "",
        source_lang=source_lang or current_lang(),
        evidence_url=evidence_url or "",
        source_document=source_document,
        reported_on=reported_on or timezone.localdate(),
    )
    return submit_update(update, user=user, expected_version=expected_version)


def submit_update(update, *, user, expected_version=None):
    """Save a new, unsaved ProgressUpdate built by a form or serializer; as `record_progress`
    (returns it; raises PermissionDenied, ValidationError, StaleVersion). ValueError for an
    update that is already saved."""
    if update.pk is not None:
        raise ValueError("submit_update() saves new updates; use revise_update() for existing ones.")
    if update.actor_id is None:
        raise ValidationError({"actor": _("Name the government or organisation whose assessment this is.")})
    if not can_report_for(user, update.actor):
        raise PermissionDenied(_("You may only report progress for your own government or organisation."))
    if update.status not in Recommendation.Status.values:
        raise ValidationError({"status": _("Unknown status %(status)r.") % {"status": update.status}})
    update.summary = (update.summary or "").strip()
    if not update.summary:
        raise ValidationError({"summary": _("Say why: a summary is required for every progress update.")})
    now = timezone.now()
    approved = is_secretariat(user)
    update.reported_on = update.reported_on or timezone.localdate()
    update.recorded_by = user
    update.recorded_at = now
    update.review_state = ProgressUpdate.ReviewState.APPROVED if approved else ProgressUpdate.ReviewState.SUBMITTED
    update.reviewed_by = user if approved else None
    update.reviewed_at = now if approved else None
    update.full_clean(exclude=["recommendation", "actor", "recorded_by", "reviewed_by", "source_document"])
    recommendation = update.recommendation
    with transaction.atomic():
        if approved:
            # Public at once: the recommendation's timeline (and perhaps its status) changes.
            _claim_version(recommendation, expected_version)
        else:
            # Private until approved: the recommendation's public version must not move.
            _check_version(recommendation, expected_version)
        update._history_user = user
        update.save()
        if approved:
            _refresh_current_status(recommendation, user)
            events.publish(events.UPDATE_APPROVED, update)
        else:
            notify(EmailNotice.Event.SUBMITTED, update)
    return update


def save_recommendation(recommendation, *, user, expected_version=None, changed_fields=None, status_change=None):
    """Save edits to a recommendation's own fields (text, forum, dates, ...), refusing a stale
    version. Its status is never saved from here: a status change is passed as `status_change`
    (a dict of record_progress arguments) and recorded as a progress update in the same
    transaction. `changed_fields`, when given, lets a pure status change skip the plain save so
    that each change leaves exactly one history entry. Returns the recommendation. Raises
    PermissionDenied (not the secretariat), StaleVersion and, from the status change,
    ValidationError. A new recommendation or a change of its own fields publishes
    `recommendation.changed` (tracker.events), after the status change."""
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat may change recommendations."))
    with transaction.atomic():
        content_changed = True
        if recommendation.pk is None:
            recommendation.status = Recommendation.Status.NO_INFORMATION
            recommendation._history_user = user
            recommendation.save()
        elif changed_fields is None or set(changed_fields) - {"status"}:
            old_status = Recommendation.objects.filter(pk=recommendation.pk).values_list("status", flat=True).get()
            _claim_version(recommendation, expected_version)
            expected_version = None  # claimed: the status change below belongs to this same edit
            recommendation.status = old_status
            recommendation._history_user = user
            recommendation.save()
        else:
            content_changed = False
        if status_change:
            record_progress(recommendation, user=user, expected_version=expected_version, **status_change)
        if content_changed:  # published last, so what receivers render includes the status change
            events.publish(events.RECOMMENDATION_CHANGED, recommendation)
    return recommendation


def _review(update, user, state, note, expected_version):
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat may approve or return progress updates."))
    with transaction.atomic():
        # One conditional UPDATE decides: of two reviewers, exactly one finds it still submitted.
        query = ProgressUpdate.objects.filter(pk=update.pk, review_state=ProgressUpdate.ReviewState.SUBMITTED)
        if expected_version is not None:
            query = query.filter(version=expected_version)
        if not query.update(version=F("version") + 1):
            update.refresh_from_db(fields=["version", "review_state"])
            if expected_version is not None and update.version != expected_version:
                raise StaleVersion(update, expected_version)
            raise InvalidTransition(
                _("Only submitted updates can be reviewed; this one is %(state)s.")
                % {"state": update.get_review_state_display()}
            )
        update.refresh_from_db(fields=["version"])
        update.review_state = state
        update.reviewed_by = user
        update.reviewed_at = timezone.now()
        update.review_note = note or ""
        update._history_user = user
        update.save(update_fields=["review_state", "reviewed_by", "reviewed_at", "review_note"])
        if state == ProgressUpdate.ReviewState.APPROVED:
            recommendation = update.recommendation
            _claim_version(recommendation, None)
            _refresh_current_status(recommendation, user)
            notify(EmailNotice.Event.APPROVED, update)
            events.publish(events.UPDATE_APPROVED, update)
        else:
            notify(EmailNotice.Event.RETURNED, update)
    return update


def approve_update(update, *, user, note="", expected_version=None):
    """Approve a submitted update; it becomes public and may change the current status.

    `expected_version` is the update's own version (None: any). Raises PermissionDenied (not the
    secretariat), StaleVersion (the update changed since), InvalidTransition (not submitted).
    Publishes `update.approved` (tracker.events) in the transaction.
    """
    return _review(update, user, ProgressUpdate.ReviewState.APPROVED, note, expected_version)


def return_update(update, *, user, note="", expected_version=None):
    """Return a submitted update to its author for revision; it stays private, so the
    recommendation's public version does not move. Raises as `approve_update`."""
    return _review(update, user, ProgressUpdate.ReviewState.RETURNED, note, expected_version)


def revise_update(update, *, user, changes, expected_version=None):
    """Change a progress update's content (status, summary, evidence, date), or the summary's
    source language, translations and their statuses (`summary_fr`, `translation_status_fr`, ...).

    A focal point may revise its own actor's submitted or returned updates, which go back to
    `submitted`; the secretariat may revise any update, and an approved one stays approved, so
    the recommendation's status is recomputed (and its version moves) in the same transaction.
    `expected_version` is the update's own version (None: any). Raises PermissionDenied,
    ValidationError (a field that cannot be changed, or an invalid value) and StaleVersion.
    """
    if not can_report_for(user, update.actor):
        raise PermissionDenied(_("You may only revise your own government's or organisation's updates."))
    secretariat = is_secretariat(user)
    if not secretariat and update.review_state == ProgressUpdate.ReviewState.APPROVED:
        raise PermissionDenied(_("An approved update can only be changed by the secretariat."))
    allowed = {"status", "summary", "evidence_url", "reported_on", "source_document", *UPDATE_TRANSLATION_FIELDS}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if "actor" in changes and not can_report_for(user, changes["actor"]):
        raise PermissionDenied(_("You may only report progress for your own government or organisation."))
    for field, value in changes.items():
        setattr(update, field, value)
    update.full_clean(exclude=["recommendation", "actor", "recorded_by", "reviewed_by"])
    with transaction.atomic():
        recommendation = update.recommendation
        _claim_version(update, expected_version)
        if not secretariat and update.review_state == ProgressUpdate.ReviewState.APPROVED:
            raise PermissionDenied(_("An approved update can only be changed by the secretariat."))
        public = update.review_state == ProgressUpdate.ReviewState.APPROVED
        if not secretariat:
            update.review_state = ProgressUpdate.ReviewState.SUBMITTED
            update.reviewed_by = None
            update.reviewed_at = None
        update._history_user = user
        update.save()
        if public:
            _claim_version(recommendation, None)
            _refresh_current_status(recommendation, user)
        elif not secretariat:
            # Revised by its reporter: back in the reviewers' queue.
            notify(EmailNotice.Event.SUBMITTED, update)
    return update


def _check_may_change_files(update, user):
    if not can_report_for(user, update.actor):
        raise PermissionDenied(_("You may only add evidence to your own government's or organisation's updates."))
    if not is_secretariat(user) and update.review_state == ProgressUpdate.ReviewState.APPROVED:
        raise PermissionDenied(_("The evidence of an approved update can only be changed by the secretariat."))


def add_evidence(update, *, user, file, title="", is_public=False):
    """Attach an evidence file (a Django File or UploadedFile) to `update`; returns the saved
    EvidenceFile. Who may: as for `revise_update`. The file's type is read from its content and
    its size checked (tracker.models.evidence). The update's version moves (its API answer
    changes). Raises PermissionDenied, or ValidationError ({"file": [...]}) with nothing stored."""
    _check_may_change_files(update, user)
    evidence = EvidenceFile(update=update, file=file, title=title, is_public=is_public, uploaded_by=user)
    evidence.full_clean(exclude=["update", "uploaded_by"])
    with transaction.atomic():
        _claim_version(update, None)
        evidence.save()
    return evidence


def set_evidence_visibility(evidence, *, user, is_public, title=None):
    """Mark an evidence file public or staff-only (and retitle it when `title` is given).
    Raises PermissionDenied as `add_evidence`."""
    _check_may_change_files(evidence.update, user)
    evidence.is_public = is_public
    if title is not None:
        evidence.title = title
    evidence.full_clean(exclude=["update", "uploaded_by", "file"])
    with transaction.atomic():
        _claim_version(evidence.update, None)
        evidence.save(update_fields=["is_public", "title"])
    return evidence


def remove_evidence(evidence, *, user):
    """Detach an evidence file from its update. The stored file is kept (a backup or an audit
    may still need it); only the link goes. Raises PermissionDenied as `add_evidence`."""
    _check_may_change_files(evidence.update, user)
    with transaction.atomic():
        _claim_version(evidence.update, None)
        evidence.delete()


def delete_update(update, *, user, expected_version=None):
    """Delete a progress update (secretariat only) and recompute the status it may have set.

    `expected_version` is the update's own version (None: any). Raises PermissionDenied and
    StaleVersion. The recommendation's version moves only if the update was public.
    """
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat may delete progress updates."))
    with transaction.atomic():
        recommendation = update.recommendation
        _claim_version(update, expected_version)
        public = update.review_state == ProgressUpdate.ReviewState.APPROVED
        update._history_user = user
        update.delete()
        if public:
            _claim_version(recommendation, None)
            _refresh_current_status(recommendation, user)


def set_themes(recommendations, *, themes, mode, user):
    """Bulk theme tagging (secretariat only): add, replace or remove `themes` on each
    recommendation. Returns how many recommendations changed; each gets one history entry.
    Raises PermissionDenied (not the secretariat)."""
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat may change recommendations."))
    wanted = {theme.pk for theme in themes}
    changed = 0
    with transaction.atomic():
        for recommendation in recommendations.prefetch_related("themes"):
            current = {theme.pk for theme in recommendation.themes.all()}
            new = {"add": current | wanted, "replace": wanted, "remove": current - wanted}[mode]
            if new == current:
                continue
            recommendation.themes.set(new)
            _claim_version(recommendation, None)
            recommendation._history_user = user
            recommendation.save(update_fields=["version", "updated_at"])
            events.publish(events.RECOMMENDATION_CHANGED, recommendation)
            changed += 1
    return changed
