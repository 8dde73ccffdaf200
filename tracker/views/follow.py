"""Follow by e-mail, without an account (docs/follows.md): the form at /follow/?url=<page>, the
confirmation link and the one-click unsubscribe link.

Every answer here is `never_cache` (private, no-store), so the response cache (tracker.http.cache)
never keeps one: they hold a CSRF token or depend on a token in the URL, and confirming or
unsubscribing must reach the view every time. The form answers the same page whether or not the
address already follows the page and whether or not the rate limit let the e-mail go, so it
cannot be used to find out who follows what. The state changes are tracker.follows' functions.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tracker import follows
from tracker.audit import log_denied
from tracker.follow_tokens import FollowTokenError, read_confirm_token, read_unsubscribe_token
from tracker.http.client_address import client_address
from tracker.models import Follow


class FollowForm(forms.Form):
    """The follow form: the page (hidden, checked by tracker.follows.parse_followed_url), the
    address and the frequency."""

    url = forms.CharField(widget=forms.HiddenInput, max_length=2000)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Follow.Frequency.choices,
        initial=Follow.Frequency.WEEKLY,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.followed = None

    def clean_url(self):
        self.followed = follows.parse_followed_url(self.cleaned_data["url"])
        return self.followed.url


def _page_error(request, error, status=400):
    return render(
        request, "tracker/follow_form.html", {"page_error": " ".join(error.messages), "form": None}, status=status
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def follow(request):
    """/follow/?url=<page>: GET shows the form naming the page (400 with the reason when `url` is
    not a followable page of this site); POST asks for the follow (tracker.follows.request_follow)
    and redirects to the same neutral "check your inbox" page whatever happened (303). A refusal
    by the rate limit is logged to the audit log."""
    if request.method == "POST":
        form = FollowForm(request.POST)
        if not form.is_valid():
            if form.followed is None and "url" in form.errors:
                return _page_error(request, ValidationError(form.errors["url"]))
            return render(request, "tracker/follow_form.html", {"form": form, "followed": form.followed}, status=400)
        data = form.cleaned_data
        outcome = follows.request_follow(data["email"], data["url"], data["frequency"], client=client_address(request))
        if not outcome.sent:
            log_denied(
                "follow_rate_limited",
                request=request,
                obj=outcome.followed.url,
                reason="confirmation e-mails per address or client address over 3 in 24 h",
            )
        answer = HttpResponseRedirect(f"{reverse('tracker:follow-requested')}?{urlencode({'url': data['url']})}")
        answer.status_code = 303  # See Other: reloading the next page does not post the form again
        return answer
    try:
        followed = follows.parse_followed_url(request.GET.get("url", ""))
    except ValidationError as error:
        return _page_error(request, error)
    form = FollowForm(initial={"url": followed.url})
    return render(request, "tracker/follow_form.html", {"form": form, "followed": followed})


@never_cache
@require_http_methods(["GET", "HEAD"])
def follow_requested(request):
    """/follow/requested/?url=<page>: the neutral answer to the form, the same for every address."""
    try:
        followed = follows.parse_followed_url(request.GET.get("url", ""))
    except ValidationError:
        followed = None
    return render(request, "tracker/follow_requested.html", {"followed": followed})


def _token_error(request, template, error):
    return render(request, template, {"token_error": error.reason}, status=400)


def _followed_or_none(follow):
    try:
        return follows.parse_followed_url(follow.url)
    except ValidationError:
        return None


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def follow_confirm(request, token):
    """/follow/confirm/<token>/: GET shows what is being confirmed with a button; the POST (with
    its CSRF token) confirms (tracker.follows.confirm_follow). Confirming takes a press, not the
    mere opening of the link, so a mail filter that opens links cannot confirm for anyone. A
    forged, expired or used-up token answers 400 with the reason."""
    template = "tracker/follow_confirm.html"
    try:
        if request.method == "POST":
            follow = follows.confirm_follow(token)
            context = {"done": True, "follow": follow, "frequency": follow.get_frequency_display()}
        else:
            follow, frequency, _language = read_confirm_token(token)
            context = {"done": False, "follow": follow, "frequency": Follow.Frequency(frequency).label}
    except FollowTokenError as error:
        return _token_error(request, template, error)
    context["followed"] = _followed_or_none(follow)
    return render(request, template, context)


@csrf_exempt  # A mail client's one-click POST (RFC 8058) carries no CSRF token; the signed token is the authority.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def follow_unsubscribe(request, token):
    """/follow/unsubscribe/<token>/: GET shows the page followed with a button; POST (the button,
    or a mail client's `List-Unsubscribe=One-Click`, RFC 8058) deletes the follow
    (tracker.follows.unsubscribe). Idempotent: a follow gone already answers 200 as well. Only the
    signed token authorises it, so the POST needs no CSRF token; a forged one answers 400."""
    template = "tracker/follow_unsubscribe.html"
    try:
        if request.method == "POST":
            follow = follows.unsubscribe(token)
            context = {"done": True}
        else:
            follow = read_unsubscribe_token(token)
            context = {"done": False}
    except FollowTokenError as error:
        return _token_error(request, template, error)
    context["follow"] = follow
    context["followed"] = _followed_or_none(follow) if follow is not None else None
    return render(request, template, context)
