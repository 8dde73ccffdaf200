"""Signed links of follows by e-mail (django.core.signing, salted per purpose): the confirmation
link (valid `CONFIRM_MAX_AGE`, 48 hours) and the one-click unsubscribe link (valid as long as its
follow exists). A token carries the follow's id and a keyed fingerprint of its id, address and
page, never the address itself, so a link works only for the follow it was made for, dies with it
(or with a change of the secret key) and reveals nothing when it shows in a log.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import salted_hmac

from tracker.models import Follow

CONFIRM_SALT = "tracker.follows.confirm"
UNSUBSCRIBE_SALT = "tracker.follows.unsubscribe"
CONFIRM_MAX_AGE = datetime.timedelta(hours=48)  # also how long an unconfirmed follow is kept


def absolute(path):
    """`path` as an absolute URL of this site (settings.SITE_URL)."""
    return settings.SITE_URL.rstrip("/") + path


class FollowTokenError(Exception):
    """A confirmation or unsubscribe link that cannot be used: `reason` is "invalid" (forged,
    garbled, or its follow is gone) or "expired" (a confirmation link older than 48 hours)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _fingerprint(follow):
    data = f"{follow.pk}|{follow.email}|{follow.url}"
    return salted_hmac("tracker.follows.fingerprint", data, algorithm="sha256").hexdigest()[:24]


def confirm_token(follow, frequency, language=None):
    """The signed token of the confirmation link of `follow` (valid CONFIRM_MAX_AGE) that sets
    `frequency` and, when given, `language` (a code of settings.LANGUAGES: the digests')."""
    payload = {"f": follow.pk, "h": _fingerprint(follow), "q": frequency}
    if language:
        payload["l"] = language
    return signing.dumps(payload, salt=CONFIRM_SALT)


def unsubscribe_token(follow):
    """The signed token of `follow`'s unsubscribe link; it never expires but dies with the follow."""
    return signing.dumps({"f": follow.pk, "h": _fingerprint(follow)}, salt=UNSUBSCRIBE_SALT)


def confirm_url(follow, frequency, language=None):
    """The absolute confirmation URL of `follow` that sets `frequency` ("daily" or "weekly") and
    `language` (see `confirm_token`), under the active language's prefix."""
    return absolute(reverse("tracker:follow-confirm", args=[confirm_token(follow, frequency, language)]))


def unsubscribe_url(follow):
    """The absolute one-click unsubscribe URL of `follow`, under the active language's prefix."""
    return absolute(reverse("tracker:follow-unsubscribe", args=[unsubscribe_token(follow)]))


def _load(token, salt, max_age=None):
    """(payload, Follow or None) of a token. Raises FollowTokenError("expired"/"invalid")."""
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as error:
        raise FollowTokenError("expired") from error
    except signing.BadSignature as error:
        raise FollowTokenError("invalid") from error
    if not isinstance(payload, dict) or not isinstance(payload.get("f"), int):
        raise FollowTokenError("invalid")
    follow = Follow.objects.filter(pk=payload["f"]).first()
    if follow is not None and _fingerprint(follow) != payload.get("h"):
        follow = None  # the id now belongs to another follow: this token's follow is gone
    return payload, follow


def read_confirm_token(token):
    """(Follow, frequency, language) a confirmation token names: the language its digests are to
    be in, the follow's own when the token carries none (or one no longer offered). Raises
    FollowTokenError: "expired" after CONFIRM_MAX_AGE, "invalid" when forged or when its follow
    is gone (purged, unsubscribed)."""
    payload, follow = _load(token, CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    if follow is None or payload.get("q") not in Follow.Frequency.values:
        raise FollowTokenError("invalid")
    language = payload.get("l")
    return follow, payload["q"], language if language in dict(settings.LANGUAGES) else follow.language


def read_unsubscribe_token(token):
    """The Follow an unsubscribe token names, or None when it is gone already (unsubscribed).
    Raises FollowTokenError("invalid") for a forged or garbled token."""
    return _load(token, UNSUBSCRIBE_SALT)[1]
