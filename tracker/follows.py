"""Follow by e-mail, without an account: which pages can be followed, what matches them, and the
follows' life (asked for, confirmed, digested, unsubscribed, purged). Described in docs/follows.md.

A followable page is a recommendation, a forum, a theme or an actor page, or the list of
recommendations with any filters (`/recommendations/?...`): `parse_followed_url` checks that a
URL resolves to one of them on this site and normalises it. Each kind has its matching approved
updates (`Followed.updates()`); a digest lists those approved (`reviewed_at`) since the follow's
high-water mark (`Follow.sent_through`). Every state change is a function here, called by the
pages (tracker.views.follow) and the `send_digests` command.

Links in e-mails are absolute (settings.SITE_URL); tokens are signed (django.core.signing) and
bound to the follow's id, address and page, so a token outlives neither its follow nor a change
of the secret key. A follow records the language of the page it was asked from (`Follow.language`):
its confirmation, its digests and their links are in it (docs/i18n.md).
"""

import dataclasses
import datetime
import logging
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker import follow_limits, languages
from tracker.filters import RecommendationFilterSet
from tracker.follow_tokens import (
    CONFIRM_MAX_AGE,
    absolute,
    confirm_url,
    read_confirm_token,
    read_unsubscribe_token,
    unsubscribe_url,
)
from tracker.models import Actor, EmailNotice, Follow, Forum, ProgressUpdate, Recommendation, Theme
from tracker.models.preferences import recorded_language
from tracker.models.recommendations import first_words
from tracker.models.translations import localize
from tracker.notifications import queue_email

logger = logging.getLogger(__name__)

DIGEST_LIMIT = 50  # updates listed in one digest; the rest are counted, with a link to the page
# The list's query parameters that are not filters: dropped when a list URL is normalised.
NOT_FILTERS = {"page", "format", "ordering"}
# URL name -> (kind, model, URL keyword, lookup field) of the followable detail pages.
DETAIL_PAGES = {
    "tracker:recommendation-detail": ("recommendation", Recommendation, "code", "code"),
    "tracker:forum-detail": ("forum", Forum, "slug", "slug"),
    "tracker:theme-detail": ("theme", Theme, "slug", "slug"),
    "tracker:actor-detail": ("actor", Actor, "slug", "slug"),
}
LIST_PAGE = "tracker:recommendation-list"


@dataclasses.dataclass
class Followed:
    """A followable page: `kind` ("recommendation", "forum", "theme", "actor", "list"), `url` (its
    normalised path and query string), `obj` (the Recommendation, Forum, Theme or Actor; None for
    the list) and, for the list, its bound `filterset`."""

    kind: str
    url: str
    obj: object = None
    filterset: RecommendationFilterSet = None

    @property
    def label(self):
        """The page named in words, e.g. "Theme: Remittances" or "Recommendations with Status:
        Implemented; Forum: First Global Forum…", its text or name in the active language, else the
        source's (plain text: the e-mails that use it cannot mark a fallback's language)."""
        if self.kind == "recommendation":
            return _("Recommendation %(code)s: %(words)s") % {
                "code": self.obj.code,
                "words": first_words(localize(self.obj, "text").value),
            }
        if self.kind == "forum":
            return _("Forum: %(title)s") % {"title": localize(self.obj, "title").value}
        if self.kind == "theme":
            return _("Theme: %(name)s") % {"name": localize(self.obj, "name").value}
        if self.kind == "actor":
            return _("Actor: %(name)s") % {"name": localize(self.obj, "name").value}
        filters = describe_filters(self.filterset)
        return _("Recommendations with %(filters)s") % {"filters": filters} if filters else _("All recommendations")

    def updates(self):
        """The approved (public) progress updates that match this page, as a ProgressUpdate
        queryset without order: a recommendation's own; a forum's recommendations'; those of the
        recommendations with a theme; those of the recommendations an actor is responsible for and
        those it reported; those of the recommendations the list's filters select (the same
        RecommendationFilterSet as the page)."""
        public = ProgressUpdate.objects.public()
        if self.kind == "recommendation":
            return public.filter(recommendation=self.obj)
        if self.kind == "forum":
            return public.filter(recommendation__forum=self.obj)
        if self.kind == "theme":
            return public.of_recommendations(Recommendation.objects.filter(themes=self.obj))
        if self.kind == "actor":
            responsible = Recommendation.objects.filter(actors=self.obj).values("pk")
            return public.filter(models.Q(actor=self.obj) | models.Q(recommendation__in=responsible))
        return public.of_recommendations(self.filterset.qs)


def describe_filters(filterset):
    """The applied filters of a valid bound RecommendationFilterSet in words ("Status: Implemented,
    Stalled; Theme: Remittances"), "" when none is applied."""
    parts = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "", [], ()) or name in NOT_FILTERS:
            continue
        field = filterset.form.fields[name]
        if isinstance(value, models.Model):  # forum, theme, actor...: by name, without a query
            shown = str(value)
        elif isinstance(value, (list, tuple)):
            choices = dict(field.choices)
            shown = ", ".join(str(choices.get(item, item)) for item in value)
        elif isinstance(value, datetime.date):
            shown = date_format(value, "SHORT_DATE_FORMAT")
        elif hasattr(field, "choices"):
            shown = str(dict(field.choices).get(value, value))
        else:
            shown = f"“{value}”"
        parts.append(f"{field.label}: {shown}")
    return "; ".join(parts)


def _refuse(message, code):
    raise ValidationError(message, code=code)


def parse_followed_url(url):
    """The followable page at `url` (a string: a path such as "/themes/remittances/" or
    "/recommendations/?status=implemented", or an absolute URL on the host of settings.SITE_URL).

    Returns a Followed whose `url` is normalised: the path alone for a detail page; for the list,
    its filters sorted, empty ones, paging, format and sorting dropped. Raises ValidationError
    (code "required", "external", "not_followable", "not_found" or "invalid_filters") for an empty
    value, another scheme or host, a path that is not a followable page of this site (the API,
    the admin, feeds, anything unknown), an object that does not exist, or list filters that do
    not validate."""
    url = (url or "").strip()
    if not url:
        _refuse(_("Say which page of this site to follow."), "required")
    if len(url) > 2000:
        _refuse(_("This address is too long to follow."), "not_followable")
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        site = urlsplit(settings.SITE_URL)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() != site.netloc.lower():
            _refuse(_("Only pages of this site can be followed, not addresses elsewhere."), "external")
    if not parts.path.startswith("/"):
        _refuse(_("Give the address of a page of this site, starting with /."), "not_followable")
    # A page in any language is followed as the English one: the follow is of the page; the language
    # its digests are in is the follow's own (Follow.language).
    parts = parts._replace(path=languages.unprefixed(parts.path))
    try:
        with translation.override(settings.LANGUAGE_CODE):
            match = resolve(parts.path)
    except Resolver404:
        match = None
    if match is None or (match.view_name not in DETAIL_PAGES and match.view_name != LIST_PAGE):
        _refuse(
            _(
                "This address is not a page that can be followed: follow a recommendation, a forum, a theme, "
                "an actor or a list of recommendations."
            ),
            "not_followable",
        )
    if match.view_name in DETAIL_PAGES:
        kind, model, keyword, field = DETAIL_PAGES[match.view_name]
        try:
            obj = model.objects.get(**{field: match.kwargs[keyword]})
        except model.DoesNotExist:
            _refuse(_("There is no such page on this site any more."), "not_found")
        return Followed(kind, parts.path, obj)
    pairs = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=False)
        if name not in NOT_FILTERS and name in RecommendationFilterSet.base_filters
    )
    filterset = RecommendationFilterSet(QueryDict(urlencode(pairs)), queryset=Recommendation.objects.all())
    if not filterset.is_valid():
        problems = "; ".join(
            f"{filterset.form.fields[name].label}: {' '.join(errors)}" if name in filterset.form.fields else errors[0]
            for name, errors in filterset.errors.items()
        )
        _refuse(_("The filters of this list are not valid (%(problems)s).") % {"problems": problems}, "invalid_filters")
    path = parts.path + (f"?{urlencode(pairs)}" if pairs else "")
    return Followed("list", path, filterset=filterset)


@dataclasses.dataclass
class FollowRequest:
    """What `request_follow` did: `sent` is False when the rate limit refused the e-mail (then
    nothing was written); `follow` is the (new or existing) Follow, None when refused."""

    sent: bool
    follow: Follow | None
    followed: Followed


def normalise_email(email):
    """`email` stripped and case-folded (a string). Raises ValidationError when it is not an address."""
    email = (email or "").strip().lower()
    validate_email(email)
    return email


def request_follow(email, url, frequency, *, client=None):
    """Ask for `email` to follow the page at `url` with `frequency` ("daily" or "weekly"): write
    an unconfirmed Follow (or keep the existing one of that address and page) and queue the
    confirmation e-mail with its signed link (valid 48 hours), unless the rate limit refuses it
    (`tracker.follow_limits`: 3 per address and per `client` address in 24 hours). The active
    language (the page's) is the follow's: the confirmation is in it, and its link sets it as
    the digests' language (an unconfirmed follow takes it at once).

    The caller answers the same whatever happened, so the page never tells whether an address
    follows anything. An unconfirmed follow asked for again counts its 48 hours afresh; a
    confirmed one keeps its frequency until the new link is used. Returns a FollowRequest.
    Raises ValidationError for a bad address, page or frequency."""
    email = normalise_email(email)
    followed = parse_followed_url(url)
    if frequency not in Follow.Frequency.values:
        raise ValidationError(_("Choose daily or weekly."), code="invalid_frequency")
    with transaction.atomic():
        if not follow_limits.take_confirmation_slot(email, client):
            return FollowRequest(False, None, followed)
        language = recorded_language(translation.get_language())
        follow, created = Follow.objects.get_or_create(
            email=email, url=followed.url, defaults={"frequency": frequency, "language": language}
        )
        if not created and not follow.is_confirmed:
            follow.frequency, follow.language = frequency, language
            follow.created_at = timezone.now()
            follow.save(update_fields=["frequency", "language", "created_at"])
        link = confirm_url(follow, frequency, language)
        page_url = absolute(languages.path_in(followed.url, language))
        context = {"followed": followed, "link": link, "page_url": page_url, "frequency": frequency}
        queue_email(
            EmailNotice.Event.CONFIRM_FOLLOW,
            [email],
            _("[Tracker] Confirm that you want to follow %(page)s") % {"page": first_words(followed.label, 120)},
            render_to_string("tracker/email/follow_confirm.txt", context),
        )
    return FollowRequest(True, follow, followed)


def confirm_follow(token):
    """Confirm the follow a confirmation token names and set the frequency and language it carries;
    the first digest then covers updates approved from now on. Idempotent. Returns the Follow.
    Raises FollowTokenError ("expired", "invalid")."""
    with transaction.atomic():
        follow, frequency, language = read_confirm_token(token)
        follow = Follow.objects.select_for_update().get(pk=follow.pk)
        now = timezone.now()
        follow.frequency, follow.language = frequency, language
        follow.confirmed_at = follow.confirmed_at or now
        follow.sent_through = follow.sent_through or now
        follow.save(update_fields=["frequency", "language", "confirmed_at", "sent_through"])
    return follow


def unsubscribe(token):
    """Delete the follow an unsubscribe token names (one click, RFC 8058). Idempotent: returns the
    deleted Follow (unsaved), or None when it was gone already. Raises FollowTokenError("invalid")."""
    with transaction.atomic():
        follow = read_unsubscribe_token(token)
        if follow is None:
            return None
        Follow.objects.filter(pk=follow.pk).delete()
    return follow


def purge_unconfirmed(now=None):
    """Delete the follows still unconfirmed CONFIRM_MAX_AGE (48 hours) after they were asked for,
    and the rate-limit counters idle for 24 hours. Returns how many follows were deleted."""
    now = now or timezone.now()
    deleted, _ = Follow.objects.filter(confirmed_at__isnull=True, created_at__lt=now - CONFIRM_MAX_AGE).delete()
    follow_limits.purge_throttles(now)
    return deleted


def period_end(today):
    """The end of the digest period of a run on `today` (a date): midnight at its start, local time."""
    return timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))


def due_follows(today):
    """The confirmed follows due a digest on `today`, by id: daily ones digested through an
    earlier day, weekly ones through a day at least 7 days back."""
    end = period_end(today)
    weekly_end = period_end(today - datetime.timedelta(days=6))
    return (
        Follow.objects.filter(confirmed_at__isnull=False)
        .filter(
            models.Q(frequency=Follow.Frequency.DAILY, sent_through__lt=end)
            | models.Q(frequency=Follow.Frequency.WEEKLY, sent_through__lt=weekly_end)
        )
        .order_by("id")
    )


def new_updates(follow, followed, end):
    """The updates matching `followed` approved after `follow.sent_through`, up to `end`, oldest
    approval first, with their recommendation and actor."""
    return (
        followed.updates()
        .filter(reviewed_at__gt=follow.sent_through, reviewed_at__lte=end)
        .select_related("recommendation", "actor")
        .order_by("reviewed_at", "id")
    )


def compose_digest(follow, followed, updates, total):
    """(subject, body, headers) of the digest e-mail of `follow` listing `updates` (a list, the
    first DIGEST_LIMIT) of `total` new updates, in the active language (`send_digests` makes it
    the follow's), every link under its prefix; the headers carry the one-click unsubscribe."""
    unsubscribe = unsubscribe_url(follow)
    rows = [
        {
            "update": update,
            "words": first_words(localize(update.recommendation, "text").value),
            "actor": localize(update.actor, "name").value,
            "link": absolute(update.get_absolute_url()),
        }
        for update in updates
    ]
    context = {
        "followed": followed,
        "rows": rows,
        "more": total - len(rows),
        "page_url": absolute(languages.path_in(followed.url, translation.get_language() or settings.LANGUAGE_CODE)),
        "unsubscribe_url": unsubscribe,
        "frequency": follow.get_frequency_display().lower(),
    }
    subject = ngettext(
        "[Tracker] %(count)s new progress update: %(page)s", "[Tracker] %(count)s new progress updates: %(page)s", total
    ) % {
        "count": total,
        "page": first_words(followed.label, 120),
    }
    headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return subject, render_to_string("tracker/email/follow_digest.txt", context), headers


@dataclasses.dataclass
class DigestRun:
    """What `send_digests` did (or, dry, would do): counts of digests `sent`, follows with
    `nothing_new`, follows whose page is `gone` (skipped), unconfirmed follows `purged`."""

    sent: int = 0
    nothing_new: int = 0
    gone: int = 0
    purged: int = 0


def send_digests(today=None, *, dry_run=False):
    """Queue one digest e-mail per due confirmed follow (see `due_follows`) listing the matching
    updates approved since its high-water mark, up to midnight at the start of `today` (a date;
    default today, local time), and move the mark there; a follow with nothing new gets no
    e-mail. Each digest is keyed "digest:<follow id>:<YYYY-MM-DD>", so a run repeated on the same
    day sends nothing twice. Then purge unconfirmed follows (`purge_unconfirmed`). With `dry_run`
    nothing is written or sent. Returns a DigestRun."""
    today = today or timezone.localdate()
    end = period_end(today)
    run = DigestRun()
    for follow in due_follows(today).iterator(chunk_size=500):
        try:
            followed = parse_followed_url(follow.url)
        except ValidationError:
            logger.warning("Follow %s: its page %s is gone; no digest", follow.pk, follow.url)
            run.gone += 1
            continue
        matching = new_updates(follow, followed, end)
        updates = list(matching[: DIGEST_LIMIT + 1])
        if not updates:
            run.nothing_new += 1
            if not dry_run:
                Follow.objects.filter(pk=follow.pk, sent_through=follow.sent_through).update(sent_through=end)
            continue
        total = len(updates) if len(updates) <= DIGEST_LIMIT else matching.count()
        if dry_run:
            run.sent += 1
            continue
        with translation.override(recorded_language(follow.language)):  # each follow's own (docs/i18n.md)
            subject, body, headers = compose_digest(follow, followed, updates[:DIGEST_LIMIT], total)
        with transaction.atomic():
            # Guarded by the old mark: of two concurrent runs only one moves it and sends.
            if Follow.objects.filter(pk=follow.pk, sent_through=follow.sent_through).update(
                sent_through=end, last_sent_at=timezone.now()
            ):
                key = f"digest:{follow.pk}:{today.isoformat()}"
                if queue_email(EmailNotice.Event.DIGEST, [follow.email], subject, body, headers=headers, key=key):
                    run.sent += 1
    if dry_run:
        cutoff = timezone.now() - CONFIRM_MAX_AGE
        run.purged = Follow.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).count()
    else:
        run.purged = purge_unconfirmed()
    return run
